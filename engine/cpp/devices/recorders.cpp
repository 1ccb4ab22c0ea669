// Recorders: spike_recorder receives spikes (neuron -> spike_recorder); voltmeter and
// multimeter sample recordables of the neurons they are connected to every `interval` ms.
// The network keeps their events (recording.cpp); the definitions declare their parameters.
#include "../model.h"

namespace sd {

struct RecorderModel {};  // recorders have no per-device state of their own here

SD_REGISTER_MODEL(spike_recorder, Define<RecorderModel>("spike_recorder")
                                      .recorder(RecorderKind::kSpikes)
                                      .accept("start")
                                      .accept("stop")
                                      .accept("origin"));
SD_REGISTER_MODEL(voltmeter, Define<RecorderModel>("voltmeter")
                                 .recorder(RecorderKind::kSamples)
                                 .accept("interval")
                                 .accept("record_from")
                                 .accept("start")
                                 .accept("stop")
                                 .accept("origin")
                                 .check("interval", ">=", "resolution"));
SD_REGISTER_MODEL(multimeter, Define<RecorderModel>("multimeter")
                                  .recorder(RecorderKind::kSamples)
                                  .accept("interval")
                                  .accept("record_from")
                                  .accept("start")
                                  .accept("stop")
                                  .accept("origin")
                                  .check("interval", ">=", "resolution"));
// weight_recorder: the weights transmitted by the synapses that name it in their
// weight_recorder parameter (NEST's layout: senders, targets, times, weights).
SD_REGISTER_MODEL(weight_recorder, Define<RecorderModel>("weight_recorder")
                                       .recorder(RecorderKind::kWeights)
                                       .accept("start")
                                       .accept("stop")
                                       .accept("origin"));

// volume_transmitter: collects the spikes of the neurons connected to it and hands them, as
// dopamine spikes, to the stdp_dopamine_synapses that name it, updating them every
// deliver_interval min-delay slices (Network::update_volumes).
SD_REGISTER_MODEL(volume_transmitter, Define<RecorderModel>("volume_transmitter", "other")
                                          .volume()
                                          .accept("deliver_interval")
                                          .check("deliver_interval", ">=", 1.0));

}  // namespace sd
