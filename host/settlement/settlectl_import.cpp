// settlectl import FILE (settlectl_commands.h): raw records from a file, as the seed's central
// server receives them, appended to the raw table in one transaction, all or none.
//
// The line format: one record a line, CSV (RFC 4180: a field may be quoted, its quotes doubled;
// no line breaks inside fields), the seed's seventeen fields in its order:
//   user_name,user_domain,status_type,session_id,session_time_s,delay_time_s,nas_id,
//   local_server,home_server,stop_gmt,stop_local,time_zone[,entry_id,create,history,
//   record_status,pair_status]
// stop_gmt is YYYY-MM-DDTHH:MM:SSZ or unix seconds; stop_local "YYYY-MM-DD HH:MM:SS" as the
// record gave it; session and delay times whole seconds (empty: 0). Fields 13-17 are the
// store's: left empty or left out. An empty line, or one starting with '#', is skipped.
//
// Why a line is refused here and not quarantined: what cannot be made into a RawRecord at
// all (a field count, a number, a GMT stop) has no raw row to keep; a record that is a
// RawRecord but wrong (an unknown realm, a bad local time) is cleaning's to quarantine, with
// its reason, fixable later. A stop GMT is required because raw rows are found by it: one
// without would never be cleaned in any period.
#include <charconv>
#include <cstdio>
#include <fstream>

#include "host/billing/catalog_text.h"
#include "host/cli/command_args.h"
#include "host/settlement/settlectl_commands.h"

namespace gm::host {

namespace {

constexpr size_t seed_fields = 17, received_fields = 12;

// One CSV line into fields; false (with why) for a stray quote.
bool split_csv(const std::string& line, std::vector<std::string>& out, std::string& why) {
  out.assign(1, "");
  size_t i = 0;
  bool quoted_field = false;
  while (i < line.size()) {
    const char c = line[i];
    if (c == ',') {
      out.emplace_back();
      quoted_field = false;
      ++i;
    } else if (c == '"' && out.back().empty() && !quoted_field) {
      quoted_field = true;
      for (++i;; ++i) {
        if (i >= line.size()) {
          why = "a quoted field is not closed";
          return false;
        }
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            out.back() += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        out.back() += line[i];
      }
      if (i < line.size() && line[i] != ',') {
        why = "text after a quoted field's closing quote";
        return false;
      }
    } else if (c == '"' || quoted_field) {
      why = "a quote inside an unquoted field";
      return false;
    } else {
      out.back() += c;
      ++i;
    }
  }
  return true;
}

bool whole_seconds(const std::string& s, int64_t& out) {
  if (s.empty()) {
    out = 0;
    return true;
  }
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// The record of one line, or why not.
bool parse_line(const std::string& line, int64_t now, settlement::RawRecord& r, std::string& why) {
  std::vector<std::string> f;
  if (!split_csv(line, f, why)) return false;
  if (f.size() < received_fields || f.size() > seed_fields) {
    why = std::to_string(f.size()) + " fields, expected 12 to 17";
    return false;
  }
  for (size_t i = received_fields; i < f.size(); ++i)
    if (!f[i].empty()) {
      why = "field " + std::to_string(i + 1) +
            " is the store's (entry id, dates, statuses): " + "leave it empty";
      return false;
    }
  r.user_name = f[0];
  r.user_domain = f[1];
  r.status_type = f[2];
  r.session_id = f[3];
  if (!whole_seconds(f[4], r.session_time_s)) {
    why = "session time \"" + f[4] + "\" is not whole seconds";
    return false;
  }
  if (!whole_seconds(f[5], r.delay_time_s)) {
    why = "delay time \"" + f[5] + "\" is not whole seconds";
    return false;
  }
  r.nas_id = f[6];
  r.local_server = f[7];
  r.home_server = f[8];
  // parse_when's "now" is for an operator's options, not for a record's stop.
  try {
    if (f[9].rfind("now", 0) == 0) throw std::runtime_error("stop GMT \"" + f[9] + "\"");
    r.stop_gmt_unix = parse_when(f[9], now);
  } catch (const std::exception&) {
    why = "stop GMT \"" + f[9] + "\" is not YYYY-MM-DDTHH:MM:SSZ or unix seconds";
    return false;
  }
  if (r.stop_gmt_unix <= 0) {
    why = "stop GMT \"" + f[9] + "\" is not after 1970";
    return false;
  }
  r.stop_local = f[10];
  r.time_zone = f[11];
  return true;
}

}  // namespace

int import_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("import", words, 1, "FILE", {});
  const std::string path = args.operand(0);
  std::ifstream in(path, std::ios::binary);
  if (!in) args.bad_operand("cannot read " + path);
  std::vector<settlement::RawRecord> records;
  std::string line, why;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF, as RFC 4180 writes it
    if (line.empty() || line[0] == '#') continue;
    settlement::RawRecord r;
    if (!parse_line(line, run.now, r, why))
      args.bad_operand(path + ":" + std::to_string(number) + ": " + why + "; nothing imported");
    records.push_back(std::move(r));
  }
  if (in.bad()) args.bad_operand("cannot read " + path + "; nothing imported");
  const std::vector<int64_t> ids = run.store.settlement().append_raw(records, run.now);
  std::printf("imported %zu raw records from %s\n", ids.size(), path.c_str());
  return 0;
}

}  // namespace gm::host
