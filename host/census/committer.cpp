#include "host/census/committer.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace gm::host {

Committer::Committer(UsageLedger& ledger, CommandMailbox& mailbox, LoginRegistry& registry,
                     CommitQueue& queue, Acker& acker, CensusStats& stats,
                     std::chrono::milliseconds command_poll,
                     std::chrono::milliseconds command_resend)
    : ledger_(ledger), mailbox_(mailbox), registry_(registry), queue_(queue), acker_(acker),
      stats_(stats), command_poll_(command_poll), schedule_(command_resend) {}

Committer::~Committer() { join(); }

void Committer::rate_with(CommitRater& rater, std::function<void()> refresh) {
  rater_ = &rater;
  refresh_ = std::move(refresh);
}

void Committer::start() { thread_ = std::thread([this] { run(); }); }

void Committer::join() {
  if (thread_.joinable()) thread_.join();
}

void Committer::run() {
  VerifiedBatch batch;
  auto next_command_read = std::chrono::steady_clock::now();
  for (;;) {
    // Woken by work, or after command_poll without any, so the reads below still happen.
    const bool last = queue_.take(batch, command_poll_);
    if (!commit(batch)) {
      batch.clear();
      if (last) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (std::chrono::steady_clock::now() >= next_command_read) {
      next_command_read = std::chrono::steady_clock::now() + command_poll_;
      // Closed logins leave the registry (their datagrams are refused at commit already).
      registry_.poll();
      read_commands();
    }
    acker_.send(acks_of(batch));
    batch.clear();
    if (last) return;
  }
}

bool Committer::commit(VerifiedBatch& batch) {
  std::vector<RefusalCount>& refusals = batch.commit.refusals;
  std::array<uint64_t, census_refusal_reasons> counted{};
  for (size_t i = 0; i < census_refusal_reasons; ++i) {
    counted[i] = stats_.refused[i].load();
    if (counted[i] > refusals_committed_[i])
      refusals.push_back({census_refusal_name(i), counted[i] - refusals_committed_[i]});
  }
  if (batch.empty() && refusals.empty()) return true;
  if (refresh_ && std::chrono::steady_clock::now() >= next_refresh_) {
    next_refresh_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    try {
      refresh_();
    } catch (const StoreError& e) {
      // The old copy prices on; a rate that starts meanwhile waits for the store to answer.
      std::fprintf(stderr, "census: cannot reload the billing catalog: %s\n", e.what());
    }
  }
  // Presence: every authentic datagram is its gateway's connect signal, written at most every
  // presence_every per gateway (one row each, not one write per datagram).
  const auto now = std::chrono::steady_clock::now();
  for (const VerifiedDatagram& d : batch.commit.datagrams) {
    auto [it, fresh] = last_presence_.try_emplace(d.agent, now);
    if (fresh || now - it->second >= presence_every) {
      it->second = now;
      batch.commit.present.push_back(d.agent);
    }
  }
  CommitDebits debits;
  batch.commit.rater = rater_;
  batch.commit.debits = &debits;
  try {
    // In key order the upserts walk the session B-tree front to back, touching each page
    // once; the order of a session's own records does not matter (newest wins).
    std::sort(batch.commit.records.begin(), batch.commit.records.end(),
              [](const VerifiedRecord& a, const VerifiedRecord& b) {
                return a.agent != b.agent ? a.agent < b.agent
                                          : static_cast<int64_t>(a.record.session_id) <
                                                static_cast<int64_t>(b.record.session_id);
              });
    const auto began = std::chrono::steady_clock::now();
    ledger_.commit_datagrams(batch.commit, std::time(nullptr));
    stats_.observe_commit(std::chrono::steady_clock::now() - began);
  } catch (const StoreError& e) {
    std::fprintf(stderr, "census: commit failed, %zu datagrams not acknowledged: %s\n",
                 batch.acks.size(), e.what());
    stats_.refused[static_cast<size_t>(CensusRefusal::store_failed)] += batch.acks.size();
    return false;
  }
  // Committed and fsynced (the store's contract, usage_ledger.h): from here the acks may go.
  refusals_committed_ = counted;
  ++stats_.commits;
  stats_.sessions_rated += debits.sessions_rated;
  stats_.debited_micros += static_cast<uint64_t>(debits.debited_micros);
  stats_.counters_backwards += debits.counters_backwards;
  for (size_t k = 0; k < batch.acks.size(); ++k) {
    switch (batch.commit.datagrams[k].verdict) {
      case DatagramVerdict::accepted:
        stats_.records_committed += batch.acks[k].count;
        break;
      case DatagramVerdict::login_closed:
        count_refusal(stats_, static_cast<size_t>(CensusRefusal::login_closed),
                      batch.acks[k].reply.to);
        break;
      default:
        count_refusal(stats_, static_cast<size_t>(CensusRefusal::already_committed),
                      batch.acks[k].reply.to);
    }
  }
  for (const CommandConfirmation& c : batch.commit.confirmations) {
    const VerifiedDatagram& d = batch.commit.datagrams[c.datagram];
    if (!d.accepted()) continue;
    ++stats_.confirmations;
    schedule_.confirmed(d.agent, c.command);
  }
  return true;
}

void Committer::read_commands() {
  try {
    schedule_.reload(mailbox_.pending_commands(1024));
  } catch (const StoreError& e) {
    // Until the store answers, no command goes out: one delivered through another node or
    // cancelled meanwhile would otherwise go again.
    schedule_.forget_pending();
    std::fprintf(stderr, "census: cannot read pending commands: %s\n", e.what());
  }
}

// A refused datagram (already_committed, login_closed) is not answered at all: no ack, no commands.
std::vector<AckJob> Committer::acks_of(VerifiedBatch& batch) {
  std::vector<AckJob> jobs;
  if (batch.acks.empty()) return jobs;
  const auto now = std::chrono::steady_clock::now();
  jobs.reserve(batch.acks.size());
  for (size_t k = 0; k < batch.acks.size(); ++k) {
    if (!batch.commit.datagrams[k].accepted()) continue;
    PendingAck& p = batch.acks[k];
    AckJob& j = jobs.emplace_back();
    j.reply = p.reply;
    j.login = std::move(p.login);
    j.ack.datagram_seq = p.seq;
    j.ack.records_count = p.count;
    std::memcpy(j.ack.records, p.records, sizeof(gatemeter_RecordAck) * p.count);
    for (const PendingCommand& c : schedule_.due(j.login->agent, now))
      j.ack.commands[j.ack.commands_count++] = c.command;
    if (j.ack.commands_count > 0) stats_.commands_sent += j.ack.commands_count;
  }
  return jobs;
}

}  // namespace gm::host
