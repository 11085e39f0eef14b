// settlectl's period close (settlectl_commands.h, period_close.h): `close` closes a period and,
// with --out, publishes every provider's reports and detail file into a folder as it does;
// `periods` lists the closed periods.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "host/billing/catalog_text.h"
#include "host/cli/command_args.h"
#include "host/cli/listing.h"
#include "host/billing/money.h"
#include "host/settlement/cleaning.h"
#include "host/settlement/disbursement_state.h"
#include "host/settlement/period_close.h"
#include "host/settlement/settlectl_commands.h"

namespace gm::host {

namespace {

// A provider id as one path component: [A-Za-z0-9._-] kept, any other byte (and a leading
// dot) as %XX, so "../x" or "a/b" can never leave the folder.
std::string file_name_of(const std::string& id) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < id.size(); ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    if (std::isalnum(c) || c == '-' || c == '_' || (c == '.' && i > 0))
      out += static_cast<char>(c);
    else
      out += {'%', hex[c >> 4], hex[c & 15]};
  }
  return out;
}

void make_folder(const std::string& path) {
  if (::mkdir(path.c_str(), 0750) != 0 && errno != EEXIST)
    throw BillingConflict("cannot create " + path + ": " + std::strerror(errno));
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// The folder a close publishes into: OUT/PROVIDER/{report}.{csv,json,html} and detail_file.txt,
// OUT/statement.{csv,json,html}. Everything is written as the close makes it, under ".part"
// names renamed only once the close has committed: a refused close leaves no file that looks
// whole.
class Publication {
 public:
  explicit Publication(std::string out) : out_(std::move(out)) { make_folder(out_); }

  void detail_line(const std::string& provider, std::string_view line) {
    auto it = files_.find(provider);
    if (it == files_.end()) it = files_.emplace(provider, open_part(detail_path(provider))).first;
    if (std::fwrite(line.data(), 1, line.size(), it->second.get()) != line.size())
      throw BillingConflict("cannot write " + detail_path(provider) + ".part: " +
                            std::strerror(errno));
  }

  void report(const std::string& provider, const settlement::Table& t) {
    const std::string base =
        provider.empty() ? out_ + "/statement" : folder(provider) + "/" + t.report;
    for (const auto& [suffix, text] :
         {std::pair{".csv", settlement::to_csv(t)}, std::pair{".json", settlement::to_json(t)},
          std::pair{".html", settlement::to_html(t)}}) {
      const File f = open_part(base + suffix);
      if (std::fwrite(text.data(), 1, text.size(), f.get()) != text.size() ||
          std::fflush(f.get()) != 0)
        throw BillingConflict("cannot write " + base + suffix + ".part: " + std::strerror(errno));
      parts_.push_back(base + suffix);
    }
  }

  // After the commit: every file under its own name (an empty detail file for a provider whose
  // network carried nothing).
  void finish(const settlement::PeriodClose& c) {
    for (const host::ReportChecksum& k : c.checksums)
      if (k.report == "detail_file" && !files_.count(k.provider))
        files_.emplace(k.provider, open_part(detail_path(k.provider)));
    for (auto& [provider, file] : files_) {
      if (std::fflush(file.get()) != 0)
        throw BillingConflict("cannot write " + detail_path(provider) + ".part: " +
                              std::strerror(errno));
      file.reset();
      parts_.push_back(detail_path(provider));
    }
    files_.clear();
    for (const std::string& path : parts_)
      if (std::rename((path + ".part").c_str(), path.c_str()) != 0)
        throw BillingConflict("cannot rename to " + path + ": " + std::strerror(errno));
    parts_.clear();
  }

  // A refused close: what was begun is removed.
  ~Publication() {
    for (auto& [provider, file] : files_) {
      file.reset();
      parts_.push_back(detail_path(provider));
    }
    for (const std::string& path : parts_) std::remove((path + ".part").c_str());
  }

 private:
  std::string folder(const std::string& provider) const {
    return out_ + "/" + file_name_of(provider);
  }
  std::string detail_path(const std::string& provider) const {
    return folder(provider) + "/detail_file.txt";
  }
  File open_part(const std::string& path) {
    make_folder(path.substr(0, path.rfind('/')));
    File f(std::fopen((path + ".part").c_str(), "w"));
    if (!f) throw BillingConflict("cannot write " + path + ".part: " + std::strerror(errno));
    return f;
  }

  std::string out_;
  std::map<std::string, File> files_;  // the detail files being written
  std::vector<std::string> parts_;     // written whole, waiting for the commit
};

}  // namespace

int close_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("close", words, 0, "", {{"from"}, {"to"}, {"window"}, {"out"}});
  const auto when = [&](const std::string& s) { return parse_when(s, run.now); };
  const settlement::Period p{args.parsed("from", when), args.parsed("to", when)};
  if (p.to_unix <= p.from_unix) args.bad("to", "must be after --from");
  const int64_t window = args.parsed_if("window",
                                        [](const std::string& s) {
                                          return static_cast<int64_t>(
                                              parse_whole(s, 1, settlement::max_session_time_s));
                                        })
                             .value_or(settlement::default_dedup_window_s);
  std::unique_ptr<Publication> publication;
  if (const auto out = args.parsed_if("out", [](const std::string& s) { return s; }))
    publication = std::make_unique<Publication>(*out);

  settlement::CloseProgress progress;
  progress.page = [&](std::string_view step, int64_t done) {
    std::fprintf(stderr, "close: %.*s, %lld records...\n", static_cast<int>(step.size()),
                 step.data(), static_cast<long long>(done));
  };
  if (publication) {
    progress.detail_line = [&](const std::string& provider, std::string_view line) {
      publication->detail_line(provider, line);
    };
    progress.report = [&](const std::string& provider, const settlement::Table& t) {
      publication->report(provider, t);
    };
  }
  // A second connection reads the period ahead while the first writes (period_cleaning.h).
  const auto reader =
      open_store(run.store_spec, {.map_file = false, .page_cache_bytes = 8ll << 20});
  const settlement::PeriodClose c = settlement::close_period(run.store.settlement(), p, window,
                                                             run.now, progress, &reader->settlement());
  if (publication) publication->finish(c);

  std::printf("closed %s to %s: %lld records, %lld adjustments (late records of earlier "
              "periods), %lld groups\n",
              utc_text(p.from_unix).c_str(), utc_text(p.to_unix).c_str(),
              static_cast<long long>(c.period.records),
              static_cast<long long>(c.period.adjustments),
              static_cast<long long>(c.totals.groups().size()));
  std::printf("cleaned: %lld clean, %lld duplicate, %lld irrelevant, %lld quarantined; before "
              "it: %lld late records cleaned, %lld still quarantined\n",
              static_cast<long long>(c.cleaning.clean), static_cast<long long>(c.cleaning.duplicate),
              static_cast<long long>(c.cleaning.irrelevant),
              static_cast<long long>(c.cleaning.quarantined), static_cast<long long>(c.late.clean),
              static_cast<long long>(c.late.quarantined));
  for (const host::ReportChecksum& k : c.checksums)
    if (k.report == "statement") std::printf("statement checksum %s\n", k.checksum.c_str());
  // Its nets are debts and credits now: the exposure the RADIUS servers read follows them.
  SettlementLedger& ledger = run.store.settlement();
  for (const settlement::Exposure& e : settlement::refresh_exposure(
           ledger, settlement::disbursement_state(ledger), run.now))
    if (e.refused)
      std::printf("%s is over its credit line by %s: its realms are refused service\n",
                  e.provider.c_str(), billing::format_money(-e.available_micros).c_str());
  return 0;
}

int periods_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("periods", words, 0, "", {{"csv", true}});
  Listing out({{"from"}, {"to"}, {"closed"}, {"records", true}, {"adjustments", true},
               {"statement_checksum"}});
  SettlementLedger& ledger = run.store.settlement();
  for (const ClosedPeriod& c : ledger.closed_periods()) {
    std::string sum;
    for (const ReportChecksum& k : ledger.closed_checksums(c.from_unix))
      if (k.report == "statement") sum = k.checksum;
    out.add({utc_text(c.from_unix), utc_text(c.to_unix), utc_text(c.closed_unix),
             std::to_string(c.records), std::to_string(c.adjustments), sum});
  }
  out.print(stdout, args.flag("csv"));
  return 0;
}

}  // namespace gm::host
