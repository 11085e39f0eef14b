#include "host/radius/local_access.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "host/billing/password_hash.h"
#include "host/billing/session_authoriser.h"
#include "host/radius/access_crypto.h"
#include "host/radius/accounting_record.h"
#include "host/radius/radius_usage.h"
#include "host/store/store.h"
#include "shared/proto/wire_limits.h"
#include "shared/record/usage_record.h"

namespace gm::host {

namespace {

constexpr uint8_t attr_chap_password = 3;

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint32_t shortest(std::initializer_list<uint32_t> limits) {
  uint32_t out = 0;
  for (const uint32_t v : limits)
    if (v != 0 && (out == 0 || v < out)) out = v;
  return out;
}

}  // namespace

const char* refusal_name(LocalRefusal r) {
  switch (r) {
    case LocalRefusal::none: return "none";
    case LocalRefusal::unknown_realm: return "unknown_realm";
    case LocalRefusal::no_password: return "no_password";
    case LocalRefusal::chap: return "chap";
    case LocalRefusal::bad_password: return "bad_password";
  }
  return "?";
}

radius::AccessTerms access_terms_of(const gatemeter_AuthResponse& r,
                                    const LocalAccessSettings& settings, bool& accept) {
  radius::AccessTerms t;
  t.reply_message = r.reason;
  accept = wire_enum(r.decision) == gatemeter_AuthDecision_AUTH_APPROVE;
  if (!accept) {
    // A temporary approval waits for the realm's approval system, which only a session billing
    // records can hear from: over RADIUS nothing would ever follow it up.
    if (wire_enum(r.decision) == gatemeter_AuthDecision_AUTH_TEMPORARY)
      t.reply_message = "this realm's approvals need a gatemeter gateway";
    return t;
  }
  // A grant's limits are cumulative from the session's start, which for a new session is now:
  // its charged seconds are the seconds the money buys, its validity where the rate ends.
  const uint32_t money_lasts = r.has_grant ? r.grant.charged_s : 0;
  const uint32_t rate_lasts = r.has_grant ? r.grant.validity_s : 0;
  t.session_timeout_s =
      shortest({money_lasts, rate_lasts, r.session_timeout_s, settings.longest_session_s});
  t.idle_timeout_s = r.idle_timeout_s;
  t.interim_interval_s = settings.interim_interval_s;
  return t;
}

// The worker's own store connection and billing's decision over it.
struct LocalAccess::Decider {
  Decider(const std::string& spec, const LocalAccessSettings& s)
      : store(open_store(spec)),
        authoriser(*store, {terms_for(s), s.zoneinfo}),
        // What an unknown subscriber's check costs too: it hears nothing sooner.
        decoy(billing::hash_password("gatemeter decoy")) {}

  static billing::GrantTerms terms_for(const LocalAccessSettings& s) {
    // One grant for the whole session: the NAS cannot ask for more.
    billing::GrantTerms t;
    t.interval_s = 60;
    t.grant_intervals = std::max<uint32_t>(1, (s.longest_session_s + 59) / 60);
    t.validity_s = s.longest_session_s;
    return t;
  }

  std::unique_ptr<Store> store;
  billing::SessionAuthoriser authoriser;
  std::string decoy;
};

LocalAccess::LocalAccess(std::string store, LocalAccessSettings settings)
    : store_(std::move(store)), settings_(std::move(settings)) {}

LocalAccess::~LocalAccess() { stop(); }

void LocalAccess::start() {
  decider_ = std::make_unique<Decider>(store_, settings_);
  learn_own_realms();
  ready_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] { run(); });
}

void LocalAccess::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (ready_fd_ >= 0) ::close(ready_fd_);
  ready_fd_ = -1;
}

bool LocalAccess::serves(const std::string& realm) const {
  std::lock_guard lock(mutex_);
  return own_.count(realm) != 0;
}

void LocalAccess::learn_own_realms() {
  const billing::CatalogCache& cat = decider_->authoriser.catalog();  // refreshed if it moved
  if (cat.version() == own_version_) return;
  std::set<std::string, std::less<>> own;
  for (const auto& [name, row] : cat.realms())
    if (row.provider.empty()) own.insert(name);
  std::lock_guard lock(mutex_);
  own_ = std::move(own);
  own_version_ = cat.version();
}

bool LocalAccess::submit(Job job) {
  std::lock_guard lock(mutex_);
  if (waiting_.size() >= settings_.max_waiting) {
    ++stats_.dropped;
    return false;
  }
  waiting_.push_back(std::move(job));
  wake_.notify_one();
  return true;
}

std::vector<LocalAccess::Job> LocalAccess::take() {
  uint64_t count;
  (void)!::read(ready_fd_, &count, sizeof count);
  std::lock_guard lock(mutex_);
  return std::exchange(done_, {});
}

void LocalAccess::run() {
  Decider& d = *decider_;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::seconds(1),
                     [&] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      if (waiting_.empty()) {  // a quiet second: what billing's own realms are now
        lock.unlock();
        try {
          learn_own_realms();
        } catch (const std::exception&) {
          ++stats_.store_failed;  // the old list stays until the store answers
        }
        continue;
      }
      job = std::move(waiting_.front());
      waiting_.pop_front();
    }
    radius::Packet p;
    radius::parse(job.request.data(), job.request.size(), p);
    std::string user, nas_identifier;
    std::optional<std::string> password;
    bool chap = false, bad_hiding = false;
    uint32_t nas_ip = 0;
    p.each_attribute([&](const radius::Attribute& a) {
      if (a.type == radius::attr::user_name) user.assign(a.value);
      if (a.type == radius::attr::nas_identifier) nas_identifier.assign(a.value);
      if (a.type == radius::attr::nas_ip_address && a.value.size() == 4)
        for (const char c : a.value) nas_ip = nas_ip << 8 | static_cast<uint8_t>(c);
      if (a.type == attr_chap_password) chap = true;
      if (a.type == radius::attr::user_password) {
        password = radius::reveal_password(a.value, p.authenticator, job.secret);
        bad_hiding = !password;
      }
    });
    const std::string subscriber = radius::subscriber_named(user, job.default_realm);
    auto refuse = [&](LocalRefusal why, const char* words) {
      ++stats_.refused[static_cast<size_t>(why)];
      ++stats_.rejected;
      job.answer = radius::access_reject(p.identifier, p.authenticator, job.secret, words);
    };
    try {
      const host::RealmRow* realm =
          d.authoriser.catalog().realm(radius::realm_of(subscriber));
      if (realm == nullptr || !realm->provider.empty() ||
          subscriber.size() > wire::max_subscriber) {
        refuse(LocalRefusal::unknown_realm, "unknown realm");
      } else if (chap && !password) {
        refuse(LocalRefusal::chap, "CHAP is not offered: use PAP (User-Password)");
      } else if (!password || bad_hiding || password->empty()) {
        refuse(LocalRefusal::no_password, "a password is needed");
      } else {
        const std::string hash = d.store->account_book().subscriber_password_hash(subscriber);
        const bool known = !hash.empty();
        const bool right = billing::password_matches(known ? hash : d.decoy, *password);
        if (!known || !right) {
          refuse(LocalRefusal::bad_password, "wrong user name or password");
        } else {
          gatemeter_AuthRequest ask = gatemeter_AuthRequest_init_zero;
          copy_text(ask.subscriber, sizeof ask.subscriber, subscriber.c_str());
          copy_text(ask.service, sizeof ask.service, "data");  // as its accounting names it
          const gatemeter_AuthResponse r = d.authoriser.decide_only(
              "radius:" + radius::nas_name(nas_identifier, nas_ip), ask, now_unix());
          bool accept = false;
          const radius::AccessTerms terms = access_terms_of(r, settings_, accept);
          ++stats_.decided;
          ++(accept ? stats_.accepted : stats_.rejected);
          job.answer = radius::access_answer(
              accept ? radius::Code::access_accept : radius::Code::access_reject, p.identifier,
              p.authenticator, job.secret, terms);
        }
      }
    } catch (const std::exception&) {
      ++stats_.store_failed;  // unanswered: the NAS retries, perhaps after the store is back
      job.answer.clear();
    }
    std::lock_guard lock(mutex_);
    done_.push_back(std::move(job));
    const uint64_t one = 1;
    (void)!::write(ready_fd_, &one, sizeof one);
  }
}

}  // namespace gm::host
