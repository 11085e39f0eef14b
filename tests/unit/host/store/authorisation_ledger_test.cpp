// The billing service's store transaction (authorisation_ledger.h), on both databases: the
// account found the way BILLING.md says and locked, the stored answer and the account's other
// live sessions read under the lock, the decision's write and the session's link committed
// together (or not at all), and grants sized from one account's money by many connections at
// once never summing to more than its balance.
#include <gtest/gtest.h>

#include <thread>

#include "host/store/store.h"
#include "tests/support/frames.h"
#include "tests/support/store_fixture.h"

namespace gm::host {
namespace {

class AuthorisationLedgerTest : public test::StoreOnEachDatabase {
 protected:
  void SetUp() override {
    StoreOnEachDatabase::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(store_->add_agent("gw-1", {1}, 100));
    agent_ = store_->find_agent("gw-1")->id;
    AccountRow a;
    a.name = "acct-1";
    a.balance_micros = 1'000'000;
    a.created_unix = 100;
    account_ = store_->account_book().add_account(a);
    a.name = "acct-2";
    other_account_ = store_->account_book().add_account(a);
    store_->account_book().add_subscriber({"ann@isp.example", "acct-1"});
  }
  AuthorisationLedger& ledger() { return store_->authorisations(); }

  // What the billing service writes for an approved session holding `granted`.
  AuthorisationWrite approved(uint64_t session, int64_t account, int64_t granted,
                              uint32_t request = 1) {
    AuthorisationWrite w;
    StoredAuthorisation& a = w.authorisation;
    a.agent = agent_;
    a.session_id = session;
    a.account = account;
    a.subscriber = "ann@isp.example";
    a.option = 1;
    a.address = "10.0.0.7";
    a.request = request;
    a.response = {0x08, static_cast<uint8_t>(session), 0x00, 0xff};  // bytes, a NUL among them
    a.decision = 1;
    a.granted_micros = granted;
    a.live = true;
    w.link = SessionLink{agent_, session, 77, account, "ann@isp.example", "web", 1, 1'000};
    return w;
  }
  AuthorisationLookup lookup(uint64_t session, const std::string& account = "",
                             const std::string& subscriber = "ann@isp.example") {
    return {agent_, session, account, subscriber, ""};
  }
  std::optional<AuthorisationWrite> write(uint64_t session, int64_t account, int64_t granted) {
    return ledger().authorise(
        lookup(session),
        [&](const AuthorisationRead&) { return approved(session, account, granted); }, 500);
  }

  int64_t agent_ = 0, account_ = 0, other_account_ = 0;
};

TEST_P(AuthorisationLedgerTest, TheAgentsNameIsTheCallersOrReadAndTheStoredRowIsReadInFull) {
  std::string named;
  auto seen = [&](const AuthorisationLookup& k) {
    ledger().authorise(
        k,
        [&](const AuthorisationRead& r) -> std::optional<AuthorisationWrite> {
          named = r.agent_id;
          return std::nullopt;
        },
        500);
    return named;
  };
  EXPECT_EQ(seen(lookup(5)), "gw-1") << "read from agents when the caller does not know it";
  AuthorisationLookup k = lookup(5);
  k.agent_id = "as-the-login-says";
  EXPECT_EQ(seen(k), "as-the-login-says");

  // A second request finds every column of the first's row, and its account through it.
  ASSERT_TRUE(write(5, other_account_, 40'000).has_value());
  ledger().authorise(
      lookup(5),
      [&](const AuthorisationRead& r) -> std::optional<AuthorisationWrite> {
        EXPECT_TRUE(r.stored.has_value());
        if (!r.stored) return std::nullopt;
        EXPECT_EQ(r.stored->account, other_account_);
        EXPECT_EQ(r.stored->granted_micros, 40'000);
        EXPECT_EQ(r.stored->address, "10.0.0.7");
        EXPECT_EQ(r.stored->response, (std::vector<uint8_t>{0x08, 0x05, 0x00, 0xff}));
        EXPECT_TRUE(r.account.has_value()) << "the session's own account, not the subscriber's";
        if (r.account) {
          EXPECT_EQ(r.account->id, other_account_);
        }
        return std::nullopt;
      },
      600);
}

TEST_P(AuthorisationLedgerTest, TheDecisionsWriteAndTheSessionsLinkAreCommittedTogether) {
  bool decided = false;
  const auto out = ledger().authorise(
      lookup(0xfedcba9876543210ull),
      [&](const AuthorisationRead& r) {
        decided = true;
        EXPECT_FALSE(r.stored.has_value());
        EXPECT_TRUE(r.account.has_value()) << "found through the subscriber";
        if (r.account) {
          EXPECT_EQ(r.account->id, account_);
          EXPECT_EQ(r.account->balance_micros, 1'000'000);
        }
        EXPECT_TRUE(r.others.empty());
        EXPECT_EQ(r.usage.amount_micros, 0);
        return std::optional(approved(0xfedcba9876543210ull, account_, 60'000));
      },
      500);
  EXPECT_TRUE(decided);
  ASSERT_TRUE(out.has_value());
  const auto stored = ledger().find_authorisation(agent_, 0xfedcba9876543210ull);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->response, (std::vector<uint8_t>{0x08, 0x10, 0x00, 0xff}));
  EXPECT_EQ(stored->account, account_);
  EXPECT_EQ(stored->granted_micros, 60'000);
  EXPECT_EQ(stored->address, "10.0.0.7");
  EXPECT_EQ(stored->request, 1u);
  EXPECT_TRUE(stored->live);
  EXPECT_EQ(stored->created_unix, 500);
  // The link made the session's usage row, waiting for its first record.
  const auto sessions = store_->sessions("gw-1");
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].session_id, 0xfedcba9876543210ull);
  EXPECT_EQ(sessions[0].last_seq, 0u);
  EXPECT_EQ(sessions[0].realm, "isp.example");

  // A later write replaces the row but keeps when it was created.
  ledger().authorise(
      lookup(0xfedcba9876543210ull),
      [&](const AuthorisationRead& r) {
        EXPECT_TRUE(r.stored.has_value());
        return std::optional(approved(0xfedcba9876543210ull, account_, 90'000, 2));
      },
      600);
  const auto again = ledger().find_authorisation(agent_, 0xfedcba9876543210ull);
  EXPECT_EQ(again->request, 2u);
  EXPECT_EQ(again->granted_micros, 90'000);
  EXPECT_EQ(again->created_unix, 500);
  EXPECT_EQ(again->updated_unix, 600);
}

TEST_P(AuthorisationLedgerTest, NoWriteOrAThrowLeavesNothingWritten) {
  EXPECT_FALSE(ledger()
                   .authorise(
                       lookup(1),
                       [](const AuthorisationRead&) { return std::optional<AuthorisationWrite>(); },
                       500)
                   .has_value());
  EXPECT_THROW(ledger().authorise(
                   lookup(2),
                   [&](const AuthorisationRead&) -> std::optional<AuthorisationWrite> {
                     throw std::runtime_error("the decision failed");
                   },
                   500),
               std::runtime_error);
  EXPECT_FALSE(ledger().find_authorisation(agent_, 1).has_value());
  EXPECT_FALSE(ledger().find_authorisation(agent_, 2).has_value());
  EXPECT_TRUE(store_->sessions("gw-1").empty()) << "no link either";
}

TEST_P(AuthorisationLedgerTest, TheAccountIsTheSessionsOwnThenTheNamedOneThenTheSubscribers) {
  auto account_seen = [&](const AuthorisationLookup& k) {
    int64_t seen = -1;
    ledger().authorise(
        k,
        [&](const AuthorisationRead& r) {
          seen = r.account ? r.account->id : 0;
          return std::optional<AuthorisationWrite>();
        },
        500);
    return seen;
  };
  EXPECT_EQ(account_seen(lookup(5)), account_);                  // the subscriber's
  EXPECT_EQ(account_seen(lookup(5, "acct-2")), other_account_);  // named wins
  EXPECT_EQ(account_seen(lookup(5, "nobody")), 0) << "a named unknown account is none";
  EXPECT_EQ(account_seen(lookup(5, "", "bob@isp.example")), 0);
  write(5, other_account_, 0);
  EXPECT_EQ(account_seen(lookup(5, "acct-1")), other_account_) << "the session keeps its account";
}

TEST_P(AuthorisationLedgerTest, OthersAreTheAccountsOtherLiveSessionsWithWhatEachWasCharged) {
  write(1, account_, 100'000);
  write(2, account_, 200'000);
  write(3, account_, 300'000);
  write(4, other_account_, 400'000);
  EXPECT_TRUE(ledger().end_authorisation(agent_, 3, 700));
  EXPECT_FALSE(ledger().end_authorisation(agent_, 3, 701)) << "already ended";
  std::vector<LiveReservation> others;
  ledger().authorise(
      lookup(1),
      [&](const AuthorisationRead& r) {
        others = r.others;
        return std::optional<AuthorisationWrite>();
      },
      800);
  ASSERT_EQ(others.size(), 1u) << "not itself, not the ended one, not another account's";
  EXPECT_EQ(others[0].session_id, 2u);
  EXPECT_EQ(others[0].granted_micros, 200'000);
  EXPECT_EQ(others[0].amount_micros, 0);
  const auto live = ledger().live_authorisations(account_);
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0].session_id, 1u);
  EXPECT_EQ(live[1].session_id, 2u);
  EXPECT_EQ(ledger().live_authorisations(0).size(), 3u) << "every account's";
}

TEST_P(AuthorisationLedgerTest, ASessionsEndEndsItsAuthorisationInTheSameTransaction) {
  write(1, account_, 100'000);
  write(2, account_, 100'000);
  write(3, account_, 100'000);
  // The census's commit of session 1's STOP: nothing else runs before the check.
  gatemeter_UsageRecord stop = test::make_record(1, 1, gatemeter_RecordKind_RECORD_STOP);
  VerifiedRecord v;
  v.agent = agent_;
  v.login_session = 77;
  ASSERT_TRUE(from_wire(stop, v.record));
  store_->apply({v}, {}, 900);
  EXPECT_FALSE(ledger().find_authorisation(agent_, 1)->live);
  EXPECT_EQ(ledger().find_authorisation(agent_, 1)->updated_unix, 900);
  EXPECT_TRUE(ledger().find_authorisation(agent_, 2)->live);
  // A later record of the same session ends nothing more.
  store_->apply({v}, {}, 950);
  EXPECT_EQ(ledger().find_authorisation(agent_, 1)->updated_unix, 900);

  // A request its STOP overtook is answered, but holds no money and links nothing.
  const auto late = ledger().authorise(
      lookup(1),
      [&](const AuthorisationRead& r) {
        EXPECT_TRUE(r.usage.ended);
        AuthorisationWrite w = approved(1, account_, 100'000, 2);
        w.authorisation.live = false;  // as SessionAuthoriser::record writes it for an ended one
        w.link.reset();
        return std::optional(w);
      },
      960);
  ASSERT_TRUE(late.has_value());
  ledger().authorise(
      lookup(2),
      [&](const AuthorisationRead& r) -> std::optional<AuthorisationWrite> {
        EXPECT_FALSE(r.usage.ended);
        return std::nullopt;
      },
      960);

  // A restart of the gateway (a new boot, not a renewal) ends every session it held, and so
  // every authorisation of it.
  NewLogin l;
  l.agent = agent_;
  l.id = 78;
  l.sealed_tag_key = {9};
  l.boot_count = 2;
  l.now_unix = 1'000;
  l.expires_unix = 100'000;
  store_->open_login_session(l);
  EXPECT_FALSE(ledger().find_authorisation(agent_, 2)->live);
  EXPECT_FALSE(ledger().find_authorisation(agent_, 3)->live);
  EXPECT_EQ(ledger().find_authorisation(agent_, 3)->updated_unix, 1'000);
  EXPECT_TRUE(ledger().live_authorisations(0).empty());
}

TEST_P(AuthorisationLedgerTest, PendingInquiriesAreThoseStillAskingSoonestFirst) {
  for (uint64_t s = 1; s <= 3; ++s)
    ledger().authorise(
        lookup(s),
        [&](const AuthorisationRead&) {
          AuthorisationWrite w = approved(s, account_, 0);
          w.authorisation.remote = s == 2 ? 2 : 1;
          w.authorisation.temporary_until_unix = 1'000 - static_cast<int64_t>(s);
          return std::optional(w);
        },
        500);
  const auto asking = ledger().pending_inquiries(10);
  ASSERT_EQ(asking.size(), 2u);
  EXPECT_EQ(asking[0].session_id, 3u);
  EXPECT_EQ(asking[1].session_id, 1u);
  EXPECT_EQ(ledger().pending_inquiries(1).size(), 1u);
}

// Connections of their own, each sizing grants for its sessions of one account from what the
// others hold: the account row's lock makes them take turns, so the grants never share money.
TEST_P(AuthorisationLedgerTest, ConcurrentGrantsOfOneAccountNeverExceedItsBalance) {
  constexpr int threads = 3, sessions_each = 6;
  constexpr int64_t chunk = 150'000;  // 18 x 150,000 wanted of 1,000,000
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      auto own = open_store(db_->spec());
      for (int i = 0; i < sessions_each; ++i) {
        const uint64_t session = static_cast<uint64_t>(t * 100 + i + 1);
        own->authorisations().authorise(
            {agent_, session, "", "ann@isp.example", ""},
            [&](const AuthorisationRead& r) {
              int64_t held = 0;
              for (const LiveReservation& o : r.others)
                held += std::max<int64_t>(0, o.granted_micros - o.amount_micros);
              const int64_t grant =
                  std::max<int64_t>(0, std::min(chunk, r.account->balance_micros - held));
              return std::optional(approved(session, account_, grant));
            },
            500);
      }
    });
  for (auto& w : workers) w.join();
  int64_t granted = 0;
  const auto live = ledger().live_authorisations(account_);
  EXPECT_EQ(live.size(), static_cast<size_t>(threads * sessions_each));
  for (const auto& a : live) granted += a.granted_micros;
  EXPECT_EQ(granted, 1'000'000) << "all of the balance, and not a micro more";
}

// The group commit: many requests in one transaction, each seeing what the ones before it
// wrote, so two sessions of one account in one batch size their grants one after the other.
TEST_P(AuthorisationLedgerTest, ABatchDecidesInOrderEachSeeingTheOnesBeforeIt) {
  const std::vector<AuthorisationLookup> lookups = {lookup(11), lookup(12), lookup(13, "acct-2")};
  std::vector<size_t> others_seen(lookups.size(), 99);
  const auto out = ledger().authorise_all(
      lookups,
      [&](size_t i, const AuthorisationRead& r) -> std::optional<AuthorisationWrite> {
        others_seen[i] = r.others.size();
        if (!r.account) return std::nullopt;
        int64_t held = 0;
        for (const LiveReservation& o : r.others) held += o.granted_micros;
        return approved(lookups[i].session_id, r.account->id,
                        std::min<int64_t>(600'000, r.account->balance_micros - held));
      },
      500);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(others_seen, (std::vector<size_t>{0, 1, 0})) << "the second saw the first's grant";
  EXPECT_EQ(ledger().find_authorisation(agent_, 11)->granted_micros, 600'000);
  EXPECT_EQ(ledger().find_authorisation(agent_, 12)->granted_micros, 400'000)
      << "what the first left of the balance";
  EXPECT_EQ(ledger().find_authorisation(agent_, 13)->account, other_account_);
}

TEST_P(AuthorisationLedgerTest, AThrowInABatchLeavesNoneOfItWritten) {
  EXPECT_THROW(ledger().authorise_all(
                   {lookup(21), lookup(22)},
                   [&](size_t i, const AuthorisationRead&) -> std::optional<AuthorisationWrite> {
                     if (i == 1) throw StoreError("the second fails");
                     return approved(21, account_, 1'000);
                   },
                   500),
               StoreError);
  EXPECT_FALSE(ledger().find_authorisation(agent_, 21).has_value())
      << "the first's write rolled back with the batch";
  EXPECT_TRUE(store_->sessions("gw-1").empty()) << "and its link";
}

TEST_P(AuthorisationLedgerTest, FinalGrantsAreTheLiveOnesMarkedSo) {
  auto final_write = [&](uint64_t session, bool final_grant) {
    ledger().authorise(
        lookup(session),
        [&](const AuthorisationRead&) {
          AuthorisationWrite w = approved(session, account_, 1'000);
          w.authorisation.final_grant = final_grant;
          return std::optional(w);
        },
        500);
  };
  final_write(31, true);
  final_write(32, false);
  final_write(33, true);
  ledger().end_authorisation(agent_, 33, 600);
  const auto held = ledger().final_grants();
  ASSERT_EQ(held.size(), 1u) << "33 ended: it holds no money any more";
  EXPECT_EQ(held[0].session_id, 31u);
  EXPECT_TRUE(held[0].final_grant);
  final_write(31, false);  // a top-up's new grant is not final
  EXPECT_TRUE(ledger().final_grants().empty());
}

INSTANTIATE_TEST_SUITE_P(Databases, AuthorisationLedgerTest,
                         ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::host
