// Stimulation and recording devices with NEST's timing rules.
// A device is active in (origin + start, origin + stop], measured in steps: spike-emitting
// generators test the step t being computed, current generators test t + 1 (so a current is
// on for start <= t < stop), and recorders test the time stamp of the event they receive.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "neurons.h"
#include "rng.h"

namespace sd {

struct Window {
  long t_min = 0;
  long t_max = std::numeric_limits<long>::max();
  static Window from(const Params& p, double h) {
    Window w;
    const double origin = p.at("origin").at(0), start = p.at("start").at(0);
    const double stop = p.at("stop").at(0);
    w.t_min = std::llround((origin + start) / h);
    const double t_max = (origin + stop) / h;
    w.t_max = t_max > 9.0e18 ? std::numeric_limits<long>::max() : long(std::llround(t_max));
    return w;
  }
  bool contains(long stamp) const { return t_min < stamp && stamp <= t_max; }
};

// One device target: neuron slot, its gid, weight and delay in steps.
struct DeviceTarget {
  uint32_t slot;
  uint64_t gid;
  double weight;
  uint32_t delay;
};

enum class GeneratorKind { kPoisson, kInhomogeneousPoisson, kDC, kStepCurrent, kAC, kNoise, kSpikes };

// A piecewise-constant schedule (step_current_generator amplitudes, inhomogeneous Poisson
// rates): the value valid at step t is the last value whose time stamp is <= t + 1.
struct Schedule {
  std::vector<long> stamps;
  std::vector<double> values;
  double at(long t) const {
    double v = 0.0;
    for (size_t i = 0; i < stamps.size() && stamps[i] <= t + 1; ++i) v = values[i];
    return v;
  }
};

struct Generator {
  GeneratorKind kind;
  uint64_t gid;
  Window window;
  double rate = 0.0;       // poisson: spikes/s
  double amplitude = 0.0;  // dc/ac: pA
  double offset = 0.0, omega = 0.0, phase = 0.0;  // ac: pA, rad/ms, rad
  double std = 0.0, std_mod = 0.0;  // noise: pA (amplitude is the mean)
  long dt = 10;                     // noise: steps between new values
  Schedule schedule;       // step_current / inhomogeneous poisson
  std::vector<long> spike_stamps;         // spike_generator, sorted
  std::vector<double> spike_weights;      // empty: weight 1 (times the connection weight)
  std::vector<double> spike_multiplicity; // empty: 1
  std::vector<std::vector<DeviceTarget>> targets;  // per thread

  bool is_current() const {
    return kind == GeneratorKind::kDC || kind == GeneratorKind::kStepCurrent ||
           kind == GeneratorKind::kAC || kind == GeneratorKind::kNoise;
  }
};

enum class RecorderKind { kSpikes, kSamples };

struct Sample {
  size_t pop;
  size_t index;
  uint64_t gid;
};

struct Recorder {
  RecorderKind kind;
  uint64_t gid;
  Window window;
  long interval = 10;  // steps
  std::vector<std::string> record_from;
  std::vector<std::vector<Sample>> targets;  // per thread, voltmeter/multimeter
  // Recorded events; samples are kept per thread and merged when fetched.
  std::vector<std::vector<double>> times, senders;
  std::vector<std::vector<std::vector<double>>> values;  // [thread][variable][event]
};

}  // namespace sd
