// Reading tzdata: known switches of real zones, agreement with glibc's own reader over every
// zone the system ships, the footer rule on its own, and refusals of names and bytes that
// are not a zone (truncated and mangled files must throw, never crash: the host build runs
// with ASan and UBSan).
#include "host/billing/time_zone.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "host/billing/billing_error.h"
#include "tests/unit/host/billing/expect_billing_error.h"
#include "tests/unit/host/billing/utc_oracle.h"

namespace gm::billing {
namespace {

const std::filesystem::path system_zoneinfo = "/usr/share/zoneinfo";

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void expect_switch(const TimeZone& z, int64_t at, int32_t before, int32_t after) {
  EXPECT_EQ(z.offset_at(at - 1), before) << z.name() << " at " << at;
  EXPECT_EQ(z.offset_at(at), after) << z.name() << " at " << at;
  EXPECT_EQ(z.next_transition_after(at - 3600 * 24 * 20), at) << z.name();
  EXPECT_EQ(z.next_transition_after(at - 1), at) << z.name();
  EXPECT_GT(z.next_transition_after(at), at) << z.name();
}

TEST(BillingTimeZone, BerlinGoesFromPlusOneToPlusTwoAt0100UtcOn29March2026) {
  const TimeZone berlin = TimeZone::load("Europe/Berlin");
  const int64_t spring = utc(2026, 3, 29, 1);
  expect_switch(berlin, spring, 3600, 7200);
  const LocalTime before = berlin.local(spring - 1);
  EXPECT_EQ(before.hour, 1);
  EXPECT_EQ(before.minute, 59);
  EXPECT_EQ(before.second, 59);
  const LocalTime after = berlin.local(spring);
  EXPECT_EQ(after.year, 2026);
  EXPECT_EQ(after.month, 3);
  EXPECT_EQ(after.day, 29);
  EXPECT_EQ(after.weekday, 0);  // a Sunday
  EXPECT_EQ(after.hour, 3);
  EXPECT_EQ(after.minute, 0);
  // And back on the last Sunday of October, also at 01:00 UTC.
  expect_switch(berlin, utc(2026, 10, 25, 1), 7200, 3600);
}

TEST(BillingTimeZone, NewYorkSwitchesAtTwoInTheMorningLocal) {
  const TimeZone ny = TimeZone::load("America/New_York");
  expect_switch(ny, utc(2026, 3, 8, 7), -5 * 3600, -4 * 3600);  // 02:00 EST, 2nd Sunday of March
  expect_switch(ny, utc(2026, 11, 1, 6), -4 * 3600,
                -5 * 3600);  // 02:00 EDT, 1st Sunday of November
  EXPECT_EQ(ny.local(utc(2026, 7, 4, 16)).hour, 12);
}

TEST(BillingTimeZone, SydneyHasItsSummerInJanuary) {
  const TimeZone sydney = TimeZone::load("Australia/Sydney");
  EXPECT_EQ(sydney.offset_at(utc(2026, 1, 15)), 11 * 3600);
  EXPECT_EQ(sydney.offset_at(utc(2026, 7, 15)), 10 * 3600);
  expect_switch(sydney, utc(2026, 4, 4, 16), 11 * 3600,
                10 * 3600);  // 03:00 AEDT, 1st Sunday of April
  expect_switch(sydney, utc(2026, 10, 3, 16), 10 * 3600,
                11 * 3600);  // 02:00 AEST, 1st Sunday of October
  const LocalTime new_year = sydney.local(utc(2025, 12, 31, 13));
  EXPECT_EQ(new_year.year, 2026);
  EXPECT_EQ(new_year.month, 1);
  EXPECT_EQ(new_year.day, 1);
  EXPECT_EQ(new_year.hour, 0);
  EXPECT_EQ(new_year.weekday, 4);  // a Thursday
}

TEST(BillingTimeZone, UtcNeverMovesAndKolkataStaysAtFiveAndAHalfHours) {
  for (const TimeZone& z : {TimeZone::utc(), TimeZone::load("UTC")}) {
    EXPECT_EQ(z.offset_at(utc(2026, 6, 1)), 0);
    EXPECT_EQ(z.next_transition_after(utc(2026, 6, 1)), never);
    const LocalTime t = z.local(utc(2026, 2, 28, 23, 59, 58));
    EXPECT_EQ(t.day, 28);
    EXPECT_EQ(t.hour, 23);
    EXPECT_EQ(t.second, 58);
  }
  const TimeZone kolkata = TimeZone::load("Asia/Kolkata");
  EXPECT_EQ(kolkata.offset_at(utc(2026, 6, 1)), 5 * 3600 + 30 * 60);
  EXPECT_EQ(kolkata.next_transition_after(utc(2026, 6, 1)), never);
  const LocalTime t = kolkata.local(utc(2026, 6, 1, 20, 15));  // 01:45 the next day
  EXPECT_EQ(t.day, 2);
  EXPECT_EQ(t.hour, 1);
  EXPECT_EQ(t.minute, 45);
}

TEST(BillingTimeZone, FarFutureSwitchesComeFromTheFooterRule) {
  // Past 2037 the file lists nothing: the TZ string's "M3.5.0" still finds the last Sunday.
  const TimeZone berlin = TimeZone::load("Europe/Berlin");
  for (int year : {2040, 2050, 2100, 2400}) {
    int64_t last_sunday = utc(year, 3, 31, 1);
    std::time_t probe = static_cast<std::time_t>(last_sunday);
    std::tm tm{};
    gmtime_r(&probe, &tm);
    last_sunday -= int64_t{tm.tm_wday} * 86400;
    expect_switch(berlin, last_sunday, 3600, 7200);
  }
}

// Every zone tzdata lists, at many times, against glibc's localtime_r.
TEST(BillingTimeZone, EveryListedZoneAgreesWithGlibc) {
  std::ifstream tab(system_zoneinfo / "zone1970.tab");
  std::vector<std::string> names = {"UTC", "Etc/GMT+5", "Etc/GMT-14", "EST5EDT"};
  for (std::string line; std::getline(tab, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string codes, coordinates, name;
    fields >> codes >> coordinates >> name;
    names.push_back(name);
  }
  ASSERT_GT(names.size(), 300u);
  const char* old_tz = std::getenv("TZ");
  const std::string saved = old_tz ? old_tz : "";
  std::mt19937_64 rng(1);
  const int64_t from = utc(1900, 1, 1), to = utc(2200, 1, 1);
  size_t compared = 0;
  for (const std::string& name : names) {
    const TimeZone z = TimeZone::load(name);
    setenv("TZ", (":" + name).c_str(), 1);
    tzset();
    const auto check = [&](int64_t t) {
      const std::time_t tt = static_cast<std::time_t>(t);
      std::tm tm{};
      localtime_r(&tt, &tm);
      const LocalTime lt = z.local(t);
      ASSERT_EQ(z.offset_at(t), tm.tm_gmtoff) << name << " at " << t;
      ASSERT_EQ(lt.year, tm.tm_year + 1900) << name << " at " << t;
      ASSERT_EQ(lt.month, tm.tm_mon + 1) << name << " at " << t;
      ASSERT_EQ(lt.day, tm.tm_mday) << name << " at " << t;
      ASSERT_EQ(lt.weekday, tm.tm_wday) << name << " at " << t;
      ASSERT_EQ(lt.hour * 3600 + lt.minute * 60 + lt.second,
                tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec)
          << name << " at " << t;
      ++compared;
    };
    for (int i = 0; i < 200; ++i)
      check(from + static_cast<int64_t>(rng() % static_cast<uint64_t>(to - from)));
    // Each transition from 1970 to 2100: glibc's offset changes there too, and nowhere between.
    int64_t previous = utc(1970, 1, 1);
    for (int64_t t = z.next_transition_after(previous); t < utc(2100, 1, 1);
         t = z.next_transition_after(t)) {
      check(t - 1);
      check(t);
      check(previous + (t - previous) / 2);
      previous = t;
    }
  }
  if (old_tz)
    setenv("TZ", saved.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
  EXPECT_GT(compared, 100000u);
}

TEST(BillingTimeZone, NamesThatCouldLeaveTheRootAreRefused) {
  for (const char* name :
       {"../etc/passwd", "/etc/localtime", "Europe/../UTC", "", "Europe//Berlin", "Europe/Berlin/",
        "./UTC", "Europe/Berlin\n", "Europe\\Berlin", "UTC;rm"}) {
    expect_billing_error([&] { TimeZone::load(name); }, "not a tzdata name");
  }
  expect_billing_error([] { TimeZone::load("Nowhere/Atlantis"); },
                       "\"Nowhere/Atlantis\": no such zone file");
  expect_billing_error([] { TimeZone::load("Europe"); }, "no such zone file");  // a folder
  expect_billing_error([] { TimeZone::load("UTC", "/nonexistent-root"); }, "no such zone file");
  expect_billing_error([] { TimeZone::load("zone1970.tab"); }, "not a TZif file");
  expect_billing_error([] { TimeZone::load("right/UTC"); }, "leap seconds");
}

// A TZif file written field by field (RFC 8536), for shapes tzdata does not ship.
struct Type {
  int32_t utoff;
  uint8_t isdst = 0;
};
struct Transition {
  int64_t at;
  uint8_t type;
};

std::string be(uint64_t v, int bytes) {
  std::string s;
  for (int i = bytes - 1; i >= 0; --i) s += static_cast<char>(v >> (8 * i) & 0xff);
  return s;
}

std::string tzif(char version, const std::vector<Transition>& transitions,
                 const std::vector<Type>& types, const std::string& footer = "",
                 uint32_t leapcnt = 0) {
  const std::string abbreviations("ZZZ\0", 4);
  const auto header = [&] {
    return "TZif" + std::string(1, version) + std::string(15, '\0') + be(0, 4) + be(0, 4) +
           be(leapcnt, 4) + be(transitions.size(), 4) + be(types.size(), 4) +
           be(abbreviations.size(), 4);
  };
  const auto block = [&](int time_size) {
    std::string s;
    for (const Transition& t : transitions) s += be(static_cast<uint64_t>(t.at), time_size);
    for (const Transition& t : transitions) s += static_cast<char>(t.type);
    for (const Type& t : types)
      s += be(static_cast<uint32_t>(t.utoff), 4) + static_cast<char>(t.isdst) + '\0';
    s += abbreviations;
    for (uint32_t i = 0; i < leapcnt; ++i) s += be(0, time_size) + be(0, 4);
    return s;
  };
  std::string out = header() + block(4);
  if (version != '\0') out += header() + block(8) + "\n" + footer + "\n";
  return out;
}

class BillingZoneFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("gm-zoneinfo-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "Test");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& name, const std::string& bytes) {
    std::ofstream(root_ / name, std::ios::binary) << bytes;
  }
  std::filesystem::path root_;
};

TEST_F(BillingZoneFolder, ASlimFileWithOnlyAFooterFollowsItsRule) {
  write("Test/Slim", tzif('2', {}, {{3600}}, "CET-1CEST,M3.5.0,M10.5.0/3"));
  const TimeZone z = TimeZone::load("Test/Slim", root_);
  EXPECT_EQ(z.name(), "Test/Slim");
  expect_switch(z, utc(2026, 3, 29, 1), 3600, 7200);
  expect_switch(z, utc(2026, 10, 25, 1), 7200, 3600);
  expect_switch(z, utc(1999, 3, 28, 1), 3600, 7200);
}

TEST_F(BillingZoneFolder, AVersionOneFileUsesItsTransitionsAndKeepsTheLastOffset) {
  write("Test/One", tzif('\0', {{1000, 1}, {2000, 0}, {3000, 2}}, {{0}, {3600, 1}, {-1800}}));
  const TimeZone z = TimeZone::load("Test/One", root_);
  EXPECT_EQ(z.offset_at(999), 0);  // before the first transition: type 0
  EXPECT_EQ(z.offset_at(1000), 3600);
  EXPECT_EQ(z.offset_at(2999), 0);
  EXPECT_EQ(z.offset_at(3000), -1800);
  EXPECT_EQ(z.offset_at(utc(2200, 1, 1)), -1800);
  EXPECT_EQ(z.next_transition_after(0), 1000);
  EXPECT_EQ(z.next_transition_after(1000), 2000);
  EXPECT_EQ(z.next_transition_after(3000), never);
}

TEST_F(BillingZoneFolder, ASwitchThatKeepsTheOffsetIsNoTransition) {
  // LMT -> "standard" at the same offset, then a real change: only the change counts.
  write("Test/Same", tzif('2', {{1000, 1}, {5000, 2}}, {{7200}, {7200, 1}, {3600}}, "ZZZ-1"));
  const TimeZone z = TimeZone::load("Test/Same", root_);
  EXPECT_EQ(z.next_transition_after(0), 5000);
  EXPECT_EQ(z.offset_at(4999), 7200);
  EXPECT_EQ(z.offset_at(5000), 3600);
  EXPECT_EQ(z.next_transition_after(5000), never);
}

TEST(BillingTimeZone, FooterRulesOfEveryFormParse) {
  // Quoted names and half-hour offsets.
  PosixTz india = parse_posix_tz("<+0530>-5:30");
  EXPECT_EQ(india.std_offset, 19800);
  EXPECT_FALSE(india.has_dst);
  // A DST name without a rule: one hour ahead, US rules.
  PosixTz est = parse_posix_tz("EST5EDT");
  EXPECT_EQ(est.std_offset, -18000);
  EXPECT_EQ(est.dst_offset, -14400);
  EXPECT_EQ(offset_at(est, utc(2026, 3, 8, 7)), -14400);
  EXPECT_EQ(offset_at(est, utc(2026, 3, 8, 7) - 1), -18000);
  // J60 is 1 March in every year; day 59 counted from 0 is 1 March too, but 29 February in a
  // leap year.
  const PosixTz julian = parse_posix_tz("AAA0BBB,J60/0,J300/0");
  const PosixTz zero_based = parse_posix_tz("AAA0BBB,59/0,J300/0");
  EXPECT_EQ(next_offset_change_after(julian, utc(2027, 1, 1)), utc(2027, 3, 1));
  EXPECT_EQ(next_offset_change_after(julian, utc(2028, 1, 1)), utc(2028, 3, 1));
  EXPECT_EQ(next_offset_change_after(zero_based, utc(2027, 1, 1)), utc(2027, 3, 1));
  EXPECT_EQ(next_offset_change_after(zero_based, utc(2028, 1, 1)), utc(2028, 2, 29));
  // J300 is 27 October in any year; the end is at 00:00 daylight time, 23:00 UTC the day before.
  EXPECT_EQ(next_offset_change_after(julian, utc(2028, 6, 1)), utc(2028, 10, 26, 23));
  // Negative and over-24 switch times (RFC 8536 3.3): Nuuk and Santiago.
  PosixTz nuuk = parse_posix_tz("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  EXPECT_EQ(next_offset_change_after(nuuk, utc(2026, 1, 1)),
            utc(2026, 3, 29, 1));  // Sat 23:00 local
  PosixTz santiago = parse_posix_tz("<-04>4<-03>,M9.1.6/24,M4.1.6/24");
  EXPECT_EQ(offset_at(santiago, utc(2026, 1, 1)), -3 * 3600);  // southern summer
  EXPECT_EQ(next_offset_change_after(santiago, utc(2026, 1, 1)),
            utc(2026, 4, 5, 3));  // Sat 24:00 -03
  // Daylight time all year: offset never changes.
  PosixTz always = parse_posix_tz("EST5EDT,0/0,J365/25");
  for (int64_t t = utc(2026, 1, 1); t < utc(2031, 1, 1); t += 3600 * 7)
    ASSERT_EQ(offset_at(always, t), -14400);
  EXPECT_EQ(next_offset_change_after(always, utc(2026, 6, 1)), never);
  EXPECT_EQ(next_offset_change_after(always, utc(2026, 1, 1, 5) - 1), never);
  // Dublin: winter is the "DST" and one hour behind standard time.
  PosixTz dublin = parse_posix_tz("IST-1GMT0,M10.5.0,M3.5.0/1");
  EXPECT_EQ(offset_at(dublin, utc(2026, 1, 15)), 0);
  EXPECT_EQ(offset_at(dublin, utc(2026, 7, 15)), 3600);
}

TEST(BillingTimeZone, MalformedFooterRulesAreRefusedNamingTheString) {
  for (const char* bad :
       {"", "E5", "EST", "EST5EDT,M3.2.0", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.0.0,M11.1.0",
        "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,M3.2.0/168,M11.1.0", "EST5EDT,J0,J100",
        "EST5EDT,366,J100", "CET-1CEST,M3.5.0,M10.5.0/3x", "EST25", "EST5:60", "<AB>5", "<A B C>5",
        "<ABC5", "EST5EDT,M3.2.0,M11.1.0,", "EST99999999999"}) {
    expect_billing_error([&] { parse_posix_tz(bad); }, "TZ string \"" + std::string(bad) + "\"");
  }
}

TEST(BillingTimeZone, MalformedFilesAreRefusedWithTheReason) {
  const std::vector<Type> one = {{0}};
  const auto refused = [](const std::string& bytes, const std::string& why) {
    expect_billing_error([&] { TimeZone::from_tzif("Test/Bad", bytes); }, why);
  };
  refused("", "truncated");
  refused("TZjf2" + std::string(100, '\0'), "not a TZif file");
  std::string v5 = tzif('2', {}, one, "UTC0");
  v5[4] = '5';
  refused(v5, "unknown TZif version");
  refused(tzif('2', {}, {}, "UTC0"), "no local time types");
  refused(tzif('2', {{10, 1}}, one, "UTC0"), "transition names type 1");
  refused(tzif('2', {{10, 0}, {10, 0}}, one, "UTC0"), "not ascending");
  refused(tzif('2', {}, {{100000}}, "UTC0"), "out of range");
  refused(tzif('2', {}, {{0, 2}}, "UTC0"), "DST flag");
  refused(tzif('2', {}, one, "UTC0", 1), "leap seconds");
  refused(tzif('2', {}, one, "U0"), "TZif footer: TZ string");
  refused(tzif('2', {{10, 0}}, one, "CET-1"), "disagrees with the offset");
  std::string no_newline = tzif('2', {}, one, "UTC0");
  no_newline.pop_back();
  refused(no_newline, "no newline");
  // A count of four billion types in a file of a hundred bytes is refused before anything is
  // allocated for it.
  std::string huge = tzif('\0', {}, one);
  huge.replace(36, 4, be(0xffffffffu, 4));
  refused(huge, "truncated");
}

// Every prefix of a real file and of a made one, and thousands of mangled copies: errors,
// never a crash, an overrun or undefined behaviour.
TEST(BillingTimeZone, TruncatedAndMangledFilesThrowAndNeverCrash) {
  const std::vector<std::string> samples = {
      file_bytes(system_zoneinfo / "Europe/Berlin"),
      file_bytes(system_zoneinfo / "Australia/Sydney"),
      tzif('\0', {{1000, 1}, {2000, 0}}, {{0}, {3600, 1}}),
      tzif('3', {{-100, 1}, {5000, 0}}, {{-7200}, {-3600, 1}}, "<-02>2<-01>,M3.5.0/-1,M10.5.0/0")};
  for (const std::string& bytes : samples) {
    EXPECT_NO_THROW(TimeZone::from_tzif("sample", bytes));
    for (size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_THROW(TimeZone::from_tzif("sample", bytes.substr(0, n)), BillingError)
          << "prefix " << n;
    }
  }
  std::mt19937_64 rng(5);
  size_t loaded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = samples[rng() % samples.size()];
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int f = 0; f < flips; ++f) {
      const size_t at = rng() % bytes.size();
      // Header and footer bytes are where parsing decides most; hit them more often.
      const size_t where =
          rng() % 3 == 0 ? at % 60 : (rng() % 3 == 0 ? bytes.size() - 1 - at % 40 : at);
      bytes[where] = static_cast<char>(rng());
    }
    try {
      const TimeZone z = TimeZone::from_tzif("mangled", bytes);
      ++loaded;
      for (int64_t t :
           {std::numeric_limits<int64_t>::min(), int64_t{-1} << 40, int64_t{0}, utc(2026, 3, 29, 1),
            utc(2200, 1, 1), int64_t{1} << 40, std::numeric_limits<int64_t>::max()}) {
        const int32_t off = z.offset_at(t);
        EXPECT_LE(off, 93599);
        EXPECT_GE(off, -89999);
        z.local(t);
        const int64_t next = z.next_transition_after(t);
        EXPECT_TRUE(next > t || next == never);
      }
    } catch (const BillingError&) {
    }
  }
  EXPECT_GT(loaded, 0u);  // some mangling leaves a valid zone: the survivors were exercised
  // Pure garbage, with and without a plausible header.
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(rng() % 200, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (i % 2) bytes = "TZif2" + std::string(15, '\0') + bytes;
    EXPECT_THROW(TimeZone::from_tzif("garbage", bytes), BillingError);
  }
}

TEST(BillingTimeZone, ExtremeTimesDoNotOverflow) {
  const TimeZone berlin = TimeZone::load("Europe/Berlin");
  const int64_t max = std::numeric_limits<int64_t>::max(),
                min = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(berlin.next_transition_after(max), never);
  EXPECT_GT(berlin.next_transition_after(min), min);
  EXPECT_EQ(berlin.local(0).year, 1970);
  EXPECT_EQ(berlin.local(0).hour, 1);
  const LocalTime far = TimeZone::utc().local(max);
  EXPECT_EQ(far.second, static_cast<int>(max % 60));
  EXPECT_EQ(TimeZone::utc().local(min).second, static_cast<int>((min % 60 + 60) % 60));
}

}  // namespace
}  // namespace gm::billing
