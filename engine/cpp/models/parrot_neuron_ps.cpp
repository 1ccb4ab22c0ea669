// parrot_neuron_ps: repeats every spike it receives at its precise time (NEST's
// parrot_neuron_ps): each arriving event leaves in the step it arrives with its offset and
// multiplicity; weights onto it count spikes (the engine forces them to 1).
#include "../model.h"

namespace sd {

struct ParrotNeuronPs : Population {
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    for (size_t i = b; i < e; i += stride)
      for (const PreciseEvent& ev : ctx.events(i)) {
        if (ev.port != 0) continue;  // receptor 1: seen by STDP only
        const long count = std::lround(ev.weight);
        if (count > 0) emit(ctx, i, ev.offset, uint32_t(count));
      }
  }
};

SD_REGISTER_MODEL(parrot_neuron_ps, Define<ParrotNeuronPs>("parrot_neuron_ps")
                                        .precise()
                                        .routing(Routing::kSingle)
                                        .unit_weight()
                                        .ignored_receptors(1));

}  // namespace sd
