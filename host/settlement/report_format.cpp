#include "host/settlement/report_format.h"

#include <stdexcept>

#include "host/billing/civil_date.h"
#include "host/billing/money.h"

namespace gm::settlement {

namespace {

std::string cell_plain(const Cell& c) {
  switch (c.kind) {
    case CellKind::text: return c.text;
    case CellKind::integer: return std::to_string(c.number);
    case CellKind::money: return billing::format_money(c.number);
  }
  return "";
}

std::string csv_cell(const Cell& c) {
  if (c.kind != CellKind::text) return cell_plain(c);
  const std::string_view s = c.text;
  // A leading formula character is neutralised before quoting decides.
  if (!s.empty() &&
      (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
    return csv_field("'" + c.text);
  return csv_field(s);
}

std::string json_cell(const Cell& c) {
  switch (c.kind) {
    case CellKind::text: return json_string(c.text);
    case CellKind::integer: return std::to_string(c.number);
    case CellKind::money: return json_string(billing::format_money(c.number));
  }
  return "null";
}

void put(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

Table base(std::string report, std::string provider, Period p, std::vector<std::string> columns) {
  Table t;
  t.report = std::move(report);
  t.provider = std::move(provider);
  t.period = p;
  t.columns = std::move(columns);
  return t;
}

}  // namespace

Cell text_cell(std::string s) {
  return {CellKind::text, std::move(s), 0};
}
Cell int_cell(int64_t v) {
  return {CellKind::integer, "", v};
}
Cell money_cell(Micros m) {
  return {CellKind::money, "", m};
}

Table report_table(std::string_view report, const PeriodTotals& totals,
                   const std::vector<Provider>& members, const std::string& provider,
                   Period period) {
  if (report == "statement") return to_table(settlement_statement(totals, members, period));
  // A provider's reports read only its own groups: taken out once, not searched for each.
  const PeriodTotals mine = totals.of_provider(provider);
  if (report == "detail") return to_table(detail_report(mine, provider, period));
  if (report == "summary") return to_table(summary_report(mine, provider, period));
  if (report == "invoice") return to_table(invoice_report(mine, provider, period));
  if (report == "credit_debit") return to_table(credit_debit_report(mine, provider, period));
  throw std::invalid_argument("settlement: no report " + std::string(report));
}

Table to_table(const DetailReport& r) {
  Table t = base("detail", r.provider, r.period,
                 {"role", "serving_country", "serving_provider", "home_provider", "user",
                  "connections", "seconds", "amount", "fee"});
  Micros served = 0, consumed = 0, fees = 0;
  for (const DetailRow& d : r.rows) {
    // A late record of a closed period is listed apart: its money is this period's, its usage
    // an earlier one's.
    const std::string role = std::string(role_name(d.role)) + (d.adjustment ? "-adjustment" : "");
    t.rows.push_back({text_cell(role), text_cell(d.serving_country),
                      text_cell(d.serving_provider), text_cell(d.home_provider), text_cell(d.user),
                      int_cell(d.connections), int_cell(d.seconds), money_cell(d.amount_micros),
                      money_cell(d.fee_micros)});
    Micros& side = d.role == Role::served ? served : consumed;
    side = billing::checked_add(side, d.amount_micros);
    fees = billing::checked_add(fees, d.fee_micros);
  }
  t.totals = {{"served_amount", money_cell(served)},
              {"consumed_amount", money_cell(consumed)},
              {"fees", money_cell(fees)}};
  return t;
}

Table to_table(const SummaryReport& r) {
  Table t = base("summary", r.provider, r.period,
                 {"serving_provider", "home_provider", "connections", "seconds"});
  int64_t connections = 0, seconds = 0;
  for (const SummaryRow& s : r.rows) {
    t.rows.push_back({text_cell(s.serving_provider), text_cell(s.home_provider),
                      int_cell(s.connections), int_cell(s.seconds)});
    connections += s.connections;
    seconds += s.seconds;
  }
  t.totals = {{"connections", int_cell(connections)}, {"seconds", int_cell(seconds)}};
  return t;
}

Table to_table(const InvoiceReport& r) {
  Table t = base("invoice", r.provider, r.period,
                 {"serving_provider", "home_provider", "connections", "seconds", "earned", "owed",
                  "fee_connection", "fee_time"});
  for (const InvoiceRow& i : r.rows)
    t.rows.push_back({text_cell(i.serving_provider), text_cell(i.home_provider),
                      int_cell(i.connections), int_cell(i.seconds), money_cell(i.earned_micros),
                      money_cell(i.owed_micros), money_cell(i.fee_connection_micros),
                      money_cell(i.fee_time_micros)});
  t.totals = {{"total_earned", money_cell(r.total_earned_micros)},
              {"total_owed", money_cell(r.total_owed_micros)},
              {"net", money_cell(r.net_micros)}};
  return t;
}

Table to_table(const CreditDebitReport& r) {
  Table t = base("credit_debit", r.provider, r.period, {"counterpart", "credit", "debit", "net"});
  for (const CreditDebitRow& c : r.rows)
    t.rows.push_back({text_cell(c.counterpart), money_cell(c.credit_micros),
                      money_cell(c.debit_micros), money_cell(c.net_micros)});
  t.totals = {{"total_credit", money_cell(r.total_credit_micros)},
              {"total_debit", money_cell(r.total_debit_micros)},
              {"net", money_cell(r.net_micros)}};
  return t;
}

Table to_table(const SettlementStatement& s) {
  Table t = base("statement", "", s.period, {"provider", "country", "net"});
  for (const StatementRow& r : s.rows)
    t.rows.push_back({text_cell(r.provider), text_cell(r.country), money_cell(r.net_micros)});
  t.totals = {{"operator_fees", money_cell(s.operator_fees_micros)},
              {"operator_margin", money_cell(s.operator_margin_micros)},
              {"operator_total", money_cell(s.operator_total_micros)}};
  return t;
}

uint64_t fnv1a64(std::string_view bytes, uint64_t h) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string canonical_bytes(const Table& t) {
  // Length prefixes make the encoding unambiguous (no name can imitate a separator); the
  // kind goes in too, so the text "5" and the number 5 differ; money as raw micros, so a
  // change below the printed decimals still changes the checksum.
  std::string out = "gatemeter-settlement-report/1\n";
  put(out, t.report);
  put(out, t.provider);
  put(out, std::to_string(t.period.from_unix));
  put(out, std::to_string(t.period.to_unix));
  const auto cell = [&](const Cell& c) {
    out += static_cast<char>('0' + static_cast<int>(c.kind));
    put(out, c.kind == CellKind::text ? c.text : std::to_string(c.number));
  };
  put(out, std::to_string(t.columns.size()));
  for (const std::string& c : t.columns) put(out, c);
  put(out, std::to_string(t.rows.size()));
  for (const auto& row : t.rows) {
    put(out, std::to_string(row.size()));
    for (const Cell& c : row) cell(c);
  }
  put(out, std::to_string(t.totals.size()));
  for (const auto& [name, value] : t.totals) {
    put(out, name);
    cell(value);
  }
  return out;
}

std::string checksum(const Table& t) {
  return checksum_text(fnv1a64(canonical_bytes(t)));
}

std::string checksum_text(uint64_t h) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string digits(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) digits[static_cast<size_t>(i)] = hex[h & 0xf];
  return "fnv1a64:" + digits;
}

std::string csv_field(std::string_view s) {
  const bool quote = s.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!s.empty() && (s.front() == ' ' || s.back() == ' '));
  if (!quote) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string json_string(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string utc_time(int64_t unix) {
  const int64_t days = billing::floor_div(unix, billing::seconds_per_day);
  const int64_t sod = billing::floor_mod(unix, billing::seconds_per_day);
  const billing::CivilDate d = billing::civil_from_days(days);
  const auto two = [](int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  std::string year = std::to_string(d.year);
  if (d.year >= 0 && d.year < 1000) year.insert(0, 4 - year.size(), '0');
  return year + "-" + two(d.month) + "-" + two(d.day) + "T" + two(sod / 3600) + ":" +
         two(sod / 60 % 60) + ":" + two(sod % 60) + "Z";
}

std::string to_csv(const Table& t) {
  std::string out = "report,provider,period_from,period_to\r\n";
  out += csv_field(t.report) + "," + csv_cell(text_cell(t.provider)) + "," +
         utc_time(t.period.from_unix) + "," + utc_time(t.period.to_unix) + "\r\n\r\n";
  for (size_t i = 0; i < t.columns.size(); ++i) out += (i ? "," : "") + csv_field(t.columns[i]);
  out += "\r\n";
  for (const auto& row : t.rows) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + csv_cell(row[i]);
    out += "\r\n";
  }
  out += "\r\ntotal,value\r\n";
  for (const auto& [name, value] : t.totals)
    out += csv_field(name) + "," + csv_cell(value) + "\r\n";
  out += "\r\nchecksum," + checksum(t) + "\r\n";
  return out;
}

std::string to_json(const Table& t) {
  std::string out = "{\"report\":" + json_string(t.report) +
                    ",\"provider\":" + json_string(t.provider) +
                    ",\"period\":{\"from\":" + json_string(utc_time(t.period.from_unix)) +
                    ",\"to\":" + json_string(utc_time(t.period.to_unix)) + "},\"columns\":[";
  for (size_t i = 0; i < t.columns.size(); ++i) out += (i ? "," : "") + json_string(t.columns[i]);
  out += "],\"rows\":[";
  for (size_t r = 0; r < t.rows.size(); ++r) {
    out += r ? ",[" : "[";
    for (size_t i = 0; i < t.rows[r].size(); ++i) out += (i ? "," : "") + json_cell(t.rows[r][i]);
    out += "]";
  }
  out += "],\"totals\":{";
  for (size_t i = 0; i < t.totals.size(); ++i)
    out += (i ? "," : "") + json_string(t.totals[i].first) + ":" + json_cell(t.totals[i].second);
  out += "},\"checksum\":" + json_string(checksum(t)) + "}\n";
  return out;
}

std::string to_html(const Table& t) {
  const std::string title =
      html_escape(t.report + (t.provider.empty() ? "" : " report for " + t.provider));
  std::string out = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
                    "</title></head>\n<body>\n<h1>" + title + "</h1>\n<p>" +
                    html_escape(utc_time(t.period.from_unix)) + " to " +
                    html_escape(utc_time(t.period.to_unix)) + "</p>\n<table>\n<thead><tr>";
  for (const std::string& c : t.columns) out += "<th>" + html_escape(c) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    out += "<tr>";
    for (const Cell& c : row)
      out += (c.kind == CellKind::text ? "<td>" : "<td class=\"num\">") +
             html_escape(cell_plain(c)) + "</td>";
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n<table class=\"totals\">\n";
  for (const auto& [name, value] : t.totals)
    out += "<tr><th>" + html_escape(name) + "</th><td class=\"num\">" +
           html_escape(cell_plain(value)) + "</td></tr>\n";
  out += "</table>\n<p class=\"checksum\">" + html_escape(checksum(t)) + "</p>\n</body></html>\n";
  return out;
}

}  // namespace gm::settlement
