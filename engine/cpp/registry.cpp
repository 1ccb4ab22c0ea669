// The model registry and the generic parameter checks of model definitions.
#include <algorithm>
#include <sstream>

#include "model.h"

namespace sd {

void Registry::add(ModelDef def) {
  const std::string name = def.name;
  if (!defs_.emplace(name, std::move(def)).second)
    throw std::logic_error("model " + name + " is registered twice");
}

namespace {
bool holds(double lhs, const std::string& op, double rhs) {
  if (op == ">") return lhs > rhs;
  if (op == ">=") return lhs >= rhs;
  if (op == "<") return lhs < rhs;
  if (op == "<=") return lhs <= rhs;
  if (op == "!=") return lhs != rhs;
  throw std::logic_error("unknown constraint operator " + op);
}
std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
}  // namespace

void check_constraints(const ModelDef& def, const Params& p, size_t n, double h) {
  for (const Constraint& c : def.constraints) {
    auto lhs = p.find(c.param);
    if (lhs == p.end()) continue;  // a missing parameter is reported when it is read
    const std::vector<double>* rhs = nullptr;
    if (!c.rhs_param.empty() && c.rhs_param != "resolution") {
      auto it = p.find(c.rhs_param);
      if (it == p.end()) continue;
      rhs = &it->second;
    }
    // A list parameter (one list per node): every entry against the bound of every neuron.
    const bool is_list = std::find(def.list_params.begin(), def.list_params.end(), c.param) !=
                         def.list_params.end();
    const size_t count = is_list ? lhs->second.size() : std::min(n, lhs->second.size());
    const size_t per =
        is_list && rhs != nullptr ? std::max<size_t>(1, std::min(n, rhs->size())) : 1;
    for (size_t i = 0; i < count; ++i) {
      for (size_t j = 0; j < per; ++j) {
        const double v = lhs->second[i];
        double r = c.rhs_value;
        if (c.rhs_param == "resolution") r = h;
        if (rhs != nullptr && is_list) r = (*rhs)[j];
        if (rhs != nullptr && !is_list)
          r = rhs->size() == lhs->second.size() ? (*rhs)[i] : (*rhs)[0];
        if (holds(v, c.op, r)) continue;
        std::string bound = c.rhs_param.empty()            ? number(r)
                            : c.rhs_param == "resolution" ? "the resolution (" + number(h) + ")"
                                                          : c.rhs_param + " (" + number(r) + ")";
        std::string where = n > 1 ? " (neuron " + std::to_string(i) + " of " + def.name + ")"
                                  : " (" + def.name + ")";
        if (is_list)
          where = " (entry " + std::to_string(i + 1) +
                  (per > 1 ? ", neuron " + std::to_string(j) : std::string()) + " of " +
                  def.name + ")";
        throw std::invalid_argument(c.param + ": must be " + c.op + " " + bound + ", got " +
                                    number(v) + where);
      }
    }
  }
}

}  // namespace sd
