#include "host/billing/bill.h"

#include <cstdio>
#include <ctime>

#include "host/billing/billing_error.h"
#include "host/store/json_text.h"

namespace gm::billing {

namespace {

std::string utc(int64_t unix) {
  const std::time_t t = static_cast<std::time_t>(unix);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

// CSV field: quoted when it holds a comma, a quote or a line break.
std::string csv(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string json(const std::string& s) { return host::json_string(s); }

std::pair<std::string, std::string> split_name(std::string_view text, const char* what) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
    throw BillingError(std::string(what) + " \"" + std::string(text) + "\": expected NAME:" +
                       (std::string(what) == "fee" ? "AMOUNT" : "PERCENT%"));
  return {std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

}  // namespace

BillAdjustment parse_fee(std::string_view text) {
  auto [name, amount] = split_name(text, "fee");
  BillAdjustment a;
  a.kind = BillAdjustment::Kind::fee;
  a.name = name;
  a.amount = parse_money(amount);
  return a;
}

BillAdjustment parse_tax(std::string_view text) {
  auto [name, percent] = split_name(text, "tax");
  if (percent.empty() || percent.back() != '%')
    throw BillingError("tax \"" + std::string(text) + "\": the rate ends with %");
  percent.pop_back();
  // A percentage with up to four decimals is a whole number of parts per million: read it as
  // money (six decimals) and refuse the two decimals beyond four.
  const Micros m = parse_money(percent);  // 19.5 -> 19,500,000
  if (m < 0 || m % 100 != 0 || m > 100'000'000)
    throw BillingError("tax \"" + std::string(text) +
                       "\": a percentage from 0 to 100 with at most four decimals");
  BillAdjustment a;
  a.kind = BillAdjustment::Kind::tax;
  a.name = name;
  a.tax_ppm = m / 100;  // percent x 10,000
  return a;
}

Bill make_bill(std::string account, int64_t from, int64_t to, std::vector<host::ChargedLine> lines,
               const std::vector<BillAdjustment>& extra) {
  Bill b;
  b.account = std::move(account);
  b.from_unix = from;
  b.to_unix = to;
  b.lines = std::move(lines);
  for (const host::ChargedLine& l : b.lines) b.subtotal = checked_add(b.subtotal, l.amount_micros);
  Micros base = b.subtotal;
  for (const BillAdjustment& a : extra)
    if (a.kind == BillAdjustment::Kind::fee) {
      b.adjustments.push_back({a.name, a.amount});
      base = checked_add(base, a.amount);
    }
  Micros total = base;
  for (const BillAdjustment& a : extra)
    if (a.kind == BillAdjustment::Kind::tax) {
      const Micros tax = round_half_up_div(static_cast<__int128>(base) * a.tax_ppm, 1'000'000);
      b.adjustments.push_back({a.name, tax});
      total = checked_add(total, tax);
    }
  b.total = total;
  return b;
}

std::string bill_csv(const Bill& b) {
  std::string out = "kind,agent,session,subscriber,service,start_utc,line,rate,unit,price,units,"
                    "amount\n";
  for (const host::ChargedLine& l : b.lines)
    out += "line," + csv(l.agent_id) + "," + std::to_string(l.session_id) + "," +
           csv(l.subscriber) + "," + csv(l.service) + "," + utc(l.start_unix) + "," +
           std::to_string(l.line) + "," + std::to_string(l.rate) + "," + l.unit + "," +
           format_money(l.price_micros) + "," + std::to_string(l.units) + "," +
           format_money(l.amount_micros) + "\n";
  out += "subtotal,,,,,,,,,,," + format_money(b.subtotal) + "\n";
  for (const auto& [name, amount] : b.adjustments)
    out += "adjustment,,,,," + csv(name) + ",,,,,," + format_money(amount) + "\n";
  out += "total,,,,,,,,,,," + format_money(b.total) + "\n";
  return out;
}

std::string bill_json(const Bill& b) {
  std::string out = "{\"account\":" + json(b.account) + ",\"from\":" + json(utc(b.from_unix)) +
                    ",\"to\":" + json(utc(b.to_unix)) + ",\"lines\":[";
  for (size_t i = 0; i < b.lines.size(); ++i) {
    const host::ChargedLine& l = b.lines[i];
    out += std::string(i ? "," : "") + "{\"agent\":" + json(l.agent_id) +
           ",\"session_id\":" + std::to_string(l.session_id) + ",\"subscriber\":" +
           json(l.subscriber) + ",\"service\":" + json(l.service) + ",\"start\":" +
           json(utc(l.start_unix)) + ",\"line\":" + std::to_string(l.line) +
           ",\"rate\":" + std::to_string(l.rate) + ",\"unit\":" + json(l.unit) +
           ",\"price_micros\":" + std::to_string(l.price_micros) +
           ",\"units\":" + std::to_string(l.units) +
           ",\"amount_micros\":" + std::to_string(l.amount_micros) + "}";
  }
  out += "],\"subtotal_micros\":" + std::to_string(b.subtotal) + ",\"adjustments\":[";
  for (size_t i = 0; i < b.adjustments.size(); ++i)
    out += std::string(i ? "," : "") + "{\"name\":" + json(b.adjustments[i].first) +
           ",\"amount_micros\":" + std::to_string(b.adjustments[i].second) + "}";
  out += "],\"total_micros\":" + std::to_string(b.total) + "}\n";
  return out;
}

}  // namespace gm::billing
