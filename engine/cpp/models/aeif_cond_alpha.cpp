// aeif_cond_alpha: adaptive exponential integrate-and-fire with alpha-shaped
// conductances. The family's one implementation is aeif.h; this file
// registers the model's parameter table, input routing and recordables.
#include "aeif.h"

namespace sd {

using AeifCondAlpha = Aeif<AeifSynapse::kCondAlpha>;

SD_REGISTER_MODEL(
    aeif_cond_alpha,
    define_aeif<AeifCondAlpha>("aeif_cond_alpha")
        .param("E_ex", &AeifCondAlpha::E_ex)
        .param("E_in", &AeifCondAlpha::E_in)
        .param("tau_syn_ex", &AeifCondAlpha::tau_syn_ex)
        .param("tau_syn_in", &AeifCondAlpha::tau_syn_in)
        .check("tau_syn_ex", ">", 0.0)
        .check("tau_syn_in", ">", 0.0)
        .routing(Routing::kSigned)
        .record("V_m", [](const AeifCondAlpha& m, size_t i) { return m.y[6 * i]; })
        .record("g_ex", [](const AeifCondAlpha& m, size_t i) { return m.y[6 * i + 2]; })
        .record("g_in", [](const AeifCondAlpha& m, size_t i) { return m.y[6 * i + 4]; })
        .record("w", [](const AeifCondAlpha& m, size_t i) { return m.y[6 * i + 5]; }));

}  // namespace sd
