#include "host/metrics/prometheus_text.h"

#include <cmath>
#include <cstdio>

namespace gm::host {

namespace {

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  // Counters are integers: print them without an exponent so they read exactly.
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string escaped(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void PrometheusText::family(const std::string& name, const char* type, const std::string& help) {
  text_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void PrometheusText::sample(const std::string& name, double value,
                            const std::vector<std::pair<std::string, std::string>>& labels) {
  text_ += name;
  if (!labels.empty()) {
    text_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) text_ += ',';
      text_ += labels[i].first + "=\"" + escaped(labels[i].second) + "\"";
    }
    text_ += '}';
  }
  text_ += " " + number(value) + "\n";
}

void PrometheusText::histogram(const std::string& name, const std::string& help,
                               std::span<const double> upper_bounds,
                               std::span<const uint64_t> counts, double sum) {
  family(name, "histogram", help);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    sample(name + "_bucket", static_cast<double>(cumulative), {{"le", number(upper_bounds[i])}});
  }
  if (counts.size() > upper_bounds.size()) cumulative += counts[upper_bounds.size()];
  sample(name + "_bucket", static_cast<double>(cumulative), {{"le", "+Inf"}});
  sample(name + "_sum", sum);
  sample(name + "_count", static_cast<double>(cumulative));
}

}  // namespace gm::host
