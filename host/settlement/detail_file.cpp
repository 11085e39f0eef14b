#include "host/settlement/detail_file.h"

#include <string_view>
#include <utility>

#include "host/billing/civil_date.h"
#include "host/settlement/cleaning.h"

namespace gm::settlement {

const char* refusal_name(DetailRefusal r) {
  switch (r) {
    case DetailRefusal::none: return "none";
    case DetailRefusal::control_character: return "control_character";
    case DetailRefusal::semicolon_in_provider: return "semicolon_in_provider";
    case DetailRefusal::empty_field: return "empty_field";
    case DetailRefusal::bad_stop_local: return "bad_stop_local";
    case DetailRefusal::year_out_of_range: return "year_out_of_range";
  }
  return "?";
}

namespace {

bool has_control(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

void two(std::string& out, int64_t v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

bool year_ok(int64_t y) {
  return y >= detail_first_year && y <= detail_last_year;
}

// `,"text"` with quotes doubled; the first field has no leading comma.
void field(std::string& out, std::string_view text) {
  if (!out.empty()) out += ',';
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

DetailRefusal detail_line(const HistoryRecord& h, std::string& out) {
  const std::string_view texts[] = {
      h.service,         h.user,      h.home_provider, h.home_country, h.serving_provider,
      h.serving_country, h.stop_local};
  for (std::string_view t : texts) {
    if (has_control(t)) return DetailRefusal::control_character;
  }
  for (std::string_view t : texts) {
    if (t.empty()) return DetailRefusal::empty_field;
  }
  for (std::string_view t :
       {std::string_view(h.home_provider), std::string_view(h.home_country),
        std::string_view(h.serving_provider), std::string_view(h.serving_country)}) {
    if (t.find(';') != std::string_view::npos) return DetailRefusal::semicolon_in_provider;
  }
  if (!is_local_time(h.stop_local)) return DetailRefusal::bad_stop_local;

  const int64_t days = billing::floor_div(h.stop_unix, billing::seconds_per_day);
  const int64_t secs = billing::floor_mod(h.stop_unix, billing::seconds_per_day);
  const billing::CivilDate gmt = billing::civil_from_days(days);
  const std::string_view local = h.stop_local;  // "YYYY-MM-DD HH:MM:SS", checked above
  const int64_t local_year =
      (local[0] - '0') * 1000 + (local[1] - '0') * 100 + (local[2] - '0') * 10 + (local[3] - '0');
  if (!year_ok(gmt.year) || !year_ok(local_year)) return DetailRefusal::year_out_of_range;

  std::string gmt_date, gmt_time;
  two(gmt_date, gmt.month);
  gmt_date += '/';
  two(gmt_date, gmt.day);
  gmt_date += '/';
  two(gmt_date, gmt.year % 100);
  two(gmt_time, secs / 3600);
  gmt_time += ':';
  two(gmt_time, secs / 60 % 60);
  gmt_time += ':';
  two(gmt_time, secs % 60);
  std::string local_date;
  local_date.append(local.substr(5, 2)).append("/").append(local.substr(8, 2)).append("/");
  local_date.append(local.substr(2, 2));

  std::string line;
  field(line, "DT");
  field(line, h.service);
  field(line, gmt_date);
  field(line, gmt_time);
  field(line, local_date);
  field(line, local.substr(11, 8));
  field(line, h.user);
  field(line, h.home_provider + ";" + h.home_country);
  field(line, h.serving_provider + ";" + h.serving_country);
  field(line, "S");
  field(line, std::to_string(h.session_time_s));
  out = std::move(line);
  return DetailRefusal::none;
}

DetailRefusal detail_file(std::span<const HistoryRecord> records, std::string& out,
                          size_t& failed_at) {
  std::string file;
  std::string line;
  for (size_t i = 0; i < records.size(); ++i) {
    const DetailRefusal r = detail_line(records[i], line);
    if (r != DetailRefusal::none) {
      failed_at = i;
      return r;
    }
    file += line;
    file += '\n';
  }
  failed_at = records.size();
  out = std::move(file);
  return DetailRefusal::none;
}

}  // namespace gm::settlement
