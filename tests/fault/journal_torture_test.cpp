// Power-cut torture of the flash journal under the real agent.
//
// A long randomised workload (session starts, authorisations, traffic, stops, ticks, lost
// acknowledgements, uplink outages, real reboots) runs the agent over the journal on simulated
// NOR flash. Before EVERY program and erase it makes, the flash is copied, that operation is
// applied torn to the copy (a half-programmed word, or a partly erased sector), and a fresh
// journal recovers from the copy. The recovered state must be exactly what the store had
// promised before the interrupted call, or what that call would have made: so no corrupted
// record is returned, every persisted and unacknowledged record is there, nothing forgotten
// comes back, counters never go backwards.
//
// Then, on the same copy, the boot that follows (counters bumped, open sessions closed with
// "agent restart") and enough work to run garbage collection are cut again at a random
// operation, recovered and checked the same way. Session ids handed out by the agent across
// its real reboots must never repeat.
//
// Last line: power_cuts=<N> violations=<M>; exit status 1 if M > 0.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "firmware/core/agent.h"
#include "firmware/store/journal.h"
#include "firmware/store/sim_flash.h"
#include "tests/support/fake_census.h"
#include "tests/support/fake_hal.h"
#include "tests/support/shadow_store.h"

using namespace gm;

namespace {

class NullLog final : public hal::Log {
 public:
  void write(hal::LogLevel, const char*, int64_t, int64_t) override {}
};

struct Options {
  hal::FlashGeometry geometry{2048, 16, 4};
  uint64_t min_operations = 12000;
  uint64_t seed = 20261123;
  bool verbose = false;
};

class Torture final : public store::FlashObserver {
 public:
  explicit Torture(const Options& o)
      : opt_(o),
        bytes_(size_t{o.geometry.sector_size} * o.geometry.sector_count),
        flash_(o.geometry, bytes_.data(), true, o.seed),
        rng_(o.seed) {}

  int run() {
    flash_.observe(this);
    boot();
    uint64_t seconds = 0;
    while (flash_.operations() < opt_.min_operations && seconds < 200000) {
      step();
      ++seconds;
    }
    flash_.observe(nullptr);
    gc_main_ += journal_->stats().gc_runs;
    std::printf("workload: %" PRIu64 " simulated seconds, %" PRIu64 " flash operations, %" PRIu64
                " sessions, %u reboots, %u garbage collections\n"
                "recovery phases: %" PRIu64 " ran garbage collection, %" PRIu64 " were cut\n",
                seconds, flash_.operations(), static_cast<uint64_t>(ids_.size()), reboots_,
                gc_main_, gc_seen_, second_cuts_);
    std::printf("power_cuts=%" PRIu64 " violations=%" PRIu64 "\n", cuts_, violations_);
    return violations_ == 0 && flash_.operations() >= opt_.min_operations ? 0 : 1;
  }

  // ---- every flash operation of the workload -------------------------------------------------

  void before_operation(uint64_t index, Op op, uint32_t address, const void* data,
                        size_t length) override {
    if (shadow_ == nullptr || !shadow_->in_flight()) {
      violation(index, "a flash operation outside any store call");
      return;
    }
    std::vector<uint8_t> copy = bytes_;
    uint64_t tear_rng = opt_.seed ^ (index * 0x9E3779B97F4A7C15ull);
    if (op == Op::program) {
      store::SimFlash::tear_program(copy.data() + address, opt_.geometry.word_size, data, length,
                                    tear_rng);
    } else {
      store::SimFlash::tear_erase(copy.data() + address, opt_.geometry.sector_size,
                                  opt_.geometry.word_size, tear_rng);
    }
    ++cuts_;
    if (!recovers_to(copy, shadow_->model(), shadow_->after_in_flight(), index, "first cut"))
      return;
    second_cut(copy, index);
  }

 private:
  // ---- checks --------------------------------------------------------------------------------

  void violation(uint64_t index, const std::string& what) {
    ++violations_;
    if (violations_ <= 20) std::printf("VIOLATION at op %" PRIu64 ": %s\n", index, what.c_str());
  }

  static std::string describe(const test::StoreModel& m) {
    std::string s = "counters{" + std::to_string(m.counters.boot_count) + "," +
                    std::to_string(m.counters.next_session) + "} records{";
    for (const auto& [id, r] : m.records)
      s += std::to_string(id) + ":" + std::to_string(r.seq) + " ";
    return s + "} config " + std::to_string(m.config.size()) + "B";
  }

  bool recovers_to(std::vector<uint8_t>& image, const test::StoreModel& before,
                   const test::StoreModel& after, uint64_t index, const char* when) {
    store::SimFlash f(opt_.geometry, image.data(), false);
    store::Journal j(f);
    const store::JournalStatus st = j.mount();
    if (st != store::JournalStatus::ok) {
      violation(index, std::string(when) + ": mount failed: " + store::journal_status_name(st));
      return false;
    }
    test::StoreModel got;
    if (!test::read_model(j, got)) {
      violation(index, std::string(when) + ": a listed record could not be read back");
      return false;
    }
    if (!test::same_model(got, before) && !test::same_model(got, after)) {
      violation(index, std::string(when) + ": recovered " + describe(got) + "\n  promised " +
                           describe(before) + "\n  or       " + describe(after));
      return false;
    }
    if (got.counters.next_session < before.counters.next_session ||
        got.counters.boot_count < before.counters.boot_count) {
      violation(index, std::string(when) + ": counters went backwards");
      return false;
    }
    return true;
  }

  // The boot after a cut, then work until garbage collection has run. A dry run on a copy
  // counts that phase's operations; the real run is cut at a random one of them.
  void second_cut(const std::vector<uint8_t>& image, uint64_t index) {
    std::vector<uint8_t> dry = image;
    const uint64_t ops = recovery_phase(dry, index, ~uint64_t{0}, false);
    if (ops == 0) return;
    std::vector<uint8_t> cut = image;
    std::mt19937_64 r(opt_.seed ^ index ^ 0x5EC0D);
    recovery_phase(cut, index, r() % ops, true);
  }

  // Returns the number of flash operations the phase made (0 after a violation).
  uint64_t recovery_phase(std::vector<uint8_t>& image, uint64_t index, uint64_t cut_at,
                          bool check) {
    std::mt19937_64 r(opt_.seed ^ index);
    store::SimFlash f(opt_.geometry, image.data(), false, index);
    f.cut_power_at(cut_at);
    store::Journal j(f);
    test::StoreModel start;
    if (j.mount() != store::JournalStatus::ok || !test::read_model(j, start)) {
      violation(index, "second phase: mount failed or a record was unreadable");
      return 0;
    }
    test::ShadowStore sh(j);
    sh.adopt(start);

    bool failed = false;
    store::JournalStatus failure = store::JournalStatus::ok;
    auto ok = [&](store::JournalStatus st) {
      if (st != store::JournalStatus::ok && st != store::JournalStatus::not_found) {
        failed = true;
        failure = st;
      }
      return !failed;
    };
    // What Agent::boot does: count the boot, reserve ids, close what was open.
    store::Counters c = sh.counters();
    ++c.boot_count;
    c.next_session += 32;
    if (ok(sh.put_counters(c))) {
      for (const auto& [id, rec] : start.records) {
        if (rec.kind == gatemeter_RecordKind_RECORD_STOP) continue;
        UsageRecord stop = rec;
        ++stop.seq;
        stop.kind = gatemeter_RecordKind_RECORD_STOP;
        stop.cause = gatemeter_StopCause_STOP_AGENT_RESTART;
        if (!ok(sh.put_record(stop))) break;
      }
    }
    // Then new sessions come and go until two collections have run.
    const uint32_t gc0 = j.stats().gc_runs;
    for (int k = 0; k < 3000 && !failed && j.stats().gc_runs < gc0 + 2; ++k) {
      const uint64_t id = c.next_session - 32 + r() % 24;
      UsageRecord rec;
      if (r() % 4 == 0 && sh.find(id, rec)) {
        ok(sh.forget(id, rec.seq));
        continue;
      }
      rec = UsageRecord{};
      rec.session_id = id;
      auto it = sh.model().records.find(id);
      rec.seq = (it == sh.model().records.end() ? 0 : it->second.seq) + 1;
      rec.kind = gatemeter_RecordKind_RECORD_INTERIM;
      rec.totals = {rec.seq * 10, 0, rec.seq * 100ull, 7};
      copy_text(rec.subscriber, sizeof rec.subscriber, "phase2@realm.example");
      copy_text(rec.service, sizeof rec.service, "wifi");
      ok(sh.put_record(rec));
    }
    if (!check) {
      if (failed) {
        violation(index, std::string("second phase: a store call failed: ") +
                             store::journal_status_name(failure));
        return 0;
      }
      if (j.stats().gc_runs != gc0) ++gc_seen_;
      return f.operations();
    }
    if (f.powered()) return f.operations();  // the cut fell after the last call's last write
    ++cuts_;
    ++second_cuts_;
    recovers_to(image, sh.model(), sh.after_in_flight(), index, "second cut");
    return f.operations();
  }

  // ---- the workload --------------------------------------------------------------------------

  void boot() {
    agent_.reset();
    flash_.power_on();
    journal_ = std::make_unique<store::Journal>(flash_);
    shadow_ = std::make_unique<test::ShadowStore>(*journal_);
    agent_ = std::make_unique<core::Agent>(clock_, *shadow_, log_);
    core::AgentSettings s;
    s.interval_s = 10;
    s.copies = 1;
    s.retransmit_ms = 2000;
    s.persist_after_ms = 4000;
    s.failover_after_ms = 1u << 30;
    agent_->apply_settings(s);
    // The model starts from what recovery found (checked against the promise in reboot()).
    test::StoreModel m;
    if (journal_->mount() != store::JournalStatus::ok || !test::read_model(*journal_, m))
      violation(flash_.operations(), "boot: mount failed or a record was unreadable");
    shadow_->adopt(m);
    const core::BootReport b = agent_->boot();
    if (b.journal != store::JournalStatus::ok && flash_.powered())
      violation(flash_.operations(), "boot failed with power on");
    login();
  }

  void login() {
    core::LoginGrant g;
    g.login_session = ++login_session_;
    for (int i = 0; i < 32; ++i) g.session_key[i] = static_cast<uint8_t>(i * 3 + login_session_);
    g.interval_s = 10;
    census_ = std::make_unique<test::FakeCensus>(g.login_session, g.session_key);
    agent_->on_login(g, uplink_);
    attached_ = true;
  }

  uint64_t pick_session() {
    const auto& t = agent_->sessions();
    std::vector<uint64_t> live;
    for (const core::Session& s : t)
      if (s.in_use() && s.state != core::SessionState::stopping) live.push_back(s.id);
    return live.empty() ? 0 : live[rng_() % live.size()];
  }

  void step() {
    clock_.advance_s(1);
    const uint64_t roll = rng_() % 1000;
    // Outages: datagrams vanish for a while; sometimes the board notices and detaches.
    if (outage_left_ > 0) {
      if (--outage_left_ == 0) {
        uplink_.accept = true;
        if (!attached_) login();
      }
    } else if (roll < 4) {
      outage_left_ = 20 + rng_() % 200;
      uplink_.accept = false;
      if (rng_() % 2) {
        agent_->on_uplink_lost();
        attached_ = false;
      }
    }
    if (rng_() % 3 == 0) {
      uint64_t id = 0;
      char who[48];
      std::snprintf(who, sizeof who, "user%03u@realm%u.example", unsigned(rng_() % 500),
                    unsigned(rng_() % 4));
      if (agent_->start_session(who, rng_() % 2 ? "wifi" : "premium",
                                gatemeter_BillingOption_BILLING_PREPAID, id) ==
          core::StartResult::ok) {
        if (!ids_.insert(id).second) violation(flash_.operations(), "a session id was reused");
        const uint64_t d = rng_() % 10;
        agent_->authorise(id, d == 0   ? gatemeter_AuthDecision_AUTH_REJECT
                              : d == 1 ? gatemeter_AuthDecision_AUTH_TEMPORARY
                                       : gatemeter_AuthDecision_AUTH_APPROVE,
                          30);
      }
    }
    for (int k = 0; k < 3; ++k)
      if (uint64_t id = pick_session()) agent_->on_traffic(id, rng_() % 100000, rng_() % 20000);
    if (rng_() % 4 == 0)
      if (uint64_t id = pick_session())
        agent_->stop_session(id, 1 + static_cast<int32_t>(rng_() % 6));
    if (rng_() % 97 == 0)
      if (uint64_t id = pick_session()) agent_->set_free_period(id, 60);

    // A real power cut, now and then, a few operations ahead.
    if (!cut_armed_ && rng_() % 400 == 0) {
      flash_.cut_power_at(flash_.operations() + rng_() % 8);
      cut_armed_ = true;
    }
    agent_->tick();
    exchange();
    if (!flash_.powered()) reboot();
  }

  void exchange() {
    auto sent = std::move(uplink_.sent);
    uplink_.sent.clear();
    for (const auto& d : sent) {
      auto ack = census_->receive(d);
      if (!ack.empty() && rng_() % 5 != 0) agent_->on_datagram(ack.data(), ack.size());
      if (!flash_.powered()) return;
    }
  }

  void reboot() {
    ++reboots_;
    gc_main_ += journal_->stats().gc_runs;
    cut_armed_ = false;
    // What the agent recovers must be what it was promised (or the call the cut interrupted).
    flash_.power_on();
    std::vector<uint8_t> image = bytes_;
    ++cuts_;
    recovers_to(image, shadow_->model(), shadow_->after_in_flight(), flash_.operations(),
                "real reboot");
    boot();
  }

  Options opt_;
  std::vector<uint8_t> bytes_;
  store::SimFlash flash_;
  std::mt19937_64 rng_;
  test::FakeClock clock_;
  NullLog log_;
  test::CaptureUplink uplink_;
  std::unique_ptr<test::FakeCensus> census_;
  std::unique_ptr<store::Journal> journal_;
  std::unique_ptr<test::ShadowStore> shadow_;
  std::unique_ptr<core::Agent> agent_;
  uint64_t login_session_ = 0;
  bool attached_ = false;
  uint32_t outage_left_ = 0;
  bool cut_armed_ = false;
  std::set<uint64_t> ids_;

  uint64_t cuts_ = 0, violations_ = 0, second_cuts_ = 0, gc_seen_ = 0;
  unsigned reboots_ = 0;
  uint32_t gc_main_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--operations=", 13) == 0) {
      o.min_operations = std::strtoull(argv[i] + 13, nullptr, 10);
    } else if (std::strncmp(argv[i], "--seed=", 7) == 0) {
      o.seed = std::strtoull(argv[i] + 7, nullptr, 10);
    } else if (std::strncmp(argv[i], "--word=", 7) == 0) {
      o.geometry.word_size = static_cast<uint32_t>(std::strtoul(argv[i] + 7, nullptr, 10));
      const uint32_t w = o.geometry.word_size;
      if (w != 1 && w != 2 && w != 4 && w != 8 && w != 16) {
        std::fprintf(stderr, "--word: %s is not a NOR word size the journal supports (1, 2, 4, 8, 16)\n",
                     argv[i] + 7);
        return 2;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--operations=N] [--seed=S] [--word=1|2|4|8|16]\n", argv[0]);
      return 2;
    }
  }
  std::printf("journal torture: %u sectors x %u bytes, %u-byte words, seed %" PRIu64 "\n",
              o.geometry.sector_count, o.geometry.sector_size, o.geometry.word_size, o.seed);
  return Torture(o).run();
}
