// parrot_neuron: repeats every spike it receives in the step it arrives; weights onto it
// count spikes (the engine forces them to 1).
#include "../model.h"

namespace sd {

struct ParrotNeuron : Population {
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    for (size_t i = b; i < e; i += stride) {
      const long count = std::lround(ctx.input[i]);
      if (count > 0) emit(ctx, i, 0.0, uint32_t(count));
    }
  }
};

SD_REGISTER_MODEL(parrot_neuron,
                  Define<ParrotNeuron>("parrot_neuron")
                      .routing(Routing::kSingle)
                      .unit_weight()
                      .ignored_receptors(1));

}  // namespace sd
