// The time-band schedule: parsing the setting, the band at an instant in local time, and the
// next change of band, across DST switches. Instants are worked out by hand from the zone's
// known offsets (Berlin CET +1 / CEST +2, New York EST -5 / EDT -4) and built with timegm.
#include "host/billing/time_band.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "host/billing/billing_error.h"
#include "tests/unit/host/billing/expect_billing_error.h"
#include "tests/unit/host/billing/utc_oracle.h"

namespace gm::billing {
namespace {

// The successive band changes from `from`, as (instant, band from then on).
std::vector<std::pair<int64_t, Band>> changes(const TimeBands& b, const TimeZone& z, int64_t from,
                                              size_t n) {
  std::vector<std::pair<int64_t, Band>> out;
  for (int64_t t = from; out.size() < n;) {
    t = band_changes_after(b, z, t);
    if (t == never) break;
    out.emplace_back(t, band_at(b, z, t));
  }
  return out;
}

using Changes = std::vector<std::pair<int64_t, Band>>;

TEST(BillingTimeBand, BandNamesParseBackAndAnUnknownOneListsTheValidNames) {
  for (Band b : all_bands) EXPECT_EQ(parse_band(name(b)), b);
  expect_billing_error([] { parse_band("night"); }, "\"night\" (one of peak, offpeak, weekend)");
}

TEST(BillingTimeBand, TheDefaultScheduleIsWeekdaysEightToEightAndTheWeekend) {
  const TimeBands d = parse_time_bands("peak=mon-fri 08:00-20:00; weekend=sat-sun");
  const TimeBands empty = parse_time_bands("");
  const TimeBands built;
  for (const TimeBands* b : {&d, &empty}) {
    EXPECT_EQ(b->peak_days, built.peak_days);
    EXPECT_EQ(b->weekend_days, built.weekend_days);
    EXPECT_EQ(b->peak_from_s, 8 * 3600);
    EXPECT_EQ(b->peak_to_s, 20 * 3600);
  }
  EXPECT_EQ(built.peak_days, (std::array<bool, 7>{false, true, true, true, true, true, false}));
  EXPECT_EQ(built.weekend_days,
            (std::array<bool, 7>{true, false, false, false, false, false, true}));
}

TEST(BillingTimeBand, SettingsNameDaysByListsRangesAndWrappingRanges) {
  const TimeBands a = parse_time_bands("peak=mon,wed,fri 07:30-19:00");
  EXPECT_EQ(a.peak_days, (std::array<bool, 7>{false, true, false, true, false, true, false}));
  EXPECT_EQ(a.peak_from_s, 7 * 3600 + 30 * 60);
  EXPECT_EQ(a.peak_to_s, 19 * 3600);
  EXPECT_EQ(a.weekend_days, TimeBands{}.weekend_days);  // left out: the default
  const TimeBands b = parse_time_bands("weekend=none ;peak=fri-mon 09:00-24:00;");
  EXPECT_EQ(b.peak_days, (std::array<bool, 7>{true, true, false, false, false, true, true}));
  EXPECT_EQ(b.peak_to_s, 24 * 3600);
  EXPECT_EQ(b.weekend_days, (std::array<bool, 7>{}));
  const TimeBands c = parse_time_bands("peak=none; weekend=sun");
  EXPECT_EQ(c.peak_days, (std::array<bool, 7>{}));
  EXPECT_EQ(c.weekend_days, (std::array<bool, 7>{true, false, false, false, false, false, false}));
  // Days alone keep the default hours.
  EXPECT_EQ(parse_time_bands("peak=mon-thu").peak_from_s, 8 * 3600);
}

TEST(BillingTimeBand, BadSettingsAreRefusedNamingTheClauseAndTheFault) {
  expect_billing_error([] { parse_time_bands("peak=mon-fry 08:00-20:00"); }, "unknown day \"fry\"");
  expect_billing_error([] { parse_time_bands("peak=mon-fri 20:00-08:00"); },
                       "start before they end");
  expect_billing_error([] { parse_time_bands("peak=mon-fri 08:00-08:00"); },
                       "start before they end");
  expect_billing_error([] { parse_time_bands("peak=mon-fri 08:00-25:00"); },
                       "\"25:00\" is not a time of day");
  expect_billing_error([] { parse_time_bands("peak=mon-fri 24:30-24:40"); }, "\"24:30\"");
  expect_billing_error([] { parse_time_bands("peak=mon-fri 8:00-20:00"); }, "\"8:00\"");
  expect_billing_error([] { parse_time_bands("peak=mon-fri 08:00"); }, "HH:MM-HH:MM");
  expect_billing_error([] { parse_time_bands("peak=mon-fri 08:00-20:00 daily"); },
                       "\"20:00 daily\"");
  expect_billing_error([] { parse_time_bands("peak=mon-sat 08:00-20:00"); },
                       "sat is both a peak day and a weekend day");
  expect_billing_error([] { parse_time_bands("offpeak=mon"); }, "unknown band \"offpeak\"");
  expect_billing_error([] { parse_time_bands("peak=mon; peak=tue"); }, "peak is set twice");
  expect_billing_error([] { parse_time_bands("weekend=sat; weekend=sun"); },
                       "weekend is set twice");
  expect_billing_error([] { parse_time_bands("peak"); }, "\"peak\": expected peak=");
  expect_billing_error([] { parse_time_bands("weekend="); }, "no days");
  expect_billing_error([] { parse_time_bands("weekend=sat,,sun"); }, "unknown day \"\"");
}

TEST(BillingTimeBand, PeakStartsAtEightAndEndsAtEightLocal) {
  const TimeZone berlin = TimeZone::load("Europe/Berlin");
  const TimeBands b;
  // Wednesday 25 March 2026, CET (+1).
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 25, 6, 59, 59)), Band::offpeak);
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 25, 7)), Band::peak);  // 08:00 local
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 25, 18, 59, 59)), Band::peak);
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 25, 19)), Band::offpeak);  // 20:00 local
  // Saturday and Sunday are weekend at any hour, Monday midnight is offpeak again.
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 28, 11)), Band::weekend);
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 27, 23)), Band::weekend);  // Sat 00:00 local
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 27, 22, 59, 59)), Band::offpeak);
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 29, 21, 59, 59)), Band::weekend);  // Sun 23:59:59 CEST
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 29, 22)), Band::offpeak);          // Mon 00:00 CEST
  // Local time decides: 07:00 UTC is peak in Berlin (08:00 CET) but 03:00 EDT in New York.
  const TimeZone ny = TimeZone::load("America/New_York");
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 25, 7)), Band::peak);
  EXPECT_EQ(band_at(b, ny, utc(2026, 3, 25, 7)), Band::offpeak);
  EXPECT_EQ(band_at(b, ny, utc(2026, 3, 25, 12)), Band::peak);  // 08:00 EDT
}

TEST(BillingTimeBand, EightOClockMovesInUtcWhenBerlinSwitchesToSummerTime) {
  const TimeZone berlin = TimeZone::load("Europe/Berlin");
  const TimeBands b;
  // Friday 27 March: 08:00 CET is 07:00 UTC. Monday 30 March: 08:00 CEST is 06:00 UTC.
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 27, 6, 59, 59)), Band::offpeak);
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 27, 7)), Band::peak);
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 30, 5, 59, 59)), Band::offpeak);
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 30, 6)), Band::peak);
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 30, 17, 59, 59)), Band::peak);
  EXPECT_EQ(band_at(b, berlin, utc(2026, 3, 30, 18)), Band::offpeak);  // 20:00 CEST
  // From Friday noon: 20:00 CET, Saturday 00:00 CET, (the switch on Sunday changes no band),
  // Monday 00:00 CEST, 08:00 CEST, 20:00 CEST.
  EXPECT_EQ(changes(b, berlin, utc(2026, 3, 27, 12), 5),
            (Changes{{utc(2026, 3, 27, 19), Band::offpeak},
                     {utc(2026, 3, 27, 23), Band::weekend},
                     {utc(2026, 3, 29, 22), Band::offpeak},
                     {utc(2026, 3, 30, 6), Band::peak},
                     {utc(2026, 3, 30, 18), Band::offpeak}}));
}

TEST(BillingTimeBand, NewYorkFallsBackDuringTheWeekendAndPeakFollowsEasternTime) {
  const TimeZone ny = TimeZone::load("America/New_York");
  const TimeBands b;
  // Friday 30 October 20:00 EDT = Sat 00:00 UTC; Saturday 00:00 EDT = 04:00 UTC; the switch
  // back is on Sunday 1 November; Monday 00:00 EST = 05:00 UTC, 08:00 EST = 13:00 UTC.
  EXPECT_EQ(changes(b, ny, utc(2026, 10, 30, 16), 4),
            (Changes{{utc(2026, 10, 31, 0), Band::offpeak},
                     {utc(2026, 10, 31, 4), Band::weekend},
                     {utc(2026, 11, 2, 5), Band::offpeak},
                     {utc(2026, 11, 2, 13), Band::peak}}));
}

TEST(BillingTimeBand, ASwitchInsideABandIsNoChangeOfBand) {
  // Peak on Sundays 01:00-05:00: on 29 March Berlin skips 02:00-03:00 inside it. Peak runs
  // from 01:00 CET (00:00 UTC) to 05:00 CEST (03:00 UTC), without a change at 01:00 UTC.
  const TimeZone berlin = TimeZone::load("Europe/Berlin");
  const TimeBands b = parse_time_bands("peak=sun 01:00-05:00; weekend=none");
  EXPECT_EQ(changes(b, berlin, utc(2026, 3, 28, 23, 30), 2),
            (Changes{{utc(2026, 3, 29, 0), Band::peak}, {utc(2026, 3, 29, 3), Band::offpeak}}));
}

TEST(BillingTimeBand, APeakEdgeInTheSkippedHourStartsAtTheSwitch) {
  // 02:30 does not happen on 29 March in Berlin: 01:59:59 CET is followed by 03:00 CEST, which
  // is after 02:30, so peak starts at the switch, 01:00 UTC.
  const TimeZone berlin = TimeZone::load("Europe/Berlin");
  const TimeBands b = parse_time_bands("peak=sun 02:30-20:00; weekend=none");
  EXPECT_EQ(changes(b, berlin, utc(2026, 3, 28, 23, 30), 2),
            (Changes{{utc(2026, 3, 29, 1), Band::peak}, {utc(2026, 3, 29, 18), Band::offpeak}}));
}

TEST(BillingTimeBand, APeakEdgeInTheRepeatedHourHappensTwice) {
  // On 25 October Berlin lives 02:00-03:00 twice: 02:30 CEST (00:30 UTC) starts peak, the
  // switch at 01:00 UTC turns the clock back to 02:00 CET (before 02:30: offpeak), and 02:30
  // CET (01:30 UTC) starts peak again until 20:00 CET (19:00 UTC).
  const TimeZone berlin = TimeZone::load("Europe/Berlin");
  const TimeBands b = parse_time_bands("peak=sun 02:30-20:00; weekend=none");
  EXPECT_EQ(changes(b, berlin, utc(2026, 10, 24, 23), 4),
            (Changes{{utc(2026, 10, 25, 0, 30), Band::peak},
                     {utc(2026, 10, 25, 1), Band::offpeak},
                     {utc(2026, 10, 25, 1, 30), Band::peak},
                     {utc(2026, 10, 25, 19), Band::offpeak}}));
}

TEST(BillingTimeBand, SydneyPeakFollowsItsSouthernSwitches) {
  // Monday 6 April 2026: the day after Sydney left summer time; 08:00 AEST is 22:00 UTC Sunday.
  // The Monday before, 08:00 AEDT was 21:00 UTC.
  const TimeZone sydney = TimeZone::load("Australia/Sydney");
  const TimeBands b;
  EXPECT_EQ(band_changes_after(b, sydney, utc(2026, 4, 5, 14)), utc(2026, 4, 5, 22));
  EXPECT_EQ(band_changes_after(b, sydney, utc(2026, 3, 29, 14)), utc(2026, 3, 29, 21));
}

TEST(BillingTimeBand, AScheduleOfOneBandNeverChanges) {
  const TimeZone berlin = TimeZone::load("Europe/Berlin");
  for (const char* setting : {"peak=none; weekend=none", "peak=none; weekend=mon-sun",
                              "peak=mon-sun 00:00-24:00; weekend=none"}) {
    EXPECT_EQ(band_changes_after(parse_time_bands(setting), berlin, utc(2026, 3, 29)), never)
        << setting;
  }
  // Two bands but a whole-day peak: the changes are at midnights.
  const TimeBands b = parse_time_bands("peak=mon-fri 00:00-24:00; weekend=sat-sun");
  EXPECT_EQ(band_changes_after(b, berlin, utc(2026, 3, 25, 12)),
            utc(2026, 3, 27, 23));  // Sat 00:00 CET
}

// Against a minute-by-minute walk: in these zones and years every change falls on a minute.
TEST(BillingTimeBand, NextChangeAgreesWithWalkingMinuteByMinute) {
  const std::vector<TimeZone> zones = {
      TimeZone::load("Europe/Berlin"),       TimeZone::load("America/New_York"),
      TimeZone::load("Australia/Sydney"),    TimeZone::load("Asia/Kathmandu"),
      TimeZone::load("Australia/Lord_Howe"), TimeZone::utc()};
  const std::vector<TimeBands> schedules = {
      TimeBands{}, parse_time_bands("peak=sun-thu 02:15-02:45; weekend=fri-sat"),
      parse_time_bands("peak=mon,wed,fri 00:00-01:30; weekend=none"),
      parse_time_bands("peak=none; weekend=sun")};
  std::mt19937_64 rng(3);
  const int64_t from = utc(2026, 1, 1), span = utc(2027, 1, 1) - from;
  for (int i = 0; i < 300; ++i) {
    const TimeZone& z = zones[rng() % zones.size()];
    const TimeBands& b = schedules[rng() % schedules.size()];
    // Near a switch half of the time, where mistakes would be.
    int64_t t = from + static_cast<int64_t>(rng() % static_cast<uint64_t>(span));
    const int64_t next_switch = z.next_transition_after(t);
    if (i % 2 && next_switch != never) t = next_switch - static_cast<int64_t>(rng() % (3 * 86400));
    if (t < from) t = from;
    const Band start = band_at(b, z, t);
    int64_t walk = t - t % 60 + 60;
    while (band_at(b, z, walk) == start) walk += 60;
    ASSERT_EQ(band_changes_after(b, z, t), walk) << z.name() << " from " << t;
    // And nothing changes in between at any second just before it.
    ASSERT_EQ(band_at(b, z, walk - 1), start);
  }
}

}  // namespace
}  // namespace gm::billing
