// Phase M of bench_census: phase A's load with billing on. Before it, every session of the
// store is linked to one of `accounts` prepaid accounts and one rate prices every charged
// second (no increment, no minimum, so the rating of a growth is exactly seconds x price);
// after it, the store is read back: the micro-units the accounts lost must equal the charged
// seconds the sessions gained times the price, and the sessions' own running charges must say
// the same. Straight SQL on the run's copy of the store, while no server runs.
#pragma once

#include <cstdint>
#include <string>

namespace gm::bench {

struct MoneyBaseline {
  int64_t price_micros = 0;  // per charged second
  int64_t accounts = 0;
  int64_t balances = 0;       // their sum before the phase
  int64_t charged_s = 0;      // the sessions' charged seconds before it
  int64_t sessions = 0;       // linked
  double link_seconds = 0;
};

struct MoneyCheck {
  int64_t expected_micros = 0;  // (charged seconds after - before) x price
  int64_t debited_micros = 0;   // balances before - after
  int64_t charged_micros = 0;   // the sessions' amount_micros, summed
  bool exact() const {
    return expected_micros == debited_micros && debited_micros == charged_micros;
  }
};

// Throws std::runtime_error naming the statement that failed.
MoneyBaseline link_sessions_to_accounts(const std::string& store_path, int64_t accounts,
                                        int64_t price_micros);
MoneyCheck check_money(const std::string& store_path, const MoneyBaseline& baseline);

}  // namespace gm::bench
