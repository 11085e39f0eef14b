// settlectl's period commands (settlectl_commands.h): clean a period, list its quarantine,
// print a provider's report or the detail transaction file. Every period is [--from, --to) by
// stop time (GMT), the same bounds cleaning and the reports use, and is read a page at a time.
#include <cstdio>
#include <functional>
#include <map>

#include "host/billing/billing_error.h"
#include "host/billing/catalog_text.h"
#include "host/cli/command_args.h"
#include "host/cli/listing.h"
#include "host/settlement/cleaning.h"
#include "host/settlement/detail_file.h"
#include "host/settlement/period_cleaning.h"
#include "host/settlement/period_close.h"
#include "host/settlement/report_format.h"
#include "host/settlement/settlectl_commands.h"
#include "host/settlement/settlement_reports.h"

namespace gm::host {

namespace {

constexpr size_t page_size = 10'000;

settlement::Period period_of(const CommandArgs& args, int64_t now) {
  const auto when = [&](const std::string& s) { return parse_when(s, now); };
  const settlement::Period p{args.parsed("from", when), args.parsed("to", when)};
  if (p.to_unix <= p.from_unix) args.bad("to", "must be after --from");
  return p;
}

// f(page) for each page of the period's history, in (stop, entry id) order.
template <typename F>
void each_history_page(SettlementLedger& ledger, settlement::Period p, F f) {
  StopKey after{p.from_unix - 1, 0};
  for (;;) {
    const auto page =
        ledger.history_between(p.from_unix, p.to_unix, after, page_size, HistorySet::regular);
    if (page.empty()) return;
    f(page);
    after = {page.back().stop_unix, page.back().entry_id};
    if (page.size() < page_size) return;
  }
}

}  // namespace

int clean_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("clean", words, 0, "", {{"from"}, {"to"}, {"window"}});
  const settlement::Period p = period_of(args, run.now);
  const int64_t window = args.parsed_if("window",
                                        [](const std::string& s) {
                                          // A retry comes within hours; a longer window than any
                                          // period would merge distinct usages of a rolled-over id.
                                          return static_cast<int64_t>(
                                              parse_whole(s, 1, settlement::max_session_time_s));
                                        })
                             .value_or(settlement::default_dedup_window_s);
  const settlement::PeriodCleaning c = settlement::clean_period(
      run.store.settlement(), p.from_unix, p.to_unix, window, run.now, [](int64_t done) {
        std::fprintf(stderr, "cleaned %lld of the period's records...\n",
                     static_cast<long long>(done));
      });
  std::printf(
      "cleaned %s to %s: %lld records, %lld clean, %lld duplicate, %lld irrelevant, "
      "%lld quarantined\n",
      utc_text(p.from_unix).c_str(), utc_text(p.to_unix).c_str(), static_cast<long long>(c.records),
      static_cast<long long>(c.clean), static_cast<long long>(c.duplicate),
      static_cast<long long>(c.irrelevant), static_cast<long long>(c.quarantined));
  for (const auto& [reason, n] : c.quarantine_reasons)
    std::printf("quarantined %s: %lld\n", reason.c_str(), static_cast<long long>(n));
  if (c.settled)
    std::printf("left as closed: %lld records of a closed period, decided at its close\n",
                static_cast<long long>(c.settled));
  return 0;
}

// Each quarantined record with the reason its last clean gave, and what the next clean would
// decide against today's directory: what the operator fixing it wants to know.
int quarantine_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("quarantine", words, 0, "", {{"from"}, {"to"}, {"csv", true}});
  const settlement::Period p = period_of(args, run.now);
  SettlementLedger& ledger = run.store.settlement();
  const settlement::ProviderDirectory directory = ledger.directory();
  Listing out(
      {{"entry_id", true}, {"user"}, {"session_id"}, {"stop"}, {"reason"}, {"next_clean"}});
  StopKey after{p.from_unix - 1, 0};
  for (;;) {
    const auto page = ledger.raw_between(p.from_unix, p.to_unix, after, page_size);
    for (const settlement::RawRecord& r : page) {
      if (r.record_status != static_cast<int32_t>(settlement::RecordStatus::quarantined)) continue;
      settlement::HistoryRecord h;
      const settlement::CleanOutcome o = settlement::clean(r, directory, h);
      const std::string next = o.status == settlement::RecordStatus::quarantined
                                   ? settlement::refusal_name(o.refusal)
                                   : "fixed";
      const std::string user =
          r.user_domain.empty() ? r.user_name : r.user_name + " (" + r.user_domain + ")";
      out.add({std::to_string(r.entry_id), user, r.session_id, utc_text(r.stop_gmt_unix),
               r.refusal, next});
    }
    if (page.size() < page_size) break;
    after = {page.back().stop_gmt_unix, page.back().entry_id};
  }
  out.print(stdout, args.flag("csv"));
  return 0;
}

namespace {

// The report's Table name for the command line's --kind.
std::string report_name(const std::string& kind) {
  if (kind == "credit-debit") return "credit_debit";
  if (kind == "detail" || kind == "summary" || kind == "invoice" || kind == "statement")
    return kind;
  throw ConfigError("expected detail, summary, invoice, credit-debit or statement");
}

void print_table(const settlement::Table& table, const std::string& format) {
  const std::string text = format == "csv"    ? settlement::to_csv(table)
                           : format == "json" ? settlement::to_json(table)
                                              : settlement::to_html(table);
  std::fwrite(text.data(), 1, text.size(), stdout);
}

// An open period's totals, rated now with today's tariffs, a page at a time. Refused records
// are not the reports' (settlement_reports.h), but they are money: say how many and which, so
// a missing rule is seen, not silently under-billed.
settlement::PeriodTotals open_totals(SettlementLedger& ledger, settlement::Period p) {
  const settlement::Tariffs tariffs = ledger.tariffs();
  if (const std::string problem = settlement::tariff_problem(tariffs); !problem.empty())
    throw BillingConflict("the tariffs cannot rate: " + problem);
  settlement::PeriodTotals totals;
  std::map<std::string, std::vector<int64_t>> refused;
  int64_t records = 0;
  each_history_page(ledger, p, [&](const std::vector<settlement::HistoryRecord>& page) {
    for (const settlement::HistoryRecord& h : page) {
      ++records;
      const settlement::RatedRecord r = settlement::rate(h, tariffs);
      if (!r.ok())
        refused[std::string(settlement::refusal_name(r.refusal))].push_back(h.entry_id);
      else
        totals.add(r);
    }
  });
  for (const auto& [reason, ids] : refused) {
    std::string list;
    for (size_t i = 0; i < ids.size() && i < 10; ++i)
      list += (i ? ", " : "") + std::to_string(ids[i]);
    if (ids.size() > 10) list += ", ...";
    std::fprintf(stderr,
                 "report: %zu of the period's %lld records did not rate (%s), left out: "
                 "entry ids %s\n",
                 ids.size(), static_cast<long long>(records), reason.c_str(), list.c_str());
  }
  return totals;
}

}  // namespace

int report_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("report", words, 1, "PROVIDER", {{"from"}, {"to"}, {"kind"}, {"format"}});
  const std::string provider = args.parsed_operand(0, provider_id);
  const settlement::Period p = period_of(args, run.now);
  const std::string report = args.parsed("kind", report_name);
  const std::string format = args.parsed("format", [](const std::string& f) {
    if (f != "csv" && f != "json" && f != "html") throw ConfigError("expected csv, json or html");
    return f;
  });
  SettlementLedger& ledger = run.store.settlement();
  const settlement::ProviderDirectory directory = ledger.directory();
  if (!directory.providers.count(provider)) throw BillingConflict("no provider " + provider);

  // A closed period's report is the one its close made, whatever the tariffs say now.
  if (const auto closed = settlement::closed_period_of(ledger, p)) {
    print_table(settlement::closed_table(ledger, *closed, report,
                                         report == "statement" ? "" : provider),
                format);
    return 0;
  }
  std::vector<settlement::Provider> members;
  for (const auto& [id, member] : directory.providers) members.push_back(member);
  // A total that overflows Micros is broken input, not a bad command line (exit 1, not 2).
  try {
    print_table(settlement::report_table(report, open_totals(ledger, p), members, provider, p),
                format);
  } catch (const billing::BillingError& e) {
    throw BillingConflict(std::string("the period's totals do not fit: ") + e.what());
  }
  return 0;
}

int detail_file_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("detail-file", words, 1, "PROVIDER", {{"from"}, {"to"}});
  const std::string provider = args.parsed_operand(0, provider_id);
  const settlement::Period p = period_of(args, run.now);
  SettlementLedger& ledger = run.store.settlement();
  require_provider(run.store, provider);
  const auto closed = settlement::closed_period_of(ledger, p);
  // The seed sends the serving provider's file: the usage its network carried. Each record's
  // line is checked before any is printed, so a file is whole or not printed at all; the
  // lines are made twice rather than held, so the file's size does not bound memory.
  const auto each_served = [&](const std::function<void(const settlement::HistoryRecord&)>& f) {
    if (closed) return settlement::each_closed_detail_record(ledger, *closed, provider, f);
    each_history_page(ledger, p, [&](const std::vector<settlement::HistoryRecord>& page) {
      for (const settlement::HistoryRecord& h : page)
        if (h.serving_provider == provider) f(h);
    });
  };
  std::string line;
  uint64_t hash = settlement::fnv1a64_basis;
  each_served([&](const settlement::HistoryRecord& h) {
    if (const settlement::DetailRefusal r = settlement::detail_line(h, line);
        r != settlement::DetailRefusal::none)
      throw BillingConflict("entry " + std::to_string(h.entry_id) +
                            " cannot be written: " + settlement::refusal_name(r) +
                            "; no file printed");
    line += '\n';
    hash = settlement::fnv1a64(line, hash);
  });
  if (closed) {
    const std::string sum = settlement::checksum_text(hash);
    bool matched = false;
    for (const ReportChecksum& k : ledger.closed_checksums(closed->from_unix))
      matched |= k.provider == provider && k.report == "detail_file" && k.checksum == sum;
    if (!matched)
      throw BillingConflict("the closed period's detail file of " + provider +
                            " no longer matches its checksum: the store was changed; no file "
                            "printed");
  }
  each_served([&](const settlement::HistoryRecord& h) {
    settlement::detail_line(h, line);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
  });
  return 0;
}

}  // namespace gm::host
