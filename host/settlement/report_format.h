// The settlement reports as files for people and programs: CSV, JSON and HTML, each carrying
// a checksum of the report's content.
//
// Every report first becomes a Table (columns, typed cells, totals), so the three formats
// are three printers of one thing and cannot disagree about what a report says. Money is
// printed with billing::format_money (exact decimals, never floating point); in JSON it is a
// string ("12.34") because JSON readers turn numbers into doubles.
//
// Escaping, because provider and user names come from outside (realms, member config):
//  - CSV (RFC 4180): a field with a comma, quote, CR or LF, or leading or trailing space, is
//    quoted and its quotes doubled. A text cell starting with = + - @ TAB or CR gets a
//    leading ' so a spreadsheet does not run it as a formula; numbers and money never do.
//  - JSON: quote, backslash and control characters escaped (\" \\ \n \uXXXX); other bytes
//    pass through (names are UTF-8 as received).
//  - HTML: & < > " ' as entities, in text and attributes alike.
//
// The checksum is FNV-1a 64 over canonical_bytes(table): a length-prefixed serialisation of
// the table's content, not of any one format, so the CSV, JSON and HTML of a report carry
// the same value and anyone holding the data can recompute it. It detects change (a cent
// edited, a row lost in transit), NOT forgery: anyone can compute a matching FNV for edited
// content. Authenticity needs a signature over the file, which is the transport's job.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "host/settlement/settlement_reports.h"

namespace gm::settlement {

enum class CellKind : int32_t { text = 0, integer = 1, money = 2 };

struct Cell {
  CellKind kind = CellKind::text;
  std::string text;    // kind text
  int64_t number = 0;  // kind integer, or money in micros
};

Cell text_cell(std::string s);
Cell int_cell(int64_t v);
Cell money_cell(Micros m);

struct Table {
  std::string report;    // "detail", "summary", "invoice", "credit_debit", "statement"
  std::string provider;  // "" for the settlement-wide statement
  Period period;
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;               // each as long as columns
  std::vector<std::pair<std::string, Cell>> totals;  // name, value
};

Table to_table(const DetailReport& r);
Table to_table(const SummaryReport& r);
Table to_table(const InvoiceReport& r);
Table to_table(const CreditDebitReport& r);
Table to_table(const SettlementStatement& s);

// The provider-side reports by their Table names, and the statement (provider ignored).
inline constexpr std::string_view provider_reports[] = {"detail", "summary", "invoice",
                                                         "credit_debit"};
// `report` is one of provider_reports or "statement"; another throws std::invalid_argument.
Table report_table(std::string_view report, const PeriodTotals& totals,
                   const std::vector<Provider>& members, const std::string& provider,
                   Period period);

inline constexpr uint64_t fnv1a64_basis = 0xcbf29ce484222325ull;
// FNV-1a 64 of `bytes`, continuing from `h` (so a file is hashed as it is written).
uint64_t fnv1a64(std::string_view bytes, uint64_t h = fnv1a64_basis);
std::string canonical_bytes(const Table& t);
std::string checksum(const Table& t);  // "fnv1a64:" and 16 lower-case hex digits
std::string checksum_text(uint64_t fnv);  // the same form for any hash (the detail file's)

std::string csv_field(std::string_view s);    // quoted if it must be
std::string json_string(std::string_view s);  // with its quotes
std::string html_escape(std::string_view s);
std::string utc_time(int64_t unix);  // "2026-11-01T00:00:00Z"

// CSV, lines ending CRLF (RFC 4180), blocks separated by an empty line:
// "report,provider,period_from,period_to" and its line; the columns and the rows; "total,value" and
// the totals; "checksum,<value>".
std::string to_csv(const Table& t);
// JSON: one object {report, provider, period{from,to}, columns[], rows[[]], totals{},
// checksum}.
std::string to_json(const Table& t);
// HTML: a whole document; the totals in a second table; the checksum in <p class="checksum">.
std::string to_html(const Table& t);

}  // namespace gm::settlement
