#include "host/radius/radius_forwarder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>

#include "host/radius/accounting_record.h"
#include "host/store/store.h"

namespace gm::host {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto first_wait = std::chrono::seconds(2);
constexpr auto longest_wait = std::chrono::seconds(30);
constexpr size_t read_ahead = 1024;

void append(std::vector<uint8_t>& out, uint8_t type, const void* value, size_t n) {
  out.push_back(type);
  out.push_back(static_cast<uint8_t>(n + 2));
  const auto* b = static_cast<const uint8_t*>(value);
  out.insert(out.end(), b, b + n);
}

}  // namespace

std::vector<uint8_t> forwarded_request(const std::vector<uint8_t>& packet, uint8_t identifier,
                                       uint32_t waited_s, const std::string& secret) {
  radius::Packet p;
  if (radius::parse(packet.data(), packet.size(), p) != radius::Refusal::none) return {};
  std::vector<uint8_t> out(radius::header_size, 0);
  out[0] = packet[0];
  out[1] = identifier;
  uint32_t delay = 0;
  p.each_attribute([&](const radius::Attribute& a) {
    if (a.type == radius::attr::acct_delay_time && a.value.size() == 4) {
      const auto* b = reinterpret_cast<const uint8_t*>(a.value.data());
      delay = static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 |
              static_cast<uint32_t>(b[2]) << 8 | b[3];
      return;
    }
    append(out, a.type, a.value.data(), a.value.size());
  });
  const uint32_t d = delay + waited_s;
  const uint8_t v[4] = {static_cast<uint8_t>(d >> 24), static_cast<uint8_t>(d >> 16),
                        static_cast<uint8_t>(d >> 8), static_cast<uint8_t>(d)};
  if (out.size() + 6 > radius::max_packet_size) return {};
  append(out, radius::attr::acct_delay_time, v, 4);
  out[2] = static_cast<uint8_t>(out.size() >> 8);
  out[3] = static_cast<uint8_t>(out.size());
  const radius::Authenticator a =
      radius::accounting_request_authenticator(out.data(), out.size(), secret);
  std::memcpy(out.data() + 4, a.data(), a.size());
  return out;
}

std::vector<uint8_t> with_operator_name(const std::vector<uint8_t>& packet,
                                        const std::string& realm) {
  radius::Packet p;
  if (realm.empty() || realm.size() > 252 ||
      radius::parse(packet.data(), packet.size(), p) != radius::Refusal::none ||
      p.length + 3 + realm.size() > radius::max_packet_size)
    return packet;
  bool named = false;
  p.each_attribute([&](const radius::Attribute& a) {
    named |= a.type == radius::attr::operator_name;
  });
  if (named) return packet;
  std::vector<uint8_t> out(packet.begin(), packet.begin() + static_cast<ptrdiff_t>(p.length));
  const std::string value = "1" + realm;
  append(out, radius::attr::operator_name, value.data(), value.size());
  out[2] = static_cast<uint8_t>(out.size() >> 8);
  out[3] = static_cast<uint8_t>(out.size());
  return out;
}

RadiusForwarder::RadiusForwarder(std::string store, std::string bind_ip, std::string to_ip,
                                 uint16_t to_port, std::string secret, ForwardStats& stats)
    : store_(std::move(store)),
      bind_ip_(std::move(bind_ip)),
      to_ip_(std::move(to_ip)),
      secret_(std::move(secret)),
      to_port_(to_port),
      stats_(stats) {}

RadiusForwarder::~RadiusForwarder() { stop(); }

void RadiusForwarder::start() { thread_ = std::thread([this] { run(); }); }

void RadiusForwarder::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RadiusForwarder::wake() {
  {
    std::lock_guard lock(mutex_);
    due_ = true;
  }
  wake_.notify_one();
}

void RadiusForwarder::run() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in from{}, to{};
  from.sin_family = to.sin_family = AF_INET;
  inet_pton(AF_INET, bind_ip_ == "0.0.0.0" ? "0.0.0.0" : bind_ip_.c_str(), &from.sin_addr);
  inet_pton(AF_INET, to_ip_.c_str(), &to.sin_addr);
  to.sin_port = htons(to_port_);
  // From the listening address: the central knows this server by it (its clients file).
  ::bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof from);
  ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to);

  struct Slot {
    int64_t id = 0;  // the queue row; 0: free
    std::vector<uint8_t> bytes;
    Clock::time_point sent{};
    Clock::duration wait = first_wait;
  };
  std::array<Slot, 256> slots;
  std::deque<QueuedRequest> pending;
  std::vector<int64_t> done;
  int64_t read_to = 0;  // every row up to it is pending, in flight or done
  size_t busy = 0;
  uint8_t next_id = 0;
  std::unique_ptr<Store> store;
  auto next_flush = Clock::now();

  for (;;) {
    {
      std::unique_lock lock(mutex_);
      // Idle: nothing pending and nothing in flight; sleep until something is queued.
      if (pending.empty() && busy == 0 && done.empty())
        wake_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping_ || due_; });
      due_ = false;
      if (stopping_) break;
    }
    try {
      if (!store) store = open_store(store_);
      if (pending.size() < read_ahead) {
        for (QueuedRequest& q : store->radius().queued(read_to, read_ahead)) {
          read_to = q.id;
          pending.push_back(std::move(q));
        }
      }
      if (!done.empty() && (done.size() >= 512 || Clock::now() >= next_flush)) {
        store->radius().forwarded(done);
        stats_.forwarded += done.size();
        done.clear();
        stats_.queued = store->radius().queue_length();
      }
      if (Clock::now() >= next_flush) next_flush = Clock::now() + std::chrono::milliseconds(100);
    } catch (const std::exception& e) {
      ++stats_.store_failed;
      std::fprintf(stderr, "radius forward: the queue cannot be read or cleared, again soon: %s\n",
                   e.what());
      store.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    // Send what waits, one free Identifier each.
    const int64_t now_unix = static_cast<int64_t>(std::time(nullptr));
    while (!pending.empty() && busy < slots.size()) {
      while (slots[next_id].id != 0) ++next_id;
      Slot& s = slots[next_id];
      QueuedRequest& q = pending.front();
      const uint32_t waited =
          now_unix > q.received_unix ? static_cast<uint32_t>(now_unix - q.received_unix) : 0;
      s.bytes = forwarded_request(q.packet, next_id, waited, secret_);
      if (s.bytes.empty()) {
        // Checked before it was queued, so never; but a row nobody can send must not block.
        std::fprintf(stderr, "radius forward: queued request %lld does not parse; dropped\n",
                     static_cast<long long>(q.id));
        done.push_back(q.id);
        pending.pop_front();
        continue;
      }
      s.id = q.id;
      s.wait = first_wait;
      s.sent = Clock::now();
      ::send(fd, s.bytes.data(), s.bytes.size(), 0);
      ++busy;
      ++next_id;
      pending.pop_front();
    }
    // Answers: each must be the central's, for the request its Identifier names.
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, busy == 0 && done.empty() ? 0 : 20);
    uint8_t buf[radius::max_packet_size];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
      radius::Packet reply;
      if (radius::parse(buf, static_cast<size_t>(n), reply) != radius::Refusal::none ||
          reply.code != radius::Code::accounting_response) {
        ++stats_.refused_answers;
        continue;
      }
      Slot& s = slots[reply.identifier];
      if (s.id == 0) continue;  // a second answer to one answered already
      radius::Authenticator request_auth;
      std::memcpy(request_auth.data(), s.bytes.data() + 4, request_auth.size());
      uint8_t expect[radius::header_size];
      radius::accounting_response(reply.identifier, request_auth, secret_, expect, sizeof expect);
      if (reply.length != radius::header_size ||
          std::memcmp(expect + 4, reply.authenticator.data(), 16) != 0) {
        ++stats_.refused_answers;
        continue;
      }
      done.push_back(s.id);
      s.id = 0;
      --busy;
    }
    // Unanswered: again, the same octets, each time after longer.
    const auto now = Clock::now();
    for (Slot& s : slots)
      if (s.id != 0 && now - s.sent >= s.wait) {
        ::send(fd, s.bytes.data(), s.bytes.size(), 0);
        s.sent = now;
        s.wait = std::min<Clock::duration>(2 * s.wait, longest_wait);
        ++stats_.resent;
      }
  }
  // Answered but not yet cleared: cleared now, or forwarded again after a restart (harmless).
  if (!done.empty() && store) {
    try {
      store->radius().forwarded(done);
      stats_.forwarded += done.size();
    } catch (const std::exception&) {
    }
  }
  ::close(fd);
}

}  // namespace gm::host
