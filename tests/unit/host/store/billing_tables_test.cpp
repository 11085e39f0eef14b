// Billing's account book and catalog (billing_tables.h), on both databases: accounts and their
// subscribers, top-ups applied once per key, rates never duplicated, the catalog's version
// raised by every change that can move a price, and bad input refused with nothing written.
#include <gtest/gtest.h>

#include "host/store/store.h"
#include "tests/support/test_database.h"

namespace gm::host {
namespace {

class BillingTablesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    db_ = test::TestDatabase::create(GetParam(), &why);
    if (!db_) GTEST_SKIP() << why;
    store_ = open_store(db_->spec());
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
  }
  AccountBook& book() { return store_->account_book(); }
  BillingCatalog& catalog() { return store_->catalog(); }
  AccountRow account(const std::string& name, int64_t balance = 0) {
    AccountRow a;
    a.name = name;
    a.kind = AccountKind::prepaid;
    a.plan = "gold";
    a.time_zone = "Europe/Berlin";
    a.balance_micros = balance;
    a.low_balance_micros = 500'000;
    a.created_unix = 100;
    return a;
  }
  RateRow rate(int64_t from, int64_t price) {
    RateRow r;
    r.plan = "gold";
    r.service_type = "web";
    r.band = "*";
    r.zone = "*";
    r.provider = "*";
    r.unit = "minute";
    r.price_micros = price;
    r.increment = 60;
    r.minimum_micros = 0;
    r.effective_from_unix = from;
    r.created_unix = 100;
    return r;
  }
  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

TEST_P(BillingTablesTest, AnAccountReadsBackAsWrittenAndItsNameIsUnique) {
  const int64_t id = book().add_account(account("acct-1", 2'000'000));
  EXPECT_GT(id, 0);
  const auto a = book().find_account("acct-1");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->id, id);
  EXPECT_EQ(a->kind, AccountKind::prepaid);
  EXPECT_EQ(a->plan, "gold");
  EXPECT_EQ(a->time_zone, "Europe/Berlin");
  EXPECT_EQ(a->balance_micros, 2'000'000);
  EXPECT_EQ(a->low_balance_micros, 500'000);
  EXPECT_TRUE(a->enabled);
  EXPECT_THROW(book().add_account(account("acct-1")), BillingConflict);
  EXPECT_EQ(book().list_accounts().size(), 1u);
  EXPECT_FALSE(book().find_account("acct-2").has_value());
}

TEST_P(BillingTablesTest, UpdatingAnAccountNeverTouchesItsBalance) {
  book().add_account(account("acct-1", 2'000'000));
  AccountRow changed = account("acct-1", 999);  // a balance here must be ignored
  changed.plan = "silver";
  changed.enabled = false;
  changed.at_zero = AtZero::walled_garden;
  book().update_account(changed);
  const auto a = book().find_account("acct-1");
  EXPECT_EQ(a->plan, "silver");
  EXPECT_FALSE(a->enabled);
  EXPECT_EQ(a->at_zero, AtZero::walled_garden);
  EXPECT_EQ(a->balance_micros, 2'000'000);
  EXPECT_THROW(book().update_account(account("nobody")), BillingConflict);
}

TEST_P(BillingTablesTest, ATopUpIsAppliedOncePerKeyAndAReusedKeyForAnotherAmountIsRefused) {
  book().add_account(account("acct-1", 1'000'000));
  const TopUpResult first = book().top_up("pay-1", "acct-1", 5'000'000, 200);
  EXPECT_EQ(first.outcome, TopUpOutcome::applied);
  EXPECT_EQ(first.balance_micros, 6'000'000);
  const TopUpResult again = book().top_up("pay-1", "acct-1", 5'000'000, 201);
  EXPECT_EQ(again.outcome, TopUpOutcome::repeated);
  EXPECT_EQ(again.balance_micros, 6'000'000);
  EXPECT_EQ(book().find_account("acct-1")->balance_micros, 6'000'000);
  EXPECT_THROW(book().top_up("pay-1", "acct-1", 7'000'000, 202), BillingConflict);
  book().add_account(account("acct-2"));
  EXPECT_THROW(book().top_up("pay-1", "acct-2", 5'000'000, 202), BillingConflict);
  EXPECT_THROW(book().top_up("pay-2", "acct-1", 0, 202), BillingConflict);
  EXPECT_THROW(book().top_up("pay-2", "acct-1", -5, 202), BillingConflict);
  EXPECT_THROW(book().top_up("", "acct-1", 5, 202), BillingConflict);
  EXPECT_THROW(book().top_up("pay-3", "nobody", 5, 202), BillingConflict);
  // None of the refused ones moved money.
  EXPECT_EQ(book().find_account("acct-1")->balance_micros, 6'000'000);
  EXPECT_EQ(book().find_account("acct-2")->balance_micros, 0);
  EXPECT_EQ(book().top_up("pay-2", "acct-1", 1, 203).balance_micros, 6'000'001);
}

TEST_P(BillingTablesTest, ASubscriberBelongsToOneAccount) {
  book().add_account(account("acct-1"));
  book().add_account(account("acct-2"));
  book().add_subscriber({"ann@isp.example", "acct-1"});
  book().add_subscriber({"ann@isp.example", "acct-1"});  // again: no change, no error
  EXPECT_THROW(book().add_subscriber({"ann@isp.example", "acct-2"}), BillingConflict);
  EXPECT_THROW(book().add_subscriber({"bob@isp.example", "nobody"}), BillingConflict);
  book().add_subscriber({"bob@isp.example", "acct-1"});
  EXPECT_EQ(book().find_subscriber("ann@isp.example")->account, "acct-1");
  const auto all = book().list_subscribers();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "ann@isp.example");
  EXPECT_EQ(all[1].name, "bob@isp.example");
  EXPECT_TRUE(book().remove_subscriber("ann@isp.example"));
  EXPECT_FALSE(book().remove_subscriber("ann@isp.example"));
  EXPECT_FALSE(book().find_subscriber("ann@isp.example").has_value());
}

TEST_P(BillingTablesTest, RatesAreKeptInOrderAndTheSameRateTwiceIsRefused) {
  const int64_t a = catalog().add_rate(rate(1'000, 20'000));
  const int64_t b = catalog().add_rate(rate(2'000, 25'000));  // a later start: a new rate
  EXPECT_LT(a, b);
  EXPECT_THROW(catalog().add_rate(rate(1'000, 30'000)), BillingConflict);
  const auto rates = catalog().list_rates();
  ASSERT_EQ(rates.size(), 2u);
  EXPECT_EQ(rates[0].id, a);
  EXPECT_EQ(rates[0].price_micros, 20'000);
  EXPECT_EQ(rates[0].unit, "minute");
  EXPECT_EQ(rates[0].increment, 60);
  EXPECT_EQ(rates[1].effective_from_unix, 2'000);
}

TEST_P(BillingTablesTest, EveryCatalogChangeRaisesTheVersion) {
  int64_t v = catalog().catalog_version();
  auto raised = [&] {
    const int64_t now = catalog().catalog_version();
    const bool up = now > v;
    v = now;
    return up;
  };
  catalog().add_rate(rate(1'000, 20'000));
  EXPECT_TRUE(raised());
  catalog().set_service({"gold", "web"});
  EXPECT_TRUE(raised());
  catalog().set_realm({"isp.example", "", 2, "", 0});
  EXPECT_TRUE(raised());
  catalog().set_offer({"isp.example", 1, "Prepaid", "0.02 EUR/min"});
  EXPECT_TRUE(raised());
  ASSERT_TRUE(store_->add_agent("gw-1", {1}, 100));
  catalog().set_zone({"gw-1", "berlin"});
  EXPECT_TRUE(raised());
  book().add_account(account("acct-1"));
  book().update_account(account("acct-1"));  // plan and time zone choose rates
  EXPECT_TRUE(raised());
  EXPECT_THROW(catalog().set_zone({"gw-unknown", "x"}), BillingConflict);
  EXPECT_FALSE(raised());
}

TEST_P(BillingTablesTest, OnlyAccountsWhoseTermsChangedSinceAVersionAreReadAgain) {
  const int64_t a = book().add_account(account("acct-a"));
  const int64_t b = book().add_account(account("acct-b"));
  const auto all = book().accounts_changed_since(-1);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, a);
  EXPECT_EQ(all[1].id, b);
  EXPECT_EQ(all[0].plan, "gold");
  EXPECT_EQ(all[0].time_zone, "Europe/Berlin");
  EXPECT_EQ(all[0].kind, AccountKind::prepaid);
  EXPECT_LT(all[0].catalog_version, all[1].catalog_version);
  const int64_t read_at = catalog().catalog_version();
  EXPECT_EQ(all[1].catalog_version, read_at);
  EXPECT_TRUE(book().accounts_changed_since(read_at).empty());

  catalog().add_rate(rate(1'000, 20'000));  // the version moves; no account changed
  EXPECT_TRUE(book().accounts_changed_since(read_at).empty());
  book().top_up("pay-1", "acct-a", 1'000, 200);  // money is not a term
  EXPECT_TRUE(book().accounts_changed_since(read_at).empty());

  AccountRow changed = account("acct-a");
  changed.plan = "silver";
  changed.kind = AccountKind::postpaid;
  book().update_account(changed);
  const auto since = book().accounts_changed_since(read_at);
  ASSERT_EQ(since.size(), 1u);
  EXPECT_EQ(since[0].id, a);
  EXPECT_EQ(since[0].plan, "silver");
  EXPECT_EQ(since[0].kind, AccountKind::postpaid);
  EXPECT_EQ(since[0].catalog_version, catalog().catalog_version());

  // A refused update stamps nothing.
  const int64_t before = catalog().catalog_version();
  EXPECT_THROW(book().update_account(account("nobody")), BillingConflict);
  EXPECT_EQ(catalog().catalog_version(), before);
  EXPECT_TRUE(book().accounts_changed_since(before).empty());
}

TEST_P(BillingTablesTest, ServicesRealmsOffersAndZonesAreSetAgainInPlace) {
  catalog().set_service({"gold", "web"});
  catalog().set_service({"gold", "video"});
  ASSERT_EQ(catalog().list_services().size(), 1u);
  EXPECT_EQ(catalog().list_services()[0].service_type, "video");
  catalog().set_realm({"isp.example", "", 0, "", 0});
  catalog().set_realm({"isp.example", "other", 1, "http://127.0.0.1:9/approve", 30});
  const auto realms = catalog().list_realms();
  ASSERT_EQ(realms.size(), 1u);
  EXPECT_EQ(realms[0].provider, "other");
  EXPECT_EQ(realms[0].outage_policy, 1);
  EXPECT_EQ(realms[0].approval_url, "http://127.0.0.1:9/approve");
  EXPECT_EQ(realms[0].temporary_s, 30);
  catalog().set_offer({"isp.example", 1, "Prepaid", "a"});
  catalog().set_offer({"isp.example", 3, "1 hour pass", "2.00 EUR"});
  catalog().set_offer({"isp.example", 1, "Prepaid account", "0.02 EUR/min"});
  auto offers = catalog().list_offers();
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[0].label, "Prepaid account");
  EXPECT_EQ(offers[1].option, 3);
  EXPECT_TRUE(catalog().remove_offer("isp.example", 3));
  EXPECT_FALSE(catalog().remove_offer("isp.example", 3));
  EXPECT_EQ(catalog().list_offers().size(), 1u);
  ASSERT_TRUE(store_->add_agent("gw-1", {1}, 100));
  catalog().set_zone({"gw-1", "berlin"});
  catalog().set_zone({"gw-1", "hamburg"});
  ASSERT_EQ(catalog().list_zones().size(), 1u);
  EXPECT_EQ(catalog().list_zones()[0].zone, "hamburg");
}

TEST_P(BillingTablesTest, WhatIsWrittenSurvivesReopening) {
  book().add_account(account("acct-1", 42));
  catalog().add_rate(rate(1'000, 20'000));
  book().top_up("k", "acct-1", 8, 300);
  const int64_t version = catalog().catalog_version();
  store_ = open_store(db_->spec());
  EXPECT_EQ(book().find_account("acct-1")->balance_micros, 50);
  EXPECT_EQ(catalog().list_rates().size(), 1u);
  EXPECT_EQ(catalog().catalog_version(), version);
  EXPECT_EQ(book().top_up("k", "acct-1", 8, 301).outcome, TopUpOutcome::repeated);
}

INSTANTIATE_TEST_SUITE_P(Databases, BillingTablesTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::host
