// The model registry and the generic parameter checks of model definitions.
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
    const size_t count = std::min(n, lhs->second.size());
    for (size_t i = 0; i < count; ++i) {
      const double v = lhs->second[i];
      double r = c.rhs_value;
      if (c.rhs_param == "resolution") r = h;
      if (rhs != nullptr) r = rhs->size() == lhs->second.size() ? (*rhs)[i] : (*rhs)[0];
      if (holds(v, c.op, r)) continue;
      std::string bound = c.rhs_param.empty()            ? number(r)
                          : c.rhs_param == "resolution" ? "the resolution (" + number(h) + ")"
                                                        : c.rhs_param + " (" + number(r) + ")";
      std::string where = n > 1 ? " (neuron " + std::to_string(i) + " of " + def.name + ")"
                                : " (" + def.name + ")";
      throw std::invalid_argument(c.param + ": must be " + c.op + " " + bound + ", got " +
                                  number(v) + where);
    }
  }
}

}  // namespace sd
