// Helpers of devices: times in ms to steps, and piecewise-constant schedules.
#pragma once
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace sd {

// Times (ms) as step stamps; a time off the grid is an error unless allowed (then it is
// rounded up to the next step, as NEST's allow_offgrid_times does).
inline std::vector<long> stamps_of(const std::vector<double>& times, double h, bool offgrid,
                                   const char* param) {
  std::vector<long> out;
  out.reserve(times.size());
  for (double t : times) {
    const double steps = t / h;
    long s = std::lround(steps);
    if (std::fabs(steps - double(s)) > 1e-6) {
      if (!offgrid)
        throw std::invalid_argument(std::string(param) + ": time " + std::to_string(t) +
                                    " ms is not a multiple of the resolution");
      s = long(std::ceil(steps));
    }
    out.push_back(s);
  }
  return out;
}

// A precise time t (ms) as NEST splits it: the stamp, the first step end at or after t
// (Time::ms_stamp, computed in tics of 1 us), and the offset stamp * h - t in [0, h).
struct PreciseTime {
  long stamp;
  double offset;
};
inline PreciseTime precise_time(double t, double h) {
  const long per_step = std::llround(h * 1000.0);
  long tics = long(t * 1000.0);
  tics -= tics % per_step;
  const double ms = double(tics) * (1.0 / double(per_step)) * (double(per_step) / 1000.0);
  if (ms < t) tics += per_step;
  return {tics / per_step, double(tics) * 0.001 - t};
}

// A piecewise-constant schedule (step_current_generator amplitudes, inhomogeneous Poisson
// rates): the value valid at step t is the last value whose time stamp is <= t + 1.
struct Schedule {
  std::vector<long> stamps;
  std::vector<double> values;
  void set(std::vector<long> s, std::vector<double> v, const char* values_param) {
    if (s.size() != v.size())
      throw std::invalid_argument(std::string(values_param) +
                                  ": needs one value per time (times and values differ in length)");
    stamps = std::move(s);
    values = std::move(v);
  }
  double at(long t) const {
    double v = 0.0;
    for (size_t i = 0; i < stamps.size() && stamps[i] <= t + 1; ++i) v = values[i];
    return v;
  }
};

}  // namespace sd
