// Prometheus's text exposition format (version 0.0.4), written by each service's
// write_metrics(): `# HELP`, `# TYPE`, then samples, one family at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace gm::host {

class PrometheusText {
 public:
  // A family's header; its samples follow.
  void family(const std::string& name, const char* type, const std::string& help);
  // name{labels} value; labels as {{"reason", "bad_tag"}}, values escaped here.
  void sample(const std::string& name, double value,
              const std::vector<std::pair<std::string, std::string>>& labels = {});
  // A histogram from cumulative-free bucket counts: counts[i] observations at or below
  // upper_bounds[i] and above the previous bound; the last count is above every bound (+Inf).
  void histogram(const std::string& name, const std::string& help,
                 std::span<const double> upper_bounds, std::span<const uint64_t> counts,
                 double sum);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace gm::host
