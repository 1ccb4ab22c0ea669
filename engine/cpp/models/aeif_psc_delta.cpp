// aeif_psc_delta: adaptive exponential integrate-and-fire with delta-shaped
// input (a spike of weight w mV moves V_m by w). The family's one implementation is
// aeif.h; this file registers the model's parameter table, input routing and recordables.
#include "aeif.h"

namespace sd {

using AeifPscDelta = Aeif<AeifSynapse::kPscDelta>;

SD_REGISTER_MODEL(
    aeif_psc_delta,
    define_aeif<AeifPscDelta>("aeif_psc_delta")
        .param("refractory_input", &AeifPscDelta::refractory_input)
        .routing(Routing::kSingle)
        .record("V_m", [](const AeifPscDelta& m, size_t i) { return m.y[2 * i]; })
        .record("w", [](const AeifPscDelta& m, size_t i) { return m.y[2 * i + 1]; }));

}  // namespace sd
