#include "host/billing/time_zone.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <system_error>

#include "host/billing/billing_error.h"
#include "host/billing/civil_date.h"

namespace gm::billing {

namespace {

constexpr uintmax_t max_tzif_bytes = 1 << 20;  // real files are a few KiB

[[noreturn]] void bad_zone(std::string_view zone, const std::string& why) {
  throw BillingError("time zone \"" + std::string(zone) + "\": " + why);
}

// Big-endian reads that never pass the end: every count in a TZif file is untrusted.
class Reader {
 public:
  Reader(std::string_view zone, std::string_view bytes) : zone_(zone), rest_(bytes) {}

  [[noreturn]] void bad(const std::string& why) const { bad_zone(zone_, why); }
  uint64_t remaining() const { return rest_.size(); }

  std::string_view take(uint64_t n, const char* what) {
    if (n > rest_.size()) bad(std::string("truncated TZif: the file ends inside its ") + what);
    const std::string_view s = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return s;
  }
  // Up to the next newline, which is consumed but not returned.
  std::string_view line(const char* what) {
    const size_t end = rest_.find('\n');
    if (end == std::string_view::npos)
      bad(std::string("truncated TZif: no newline ends its ") + what);
    const std::string_view s = rest_.substr(0, end);
    rest_.remove_prefix(end + 1);
    return s;
  }
  uint64_t unsigned_be(int size, const char* what) {
    uint64_t v = 0;
    for (unsigned char c : take(size, what)) v = v << 8 | c;
    return v;
  }
  uint8_t u8(const char* what) { return static_cast<uint8_t>(unsigned_be(1, what)); }
  uint32_t u32(const char* what) { return static_cast<uint32_t>(unsigned_be(4, what)); }
  int32_t i32(const char* what) { return static_cast<int32_t>(u32(what)); }
  int64_t i64(const char* what) { return static_cast<int64_t>(unsigned_be(8, what)); }

 private:
  std::string_view zone_;
  std::string_view rest_;
};

struct Header {
  char version = 0;
  uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  uint64_t block_size(int time_size) const {
    return uint64_t{timecnt} * (time_size + 1) + uint64_t{typecnt} * 6 + charcnt +
           uint64_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
  }
};

Header read_header(Reader& in) {
  if (in.take(4, "header") != "TZif") in.bad("not a TZif file (no \"TZif\" magic)");
  Header h;
  h.version = static_cast<char>(in.u8("header"));
  if (h.version != '\0' && (h.version < '2' || h.version > '4'))
    in.bad("unknown TZif version " + std::to_string(static_cast<unsigned char>(h.version)));
  in.take(15, "header");
  h.isutcnt = in.u32("header");
  h.isstdcnt = in.u32("header");
  h.leapcnt = in.u32("header");
  h.timecnt = in.u32("header");
  h.typecnt = in.u32("header");
  h.charcnt = in.u32("header");
  return h;
}

struct TimeType {
  int32_t utoff;
};

struct Block {
  std::vector<int64_t> at;
  std::vector<uint8_t> type;
  std::vector<TimeType> types;
};

Block read_block(Reader& in, const Header& h, int time_size) {
  if (h.typecnt == 0) in.bad("TZif has no local time types");
  if (h.charcnt == 0) in.bad("TZif has no time zone abbreviations");
  if ((h.isutcnt != 0 && h.isutcnt != h.typecnt) || (h.isstdcnt != 0 && h.isstdcnt != h.typecnt))
    in.bad("TZif standard/UT indicator counts differ from its type count");
  if (h.leapcnt != 0)
    in.bad(
        "has leap seconds (a \"right/\" zone): unix time has none, so every local time would "
        "be off; use the zone without \"right/\"");
  // Checked up front so that a huge count is refused before anything is allocated for it.
  if (h.block_size(time_size) > in.remaining())
    in.bad("truncated TZif: the data block is cut short");

  Block b;
  b.at.reserve(h.timecnt);
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    const int64_t t = time_size == 8 ? in.i64("transition times") : in.i32("transition times");
    if (!b.at.empty() && t <= b.at.back()) in.bad("TZif transition times are not ascending");
    b.at.push_back(t);
  }
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    const uint8_t t = in.u8("transition types");
    if (t >= h.typecnt)
      in.bad("TZif transition names type " + std::to_string(t) + " of " +
             std::to_string(h.typecnt));
    b.type.push_back(t);
  }
  for (uint32_t i = 0; i < h.typecnt; ++i) {
    const int32_t utoff = in.i32("local time types");
    const uint8_t isdst = in.u8("local time types");
    const uint8_t desigidx = in.u8("local time types");
    // RFC 8536: offsets lie in -25:59:59..+25:59:59 (and -2^31 is never valid).
    if (utoff < -89999 || utoff > 93599)
      in.bad("TZif UTC offset " + std::to_string(utoff) + " s is out of range");
    if (isdst > 1) in.bad("TZif DST flag is " + std::to_string(isdst));
    if (desigidx >= h.charcnt) in.bad("TZif abbreviation index is past its abbreviations");
    b.types.push_back({utoff});
  }
  in.take(h.charcnt, "abbreviations");
  for (uint32_t i = 0; i < h.isstdcnt + h.isutcnt; ++i)
    if (in.u8("indicators") > 1) in.bad("TZif standard/UT indicator is neither 0 nor 1");
  return b;
}

// tzdata names are letters, digits and "_+-" in parts joined by '/': nothing that could
// climb out of the root or name a device.
void check_name(std::string_view name) {
  const auto bad = [&](const char* why) {
    bad_zone(name, std::string("not a tzdata name: ") + why);
  };
  if (name.empty()) bad("empty");
  if (name.size() > 255) bad("too long");
  if (name.front() == '/') bad("absolute path");
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") bad("empty, \".\" or \"..\" part");
    for (char c : part)
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '_' || c == '+' || c == '-' || c == '.'))
        bad("characters other than letters, digits, '_', '+', '-', '.' and '/'");
    start = end + 1;
  }
}

}  // namespace

TimeZone TimeZone::load(std::string_view name, const std::filesystem::path& root) {
  check_name(name);
  const std::filesystem::path path = root / std::filesystem::path(std::string(name));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    bad_zone(name, "no such zone file " + path.string() + (ec ? " (" + ec.message() + ")" : ""));
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) bad_zone(name, "cannot read " + path.string() + ": " + ec.message());
  if (size > max_tzif_bytes) bad_zone(name, path.string() + " is too large for a zone file");
  std::ifstream f(path, std::ios::binary);
  if (!f) bad_zone(name, "cannot open " + path.string());
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (!f.good() && !f.eof()) bad_zone(name, "cannot read " + path.string());
  return from_tzif(name, bytes);
}

TimeZone TimeZone::from_tzif(std::string_view name, std::string_view bytes) {
  Reader in(name, bytes);
  Header h = read_header(in);
  std::optional<PosixTz> footer;
  Block b;
  if (h.version == '\0') {
    b = read_block(in, h, 4);
  } else {
    // The 32-bit block is only for old readers; the 64-bit one after it says the same and more.
    in.take(h.block_size(4), "version 1 data block");
    h = read_header(in);
    if (h.version == '\0') in.bad("TZif second header is version 1");
    b = read_block(in, h, 8);
    if (in.take(1, "footer") != "\n") in.bad("TZif footer does not start with a newline");
    const std::string_view text = in.line("footer");
    try {
      if (!text.empty()) footer = parse_posix_tz(text);
    } catch (const BillingError& e) {
      in.bad(std::string("TZif footer: ") + e.what());
    }
  }

  TimeZone z;
  z.name_ = std::string(name);
  z.initial_offset_ = b.types[0].utoff;
  // Only the instants where the offset moves are kept: they are the ones local time cares for.
  int32_t previous = z.initial_offset_;
  for (size_t i = 0; i < b.at.size(); ++i) {
    const int32_t off = b.types[b.type[i]].utoff;
    if (off == previous) continue;
    z.at_.push_back(b.at[i]);
    z.offset_.push_back(off);
    previous = off;
  }
  if (footer) {
    z.footer_from_ = b.at.empty() ? std::numeric_limits<int64_t>::min() : b.at.back();
    if (!b.at.empty() && billing::offset_at(*footer, z.footer_from_) != previous)
      in.bad("TZif footer disagrees with the offset of the file's last transition");
    z.footer_ = footer;
  }
  return z;
}

TimeZone TimeZone::utc() {
  TimeZone z;
  z.name_ = "UTC";
  return z;
}

int32_t TimeZone::offset_at(int64_t unix) const {
  if (footer_ && unix >= footer_from_) return billing::offset_at(*footer_, unix);
  const auto it = std::upper_bound(at_.begin(), at_.end(), unix);
  return it == at_.begin() ? initial_offset_ : offset_[it - at_.begin() - 1];
}

LocalTime TimeZone::local(int64_t unix) const {
  // Split first and add the offset to the seconds of the day, so no sum can overflow.
  const int64_t shifted = floor_mod(unix, seconds_per_day) + offset_at(unix);
  const int64_t days = floor_div(unix, seconds_per_day) + floor_div(shifted, seconds_per_day);
  const int64_t sod = floor_mod(shifted, seconds_per_day);
  const CivilDate d = civil_from_days(days);
  LocalTime t;
  t.year = d.year;
  t.month = d.month;
  t.day = d.day;
  t.weekday = weekday_from_days(days);
  t.hour = static_cast<int>(sod / 3600);
  t.minute = static_cast<int>(sod / 60 % 60);
  t.second = static_cast<int>(sod % 60);
  return t;
}

int64_t TimeZone::next_transition_after(int64_t unix) const {
  if (!footer_ || unix < footer_from_) {
    const auto it = std::upper_bound(at_.begin(), at_.end(), unix);
    if (it != at_.end()) return *it;
    if (!footer_) return never;
    // The table's last transition already happened (or changed nothing): the rule goes on.
    return next_offset_change_after(*footer_, std::max(unix, footer_from_));
  }
  return next_offset_change_after(*footer_, unix);
}

}  // namespace gm::billing
