// dc_generator: a constant current `amplitude` (pA) while active.
#include "current_generators.h"

namespace sd {

struct DcGenerator : CurrentGenerator {
  double amplitude = 0.0;
  double amplitude_at(const EmitContext&, long) const override { return amplitude; }
};

SD_REGISTER_MODEL(dc_generator,
                  Define<DcGenerator>("dc_generator").param("amplitude", &DcGenerator::amplitude)
                      .record("I", &recorded_I<DcGenerator>));

}  // namespace sd
