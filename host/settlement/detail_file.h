// The seed's detail transaction file (its "Example 1"): one ASCII line per history record,
//   "DT","RM","07/10/97","01:43:35","06/30/97","18:43:35","user1@aimnet.com","Aimnet;USA",
//   "Connect.com;Australia","S","300"
// report type DT, service, end date MM/DD/YY and time in GMT (from stop_unix), end date and time
// local (from stop_local, as the record gave it: the seed's example has a local date ten days
// before the GMT one, and the line shows what the record says rather than recomputing it), user,
// home provider;country, serving provider;country, unit S (seconds), duration. Every field is
// quoted, commas with no blanks.
//
// Rules, and why:
//  - A '"' in a field is doubled (RFC 4180), so any CSV reader gets the field back exactly.
//  - A control character (CR, LF, tab, ...) is refused: the file is read line by line, and a
//    line break inside a field would split a record even where quoting makes it legal CSV.
//  - A ';' in a provider or country is refused: "provider;country" is one field split on ';'.
//  - An empty user, service, provider or country is refused: a line that cannot be charged to
//    anyone is an error upstream, not a line to send.
//  - Years print as two digits, as the seed does; they read back unambiguously only within one
//    century, so a year outside 1990..2089 (GMT or local) is refused.
//  - Lines end with "\n", every line including the last (a POSIX text file: concatenating two
//    files gives a valid file, and no records gives an empty file). Records are written in the
//    order given; ordering them is the report's job.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "host/settlement/settlement_record.h"

namespace gm::settlement {

enum class DetailRefusal : uint8_t {
  none,
  control_character,      // a field holds a byte below 0x20 or 0x7f
  semicolon_in_provider,  // a provider or country holds ';'
  empty_field,            // user, service, a provider or a country is empty
  bad_stop_local,         // stop_local is not "YYYY-MM-DD HH:MM:SS" naming a real time
  year_out_of_range,      // the GMT or local year is outside 1990..2089
};
const char* refusal_name(DetailRefusal r);
inline constexpr size_t detail_refusal_count = 6;

inline constexpr int64_t detail_first_year = 1990;
inline constexpr int64_t detail_last_year = 2089;

// One line, without its "\n". `out` is written only when none is returned.
DetailRefusal detail_line(const HistoryRecord& h, std::string& out);

// The whole file, each line ended by "\n". On a refusal, `out` is untouched and `failed_at` is
// the index of the first record refused (else records.size()).
DetailRefusal detail_file(std::span<const HistoryRecord> records, std::string& out,
                          size_t& failed_at);

}  // namespace gm::settlement
