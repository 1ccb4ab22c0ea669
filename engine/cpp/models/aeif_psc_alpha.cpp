// aeif_psc_alpha: adaptive exponential integrate-and-fire with alpha-shaped
// synaptic currents. The family's one implementation is aeif.h; this file
// registers the model's parameter table, input routing and recordables.
#include "aeif.h"

namespace sd {

using AeifPscAlpha = Aeif<AeifSynapse::kPscAlpha>;

SD_REGISTER_MODEL(
    aeif_psc_alpha,
    define_aeif<AeifPscAlpha>("aeif_psc_alpha")
        .param("tau_syn_ex", &AeifPscAlpha::tau_syn_ex)
        .param("tau_syn_in", &AeifPscAlpha::tau_syn_in)
        .check("tau_syn_ex", ">", 0.0)
        .check("tau_syn_in", ">", 0.0)
        .routing(Routing::kSigned)
        .record("I_syn_ex", [](const AeifPscAlpha& m, size_t i) { return m.y[6 * i + 2]; })
        .record("I_syn_in", [](const AeifPscAlpha& m, size_t i) { return m.y[6 * i + 4]; })
        .record("V_m", [](const AeifPscAlpha& m, size_t i) { return m.y[6 * i]; })
        .record("w", [](const AeifPscAlpha& m, size_t i) { return m.y[6 * i + 5]; }));

}  // namespace sd
