// What the engine implements, for _core.models(); defaults live only in the catalog.
#include "network.h"

namespace sd {

namespace {
const std::vector<std::string> kWindow = {"start", "stop", "origin"};
std::vector<std::string> with_window(std::vector<std::string> names) {
  names.insert(names.end(), kWindow.begin(), kWindow.end());
  return names;
}
}  // namespace

const std::map<std::string, ModelInfo>& model_registry() {
  static const std::map<std::string, ModelInfo> registry = {
      {"iaf_psc_delta",
       {"neuron",
        {"C_m", "E_L", "I_e", "V_m", "V_min", "V_reset", "V_th", "t_ref", "tau_m",
         "refractory_input"},
        {"V_m"}}},
      {"iaf_psc_exp",
       {"neuron",
        {"C_m", "E_L", "I_e", "V_m", "V_reset", "V_th", "t_ref", "tau_m", "tau_syn_ex",
         "tau_syn_in"},
        {"I_syn_ex", "I_syn_in", "V_m"}}},
      {"iaf_psc_alpha",
       {"neuron",
        {"C_m", "E_L", "I_e", "V_m", "V_min", "V_reset", "V_th", "t_ref", "tau_m", "tau_syn_ex",
         "tau_syn_in"},
        {"I_syn_ex", "I_syn_in", "V_m"}}},
      {"iaf_cond_alpha",
       {"neuron",
        {"C_m", "E_L", "E_ex", "E_in", "I_e", "V_m", "V_reset", "V_th", "g_L", "t_ref",
         "tau_syn_ex", "tau_syn_in"},
        {"V_m", "g_ex", "g_in", "t_ref_remaining"}}},
      {"parrot_neuron", {"neuron", {}, {}}},
      {"poisson_generator", {"stimulator", with_window({"rate"}), {}}},
      {"inhomogeneous_poisson_generator",
       {"stimulator", with_window({"rate_times", "rate_values", "allow_offgrid_times"}), {}}},
      {"dc_generator", {"stimulator", with_window({"amplitude"}), {}}},
      {"step_current_generator",
       {"stimulator",
        with_window({"amplitude_times", "amplitude_values", "allow_offgrid_times"}),
        {}}},
      {"ac_generator",
       {"stimulator", with_window({"amplitude", "offset", "frequency", "phase"}), {}}},
      {"noise_generator",
       {"stimulator", with_window({"mean", "std", "std_mod", "dt", "frequency", "phase"}), {}}},
      {"spike_generator",
       {"stimulator",
        with_window({"spike_times", "spike_weights", "spike_multiplicities",
                     "allow_offgrid_times", "shift_now_spikes"}),
        {}}},
      {"spike_recorder", {"recorder", with_window({}), {}}},
      {"voltmeter", {"recorder", with_window({"interval", "record_from"}), {}}},
      {"multimeter", {"recorder", with_window({"interval", "record_from"}), {}}},
  };
  return registry;
}

}  // namespace sd
