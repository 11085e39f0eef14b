// Power-cut torture of the flash journal under the real agent.
//
// A long randomised workload (session starts, authorisations, traffic, stops, ticks, lost
// acknowledgements, uplink outages, real reboots) runs the agent over the journal on simulated
// NOR flash. Before EVERY program and erase it makes, the flash is copied, that operation is
// applied torn to the copy (one random word half-programmed, or a partly erased sector), and a
// fresh journal recovers from the copy. The recovered state must be exactly what the store had
// promised before the interrupted call, or what that call would have made: so no corrupted
// record is returned, every persisted and unacknowledged record is there, nothing forgotten
// comes back, counters never go backwards.
//
// For a sample of the operations (--word-every) the same is done at EVERY word of the write,
// three ways: the torn word left as it was, fully programmed, and with a random subset of its
// bits programmed (an erase: not started, finished, and partly done).
//
// After every cut, the real core::Agent::boot runs on the recovered copy, and what it leaves
// must be exactly what agent.h promises (the boot counted, a block of session ids reserved,
// every open session closed with "agent restart"); then records are put and forgotten until
// two garbage collections have run. That boot-and-collect phase is cut again at one of its
// operations (half the time one inside a collection), recovered, checked, and booted again;
// every --triple-every-th chain is cut a third time in the recovery after that. Throughout, no
// store call may fail while the power is on and the journal must never ask the flash to turn a
// 0 bit into a 1 (SimFlash counts those). Session ids handed out by the agent across its real
// reboots must never repeat.
//
// Negative controls: each of these deliberate journal bugs makes this test fail (tried one at
// a time on a copy of the tree, default options):
//   - the scan skips the payload CRC: torn records are listed ("a listed record could not be
//     read back", states never promised) at first, word, second and third cuts;
//   - the head's torn tail is not zeroed before writing goes on: the boot after a cut asks the
//     flash for 0 -> 1 (nor_violations) and its calls fail with the power on;
//   - the find of the torn tail stops at its first erased byte: the same, less often (only
//     tails with an 0xFF byte inside them);
//   - a collection writes its retire entry before its copies: records lost at cuts inside it.
// The second and third the exact check alone never sees: only the NOR count, the store calls
// that fail with the power on, and the real boot's check do. (Before the journal learned to
// drop a sector holding only a cut collection's copies, this test found that two collections
// cut in a row used up both spare sectors and left the journal full for good.)
//
// Last line: power_cuts=<N> violations=<M> word_cuts=<W> second_cuts_in_gc=<G>
// triple_chains=<T> nor_violations=<V> failed_while_powered=<F>; exit status 1 if M > 0, if V
// or F > 0, or if W, G or T is 0 (the test did not reach what it claims to cover).
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
#include "firmware/store/journal_entry.h"
#include "firmware/store/sim_flash.h"
#include "tests/support/fake_census.h"
#include "tests/support/fake_hal.h"
#include "tests/support/shadow_store.h"

using namespace gm;

namespace {

// Agent::boot reserves session ids this many at a time (id_block in agent.cpp).
constexpr uint64_t agent_id_block = 32;
constexpr uint64_t no_cut = ~uint64_t{0};

class NullLog final : public hal::Log {
 public:
  void write(hal::LogLevel, const char*, int64_t, int64_t) override {}
};

struct Options {
  hal::FlashGeometry geometry{2048, 16, 4};
  uint64_t min_operations = 12000;
  uint64_t seed = 20261123;
  uint64_t word_every = 24;   // about one operation in this many is also cut at every word
  uint64_t triple_every = 2;  // every this-many-th first cut starts a chain of three cuts
};

uint64_t mix(uint64_t x) {
  uint64_t s = x;
  return store::sim_random(s);
}

// Watches one boot-and-collect phase: which of its flash operations belonged to a garbage
// collection. A collection runs at the start of a store call (before the call's own entry) and
// ends with a retire entry, so every operation of a call up to its last retire is collection.
class CollectionWatch final : public store::FlashObserver {
 public:
  explicit CollectionWatch(const test::ShadowStore& sh) : sh_(sh) {}

  std::vector<uint64_t> call_of;  // per operation: the store call it was made in
  std::vector<bool> in_gc;        // per operation: inside a garbage collection
  uint64_t outside_calls = 0;     // operations made outside any store call

  void before_operation(uint64_t index, Op op, uint32_t, const void* data,
                        size_t length) override {
    if (!sh_.in_flight()) ++outside_calls;
    call_of.push_back(sh_.calls());
    in_gc.push_back(false);
    const auto* b = static_cast<const uint8_t*>(data);
    const auto retire = static_cast<uint8_t>(store::entry::Type::retire);
    if (op == Op::program && length >= 2 && b[0] == retire && b[1] == uint8_t(~retire)) {
      for (uint64_t j = index + 1; j-- > 0 && call_of[j] == call_of[index] && !in_gc[j];)
        in_gc[j] = true;
    }
  }

 private:
  const test::ShadowStore& sh_;
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
    count_nor(flash_, flash_.operations(), "workload");
    std::printf("workload: %" PRIu64 " simulated seconds, %" PRIu64 " flash operations, %" PRIu64
                " sessions, %u reboots, %u garbage collections\n",
                seconds, flash_.operations(), static_cast<uint64_t>(ids_.size()), reboots_,
                gc_main_);
    std::printf("word cuts: %" PRIu64 " operations (%" PRIu64 " programs, %" PRIu64
                " erases) cut at every word three ways\n",
                word_ops_, word_ops_ - word_erases_, word_erases_);
    std::printf("boot-and-collect phases: %" PRIu64 " run, %" PRIu64
                " ran garbage collection; second cuts %" PRIu64 " (%" PRIu64
                " inside a collection), third cuts %" PRIu64 "\n",
                phases_, phases_with_gc_, second_cuts_, second_cuts_in_gc_, triple_chains_);
    std::printf("power_cuts=%" PRIu64 " violations=%" PRIu64 " word_cuts=%" PRIu64
                " second_cuts_in_gc=%" PRIu64 " triple_chains=%" PRIu64 " nor_violations=%" PRIu64
                " failed_while_powered=%" PRIu64 "\n",
                cuts_, violations_, word_cuts_, second_cuts_in_gc_, triple_chains_,
                nor_violations_, failed_while_powered_);
    bool covered = true;
    if (flash_.operations() < opt_.min_operations) covered = false;
    if (word_cuts_ == 0 || second_cuts_in_gc_ == 0 || triple_chains_ == 0) covered = false;
    if (!covered) std::printf("NOT COVERED: the run did not reach every kind of cut\n");
    return violations_ == 0 && covered ? 0 : 1;
  }

  // ---- every flash operation of the workload -------------------------------------------------

  void before_operation(uint64_t index, Op op, uint32_t address, const void* data,
                        size_t length) override {
    if (shadow_ == nullptr || !shadow_->in_flight()) {
      violation(index, "a flash operation outside any store call");
      return;
    }
    const test::StoreModel& before = shadow_->model();
    const test::StoreModel& after = shadow_->after_in_flight();
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
    if (recovers_to(copy, before, after, index, "first cut"))
      chain(copy, index, index % opt_.triple_every == 0 ? 3 : 2);

    if (mix(index ^ opt_.seed) % opt_.word_every == 0)
      cut_every_word(index, op, address, data, length);
  }

 private:
  // ---- checks --------------------------------------------------------------------------------

  void violation(uint64_t index, const std::string& what) {
    ++violations_;
    if (violations_ <= 20) std::printf("VIOLATION at op %" PRIu64 ": %s\n", index, what.c_str());
  }

  void count_nor(const store::SimFlash& f, uint64_t index, const std::string& when) {
    if (f.nor_violations() == 0) return;
    nor_violations_ += f.nor_violations();
    violation(index, when + ": " + std::to_string(f.nor_violations()) +
                         " program(s) asked the flash to turn a 0 bit into a 1");
  }

  static std::string describe(const test::StoreModel& m) {
    std::string s = "counters{" + std::to_string(m.counters.boot_count) + "," +
                    std::to_string(m.counters.next_session) + "} records{";
    for (const auto& [id, r] : m.records)
      s += std::to_string(id) + ":" + std::to_string(r.seq) + " ";
    return s + "} config " + std::to_string(m.config.size()) + "B";
  }

  bool recovers_to(std::vector<uint8_t>& image, const test::StoreModel& before,
                   const test::StoreModel& after, uint64_t index, const std::string& when) {
    store::SimFlash f(opt_.geometry, image.data(), false);
    store::Journal j(f);
    const store::JournalStatus st = j.mount();
    if (st != store::JournalStatus::ok) {
      violation(index, when + ": mount failed: " + store::journal_status_name(st));
      return false;
    }
    test::StoreModel got;
    if (!test::read_model(j, got)) {
      violation(index, when + ": a listed record could not be read back");
      return false;
    }
    if (!test::same_model(got, before) && !test::same_model(got, after)) {
      violation(index, when + ": recovered " + describe(got) + "\n  promised " +
                           describe(before) + "\n  or       " + describe(after));
      return false;
    }
    if (got.counters.next_session < before.counters.next_session ||
        got.counters.boot_count < before.counters.boot_count) {
      violation(index, when + ": counters went backwards");
      return false;
    }
    return true;
  }

  // What agent.h says boot() does, stated from what recovery found: the boot counted, a block of
  // session ids reserved (from a random epoch in the high half on blank flash), every record of
  // a session that was still open turned into its STOP with cause "agent restart".
  bool boot_as_promised(const core::BootReport& b, const test::StoreModel& found,
                        const store::RecordStore& j, const test::ShadowStore& sh, uint64_t index,
                        const std::string& when) {
    test::StoreModel want = found;
    want.counters.boot_count = found.counters.boot_count + 1;
    uint64_t first_id = found.counters.next_session;
    if (found.counters.boot_count == 0 && found.counters.next_session <= 1) {
      first_id = j.counters().next_session - agent_id_block;
      if ((first_id >> 32) == 0 || (first_id & 0xFFFFFFFFu) != 1) {
        violation(index, when + ": blank flash, but session ids start at " +
                             std::to_string(first_id) + ", not at an epoch in the high half");
        return false;
      }
    }
    want.counters.next_session = first_id + agent_id_block;
    uint32_t open = 0;
    for (auto& [id, r] : want.records) {
      if (r.kind == gatemeter_RecordKind_RECORD_STOP) continue;
      r.kind = gatemeter_RecordKind_RECORD_STOP;
      r.cause = gatemeter_StopCause_STOP_AGENT_RESTART;
      ++r.seq;
      ++open;
    }
    test::StoreModel got;
    std::string wrong;
    if (b.journal != store::JournalStatus::ok)
      wrong = std::string("it returned ") + store::journal_status_name(b.journal);
    else if (b.boot_count != want.counters.boot_count)
      wrong = "boot_count " + std::to_string(b.boot_count);
    else if (b.records_recovered != found.records.size())
      wrong = "records_recovered " + std::to_string(b.records_recovered) + " of " +
              std::to_string(found.records.size());
    else if (b.sessions_closed != open)
      wrong = "sessions_closed " + std::to_string(b.sessions_closed) + " of " +
              std::to_string(open);
    else if (!test::read_model(j, got))
      wrong = "a record it left cannot be read back";
    else if (!test::same_model(got, want))
      wrong = "it left " + describe(got) + "\n  wanted  " + describe(want);
    else if (!test::same_model(sh.model(), want))
      wrong = "it was promised " + describe(sh.model()) + "\n  wanted  " + describe(want);
    if (wrong.empty()) return true;
    violation(index, when + ": Agent::boot did not do what it promises: " + wrong);
    return false;
  }

  // ---- after a cut: the real boot, then enough work to collect garbage -------------------------

  struct Phase {
    bool ok = false;  // no violation
    bool cut = false;
    uint64_t operations = 0;
    std::vector<uint64_t> gc_ops;
    std::vector<bool> in_gc;
  };

  // Boots the agent over `image` (recovered already, and changed in place), checks the boot,
  // then puts and forgets records until `collections` collections have run (or, with 0, for a
  // few calls: enough to write past whatever the cut left in the head). With cut_at, the power goes
  // at that operation (its word torn by the flash itself) and the recovery from the result is
  // checked. `level` seeds the phase: a cut run replays the clean run of the same level exactly
  // up to its cut.
  // `after` names the cut the phase follows; `cut_name` the cut it makes.
  Phase boot_and_collect(std::vector<uint8_t>& image, uint64_t index, int level, uint64_t cut_at,
                         uint32_t collections, const std::string& after,
                         const std::string& cut_name = "") {
    Phase out;
    const std::string when = "the boot and writes after the " + after;
    const uint64_t salt = mix(opt_.seed ^ index ^ (uint64_t(level) << 56));
    store::SimFlash f(opt_.geometry, image.data(), false, salt);
    f.cut_power_at(cut_at);
    store::Journal j(f);
    test::StoreModel found;
    if (j.mount() != store::JournalStatus::ok || !test::read_model(j, found)) {
      violation(index, when + ": mount failed or a record was unreadable");
      return out;
    }
    test::ShadowStore sh(j);
    sh.adopt(found);
    const uint64_t violations_before = violations_;
    sh.on_failure([&](const char* call, store::JournalStatus st) {
      if (!f.powered()) return;
      ++failed_while_powered_;
      violation(index, when + ": " + call + " failed with the power on: " +
                           store::journal_status_name(st));
    });
    CollectionWatch watch(sh);
    f.observe(&watch);
    test::FakeClock clock;
    test::FakeRng rng(salt);
    NullLog log;
    core::Agent agent(clock, sh, rng, log);
    const core::BootReport b = agent.boot();
    if (f.powered()) boot_as_promised(b, found, j, sh, index, "the boot after the " + after);

    // Then sessions come and go (records put, acknowledged ones forgotten) until enough
    // collections have run.
    std::mt19937_64 r(salt);
    const uint64_t first_id = sh.counters().next_session - agent_id_block;
    const uint32_t gc0 = j.stats().gc_runs;
    const int calls = collections == 0 ? 8 : 3000;
    for (int k = 0; k < calls && f.powered() && !sh.failed() &&
                    (collections == 0 || j.stats().gc_runs < gc0 + collections);
         ++k) {
      const uint64_t id = first_id + r() % 24;
      UsageRecord rec;
      if (r() % 4 == 0 && sh.find(id, rec)) {
        sh.forget(id, rec.seq);
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
      sh.put_record(rec);
    }
    f.observe(nullptr);
    ++phases_;
    if (j.stats().gc_runs != gc0) ++phases_with_gc_;
    if (watch.outside_calls != 0)
      violation(index, when + ": a flash operation outside any store call");
    count_nor(f, index, when);
    out.operations = f.operations();
    out.in_gc = std::move(watch.in_gc);
    for (uint64_t k = 0; k < out.in_gc.size(); ++k)
      if (out.in_gc[k]) out.gc_ops.push_back(k);
    if (cut_at != no_cut) {
      if (f.powered()) {
        violation(index, when + ": the cut did not happen (the phase did not replay its clean run)");
        return out;
      }
      out.cut = true;
      ++cuts_;
      const test::StoreModel& promised = sh.failed() ? sh.after_failed() : sh.model();
      recovers_to(image, sh.model(), promised, index, cut_name);
    }
    out.ok = violations_ == violations_before;
    return out;
  }

  // The chain after a first cut: boot and collect; cut that at one of its operations (half the
  // time one inside a collection); boot and collect again; and, for a chain of three, cut that
  // too and boot once more.
  void chain(const std::vector<uint8_t>& first, uint64_t index, int cuts) {
    static const char* const names[] = {"", "first cut", "second cut", "third cut"};
    std::vector<uint8_t> image = first;
    for (int level = 1;; ++level) {
      std::vector<uint8_t> clean = image;
      const Phase p = boot_and_collect(clean, index, level, no_cut, 2, names[level]);
      if (!p.ok || level == cuts || p.operations == 0) return;
      std::mt19937_64 r(mix(opt_.seed ^ index ^ 0x5EC0D ^ uint64_t(level)));
      const bool into_gc = !p.gc_ops.empty() && r() % 2 == 0;
      const uint64_t at = into_gc ? p.gc_ops[r() % p.gc_ops.size()] : r() % p.operations;
      const Phase c = boot_and_collect(image, index, level, at, 2, names[level], names[level + 1]);
      if (!c.cut || !c.ok) return;
      if (level == 1) {
        ++second_cuts_;
        if (p.in_gc[at]) ++second_cuts_in_gc_;
      } else {
        ++triple_chains_;
      }
    }
  }

  // The operation cut at every word of its write, three ways; every result recovered, checked,
  // booted and collected.
  void cut_every_word(uint64_t index, Op op, uint32_t address, const void* data, size_t length) {
    const test::StoreModel& before = shadow_->model();
    const test::StoreModel& after = shadow_->after_in_flight();
    const uint32_t ws = opt_.geometry.word_size;
    ++word_ops_;
    auto check = [&](std::vector<uint8_t>& image, const std::string& what) {
      ++cuts_;
      ++word_cuts_;
      if (!recovers_to(image, before, after, index, what)) return;
      boot_and_collect(image, index, 0, no_cut, 0, what);
    };
    if (op == Op::erase) {
      ++word_erases_;
      for (int variant = 0; variant < 3; ++variant) {
        std::vector<uint8_t> copy = bytes_;
        uint8_t* sector = copy.data() + address;
        uint64_t tear_rng = mix(opt_.seed ^ index ^ 0xE5A5E);
        if (variant == 1) std::memset(sector, 0xFF, opt_.geometry.sector_size);
        if (variant == 2) store::SimFlash::tear_erase(sector, opt_.geometry.sector_size, ws, tear_rng);
        check(copy, std::string("erase cut ") + (variant == 0   ? "before it began"
                                                 : variant == 1 ? "as it finished"
                                                                : "part-way"));
      }
      return;
    }
    using Torn = store::SimFlash::TornWord;
    for (size_t w = 0; w < length / ws; ++w) {
      for (Torn torn : {Torn::untouched, Torn::programmed, Torn::random}) {
        std::vector<uint8_t> copy = bytes_;
        uint64_t tear_rng = mix(opt_.seed ^ index ^ (w << 40));
        store::SimFlash::tear_program_at(copy.data() + address, ws, data, length, w, torn,
                                         tear_rng);
        check(copy, "word cut at word " + std::to_string(w) + " of " +
                        std::to_string(length / ws) +
                        (torn == Torn::untouched    ? " (none of its bits)"
                         : torn == Torn::programmed ? " (all of its bits)"
                                                    : " (some of its bits)"));
      }
    }
  }

  // ---- the workload --------------------------------------------------------------------------

  void boot() {
    agent_.reset();
    flash_.power_on();
    journal_ = std::make_unique<store::Journal>(flash_);
    shadow_ = std::make_unique<test::ShadowStore>(*journal_);
    shadow_->on_failure([this](const char* call, store::JournalStatus st) {
      if (!flash_.powered()) return;
      ++failed_while_powered_;
      violation(flash_.operations(), std::string("workload: ") + call +
                                         " failed with the power on: " +
                                         store::journal_status_name(st));
    });
    agent_ = std::make_unique<core::Agent>(clock_, *shadow_, agent_rng_, log_);
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
    boot_as_promised(b, m, *journal_, *shadow_, flash_.operations(), "workload boot");
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
    // What the agent recovers must be what it was promised (or the call the cut interrupted:
    // the first that failed, as the agent may have gone on calling until the reboot).
    flash_.power_on();
    std::vector<uint8_t> image = bytes_;
    ++cuts_;
    recovers_to(image, shadow_->model(),
                shadow_->failed() ? shadow_->after_failed() : shadow_->model(),
                flash_.operations(), "real reboot");
    boot();
  }

  Options opt_;
  std::vector<uint8_t> bytes_;
  store::SimFlash flash_;
  std::mt19937_64 rng_;
  test::FakeClock clock_;
  test::FakeRng agent_rng_;
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

  uint64_t cuts_ = 0, violations_ = 0, word_cuts_ = 0, word_ops_ = 0, word_erases_ = 0;
  uint64_t phases_ = 0, phases_with_gc_ = 0, second_cuts_ = 0, second_cuts_in_gc_ = 0;
  uint64_t triple_chains_ = 0, nor_violations_ = 0, failed_while_powered_ = 0;
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
    } else if (std::strncmp(argv[i], "--word-every=", 13) == 0) {
      o.word_every = std::strtoull(argv[i] + 13, nullptr, 10);
    } else if (std::strncmp(argv[i], "--triple-every=", 15) == 0) {
      o.triple_every = std::strtoull(argv[i] + 15, nullptr, 10);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--operations=N] [--seed=S] [--word=1|2|4|8|16] [--word-every=N]"
                   " [--triple-every=N]\n",
                   argv[0]);
      return 2;
    }
  }
  if (o.word_every == 0 || o.triple_every == 0) {
    std::fprintf(stderr, "--word-every and --triple-every take a count of 1 or more\n");
    return 2;
  }
  std::printf("journal torture: %u sectors x %u bytes, %u-byte words, seed %" PRIu64
              ", every word of 1 in %" PRIu64 " operations, chains of three from 1 in %" PRIu64
              " first cuts\n",
              o.geometry.sector_count, o.geometry.sector_size, o.geometry.word_size, o.seed,
              o.word_every, o.triple_every);
  return Torture(o).run();
}
