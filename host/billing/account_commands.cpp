// billingctl's account book: accounts, top-ups, subscribers (billingctl_commands.h).
#include <cstdio>

#include "host/billing/bill.h"
#include "host/billing/billing_error.h"
#include "host/billing/billingctl_commands.h"
#include "host/billing/catalog_text.h"
#include "host/billing/money.h"
#include "host/billing/password_hash.h"
#include "host/billing/time_zone.h"
#include "host/cli/secret_input.h"
#include "shared/proto/wire_limits.h"

namespace gm::host {

namespace {

using billing::format_money;
using billing::Micros;

std::string account_name(const std::string& s) {
  check_name("account name", s, wire::max_account);
  return s;
}

Micros money_not_negative(const std::string& s) {
  const Micros m = billing::parse_money(s);
  if (m < 0) throw ConfigError("must not be negative");
  return m;
}

const char* yes_no(bool b) {
  return b ? "yes" : "no";
}

// The options account add and account set share, applied to `a`; what they changed, as
// "plan gold -> silver", for the command to print.
std::vector<std::string> apply_account_options(const CommandArgs& args, const BillingctlRun& run,
                                               AccountRow& a) {
  std::vector<std::string> changed;
  const auto note = [&](const char* what, const std::string& before, const std::string& after) {
    if (before != after) changed.push_back(std::string(what) + " " + before + " -> " + after);
  };
  if (const auto kind = args.parsed_if("kind", parse_account_kind)) {
    note("kind", std::string(name(a.kind)), std::string(name(*kind)));
    a.kind = *kind;
  }
  if (const auto plan = args.parsed_if("plan", plan_name)) {
    note("plan", plan_text(a.plan), plan_text(*plan));
    a.plan = *plan;
  }
  // Time bands are local to the account: a zone that does not load could never be rated.
  if (const auto zone = args.parsed_if("time-zone", [&](const std::string& z) {
        return billing::TimeZone::load(z, run.zoneinfo).name();
      })) {
    note("time zone", a.time_zone, *zone);
    a.time_zone = *zone;
  }
  if (const auto low = args.parsed_if("low-balance", money_not_negative)) {
    note("low balance", format_money(a.low_balance_micros), format_money(*low));
    a.low_balance_micros = *low;
  }
  if (const auto at_zero = args.parsed_if("at-zero", parse_at_zero)) {
    note("at zero", std::string(name(a.at_zero)), std::string(name(*at_zero)));
    a.at_zero = *at_zero;
  }
  return changed;
}

}  // namespace

std::string plan_name(const std::string& s) {
  if (!s.empty()) check_name("plan", s, max_catalog_name);
  return s;
}

std::string plan_text(const std::string& plan) {
  return plan.empty() ? "(default)" : plan;
}

namespace {

AccountRow existing_account(const BillingctlRun& run, const std::string& name) {
  const auto a = run.store.account_book().find_account(name);
  if (!a) throw BillingConflict("no account " + name);
  return *a;
}

}  // namespace

int account_command(const BillingctlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  const std::string verb =
      verb_of("account", words, {"add", "set", "enable", "disable", "list", "show"}, rest);
  const std::string command = "account " + verb;
  AccountBook& book = run.store.account_book();

  if (verb == "add" || verb == "set") {
    std::vector<OptionSpec> options = {
        {"kind"}, {"plan"}, {"time-zone"}, {"low-balance"}, {"at-zero"}};
    if (verb == "add") options.push_back({"balance"});
    const CommandArgs args(command, rest, 1, "NAME", options);
    const std::string name = args.parsed_operand(0, account_name);
    if (verb == "add") {
      AccountRow a;
      a.name = name;
      a.kind = args.parsed("kind", parse_account_kind);
      apply_account_options(args, run, a);
      // A credit after this goes through top-up, which keeps a record of each payment.
      a.balance_micros = args.parsed_if("balance", money_not_negative).value_or(0);
      a.created_unix = run.now;
      book.add_account(a);
      std::printf(
          "account %s added: %s, plan %s, time zone %s, balance %s, low balance %s, "
          "at zero %s\n",
          a.name.c_str(), std::string(gm::host::name(a.kind)).c_str(), plan_text(a.plan).c_str(),
          a.time_zone.c_str(), format_money(a.balance_micros).c_str(),
          format_money(a.low_balance_micros).c_str(),
          std::string(gm::host::name(a.at_zero)).c_str());
      return 0;
    }
    if (!args.has("kind") && !args.has("plan") && !args.has("time-zone") &&
        !args.has("low-balance") && !args.has("at-zero"))
      args.bad_operand(
          "nothing to change (options: --kind, --plan, --time-zone, --low-balance, "
          "--at-zero)");
    AccountRow a = existing_account(run, name);
    const auto changed = apply_account_options(args, run, a);
    if (changed.empty()) {
      std::printf("account %s unchanged\n", name.c_str());
      return 0;
    }
    book.update_account(a);
    std::string list;
    for (const std::string& c : changed) list += (list.empty() ? "" : ", ") + c;
    std::printf("account %s changed: %s\n", name.c_str(), list.c_str());
    return 0;
  }

  if (verb == "enable" || verb == "disable") {
    const CommandArgs args(command, rest, 1, "NAME", {});
    AccountRow a = existing_account(run, args.parsed_operand(0, account_name));
    const bool enable = verb == "enable";
    if (a.enabled == enable) {
      std::printf("account %s was already %sd\n", a.name.c_str(), verb.c_str());
      return 0;
    }
    a.enabled = enable;
    book.update_account(a);
    // Disabled: billing authorises no new session of it (BILLING.md, authorisation).
    std::printf("account %s %sd\n", a.name.c_str(), verb.c_str());
    return 0;
  }

  if (verb == "list")
    return list_command(command, rest,
                        {{"name"},
                         {"kind"},
                         {"plan"},
                         {"time_zone"},
                         {"balance", true},
                         {"low_balance", true},
                         {"at_zero"},
                         {"enabled"},
                         {"created"}},
                        book.list_accounts(), [](const AccountRow& a) {
                          return std::vector<std::string>{a.name,
                                                          std::string(name(a.kind)),
                                                          a.plan,
                                                          a.time_zone,
                                                          format_money(a.balance_micros),
                                                          format_money(a.low_balance_micros),
                                                          std::string(name(a.at_zero)),
                                                          yes_no(a.enabled),
                                                          utc_text(a.created_unix)};
                        });

  // show
  const CommandArgs args(command, rest, 1, "NAME", {});
  const AccountRow a = existing_account(run, args.parsed_operand(0, account_name));
  const auto field = [](const char* label, const std::string& value) {
    std::printf("%-13s %s\n", label, value.c_str());
  };
  field("account", a.name);
  field("kind", std::string(name(a.kind)));
  field("plan", plan_text(a.plan));
  field("time zone", a.time_zone);
  field("balance", format_money(a.balance_micros));
  field("low balance", format_money(a.low_balance_micros));
  field("at zero", std::string(name(a.at_zero)));
  field("enabled", yes_no(a.enabled));
  field("created", utc_text(a.created_unix));
  size_t subscribers = 0;
  for (const SubscriberRow& s : book.list_subscribers())
    if (s.account == a.name) field(subscribers++ ? "" : "subscribers", s.name);
  if (subscribers == 0) field("subscribers", "none");
  return 0;
}

int top_up_command(const BillingctlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("top-up", words, 2, "ACCOUNT AMOUNT", {{"key"}});
  const std::string account = args.parsed_operand(0, account_name);
  const Micros amount = args.parsed_operand(1, [](const std::string& s) {
    const Micros m = billing::parse_money(s);
    if (m <= 0) throw ConfigError("amount " + s + " must be above zero");
    return m;
  });
  // The payment's own reference: a retried payment names it again and is credited once.
  const std::string key = args.parsed("key", [](const std::string& k) {
    check_name("top-up key", k, 128);
    return k;
  });
  const TopUpResult r = run.store.account_book().top_up(key, account, amount, run.now);
  if (r.outcome == TopUpOutcome::applied) {
    std::printf("top-up applied: %s to account %s, balance %s\n", format_money(amount).c_str(),
                account.c_str(), format_money(r.balance_micros).c_str());
  } else {
    const auto now = run.store.account_book().find_account(account);
    std::printf(
        "top-up repeated: key %s credited %s to account %s before (balance then %s), "
        "nothing added; balance %s\n",
        key.c_str(), format_money(amount).c_str(), account.c_str(),
        format_money(r.balance_micros).c_str(),
        now ? format_money(now->balance_micros).c_str() : "?");
  }
  return 0;
}

int bill_command(const BillingctlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("bill", words, 1, "ACCOUNT",
                         {{"from"}, {"to"}, {"format"}, {"fees"}, {"taxes"}});
  const std::string account = args.parsed_operand(0, account_name);
  const auto when = [&](const std::string& s) { return parse_when(s, run.now); };
  const int64_t from = args.parsed("from", when);
  const int64_t to = args.parsed("to", when);
  if (to <= from) throw ConfigError("--to must be after --from");
  const std::string format = args.parsed_if("format", [](const std::string& f) {
                               if (f != "csv" && f != "json")
                                 throw ConfigError("format " + f + " (one of csv, json)");
                               return f;
                             }).value_or("csv");
  // --fees=NAME:AMOUNT,... and --taxes=NAME:PERCENT%,...: fees first, taxes on the subtotal
  // with the fees (bill.h).
  std::vector<billing::BillAdjustment> extra;
  const auto listed = [&extra](auto parse) {
    return [&extra, parse](const std::string& list) {
      size_t at = 0;
      while (at <= list.size()) {
        const size_t comma = std::min(list.find(',', at), list.size());
        try {
          extra.push_back(parse(std::string_view(list).substr(at, comma - at)));
        } catch (const billing::BillingError& e) {
          throw ConfigError(e.what());
        }
        at = comma + 1;
      }
      return true;
    };
  };
  args.parsed_if("fees", listed(billing::parse_fee));
  args.parsed_if("taxes", listed(billing::parse_tax));
  const billing::Bill bill = billing::make_bill(
      account, from, to, run.store.account_book().charged_lines(account, from, to), extra);
  const std::string text = format == "json" ? billing::bill_json(bill) : billing::bill_csv(bill);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

int subscriber_command(const BillingctlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  const std::string verb = verb_of("subscriber", words, {"add", "remove", "password", "list"}, rest);
  const std::string command = "subscriber " + verb;
  AccountBook& book = run.store.account_book();
  // user@realm, as the agent's records and authorisation requests name the subscriber.
  const auto subscriber_name = [](const std::string& s) {
    check_name("subscriber", s, wire::max_subscriber);
    const auto at = s.find('@');
    if (at == 0 || at == std::string::npos || at + 1 == s.size() ||
        s.find('@', at + 1) != std::string::npos || s.size() - at - 1 > wire::max_realm)
      throw ConfigError("subscriber must be USER@REALM (one '@', a realm of 1 to " +
                        std::to_string(wire::max_realm) + " characters), got \"" + s + "\"");
    return s;
  };
  if (verb == "add") {
    const CommandArgs args(command, rest, 2, "USER@REALM ACCOUNT", {});
    const SubscriberRow s{args.parsed_operand(0, subscriber_name),
                          args.parsed_operand(1, account_name)};
    if (const auto held = book.find_subscriber(s.name); held && held->account == s.account) {
      std::printf("subscriber %s already belongs to account %s\n", s.name.c_str(),
                  s.account.c_str());
      return 0;
    }
    book.add_subscriber(s);  // refuses an unknown account, or one held by another account
    std::printf("subscriber %s added to account %s\n", s.name.c_str(), s.account.c_str());
    return 0;
  }
  if (verb == "remove") {
    const CommandArgs args(command, rest, 1, "USER@REALM", {});
    const std::string name = args.parsed_operand(0, subscriber_name);
    if (!book.remove_subscriber(name)) throw BillingConflict("no subscriber " + name);
    std::printf("subscriber %s removed\n", name.c_str());
    return 0;
  }
  if (verb == "password") {
    const CommandArgs args(command, rest, 1, "USER@REALM", {{"clear", true}});
    const std::string name = args.parsed_operand(0, subscriber_name);
    if (!book.find_subscriber(name)) throw BillingConflict("no subscriber " + name);
    const std::string hash =
        args.flag("clear") ? "" : billing::hash_password(
                                 read_secret_line(command, "password for " + name,
                                                  billing::max_password));
    if (!book.set_subscriber_password(name, hash)) throw BillingConflict("no subscriber " + name);
    std::printf("subscriber %s: password %s\n", name.c_str(), hash.empty() ? "cleared" : "set");
    return 0;
  }
  return list_command(command, rest, {{"subscriber"}, {"account"}, {"password"}},
                      book.list_subscribers(), [&book](const SubscriberRow& s) {
                        return std::vector<std::string>{
                            s.name, s.account,
                            book.subscriber_password_hash(s.name).empty() ? "none" : "set"};
                      });
}

}  // namespace gm::host
