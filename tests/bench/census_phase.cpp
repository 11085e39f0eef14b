#include "tests/bench/census_phase.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "host/store/store.h"
#include "tests/bench/negative_control.h"

namespace gm::bench {

namespace {

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

PhaseRunner::PhaseRunner(const PhaseSettings& settings, const PrefilledStore& prefill,
                         const std::string& state_dir, const std::string& scratch_dir)
    : settings_(settings), prefill_(prefill), state_dir_(state_dir), scratch_dir_(scratch_dir),
      plan_(static_cast<uint32_t>(prefill.agent_ids.size()), prefill.per_agent) {
  for (int i = 0; i < 8; ++i) {  // several source sockets: SO_REUSEPORT spreads them
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const int buf = 8 << 20;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) != 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    sockets_.push_back(fd);
  }
  for (size_t a = 0; a < prefill.agent_ids.size(); ++a)
    agents_.push_back(std::make_unique<test::TestAgent>(prefill.agent_ids[a], prefill.credentials[a]));
}

PhaseRunner::~PhaseRunner() {
  for (int fd : sockets_) ::close(fd);
}

std::optional<Phase> PhaseRunner::run(const std::string& name, uint32_t per, Walk walk,
                                      double seconds, double rate_per_s, size_t frames,
                                      bool corrupt) {
  ServerProcess server;
  if (!server.start(settings_.server, state_dir_, settings_.census_threads)) return std::nullopt;
  std::string pin_hex;
  std::ifstream(state_dir_ + "/login-pin.sha256") >> pin_hex;
  const auto pin = test::parse_hex32(pin_hex);
  auto t0 = std::chrono::steady_clock::now();
  for (size_t a = 0; a < agents_.size(); ++a)
    if (!pin || !agents_[a]->login("127.0.0.1", server.login_port(), *pin, 30'000)) {
      std::printf("FAIL: %s: login of %s: %s\n", name.c_str(), prefill_.agent_ids[a].c_str(),
                  agents_[a]->error().c_str());
      return std::nullopt;
    }
  const double login_s = since(t0);
  sockaddr_in census{};
  test::parse_endpoint("127.0.0.1:" + std::to_string(server.census_port()), census);

  Phase p;
  p.name = name;
  p.records = std::make_unique<PhaseRecords>(plan_, per, walk);
  t0 = std::chrono::steady_clock::now();
  FramePool pool = seal_frames(agents_, *p.records, frames, std::thread::hardware_concurrency());
  std::printf("  %zu logins in %.1f s; %zu frames sealed (%.0f MB) in %.1f s\n", agents_.size(),
              login_s, pool.size(), pool.bytes() / 1e6, since(t0));
  std::fflush(stdout);
  LoadGenerator gen(agents_, sockets_, census);
  gen.drain();
  std::atomic<bool> running{true};
  std::thread wal_sampler([&] {
    while (running) {
      std::error_code ec;
      const uint64_t size = std::filesystem::file_size(state_dir_ + "/usage.db-wal", ec);
      if (!ec) p.wal_peak_bytes = std::max(p.wal_peak_bytes, size);
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  });
  p.run = gen.run(*p.records, pool, seconds, rate_per_s > 0 ? 0 : settings_.in_flight, rate_per_s,
                  std::chrono::milliseconds(settings_.grace_ms), [&] { return server.cpu_seconds(); });
  running = false;
  wal_sampler.join();
  pool = {};
  server.stop();  // commits and acknowledges what it verified, prints its counters
  p.counters = server.counters();
  if (p.run.frames_sent == frames && p.run.seconds < seconds * 0.99)
    std::printf("  note: all %zu sealed frames were sent and answered after %.1f s of the "
                "phase's %.0f s: the pool was too small for this census\n",
                frames, p.run.seconds, seconds);

  p.records->mark_sent(plan_, p.run.frames_sent);
  try {
    if (corrupt) corrupt_first_ack(p.run.acks);
    p.audit = audit_acks(p.run, *p.records, agents_, plan_);
    p.run.acks = {};
    p.run.sent_at = {};
    if (corrupt) corrupt_store(state_dir_ + "/usage.db", plan_, prefill_.agent_ids[0]);
    p.check = check_store(state_dir_ + "/usage.db", plan_, prefill_.agent_ids);
  } catch (const std::exception& e) {
    std::printf("FAIL: %s: %s\n", name.c_str(), e.what());
    return std::nullopt;
  }
  report_phase(p, rate_per_s > 0, true);
  return p;
}

void report_phase(const Phase& p, bool open_loop, bool show_wal) {
  std::printf("  acks: %llu datagrams acknowledged (%llu late), %llu unanswered, %llu records "
              "credited, %llu not named; refused by the agent's checks: %s\n",
              ull(p.audit.datagrams_acked), ull(p.audit.late_acks), ull(p.audit.unanswered),
              ull(p.audit.records_credited), ull(p.audit.records_not_named),
              p.audit.refusals().c_str());
  if (p.audit.records_by_slice.size() > 1) {
    std::printf("  acknowledged records/s by %.0f s of the phase:", p.audit.slice_seconds);
    for (size_t i = 0; i < p.audit.records_by_slice.size(); ++i) {
      const double len = std::min(p.audit.slice_seconds, p.run.seconds - i * p.audit.slice_seconds);
      if (len > 0.5) std::printf(" %.0f", p.audit.records_by_slice[i] / len);
    }
    if (show_wal) std::printf("; write-ahead log up to %.0f MB", p.wal_peak_bytes / 1e6);
    std::printf("\n");
  }
  if (open_loop) {  // open loop: where in the phase the tail is
    std::printf("  slowest ack (ms) of the datagrams sent in each second:");
    for (double ms : p.audit.worst_ms_by_second) std::printf(" %.0f", ms);
    std::printf("\n");
  }
  std::printf("  store read back in %.1f s: %llu sessions, %llu acknowledged above the prefill; "
              "%llu missing, %llu behind their ack, %llu at a seq never sent, %llu with other "
              "totals, %llu unknown\n",
              p.check.seconds, ull(p.check.sessions_read), ull(p.check.acked_beyond_prefill),
              ull(p.check.missing), ull(p.check.behind), ull(p.check.ahead),
              ull(p.check.wrong_totals), ull(p.check.unknown));
  if (!p.audit.ok())
    std::printf("FAIL: %s: the acks do not say what was sent\n%s", p.name.c_str(),
                p.audit.problems().c_str());
  if (!p.check.ok()) {
    std::printf("FAIL: %s: the store does not hold what the census acknowledged\n", p.name.c_str());
    for (const auto& e : p.check.examples) std::printf("  %s\n", e.c_str());
  }
  std::fflush(stdout);
}

std::optional<CeilingResult> PhaseRunner::ceiling(const Phase& phase) {
  const std::string dir = scratch_dir_ + "/ceiling";
  const auto t0 = std::chrono::steady_clock::now();
  const size_t batch = static_cast<size_t>(phase.counters.records_per_commit() + 0.5);
  double copy_s = 0;
  CeilingResult c;
  try {
    if (!phase.counters.seen) throw std::runtime_error("the server printed no counters");
    copy_s = copy_prefilled_store(prefill_, dir);
    std::vector<int64_t> ids;
    {
      auto store = host::open_store(dir + "/usage.db");
      for (const auto& id : prefill_.agent_ids) ids.push_back(store->find_agent(id)->id);
    }
    std::vector<uint64_t> logins;  // the phase's: the agents have not logged in again since
    for (const auto& a : agents_) logins.push_back(a->login_session());
    c = measure_store_ceiling(dir + "/usage.db", *phase.records, phase.run.frames_sent, batch, ids,
                              logins);
    std::filesystem::remove_all(dir);
  } catch (const std::exception& e) {
    std::printf("FAIL: store ceiling for %s: %s\n", phase.name.c_str(), e.what());
    return std::nullopt;
  }
  std::printf("  fresh copy in %.1f s; %llu records in %llu commits of %zu, %.1f s inside "
              "apply() (%.1f s of it on the CPU), %.1f s in all; write-ahead log up to %.0f MB\n",
              copy_s, ull(c.records), ull(c.commits), batch, c.apply_seconds, c.apply_cpu_seconds,
              since(t0), c.wal_peak_bytes / 1e6);
  if (c.rate_by_slice.size() > 1) {
    std::printf("  records/s by 10 s inside apply():");
    for (double r : c.rate_by_slice) std::printf(" %.0f", r);
    std::printf("\n");
  }
  std::fflush(stdout);
  return c;
}

}  // namespace gm::bench
