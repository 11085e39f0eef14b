// A store on each database (sqlite, postgresql) with what rating needs: an agent gw-1 with
// login 77, a prepaid account acct-1 (plan gold, Europe/Berlin, 100.00), the service "browse" of
// type web; sessions linked to the account, records built and committed through the census's
// rater over a refreshed catalog. For the rater's tests and those of what reads its results
// (bills, the feed, the service manager).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "host/billing/commit_rating.h"
#include "host/store/store.h"
#include "tests/support/test_database.h"

namespace gm::billing {

using host::AccountRow;
using host::CensusCommit;
using host::CommitDebits;
using host::RateRow;
using host::VerifiedRecord;

// Monday 2026-11-30 10:00 UTC = 11:00 in Berlin (peak); 20:30 UTC = 21:30 Berlin (offpeak).
inline constexpr int64_t monday_peak = 1'796'032'800;
inline constexpr int64_t monday_evening = monday_peak + 37'800;

class RatedStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    db_ = gm::test::TestDatabase::create(GetParam(), &why);
    if (!db_) GTEST_SKIP() << why;
    store_ = host::open_store(db_->spec());
    ASSERT_TRUE(store_->add_agent("gw-1", {1}, 100));
    agent_ = store_->find_agent("gw-1")->id;
    host::NewLogin l;
    l.agent = agent_;
    l.id = 77;
    l.sealed_tag_key = {9};
    l.now_unix = 100;
    l.expires_unix = INT64_MAX / 2;
    store_->open_login_session(l);
    AccountRow a;
    a.name = "acct-1";
    a.plan = "gold";
    a.time_zone = "Europe/Berlin";
    a.balance_micros = 100'000'000;
    a.created_unix = 100;
    account_ = store_->account_book().add_account(a);
    store_->catalog().set_service({"browse", "web"});
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
  }
  void add_rate(const std::string& band, const std::string& unit, int64_t price,
                int64_t increment, int64_t from = 0, const std::string& plan = "gold",
                const std::string& service_type = "web", int64_t minimum = 0,
                const std::string& zone = "*", const std::string& provider = "*") {
    RateRow r;
    r.plan = plan;
    r.service_type = service_type;
    r.band = band;
    r.zone = zone;
    r.provider = provider;
    r.unit = unit;
    r.price_micros = price;
    r.increment = increment;
    r.minimum_micros = minimum;
    r.effective_from_unix = from;
    store_->catalog().add_rate(r);
  }
  void link(uint64_t session, const std::string& subscriber = "ann@isp.example") {
    host::SessionLink l;
    l.agent = agent_;
    l.session_id = session;
    l.login_session = 77;
    l.account = account_;
    l.subscriber = subscriber;
    l.service = "browse";
    l.start_unix = monday_peak - 3'600;
    store_->authorisations().link_session(l, 100);
  }
  VerifiedRecord record(uint64_t session, uint32_t seq, uint32_t charged, uint64_t octets,
                        int64_t at, const char* service = "browse",
                        const char* subscriber = "ann@isp.example") {
    VerifiedRecord v;
    v.agent = agent_;
    v.login_session = 77;
    v.agent_unix = at;
    v.record.session_id = session;
    v.record.seq = seq;
    v.record.kind = gatemeter_RecordKind_RECORD_INTERIM;
    v.record.totals = {charged, 7, octets, 0};
    copy_text(v.record.subscriber, sizeof v.record.subscriber, subscriber);
    copy_text(v.record.service, sizeof v.record.service, service);
    v.record.start_unix = static_cast<uint64_t>(monday_peak - 3'600);
    return v;
  }
  // Commits `records` in one datagram at `now`, rated through a freshly refreshed catalog.
  CommitDebits commit(std::vector<VerifiedRecord> records, int64_t now) {
    cache_.refresh(*store_);
    CensusCommit c;
    c.datagrams.push_back({agent_, 77, ++frame_});
    for (VerifiedRecord& v : records) c.records.push_back(v);
    CommitDebits d;
    c.rater = &rater_;
    c.debits = &d;
    store_->commit_datagrams(c, now);
    return d;
  }
  int64_t spent() {
    return 100'000'000 - store_->account_book().find_account("acct-1")->balance_micros;
  }

  std::unique_ptr<gm::test::TestDatabase> db_;
  std::unique_ptr<host::Store> store_;
  CatalogCache cache_;
  CatalogRater rater_{cache_};
  int64_t agent_ = 0, account_ = 0;
  uint32_t frame_ = 0;
};

}  // namespace gm::billing
