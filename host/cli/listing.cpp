#include "host/cli/listing.h"

#include <algorithm>
#include <ctime>
#include <stdexcept>

namespace gm::host {

std::string utc_text(int64_t unix) {
  if (unix == 0) return "-";
  char buf[32];
  const time_t t = static_cast<time_t>(unix);
  struct tm tm {};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(unix);  // beyond what tm holds
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void Listing::add(std::vector<std::string> row) {
  if (row.size() != columns_.size())
    throw std::logic_error("Listing::add: " + std::to_string(row.size()) + " cells for " +
                           std::to_string(columns_.size()) + " columns");
  rows_.push_back(std::move(row));
}

void Listing::print(std::FILE* out, bool csv) const {
  if (csv) {
    for (size_t c = 0; c < columns_.size(); ++c)
      std::fprintf(out, "%s%s", c ? "," : "", csv_field(columns_[c].name).c_str());
    std::fputc('\n', out);
    for (const auto& row : rows_) {
      for (size_t c = 0; c < row.size(); ++c)
        std::fprintf(out, "%s%s", c ? "," : "", csv_field(row[c]).c_str());
      std::fputc('\n', out);
    }
    return;
  }
  std::vector<std::string> heading;
  std::vector<size_t> width;
  for (const Column& col : columns_) {
    std::string h = col.name;
    std::replace(h.begin(), h.end(), '_', ' ');
    width.push_back(h.size());
    heading.push_back(std::move(h));
  }
  const auto shown = [](const std::string& cell) { return cell.empty() ? std::string("-") : cell; };
  for (const auto& row : rows_)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], shown(row[c]).size());
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t c = 0; c < cells.size(); ++c) {
      const std::string cell = shown(cells[c]);
      const std::string pad(width[c] - cell.size(), ' ');
      if (c) text += "  ";
      // The last column is not padded on the right: no trailing blanks.
      text += columns_[c].right ? pad + cell : c + 1 < cells.size() ? cell + pad : cell;
    }
    std::fprintf(out, "%s\n", text.c_str());
  };
  line(heading);
  for (const auto& row : rows_) line(row);
}

}  // namespace gm::host
