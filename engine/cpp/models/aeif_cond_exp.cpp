// aeif_cond_exp: adaptive exponential integrate-and-fire with exponentially
// decaying conductances. The family's one implementation is aeif.h; this file
// registers the model's parameter table, input routing and recordables.
#include "aeif.h"

namespace sd {

using AeifCondExp = Aeif<AeifSynapse::kCondExp>;

SD_REGISTER_MODEL(
    aeif_cond_exp,
    define_aeif<AeifCondExp>("aeif_cond_exp")
        .param("E_ex", &AeifCondExp::E_ex)
        .param("E_in", &AeifCondExp::E_in)
        .param("tau_syn_ex", &AeifCondExp::tau_syn_ex)
        .param("tau_syn_in", &AeifCondExp::tau_syn_in)
        .check("tau_syn_ex", ">", 0.0)
        .check("tau_syn_in", ">", 0.0)
        .routing(Routing::kSigned)
        .record("V_m", [](const AeifCondExp& m, size_t i) { return m.y[4 * i]; })
        .record("g_ex", [](const AeifCondExp& m, size_t i) { return m.y[4 * i + 1]; })
        .record("g_in", [](const AeifCondExp& m, size_t i) { return m.y[4 * i + 2]; })
        .record("w", [](const AeifCondExp& m, size_t i) { return m.y[4 * i + 3]; }));

}  // namespace sd
