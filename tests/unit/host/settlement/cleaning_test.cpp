#include "host/settlement/cleaning.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace gm::settlement {
namespace {

ProviderDirectory directory() {
  ProviderDirectory d;
  d.providers["Aimnet"] = Provider{"Aimnet", "USA"};
  d.providers["Connect.com"] = Provider{"Connect.com", "Australia"};
  d.server_provider["aas.aimnet.com"] = "Aimnet";
  d.server_provider["aas.connect.com.au"] = "Connect.com";
  d.server_provider["aas.ghost.net"] = "Ghost";  // a provider the directory does not list
  d.realm_provider["aimnet.com"] = "Aimnet";
  d.realm_provider["connect.com.au"] = "Connect.com";
  d.realm_provider["ghost.net"] = "Ghost";
  return d;
}

// A user of Aimnet roaming on Connect.com: clean as it stands.
RawRecord good() {
  RawRecord r;
  r.user_name = "user1";
  r.user_domain = "aimnet.com";
  r.status_type = "Stop";
  r.session_id = "00000A1F";
  r.session_time_s = 300;
  r.nas_id = "nas-syd-1";
  r.local_server = "aas.connect.com.au";
  r.home_server = "aas.aimnet.com";
  r.stop_gmt_unix = 868'499'015;  // 1997-07-10 01:43:35 UTC
  r.stop_local = "1997-06-30 18:43:35";
  r.time_zone = "Australia/Sydney";
  r.entry_id = 1;
  return r;
}

CleanOutcome run(const RawRecord& r) {
  HistoryRecord h;
  return clean(r, directory(), h);
}

CleanRefusal refusal_of(const RawRecord& r) {
  const CleanOutcome o = run(r);
  EXPECT_EQ(o.status, RecordStatus::quarantined);
  return o.refusal;
}

TEST(Cleaning, AGoodStopIsCleanAndNormalised) {
  RawRecord r = good();
  r.user_name = "  USER1@AimNet.COM ";
  r.user_domain = "";
  HistoryRecord h;
  const CleanOutcome o = clean(r, directory(), h);
  ASSERT_EQ(o.status, RecordStatus::clean);
  EXPECT_EQ(o.refusal, CleanRefusal::none);
  EXPECT_EQ(h.entry_id, 1);
  EXPECT_EQ(h.user, "user1@aimnet.com");
  EXPECT_EQ(h.realm, "aimnet.com");
  EXPECT_EQ(h.service, "RM");
  EXPECT_EQ(h.session_id, "00000A1F");
  EXPECT_EQ(h.session_time_s, 300u);
  EXPECT_EQ(h.stop_unix, 868'499'015);
  EXPECT_EQ(h.stop_local, "1997-06-30 18:43:35");
  EXPECT_EQ(h.time_zone, "Australia/Sydney");
  EXPECT_EQ(h.home_provider, "Aimnet");
  EXPECT_EQ(h.home_country, "USA");
  EXPECT_EQ(h.serving_provider, "Connect.com");
  EXPECT_EQ(h.serving_country, "Australia");
  EXPECT_EQ(h.nas_id, "nas-syd-1");
}

TEST(Cleaning, TheDomainIsAppendedWhenTheNameCarriesNone) {
  RawRecord r = good();
  r.user_name = "User1";
  r.user_domain = "AIMNET.com";
  HistoryRecord h;
  ASSERT_EQ(clean(r, directory(), h).status, RecordStatus::clean);
  EXPECT_EQ(h.user, "user1@aimnet.com");
  EXPECT_EQ(h.realm, "aimnet.com");
}

TEST(Cleaning, ANameAndDomainThatAgreeInAnyCaseAreClean) {
  RawRecord r = good();
  r.user_name = "user1@Aimnet.com";
  r.user_domain = "aimnet.COM";
  HistoryRecord h;
  ASSERT_EQ(clean(r, directory(), h).status, RecordStatus::clean);
  EXPECT_EQ(h.user, "user1@aimnet.com");
}

TEST(Cleaning, TheStatusTypeIsReadInAnyCaseOrAsItsRadiusCode) {
  for (const char* s : {"Stop", "STOP", "stop", "2"}) {
    RawRecord r = good();
    r.status_type = s;
    EXPECT_EQ(run(r).status, RecordStatus::clean) << s;
  }
}

TEST(Cleaning, AStartRecordIsIrrelevantNotQuarantined) {
  RawRecord r = good();
  r.status_type = "Start";
  const CleanOutcome o = run(r);
  EXPECT_EQ(o.status, RecordStatus::irrelevant);
  EXPECT_EQ(o.irrelevance, Irrelevance::not_stop);
  EXPECT_EQ(o.refusal, CleanRefusal::none);
}

TEST(Cleaning, EveryNonStopStatusTypeIsIrrelevant) {
  for (const char* s : {"Start", "Interim-Update", "interim-update", "Alive", "Accounting-On",
                        "Accounting-Off", "1", "3", "7", "8"}) {
    RawRecord r = good();
    r.status_type = s;
    const CleanOutcome o = run(r);
    EXPECT_EQ(o.status, RecordStatus::irrelevant) << s;
    EXPECT_EQ(o.irrelevance, Irrelevance::not_stop) << s;
  }
}

TEST(Cleaning, AZeroSecondStopIsIrrelevant) {
  RawRecord r = good();
  r.session_time_s = 0;
  const CleanOutcome o = run(r);
  EXPECT_EQ(o.status, RecordStatus::irrelevant);
  EXPECT_EQ(o.irrelevance, Irrelevance::zero_duration);
}

TEST(Cleaning, IrrelevanceIsDecidedBeforeErrors) {
  // An Accounting-On carries no user, no session, no servers: still only irrelevant.
  RawRecord on;
  on.status_type = "Accounting-On";
  EXPECT_EQ(run(on).status, RecordStatus::irrelevant);
  // A zero-second Stop with an unknown realm is not worth fixing.
  RawRecord r = good();
  r.session_time_s = 0;
  r.user_domain = "nowhere.example";
  EXPECT_EQ(run(r).status, RecordStatus::irrelevant);
}

TEST(Cleaning, OutIsUntouchedUnlessClean) {
  RawRecord r = good();
  r.user_name = "";
  HistoryRecord h;
  h.user = "sentinel";
  EXPECT_EQ(clean(r, directory(), h).status, RecordStatus::quarantined);
  EXPECT_EQ(h.user, "sentinel");
}

TEST(Cleaning, EveryRefusalReasonIsProducedBySomeRecord) {
  std::set<CleanRefusal> seen;
  auto expect = [&](CleanRefusal want, RawRecord r) {
    EXPECT_EQ(refusal_of(r), want) << refusal_name(want);
    seen.insert(want);
  };
  RawRecord r;

  // One record per line: the reason, and the one change to a good record that produces it.
  // clang-format off
  r = good(); r.user_name = "  "; expect(CleanRefusal::no_user, r);
  r = good(); r.user_name = "us er"; expect(CleanRefusal::bad_user, r);
  r = good(); r.user_name = "a@b@aimnet.com"; r.user_domain = ""; expect(CleanRefusal::bad_user, r);
  r = good(); r.user_name = "@aimnet.com"; expect(CleanRefusal::bad_user, r);
  r = good(); r.user_domain = ""; expect(CleanRefusal::no_realm, r);
  r = good(); r.user_name = "user1@"; r.user_domain = ""; expect(CleanRefusal::no_realm, r);
  r = good(); r.user_name = "user1@connect.com.au"; expect(CleanRefusal::realm_conflict, r);
  r = good(); r.session_id = ""; expect(CleanRefusal::no_session_id, r);
  r = good(); r.nas_id = " "; expect(CleanRefusal::no_nas, r);
  r = good(); r.local_server = ""; expect(CleanRefusal::no_serving_server, r);
  r = good(); r.local_server = "aas.elsewhere"; expect(CleanRefusal::unknown_serving_server, r);
  r = good(); r.user_domain = "nowhere.example"; r.home_server = "";
  expect(CleanRefusal::unknown_realm, r);
  r = good(); r.home_server = "aas.elsewhere"; expect(CleanRefusal::unknown_home_server, r);
  r = good(); r.home_server = "aas.connect.com.au"; expect(CleanRefusal::home_server_conflict, r);
  r = good(); r.user_domain = "ghost.net"; r.home_server = "";
  expect(CleanRefusal::unknown_provider, r);
  r = good(); r.local_server = "aas.ghost.net"; expect(CleanRefusal::unknown_provider, r);
  r = good(); r.local_server = "aas.aimnet.com"; expect(CleanRefusal::not_roaming, r);
  r = good(); r.session_time_s = -1; expect(CleanRefusal::negative_session_time, r);
  r = good(); r.session_time_s = 31 * 86'400 + 1; expect(CleanRefusal::session_too_long, r);
  r = good(); r.stop_gmt_unix = 0; expect(CleanRefusal::no_stop_time, r);
  r = good(); r.stop_gmt_unix = 631'151'999; expect(CleanRefusal::stop_before_1990, r);
  r = good(); r.stop_gmt_unix = -5; expect(CleanRefusal::stop_before_1990, r);
  for (const char* bad : {"", "1997-06-30 18:43", "1997-06-30T18:43:35", "1997-6-30 18:43:35",
                          "1997-06-31 18:43:35", "1997-02-29 00:00:00", "1997-13-01 00:00:00",
                          "1997-00-10 00:00:00", "1997-06-00 00:00:00", "1997-06-30 24:00:00",
                          "1997-06-30 18:60:00", "1997-06-30 18:43:60", "1997-06-30 18:43:35 ",
                          "19a7-06-30 18:43:35", "1997/06/30 18:43:35"}) {
    r = good(); r.stop_local = bad; expect(CleanRefusal::bad_stop_local, r);
  }
  r = good(); r.time_zone = ""; expect(CleanRefusal::no_time_zone, r);
  r = good(); r.status_type = ""; expect(CleanRefusal::unknown_status_type, r);
  r = good(); r.status_type = "Stopped"; expect(CleanRefusal::unknown_status_type, r);
  // clang-format on

  EXPECT_EQ(seen.size(), clean_refusal_count - 1);  // all but none
}

TEST(Cleaning, TheLongestAllowedSessionAndALeapDayAreClean) {
  RawRecord r = good();
  r.session_time_s = 31 * 86'400;
  r.stop_local = "2000-02-29 23:59:59";
  EXPECT_EQ(run(r).status, RecordStatus::clean);
  r.stop_gmt_unix = 631'152'000;  // 1990-01-01 00:00:00 UTC exactly
  EXPECT_EQ(run(r).status, RecordStatus::clean);
}

TEST(Cleaning, EveryRefusalHasADistinctName) {
  std::set<std::string> names;
  for (size_t i = 0; i < clean_refusal_count; ++i) {
    const std::string n = refusal_name(static_cast<CleanRefusal>(i));
    EXPECT_NE(n, "?");
    names.insert(n);
  }
  EXPECT_EQ(names.size(), clean_refusal_count);
  EXPECT_STREQ(refusal_name(static_cast<CleanRefusal>(clean_refusal_count)), "?");
}

TEST(Cleaning, CleaningIsDeterministic) {
  std::vector<RawRecord> raws;
  for (int i = 0; i < 50; ++i) {
    RawRecord r = good();
    r.entry_id = i;
    r.session_time_s = i % 7;  // some zero: irrelevant
    if (i % 5 == 0) r.user_domain = "nowhere.example";
    if (i % 11 == 0) r.status_type = "Interim-Update";
    raws.push_back(r);
  }
  auto pass = [&] {
    std::vector<std::string> out;
    for (const RawRecord& r : raws) {
      HistoryRecord h;
      const CleanOutcome o = clean(r, directory(), h);
      out.push_back(std::to_string(static_cast<int>(o.status)) + refusal_name(o.refusal) +
                    irrelevance_name(o.irrelevance) + h.user + std::to_string(h.session_time_s));
    }
    return out;
  };
  EXPECT_EQ(pass(), pass());
}

// --- duplicates ---

HistoryRecord clean_of(const RawRecord& r) {
  HistoryRecord h;
  EXPECT_EQ(clean(r, directory(), h).status, RecordStatus::clean);
  return h;
}

TEST(Dedup, AnExactRetryIsADuplicate) {
  RawRecord r = good();
  RawRecord retry = r;
  retry.entry_id = 2;
  retry.delay_time_s = 30;  // a retry says how long it was delayed; still the same usage
  Deduper d;
  EXPECT_EQ(d.feed(clean_of(r)), DedupVerdict::first);
  EXPECT_EQ(d.feed(clean_of(retry)), DedupVerdict::duplicate);
}

TEST(Dedup, ARetryWithALaterStopWithinTheWindowIsADuplicate) {
  RawRecord r = good();
  RawRecord retry = r;
  retry.entry_id = 7;
  retry.stop_gmt_unix += 86'400;  // exactly one window later: still within it
  Deduper d;
  EXPECT_EQ(d.feed(clean_of(r)), DedupVerdict::first);
  EXPECT_EQ(d.feed(clean_of(retry)), DedupVerdict::duplicate);
}

TEST(Dedup, TheSameIdAfterTheWindowIsANewUsage) {
  RawRecord r = good();
  RawRecord later = r;
  later.entry_id = 9;
  later.stop_gmt_unix += 7 * 86'400;  // the session id rolled over: a week later
  Deduper d;
  EXPECT_EQ(d.feed(clean_of(r)), DedupVerdict::first);
  EXPECT_EQ(d.feed(clean_of(later)), DedupVerdict::first);
  RawRecord just_after = r;
  just_after.stop_gmt_unix += 86'401;
  Deduper e;
  EXPECT_EQ(e.feed(clean_of(r)), DedupVerdict::first);
  EXPECT_EQ(e.feed(clean_of(just_after)), DedupVerdict::first);
}

TEST(Dedup, TheWindowIsAParameter) {
  RawRecord r = good();
  RawRecord later = r;
  later.stop_gmt_unix += 3600;
  Deduper d(600);
  EXPECT_EQ(d.window_s(), 600);
  EXPECT_EQ(d.feed(clean_of(r)), DedupVerdict::first);
  EXPECT_EQ(d.feed(clean_of(later)), DedupVerdict::first);
}

TEST(Dedup, AnyDifferingKeyFieldMakesANewUsage) {
  const HistoryRecord base = clean_of(good());
  std::vector<HistoryRecord> others(5, base);
  others[0].user = "user2@aimnet.com";
  others[1].session_id = "00000A20";
  others[2].nas_id = "nas-syd-2";
  others[3].serving_provider = "Other";
  others[4].session_time_s = 301;
  Deduper d;
  EXPECT_EQ(d.feed(base), DedupVerdict::first);
  for (const HistoryRecord& h : others) EXPECT_EQ(d.feed(h), DedupVerdict::first);
}

TEST(Dedup, TheWindowRunsFromTheKeptRecord) {
  HistoryRecord a = clean_of(good());
  HistoryRecord b = a, c = a;
  b.entry_id = 2;
  b.stop_unix += 20 * 3600;
  c.entry_id = 3;
  c.stop_unix += 40 * 3600;  // 20 h after the duplicate, 40 h after the kept one
  Deduper d;
  EXPECT_EQ(d.feed(a), DedupVerdict::first);
  EXPECT_EQ(d.feed(b), DedupVerdict::duplicate);
  EXPECT_EQ(d.feed(c), DedupVerdict::first);
}

TEST(Dedup, RecordsOutOfOrderAreNamedAndNotRemembered) {
  HistoryRecord a = clean_of(good());
  HistoryRecord earlier = a;
  earlier.stop_unix -= 10;
  earlier.session_id = "other";
  HistoryRecord same_second_lower_id = a;
  same_second_lower_id.entry_id = 0;
  Deduper d;
  EXPECT_EQ(d.feed(a), DedupVerdict::first);
  EXPECT_EQ(d.feed(earlier), DedupVerdict::out_of_order);
  EXPECT_EQ(d.feed(same_second_lower_id), DedupVerdict::out_of_order);
  EXPECT_EQ(d.remembered(), 1u);
  EXPECT_STREQ(verdict_name(DedupVerdict::out_of_order), "out_of_order");
}

TEST(Dedup, TheFirstOfAGroupIsTheLowestEntryIdAmongEqualStops) {
  HistoryRecord a = clean_of(good());
  std::vector<HistoryRecord> batch(3, a);
  batch[0].entry_id = 30;
  batch[1].entry_id = 10;
  batch[2].entry_id = 20;
  const std::vector<bool> dup = mark_duplicates(batch);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0].entry_id, 10);
  EXPECT_EQ(dup, (std::vector<bool>{false, true, true}));
}

TEST(Dedup, MemoryStaysBoundedOverManyWindows) {
  // 100,000 distinct-looking records, one every 864 s (100 a day) over 1,000 days, with session
  // ids that roll over every 500 records, all of one user.
  HistoryRecord h = clean_of(good());
  Deduper d;
  size_t most = 0;
  size_t firsts = 0;
  for (int64_t i = 0; i < 100'000; ++i) {
    h.entry_id = i;
    h.stop_unix = 868'499'015 + i * 864;
    h.session_id = std::to_string(i % 500);
    if (d.feed(h) == DedupVerdict::first) ++firsts;
    most = std::max(most, d.remembered());
  }
  EXPECT_EQ(firsts, 100'000u);  // a rolled-over id is always more than a window later
  EXPECT_LE(most, 101u);        // one window's worth: 86,400 / 864 + 1
  EXPECT_LE(d.remembered(), 101u);
}

TEST(Dedup, DedupIsDeterministicWhateverTheInputOrder) {
  std::vector<HistoryRecord> batch;
  HistoryRecord h = clean_of(good());
  for (int i = 0; i < 200; ++i) {
    h.entry_id = i;
    h.stop_unix = 868'499'015 + (i % 40) * 3600;  // repeats within and beyond the window
    h.session_id = std::to_string(i % 3);
    batch.push_back(h);
  }
  std::vector<HistoryRecord> reversed(batch.rbegin(), batch.rend());
  std::vector<HistoryRecord> again = batch;
  const std::vector<bool> a = mark_duplicates(batch);
  const std::vector<bool> b = mark_duplicates(reversed);
  const std::vector<bool> c = mark_duplicates(again);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  for (size_t i = 0; i < batch.size(); ++i) EXPECT_EQ(batch[i].entry_id, reversed[i].entry_id);
}

}  // namespace
}  // namespace gm::settlement
