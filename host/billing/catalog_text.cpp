#include "host/billing/catalog_text.h"

#include <limits>

#include "gatemeter.pb.h"
#include "host/billing/civil_date.h"
#include "host/billing/enum_names.h"
#include "shared/proto/wire_names.h"

namespace gm::host {

using billing::BillingError;

namespace {

// The wire enum's value whose short name (wire_names.h) is `text`, values lo to hi.
int32_t parse_wire_name(std::string_view text, int32_t lo, int32_t hi,
                        wire::EnumName (*named)(int32_t), const char* what) {
  std::string wanted(text);
  for (char& c : wanted)
    if (c == '-') c = '_';
  std::string valid;
  for (int32_t v = lo; v <= hi; ++v) {
    const wire::EnumName n = named(v);
    if (std::string_view(n.c_str()) == "invalid") continue;  // a gap in the enum
    if (wanted == n.c_str()) return v;
    valid += (valid.empty() ? "" : ", ") + std::string(n.c_str());
  }
  throw BillingError("unknown " + std::string(what) + " \"" + std::string(text) + "\" (one of " +
                     valid + ")");
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Digits only, at most 18 of them (so that no sum below overflows).
std::optional<int64_t> number(std::string_view s) {
  if (!all_digits(s) || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

std::string_view name(AccountKind k) {
  switch (k) {
    case AccountKind::prepaid: return "prepaid";
    case AccountKind::postpaid: return "postpaid";
  }
  return "?";
}

AccountKind parse_account_kind(std::string_view text) {
  return billing::parse_named(text, all_account_kinds, "account kind");
}

std::string_view name(AtZero a) {
  switch (a) {
    case AtZero::end_session: return "end";
    case AtZero::walled_garden: return "walled-garden";
  }
  return "?";
}

AtZero parse_at_zero(std::string_view text) {
  return billing::parse_named(text, all_at_zero, "at-zero policy");
}

int32_t parse_outage_policy(std::string_view text) {
  return parse_wire_name(text, _gatemeter_OutagePolicy_MIN, _gatemeter_OutagePolicy_MAX,
                         wire::outage_policy_name, "outage policy");
}

int32_t parse_offer_option(std::string_view text) {
  static_assert(gatemeter_BillingOption_BILLING_UNSPECIFIED == _gatemeter_BillingOption_MIN);
  return parse_wire_name(text, _gatemeter_BillingOption_MIN + 1, _gatemeter_BillingOption_MAX,
                         wire::billing_name, "billing option");
}

std::optional<billing::ServiceType> parse_service_type_or_any(std::string_view text) {
  if (text == billing::any) return std::nullopt;
  try {
    return billing::parse_service_type(text);
  } catch (const BillingError& e) {
    throw BillingError(std::string(e.what()) + ", or * for any");
  }
}

std::optional<billing::Band> parse_band_or_any(std::string_view text) {
  if (text == billing::any) return std::nullopt;
  try {
    return billing::parse_band(text);
  } catch (const BillingError& e) {
    throw BillingError(std::string(e.what()) + ", or * for any");
  }
}

int64_t parse_when(std::string_view text, int64_t now) {
  const auto bad = [&] {
    return BillingError(
        "expected unix seconds, YYYY-MM-DDTHH:MM:SSZ (UTC), now or now+SECONDS, "
        "got \"" +
        std::string(text) + "\"");
  };
  if (text == "now") return now;
  if (text.rfind("now+", 0) == 0) {
    const auto s = number(text.substr(4));
    if (!s) throw bad();
    return now + *s;
  }
  if (all_digits(text)) {
    const auto unix = number(text);
    if (!unix) throw bad();
    return *unix;
  }
  // 2026-01-01T00:00:00Z
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z')
    throw bad();
  const auto year = number(text.substr(0, 4)), month = number(text.substr(5, 2)),
             day = number(text.substr(8, 2)), hour = number(text.substr(11, 2)),
             minute = number(text.substr(14, 2)), second = number(text.substr(17, 2));
  if (!year || !month || !day || !hour || !minute || !second) throw bad();
  if (*year < 1970 || *month < 1 || *month > 12 || *day < 1 ||
      *day > billing::days_in_month(*year, static_cast<int>(*month)) || *hour > 23 ||
      *minute > 59 || *second > 59)
    throw BillingError("\"" + std::string(text) + "\" is not a time that exists (UTC)");
  return billing::days_from_civil(*year, static_cast<int>(*month), static_cast<int>(*day)) *
             billing::seconds_per_day +
         *hour * 3600 + *minute * 60 + *second;
}

void check_approval_url(std::string_view url) {
  const auto bad = [&](const std::string& why) {
    return BillingError("approval URL \"" + std::string(url) + "\" " + why +
                        " (expected http://HOST:PORT/PATH)");
  };
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) throw bad("does not start with http://");
  if (url.size() > 255) throw bad("is longer than 255 characters");
  const std::string_view rest = url.substr(scheme.size());
  const size_t slash = std::min(rest.find('/'), rest.size());
  const std::string_view authority = rest.substr(0, slash);
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) throw bad("has no port");
  const std::string_view host = authority.substr(0, colon);
  if (host.empty()) throw bad("has no host");
  for (char c : host)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '-'))
      throw bad("has a host with '" + std::string(1, c) + "' in it");
  const auto port = number(authority.substr(colon + 1));
  if (!port || *port < 1 || *port > 65535) throw bad("has no port from 1 to 65535");
  for (char c : rest.substr(slash))
    if (c <= ' ' || c >= 127) throw bad("has a space or a character that is not printable ASCII");
}

RateRow rate_row(const billing::Rate& r, int64_t created_unix) {
  RateRow row;
  row.plan = r.plan;
  row.service_type =
      r.service_type ? std::string(name(*r.service_type)) : std::string(billing::any);
  row.band = r.band ? std::string(name(*r.band)) : std::string(billing::any);
  row.zone = r.zone;
  row.provider = r.provider;
  row.unit = std::string(name(r.unit));
  row.price_micros = r.price;
  row.increment = static_cast<int64_t>(r.increment);
  row.minimum_micros = r.minimum;
  row.effective_from_unix = r.effective_from_unix;
  row.created_unix = created_unix;
  return row;
}

}  // namespace gm::host
