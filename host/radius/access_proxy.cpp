#include "host/radius/access_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "host/radius/access_crypto.h"
#include "host/radius/accounting_record.h"
#include "host/radius/radius_usage.h"

namespace gm::host {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto dead_for = std::chrono::seconds(30);
constexpr auto answers_kept = std::chrono::seconds(30);

sockaddr_in endpoint(uint32_t address, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(address);
  a.sin_port = htons(port);
  return a;
}

void random_bytes(void* out, size_t n) {
  auto* p = static_cast<uint8_t*>(out);
  while (n > 0) {
    const ssize_t got = ::getrandom(p, n, 0);
    if (got <= 0) throw std::runtime_error("radius: getrandom failed");
    p += got;
    n -= static_cast<size_t>(got);
  }
}

std::string hex(const uint8_t* p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) out += {digits[p[i] >> 4], digits[p[i] & 15]};
  return out;
}

}  // namespace

std::map<std::string, std::vector<HomeServer>> load_home_servers(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("radius_realms: cannot read " + path);
  radius::check_private_file(path, "radius_realms");
  std::map<std::string, std::vector<HomeServer>> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const std::string where = path + ":" + std::to_string(n) + ": ";
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string realm, at, secret, extra;
    if (!(words >> realm)) continue;
    if (!(words >> at >> secret) || (words >> extra))
      throw std::runtime_error(where + "expected 'realm address:port secret'");
    const auto colon = at.rfind(':');
    in_addr a{};
    if (colon == std::string::npos || inet_pton(AF_INET, at.substr(0, colon).c_str(), &a) != 1)
      throw std::runtime_error(where + "'" + at + "' is not an IPv4 address:port");
    const std::string port_text = at.substr(colon + 1);
    char* end = nullptr;
    const unsigned long port = std::strtoul(port_text.c_str(), &end, 10);
    if (port_text.empty() || *end != '\0' || port == 0 || port > 65535)
      throw std::runtime_error(where + "'" + port_text + "' is not a port");
    out[radius::realm_of("x@" + realm)].push_back(
        {ntohl(a.s_addr), static_cast<uint16_t>(port), secret});
  }
  return out;
}

AccessProxy::AccessProxy(AccessProxySettings settings, const radius::RadiusClients& clients,
                         LocalAccess* local, const RefusedRealms* refused)
    : settings_(std::move(settings)), clients_(clients), local_(local), refused_(refused) {}

AccessProxy::~AccessProxy() { stop(); }

void AccessProxy::start() {
  if (!settings_.realms_file.empty()) settings_.realms = load_home_servers(settings_.realms_file);
  in_addr ip{};
  if (inet_pton(AF_INET, settings_.listen_ip.c_str(), &ip) != 1)
    throw std::runtime_error("radius_auth_listen: '" + settings_.listen_ip +
                             "' is not an IPv4 address");
  nas_fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  home_fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in at = endpoint(ntohl(ip.s_addr), settings_.port);
  if (::bind(nas_fd_, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0)
    throw std::runtime_error("radius_auth_listen: cannot bind " + settings_.listen_ip + ":" +
                             std::to_string(settings_.port) + ": " + std::strerror(errno));
  socklen_t len = sizeof at;
  ::getsockname(nas_fd_, reinterpret_cast<sockaddr*>(&at), &len);
  port_ = ntohs(at.sin_port);
  // Toward the home servers from the same address: they know this server by it.
  sockaddr_in from = endpoint(ntohl(ip.s_addr), 0);
  ::bind(home_fd_, reinterpret_cast<sockaddr*>(&from), sizeof from);
  thread_ = std::thread([this] { run(); });
}

void AccessProxy::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (nas_fd_ >= 0) ::close(nas_fd_);
  if (home_fd_ >= 0) ::close(home_fd_);
  nas_fd_ = home_fd_ = -1;
}

void AccessProxy::run() {
  struct Key {  // a NAS's request: RFC 5080 section 2.2.2
    uint32_t address;
    uint16_t port;
    uint8_t identifier;
    radius::Authenticator authenticator;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint64_t h;
      std::memcpy(&h, k.authenticator.data(), sizeof h);
      return static_cast<size_t>(h ^ k.address ^ (static_cast<uint64_t>(k.port) << 32) ^
                                 k.identifier);
    }
  };
  struct Pending {
    bool busy = false;
    Key nas{};
    std::vector<uint8_t> request;  // the NAS's, as received: rewritten for each home server
    const radius::RadiusClient* client = nullptr;
    std::vector<HomeServer> servers;  // the realm's, in failover order (a copy: routes expire)
    size_t server = 0;
    std::string routing_realm;  // non-empty: waiting for the routing server's answer about it
    radius::Outbound out;
    Clock::time_point sent{};
  };
  std::array<Pending, 256> slots;
  uint8_t next_slot = 0;
  std::unordered_map<Key, std::vector<uint8_t>, KeyHash> answered;  // empty: on its way
  std::deque<std::pair<Clock::time_point, Key>> answered_order;
  std::map<std::pair<uint32_t, uint16_t>, Clock::time_point> dead_until;
  struct Route {
    std::vector<HomeServer> servers;
    Clock::time_point until;
  };
  std::map<std::string, Route> routes;  // what the routing server answered, while it may be kept
  const bool asks_routes = settings_.route_via_address != 0;
  const auto window = std::chrono::milliseconds(settings_.response_window_ms);

  auto reply_to_nas = [&](const Key& k, const std::vector<uint8_t>& bytes) {
    const sockaddr_in to = endpoint(k.address, k.port);
    ::sendto(nas_fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to),
             sizeof to);
    answered[k] = bytes;
  };
  // Sends slot p's request to its realm's next live home server, from p.server on; false if
  // none is left.
  auto send_home = [&](Pending& p) {
    const auto now = Clock::now();
    for (; p.server < p.servers.size(); ++p.server) {
      const HomeServer& h = p.servers[p.server];
      const auto dead = dead_until.find({h.address, h.port});
      const bool last = p.server + 1 == p.servers.size();
      if (dead != dead_until.end() && now < dead->second && !last) continue;
      random_bytes(p.out.authenticator.data(), p.out.authenticator.size());
      uint8_t state[8];
      random_bytes(state, sizeof state);
      p.out.proxy_state = "gm" + hex(state, sizeof state);
      radius::Packet nas;
      radius::parse(p.request.data(), p.request.size(), nas);
      std::vector<uint8_t> bytes;
      std::string user;
      const radius::RelayRefusal r =
          radius::toward_home(nas, p.client->secret, h.secret, p.out, bytes, user);
      if (r != radius::RelayRefusal::none) {
        ++stats_.refused[static_cast<size_t>(r)];
        return false;
      }
      const sockaddr_in to = endpoint(h.address, h.port);
      ::sendto(home_fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to),
               sizeof to);
      p.sent = now;
      return true;
    }
    return false;
  };

  // A free slot, made ready (its identifier toward the home servers is its index); null if all
  // 256 are out (counted busy).
  auto take_slot = [&]() -> Pending* {
    size_t tries = 0;
    while (slots[next_slot].busy && tries++ < 256) ++next_slot;
    if (slots[next_slot].busy) {
      ++stats_.busy;
      return nullptr;
    }
    Pending& slot = slots[next_slot];
    slot = Pending{};
    slot.busy = true;
    slot.out.identifier = next_slot++;
    return &slot;
  };
  // Asks the routing server about slot p's realm.
  auto ask_route = [&](Pending& p) {
    random_bytes(p.out.authenticator.data(), p.out.authenticator.size());
    const std::vector<uint8_t> bytes = route_query(p.out.identifier, p.out.authenticator,
                                                   settings_.route_via_secret, p.routing_realm);
    const sockaddr_in to = endpoint(settings_.route_via_address, settings_.route_via_port);
    ::sendto(home_fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to),
             sizeof to);
    p.sent = Clock::now();
    ++stats_.routes_asked;
  };

  while (!stopping_) {
    pollfd fds[3] = {{nas_fd_, POLLIN, 0}, {home_fd_, POLLIN, 0},
                     {local_ ? local_->ready_fd() : -1, POLLIN, 0}};
    ::poll(fds, 3, 50);
    const auto now = Clock::now();
    while (!answered_order.empty() && now - answered_order.front().first > answers_kept) {
      answered.erase(answered_order.front().second);
      answered_order.pop_front();
    }
    uint8_t buf[radius::max_packet_size];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n;
    // Whether an Access-Request carries a valid Message-Authenticator; a forgery is counted and
    // gets no answer at all.
    const auto authentic = [&](const radius::Packet& p, const std::string& secret) {
      if (radius::check_message_authenticator(p, nullptr, secret) ==
          radius::MessageAuthenticator::valid)
        return true;
      ++stats_.refused[static_cast<size_t>(radius::RelayRefusal::bad_message_authenticator)];
      return false;
    };
    // From the NASes.
    while ((n = ::recvfrom(nas_fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from),
                           &len)) > 0) {
      ++stats_.requests;
      radius::Packet p;
      if (radius::parse(buf, static_cast<size_t>(n), p) != radius::Refusal::none) continue;
      const Key k{ntohl(from.sin_addr.s_addr), ntohs(from.sin_port), p.identifier,
                  p.authenticator};
      const radius::RadiusClient* client = clients_.find(k.address);
      if (client == nullptr) {
        ++stats_.unknown_client;
        continue;
      }
      if (const auto seen = answered.find(k); seen != answered.end()) {
        ++stats_.duplicates;
        if (!seen->second.empty()) {
          ::sendto(nas_fd_, seen->second.data(), seen->second.size(), 0,
                   reinterpret_cast<sockaddr*>(&from), len);
        }
        continue;
      }
      if (p.code != radius::Code::access_request) {
        ++stats_.refused[static_cast<size_t>(radius::RelayRefusal::not_access_request)];
        continue;
      }
      std::string user;
      p.each_attribute([&](const radius::Attribute& a) {
        if (a.type == radius::attr::user_name) user.assign(a.value);
      });
      const std::string realm_name =
          radius::realm_of(radius::subscriber_named(user, client->realm));
      const auto realm = settings_.realms.find(realm_name);
      if (refused_ != nullptr && refused_->contains(realm_name)) {
        // The settlement operator refuses its provider service (over its credit line): no
        // proxying, no route, until it pays. Only an authentic request hears it.
        if (!authentic(p, client->secret)) continue;
        ++stats_.provider_refused;
        ++stats_.rejected;
        reply_to_nas(k, radius::access_reject(p.identifier, p.authenticator, client->secret,
                                              "provider refused service: over its credit line"));
        answered_order.emplace_back(now, k);
        continue;
      }
      if (settings_.routing) {  // answer which home servers serve the realm; proxy nothing
        if (!authentic(p, client->secret)) continue;
        const bool known = realm != settings_.realms.end() && !realm->second.empty();
        ++(known ? stats_.routes_answered : stats_.unknown_realm);
        reply_to_nas(k, route_answer(p, client->secret,
                                     known ? realm->second : std::vector<HomeServer>{},
                                     settings_.route_keep_s));
        answered_order.emplace_back(now, k);
        continue;
      }
      const auto routed = routes.find(realm_name);
      const bool route_known = routed != routes.end() && now < routed->second.until;
      if ((realm == settings_.realms.end() || realm->second.empty()) && !route_known &&
          asks_routes && (local_ == nullptr || !local_->serves(realm_name))) {
        // Neither listed nor billing's: the routing server knows, or says it is unknown.
        if (!authentic(p, client->secret)) continue;
        Pending* slot = take_slot();
        if (slot == nullptr) continue;  // busy: the NAS retries
        slot->nas = k;
        slot->request.assign(buf, buf + p.length);
        slot->client = client;
        slot->routing_realm = realm_name;
        ask_route(*slot);
        answered[k] = {};  // on its way
        answered_order.emplace_back(now, k);
        continue;
      }
      if ((realm == settings_.realms.end() || realm->second.empty()) && !route_known) {
        // Only an authentic request hears that: a forger learns nothing of the realms.
        if (!authentic(p, client->secret)) continue;
        if (local_ != nullptr) {  // billing decides, or says the realm is unknown
          LocalAccess::Job job{k.address, k.port, {buf, buf + p.length}, client->secret,
                               client->realm, {}};
          if (!local_->submit(std::move(job))) continue;  // busy: the NAS retries
          ++stats_.local;
          answered[k] = {};  // on its way
          answered_order.emplace_back(now, k);
          continue;
        }
        ++stats_.unknown_realm;
        ++stats_.rejected;
        reply_to_nas(k, radius::access_reject(p.identifier, p.authenticator, client->secret,
                                              "unknown realm"));
        answered_order.emplace_back(now, k);
        continue;
      }
      Pending* taken = take_slot();
      if (taken == nullptr) continue;  // busy: the NAS retries
      Pending& slot = *taken;
      slot.nas = k;
      slot.request.assign(buf, buf + p.length);
      slot.client = client;
      slot.servers = route_known ? routed->second.servers : realm->second;
      if (!send_home(slot)) {
        slot.busy = false;
        continue;
      }
      ++stats_.proxied;
      answered[k] = {};  // on its way
      answered_order.emplace_back(now, k);
    }
    // Billing's answers to local realms' requests.
    if (local_ != nullptr && (fds[2].revents & POLLIN) != 0) {
      for (LocalAccess::Job& job : local_->take()) {
        Key k{job.address, job.port, job.request[1], {}};
        std::memcpy(k.authenticator.data(), job.request.data() + 4, k.authenticator.size());
        if (job.answer.empty()) {
          answered.erase(k);  // the store failed: its retry is taken afresh
          continue;
        }
        reply_to_nas(k, job.answer);
      }
    }
    // From the home servers.
    while ((n = ::recvfrom(home_fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from),
                           &len)) > 0) {
      radius::Packet p;
      if (radius::parse(buf, static_cast<size_t>(n), p) != radius::Refusal::none) continue;
      Pending& slot = slots[p.identifier];
      if (!slot.busy) continue;
      if (!slot.routing_realm.empty()) {  // the routing server's answer about a realm
        if (ntohl(from.sin_addr.s_addr) != settings_.route_via_address ||
            ntohs(from.sin_port) != settings_.route_via_port)
          continue;
        std::vector<HomeServer> servers;
        uint32_t keep_s = 0;
        const RouteAnswer a = read_route_answer(p, slot.out.authenticator,
                                                settings_.route_via_secret, servers, keep_s);
        if (a == RouteAnswer::not_authentic || a == RouteAnswer::malformed) {
          ++stats_.refused[static_cast<size_t>(radius::RelayRefusal::not_authentic)];
          continue;
        }
        if (a == RouteAnswer::unknown_realm) {
          ++stats_.unknown_realm;
          ++stats_.rejected;
          reply_to_nas(slot.nas, radius::access_reject(slot.nas.identifier,
                                                       slot.nas.authenticator,
                                                       slot.client->secret, "unknown realm"));
          slot.busy = false;
          continue;
        }
        ++stats_.routes_answered;
        routes[slot.routing_realm] = {servers, now + std::chrono::seconds(keep_s)};
        slot.routing_realm.clear();
        slot.servers = std::move(servers);
        if (send_home(slot)) {
          ++stats_.proxied;
          continue;
        }
        answered.erase(slot.nas);
        slot.busy = false;
        continue;
      }
      const HomeServer& h = slot.servers[slot.server];
      if (ntohl(from.sin_addr.s_addr) != h.address || ntohs(from.sin_port) != h.port) continue;
      std::vector<uint8_t> bytes;
      const radius::RelayRefusal r = radius::toward_nas(p, h.secret, slot.out, slot.client->secret,
                                                        slot.nas.identifier,
                                                        slot.nas.authenticator, bytes);
      if (r != radius::RelayRefusal::none) {
        ++stats_.refused[static_cast<size_t>(r)];
        continue;
      }
      dead_until.erase({h.address, h.port});
      ++(p.code == radius::Code::access_accept   ? stats_.accepted
         : p.code == radius::Code::access_reject ? stats_.rejected
                                                 : stats_.challenged);
      reply_to_nas(slot.nas, bytes);
      slot.busy = false;
    }
    // Silent home servers: the next of the realm, or give up.
    for (Pending& slot : slots) {
      if (!slot.busy || now - slot.sent < window) continue;
      if (!slot.routing_realm.empty()) {  // the routing server is silent: the NAS retries
        ++stats_.unanswered;
        answered.erase(slot.nas);
        slot.busy = false;
        continue;
      }
      const HomeServer& h = slot.servers[slot.server];
      dead_until[{h.address, h.port}] = now + dead_for;
      ++slot.server;
      if (send_home(slot)) {
        ++stats_.failovers;
        continue;
      }
      ++stats_.unanswered;
      answered.erase(slot.nas);  // its retry is taken afresh
      slot.busy = false;
    }
  }
}

}  // namespace gm::host
