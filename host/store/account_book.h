// The account book: accounts with their balances, the subscribers who may charge them, and
// top-ups. Used by billingctl and the billing service; the census debits accounts inside its
// own commit (usage_ledger.h), never through here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/store/billing_types.h"

namespace gm::host {

class AccountBook {
 public:
  virtual ~AccountBook() = default;
  // Throws BillingConflict if the name is taken. Returns the new id.
  virtual int64_t add_account(const AccountRow& account) = 0;
  // Changes plan, time zone, low-balance mark, at_zero and enabled (never the balance).
  // Throws BillingConflict for an unknown name.
  virtual void update_account(const AccountRow& account) = 0;
  virtual std::optional<AccountRow> find_account(const std::string& name) = 0;
  virtual std::vector<AccountRow> list_accounts() = 0;
  // The terms of every account whose plan, kind or time zone changed at a catalog version above
  // `version` (all of them for -1), in id order: a node's catalog copy reads only these when
  // the version moves, so adding one account among a million reloads one.
  virtual std::vector<AccountTerms> accounts_changed_since(int64_t version) = 0;

  // Throws BillingConflict for an unknown account or a name already given to another account.
  virtual void add_subscriber(const SubscriberRow& subscriber) = 0;
  virtual bool remove_subscriber(const std::string& name) = 0;
  virtual std::optional<SubscriberRow> find_subscriber(const std::string& name) = 0;
  virtual std::vector<SubscriberRow> list_subscribers() = 0;
  // Stores the subscriber's password hash (password_hash.h; '' clears it). False for an
  // unknown subscriber.
  virtual bool set_subscriber_password(const std::string& name, const std::string& hash) = 0;
  // The stored hash; '' for none set or an unknown subscriber.
  virtual std::string subscriber_password_hash(const std::string& name) = 0;

  // Adds amount to the balance once per key: the same key again (a retried payment) changes
  // nothing and says `repeated`; the same key for another account or amount throws
  // BillingConflict. amount must be above zero.
  virtual TopUpResult top_up(const std::string& key, const std::string& account,
                             int64_t amount_micros, int64_t now_unix) = 0;

  // Every bill line of the account's sessions that started in [from, to): closed lines and
  // each session's current one, ordered by start, agent, session and line.
  virtual std::vector<ChargedLine> charged_lines(const std::string& account, int64_t from_unix,
                                                 int64_t to_unix) = 0;
};

}  // namespace gm::host
