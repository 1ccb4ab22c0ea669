// aeif_psc_exp: adaptive exponential integrate-and-fire with exponentially
// decaying synaptic currents. The family's one implementation is aeif.h; this file
// registers the model's parameter table, input routing and recordables.
#include "aeif.h"

namespace sd {

using AeifPscExp = Aeif<AeifSynapse::kPscExp>;

SD_REGISTER_MODEL(
    aeif_psc_exp,
    define_aeif<AeifPscExp>("aeif_psc_exp")
        .param("tau_syn_ex", &AeifPscExp::tau_syn_ex)
        .param("tau_syn_in", &AeifPscExp::tau_syn_in)
        .check("tau_syn_ex", ">", 0.0)
        .check("tau_syn_in", ">", 0.0)
        .routing(Routing::kSigned)
        .record("I_syn_ex", [](const AeifPscExp& m, size_t i) { return m.y[4 * i + 1]; })
        .record("I_syn_in", [](const AeifPscExp& m, size_t i) { return m.y[4 * i + 2]; })
        .record("V_m", [](const AeifPscExp& m, size_t i) { return m.y[4 * i]; })
        .record("w", [](const AeifPscExp& m, size_t i) { return m.y[4 * i + 3]; }));

}  // namespace sd
