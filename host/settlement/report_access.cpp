// The settlement-reports decision (report_access.h): the target's syntax, then the method,
// then the credentials, then what the target names. Each refusal says why in one line.
#include "host/settlement/report_access.h"

#include <algorithm>
#include <array>

#include "host/billing/password_hash.h"
#include "host/settlement/report_format.h"

namespace gm::settlement {

namespace {

// The longest provider id settlectl takes (settlectl_commands.cpp's member names).
constexpr size_t max_provider_id = 64;

AccessDecision refused(int status, std::string why) {
  AccessDecision d;
  d.status = status;
  d.why = std::move(why);
  return d;
}

bool target_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '/';
}

// The target's segments, or a refusal's reason: nothing decoded, nothing normalised.
std::optional<std::string> split_target(std::string_view t, std::vector<std::string_view>& out) {
  if (t.size() > max_target)
    return "the target is longer than " + std::to_string(max_target) + " bytes";
  if (t.empty() || t[0] != '/') return std::string("the target must be a path starting with '/'");
  if (t == "/") return std::nullopt;  // no segments: served nothing, but well formed
  for (char c : t) {
    if (c == '%') return std::string("the target is never percent-decoded: no target needs a '%'");
    if (c == '?') return std::string("no target takes a query");
    if (!target_byte(c)) return std::string("the target holds a byte outside A-Z a-z 0-9 . _ - /");
  }
  for (size_t at = 1;;) {
    const size_t slash = std::min(t.find('/', at), t.size());
    const std::string_view seg = t.substr(at, slash - at);
    if (seg.empty())
      return std::string("the target has an empty segment (\"//\" or a trailing '/')");
    if (seg == "." || seg == "..") return std::string("the target has a \".\" or \"..\" segment");
    out.push_back(seg);
    if (slash == t.size()) return std::nullopt;
    at = slash + 1;
  }
}

// Canonical non-negative decimal that fits int64: "0" or no leading zero.
std::optional<int64_t> period_start(std::string_view s) {
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(v);
}

// Strict RFC 4648 base64, padding required: a second spelling of the same credentials is
// not taken.
std::optional<std::string> base64_decode(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return std::nullopt;
  const auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); i += 4) {
    const bool last = i + 4 == s.size();
    const int pad = (s[i + 3] == '=') + (s[i + 2] == '=');
    if (pad && !last) return std::nullopt;
    if (s[i + 2] == '=' && s[i + 3] != '=') return std::nullopt;
    std::array<int, 4> v{};
    for (int k = 0; k < 4 - pad; ++k)
      if ((v[k] = value(s[i + k])) < 0) return std::nullopt;
    const uint32_t n = static_cast<uint32_t>(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
    out += static_cast<char>(n >> 16);
    if (pad < 2) out += static_cast<char>(n >> 8 & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
    // Bits past the data must be zero, or two encodings would mean the same bytes.
    if ((pad == 1 && (n & 0xff) != 0) || (pad == 2 && (n & 0xffff) != 0)) return std::nullopt;
  }
  return out;
}

struct Credentials {
  std::string provider, password;
};

bool printable(std::string_view s, bool spaces) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u != 0x7f && (spaces || u != ' ');
  });
}

// "Basic <base64 of provider:password>" (RFC 7617): the scheme in any case, one or more
// spaces. A provider id is settlectl's (printable, no spaces, 1 to 64); the password holds no
// control character and is 1 to billing::max_password octets.
std::optional<Credentials> basic_credentials(std::string_view h) {
  constexpr std::string_view scheme = "basic";
  if (h.size() <= scheme.size() || h[scheme.size()] != ' ') return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i)
    if (static_cast<char>(h[i] | 0x20) != scheme[i]) return std::nullopt;
  h.remove_prefix(scheme.size());
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  const auto decoded = base64_decode(h);
  if (!decoded) return std::nullopt;
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  Credentials c{decoded->substr(0, colon), decoded->substr(colon + 1)};
  if (c.provider.empty() || c.provider.size() > max_provider_id || !printable(c.provider, false))
    return std::nullopt;
  if (c.password.empty() || c.password.size() > billing::max_password ||
      !printable(c.password, true))
    return std::nullopt;
  return c;
}

constexpr const char* format_names[] = {"csv", "json", "html"};

std::optional<ReportFormat> format_of(std::string_view ext) {
  for (size_t i = 0; i < 3; ++i)
    if (ext == format_names[i]) return static_cast<ReportFormat>(i);
  return std::nullopt;
}

bool has(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> targets_of(int64_t from, const std::vector<std::string>& kept) {
  std::vector<std::string> out;
  const std::string base = "/periods/" + std::to_string(from) + "/";
  for (std::string_view r : provider_reports)
    if (has(kept, r))
      for (const char* f : format_names) out.push_back(base + std::string(r) + "." + f);
  if (has(kept, "detail_file")) out.push_back(base + "detail_file.txt");
  return out;
}

}  // namespace

AccessDecision decide_access(const AccessRequest& request, const AccessLookups& lookups) {
  // 1. The target's syntax: what it says is read only once it is one of the grammar's.
  std::vector<std::string_view> seg;
  if (const auto bad = split_target(request.target, seg)) return refused(400, *bad);
  const bool listing = seg.size() == 1 && seg[0] == "periods";
  const bool file = seg.size() == 3 && seg[0] == "periods";
  std::optional<int64_t> from;
  if (file && !(from = period_start(seg[1])))
    return refused(400, "a period is its start in unix seconds, canonical decimal: \"" +
                            std::string(seg[1]) + "\" is not");

  // 2. The method.
  if (request.method != "GET" && request.method != "HEAD")
    return refused(405, "only GET and HEAD are served");

  // 3. Who asks.
  if (request.authorization.size() > 1) return refused(400, "Authorization is given twice");
  const auto needed = [] {
    return refused(401, "credentials are needed: HTTP Basic, your provider id and its password");
  };
  if (request.authorization.empty()) return needed();
  const auto creds = basic_credentials(request.authorization[0]);
  if (!creds) return needed();
  if (const int64_t wait = lookups.throttled_s(creds->provider); wait > 0) {
    AccessDecision d =
        refused(429, "too many failed logins: try again in " + std::to_string(wait) + " s");
    d.retry_after_s = wait;
    return d;
  }
  const std::optional<std::string> hash = lookups.password_hash(creds->provider);
  // An empty hash is "no password set": never compared, so nothing can match it.
  if (!hash || hash->empty() || !lookups.password_matches(*hash, creds->password)) {
    AccessDecision d = refused(401, "the provider id and password do not match");
    d.login_failed = true;
    if (hash) d.throttled_provider = creds->provider;
    return d;
  }

  // 4. What the target names, for this provider only.
  AccessDecision d;
  d.status = 200;
  d.provider = creds->provider;
  d.head = request.method == "HEAD";
  if (listing) {
    d.action = AccessAction::list_periods;
    for (const host::ClosedPeriod& p : lookups.closed_periods()) {
      auto targets = targets_of(p.from_unix, lookups.reports_of(p.from_unix, d.provider));
      if (!targets.empty()) d.periods.push_back({p, std::move(targets)});
    }
    return d;
  }
  if (!file) return refused(404, "no such target: see /periods");
  const std::string_view name = seg[2];
  const size_t dot = name.rfind('.');
  const std::string_view stem = name.substr(0, dot),
                         ext = dot == name.npos ? "" : name.substr(dot + 1);
  if (stem == "statement")
    return refused(403, "the settlement-wide statement is the operator's, not served to providers");
  const bool detail_file = name == "detail_file.txt";
  const auto format = format_of(ext);
  const bool known = std::find(std::begin(provider_reports), std::end(provider_reports), stem) !=
                     std::end(provider_reports);
  if (!detail_file && (!format || !known))
    return refused(404,
                   "no such report: detail, summary, invoice or credit_debit, as csv, json "
                   "or html, or detail_file.txt");
  std::optional<host::ClosedPeriod> period;
  for (const host::ClosedPeriod& p : lookups.closed_periods())
    if (p.from_unix == *from) period = p;
  if (!period)
    return refused(404, "no closed period starts at " + std::to_string(*from) +
                            " (only closed periods are served: their reports are final)");
  const std::string report = detail_file ? "detail_file" : std::string(stem);
  if (!has(lookups.reports_of(period->from_unix, d.provider), report))
    return refused(404, "the close of this period made no " + report + " for you");
  d.period = *period;
  if (detail_file) {
    d.action = AccessAction::detail_file;
  } else {
    d.action = AccessAction::report;
    d.report = report;
    d.format = *format;
  }
  return d;
}

std::string periods_json(const std::string& provider, const std::vector<ListedPeriod>& periods) {
  std::string out = "{\"provider\":" + json_string(provider) + ",\"periods\":[";
  for (size_t i = 0; i < periods.size(); ++i) {
    const host::ClosedPeriod& p = periods[i].period;
    out += (i ? ",{" : "{") + std::string("\"from\":") + std::to_string(p.from_unix) +
           ",\"to\":" + std::to_string(p.to_unix) +
           ",\"from_utc\":" + json_string(utc_time(p.from_unix)) +
           ",\"to_utc\":" + json_string(utc_time(p.to_unix)) +
           ",\"closed_utc\":" + json_string(utc_time(p.closed_unix)) + ",\"targets\":[";
    for (size_t k = 0; k < periods[i].targets.size(); ++k)
      out += (k ? "," : "") + json_string(periods[i].targets[k]);
    out += "]}";
  }
  return out + "]}\n";
}

std::string download_name(const AccessDecision& d) {
  const std::string from = std::to_string(d.period.from_unix);
  if (d.action == AccessAction::detail_file) return "detail_file-" + from + ".txt";
  return d.report + "-" + from + "." + format_names[static_cast<size_t>(d.format)];
}

const char* content_type(const AccessDecision& d) {
  switch (d.action) {
    case AccessAction::list_periods: return "application/json";
    case AccessAction::detail_file: return "text/plain; charset=us-ascii";
    case AccessAction::report:
      return d.format == ReportFormat::csv    ? "text/csv; charset=utf-8"
             : d.format == ReportFormat::json ? "application/json"
                                              : "text/html; charset=utf-8";
    case AccessAction::refuse: break;
  }
  return "text/plain; charset=utf-8";
}

}  // namespace gm::settlement
