#include "host/settlement/period_close.h"

#include <algorithm>
#include <climits>
#include <map>
#include <set>

#include "host/cli/listing.h"
#include "host/settlement/detail_file.h"
#include "host/store/billing_types.h"

namespace gm::settlement {

namespace {

constexpr size_t page_size = 10'000;

// f(record) for each history record of `set` in [from, to), in (stop, entry id) order.
void each_history(host::SettlementLedger& ledger, int64_t from, int64_t to, host::HistorySet set,
                  const std::function<void(const HistoryRecord&)>& f,
                  const std::function<void(int64_t)>& page_done = {}) {
  host::StopKey after{INT64_MIN, 0};
  int64_t done = 0;
  for (;;) {
    const auto page = ledger.history_between(from, to, after, page_size, set);
    for (const HistoryRecord& h : page) f(h);
    done += static_cast<int64_t>(page.size());
    if (page_done && !page.empty()) page_done(done);
    if (page.size() < page_size) return;
    after = {page.back().stop_unix, page.back().entry_id};
  }
}

// The undecided records before `before`, cleaned in windows: each from its stop to a dedup
// window after it (what a late record's duplicate may follow), overlapping windows merged.
PeriodCleaning clean_undecided(host::SettlementLedger& ledger, int64_t before, int64_t window_s,
                               int64_t now, const CloseProgress& progress) {
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (int64_t from = INT64_MIN;;) {
    const std::vector<int64_t> stops = ledger.undecided_stops(from, before, page_size);
    for (int64_t s : stops) {
      // Records from `before` on are not settled, so nothing there can make a late one late's
      // duplicate after the fact: the window is cut there.
      const int64_t end = std::min(s + window_s + 1, before);
      if (!ranges.empty() && s <= ranges.back().second)
        ranges.back().second = std::max(ranges.back().second, end);
      else
        ranges.emplace_back(s, end);
    }
    if (stops.size() < page_size) break;
    from = stops.back() + 1;  // the rest of that second's records lie in its range already
  }
  PeriodCleaning sum;
  for (const auto& [from, to] : ranges) {
    const PeriodCleaning c = clean_period(ledger, from, to, window_s, now, [&](int64_t done) {
      if (progress.page) progress.page("cleaning late records", sum.records + done);
    });
    sum.records += c.records;
    sum.clean += c.clean;
    sum.duplicate += c.duplicate;
    sum.irrelevant += c.irrelevant;
    sum.quarantined += c.quarantined;
    sum.settled += c.settled;
    for (const auto& [reason, n] : c.quarantine_reasons) sum.quarantine_reasons[reason] += n;
  }
  return sum;
}

// A record the close cannot take, named with the first few of its kind.
struct Refusals {
  std::map<std::string, std::vector<int64_t>> ids;
  void add(const std::string& reason, int64_t id) { ids[reason].push_back(id); }
  std::string text() const {
    std::string out;
    for (const auto& [reason, list] : ids) {
      out += (out.empty() ? "" : "; ") + std::to_string(list.size()) + " " + reason + " (entry ids ";
      for (size_t i = 0; i < list.size() && i < 5; ++i)
        out += (i ? ", " : "") + std::to_string(list[i]);
      out += list.size() > 5 ? ", ...)" : ")";
    }
    return out;
  }
};

}  // namespace

PeriodClose close_period(host::SettlementLedger& ledger, Period p, int64_t window_s, int64_t now,
                         const CloseProgress& progress, host::SettlementLedger* reader) {
  // 1. Whether it may close.
  if (p.to_unix <= p.from_unix) throw host::BillingConflict("the period ends before it starts");
  if (p.to_unix > now)
    throw host::BillingConflict("the period has not ended yet (it ends " +
                                host::utc_text(p.to_unix) + ")");
  const std::vector<host::ClosedPeriod> closed = ledger.closed_periods();
  for (const host::ClosedPeriod& c : closed)
    if (c.from_unix < p.to_unix && c.to_unix > p.from_unix)
      throw host::BillingConflict("the period " + host::utc_text(c.from_unix) + " to " +
                                  host::utc_text(c.to_unix) + " is closed already (at " +
                                  host::utc_text(c.closed_unix) + ")");
  if (!closed.empty() && p.from_unix != closed.back().to_unix)
    throw host::BillingConflict("the next period to close starts at " +
                                host::utc_text(closed.back().to_unix) +
                                ", where the last closed one ended");

  // 2. and 3. Clean what is undecided before the period; clean the period, each kept record
  // rated and totalled as its page is written; then the late records.
  const Tariffs tariffs = ledger.tariffs();
  if (const std::string problem = tariff_problem(tariffs); !problem.empty())
    throw host::BillingConflict("the tariffs cannot rate: " + problem);
  PeriodClose out;
  out.late = clean_undecided(ledger, p.from_unix, window_s, now, progress);

  const ProviderDirectory directory = ledger.directory();
  std::map<std::string, uint64_t> detail_hash;
  for (const auto& [id, member] : directory.providers) {
    out.members.push_back(member);
    detail_hash[id] = fnv1a64_basis;
  }
  Refusals refused;
  std::string line;
  const auto take = [&](const HistoryRecord& h, bool adjustment) {
    const RatedRecord r = rate(h, tariffs);
    if (!r.ok()) return refused.add(std::string(refusal_name(r.refusal)), h.entry_id);
    if (const DetailRefusal d = detail_line(h, line); d != DetailRefusal::none)
      return refused.add(std::string("detail file: ") + refusal_name(d), h.entry_id);
    line += '\n';
    auto [it, fresh] = detail_hash.try_emplace(h.serving_provider, fnv1a64_basis);
    it->second = fnv1a64(line, it->second);
    if (progress.detail_line) progress.detail_line(h.serving_provider, line);
    out.totals.add(r, adjustment);
    if (adjustment) ++out.period.adjustments; else ++out.period.records;
  };
  out.cleaning = clean_period(
      ledger, p.from_unix, p.to_unix, window_s, now,
      [&](int64_t done) {
        if (progress.page) progress.page("cleaning and totalling", done);
      },
      [&](const HistoryRecord& h) { take(h, false); }, reader);
  each_history(ledger, INT64_MIN, p.from_unix,
               closed.empty() ? host::HistorySet::regular : host::HistorySet::pending_late,
               [&](const HistoryRecord& h) { take(h, true); },
               [&](int64_t done) {
                 if (progress.page) progress.page("totalling adjustments", done);
               });
  if (!refused.ids.empty())
    throw host::BillingConflict("the period cannot close: " + refused.text() +
                                "; fix the tariffs or the records and close again");

  // Every report of every provider the period names, and the statement.
  std::set<std::string> providers;
  for (const Provider& m : out.members) providers.insert(m.id);
  for (const auto& [g, s] : out.totals.groups()) {
    providers.insert(g.serving_provider);
    providers.insert(g.home_provider);
  }
  const auto keep = [&](const std::string& provider, const Table& t) {
    out.checksums.push_back({provider, t.report, checksum(t)});
    if (progress.report) progress.report(provider, t);
  };
  for (const std::string& provider : providers) {
    for (std::string_view report : provider_reports)
      keep(provider, report_table(report, out.totals, out.members, provider, p));
    const auto h = detail_hash.find(provider);
    out.checksums.push_back(
        {provider, "detail_file", checksum_text(h == detail_hash.end() ? fnv1a64_basis : h->second)});
  }
  keep("", report_table("statement", out.totals, out.members, "", p));

  // 4. Write it all, or nothing.
  out.period.from_unix = p.from_unix;
  out.period.to_unix = p.to_unix;
  out.period.closed_unix = now;
  host::PeriodClosing closing{out.period, out.totals, out.members, out.checksums, closed.empty()};
  ledger.close_period(closing);
  return out;
}

std::optional<host::ClosedPeriod> closed_period_of(host::SettlementLedger& ledger, Period p) {
  for (const host::ClosedPeriod& c : ledger.closed_periods()) {
    if (c.from_unix == p.from_unix && c.to_unix == p.to_unix) return c;
    if (c.from_unix < p.to_unix && c.to_unix > p.from_unix)
      throw host::BillingConflict("the period overlaps the closed period " +
                                  host::utc_text(c.from_unix) + " to " +
                                  host::utc_text(c.to_unix) +
                                  ": ask for that one, whose reports are final");
  }
  return std::nullopt;
}

Table closed_table(host::SettlementLedger& ledger, const host::ClosedPeriod& c,
                   std::string_view report, const std::string& provider) {
  const Period p{c.from_unix, c.to_unix};
  const Table t = report_table(report, ledger.closed_totals(c.from_unix),
                               ledger.closed_members(c.from_unix), provider, p);
  const std::string want_provider = report == "statement" ? "" : provider;
  for (const host::ReportChecksum& k : ledger.closed_checksums(c.from_unix)) {
    if (k.provider != want_provider || k.report != report) continue;
    if (k.checksum != checksum(t))
      throw host::BillingConflict("the closed " + std::string(report) + " report of " +
                                  (provider.empty() ? "the settlement" : provider) +
                                  " no longer matches its checksum (" + k.checksum +
                                  " at the close): the store was changed");
    return t;
  }
  throw host::BillingConflict("the closed period has no " + std::string(report) + " report for " +
                              (provider.empty() ? "the settlement" : provider));
}

void each_closed_detail_record(host::SettlementLedger& ledger, const host::ClosedPeriod& c,
                               const std::string& provider,
                               const std::function<void(const HistoryRecord&)>& f) {
  const auto served = [&](const HistoryRecord& h) {
    if (h.serving_provider == provider) f(h);
  };
  each_history(ledger, c.from_unix, c.to_unix, host::HistorySet::regular, served);
  each_history(ledger, c.from_unix, c.to_unix, host::HistorySet::adjusted, served);
}

}  // namespace gm::settlement
