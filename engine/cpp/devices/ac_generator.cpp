// ac_generator: offset + amplitude * sin(2 pi frequency t + phase), in pA.
#include "current_generators.h"

namespace sd {

struct AcGenerator : CurrentGenerator {
  double amplitude = 0.0, offset = 0.0, frequency = 0.0, phase = 0.0;
  double omega = 0.0, phi = 0.0;  // rad/ms, rad

  void init(double) override {
    omega = 2.0 * M_PI * frequency / 1000.0;
    phi = phase * M_PI / 180.0;
  }
  double amplitude_at(const EmitContext& c, long t) const override {
    return offset + amplitude * std::sin(omega * double(t + 1) * c.h + phi);
  }
};

SD_REGISTER_MODEL(ac_generator, Define<AcGenerator>("ac_generator")
                                    .param("amplitude", &AcGenerator::amplitude)
                                    .param("offset", &AcGenerator::offset)
                                    .param("frequency", &AcGenerator::frequency)
                                    .param("phase", &AcGenerator::phase)
                                    .check("frequency", ">=", 0.0)
                      .record("I", &recorded_I<AcGenerator>));

}  // namespace sd
