// step_current_generator: a piecewise-constant current (amplitude_times, amplitude_values).
#include "current_generators.h"
#include "schedule.h"

namespace sd {

struct StepCurrentGenerator : CurrentGenerator {
  std::vector<double> amplitude_times, amplitude_values;
  double allow_offgrid_times = 0.0;
  Schedule schedule;

  void init(double h) override {
    schedule.set(stamps_of(amplitude_times, h, allow_offgrid_times != 0.0, "amplitude_times"),
                 amplitude_values, "amplitude_values");
  }
  double amplitude_at(const EmitContext&, long t) const override { return schedule.at(t); }
};

SD_REGISTER_MODEL(step_current_generator,
                  Define<StepCurrentGenerator>("step_current_generator")
                      .list("amplitude_times", &StepCurrentGenerator::amplitude_times)
                      .list("amplitude_values", &StepCurrentGenerator::amplitude_values)
                      .param("allow_offgrid_times", &StepCurrentGenerator::allow_offgrid_times)
                      .record("I", &recorded_I<StepCurrentGenerator>));

}  // namespace sd
