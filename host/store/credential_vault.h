// Device credentials at rest.
//
// The login proof is an HMAC keyed with the device credential (shared/login/login_proof.h),
// so the login service must hold the credential itself, not a one-way hash of it. To keep a
// copy of the database (a backup, a leaked dump) from giving away every device's identity,
// the store holds each credential sealed with AES-256-GCM under a vault key that lives in its
// own file (mode 0600) beside the TLS key, never in the database. The agent id is the
// associated data, so a sealed credential copied onto another agent's row does not open.
// Login sessions' tag keys are sealed the same way, bound to the login session's id: with a
// tag key anyone could forge an agent's metering frames.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/frame/frame_tag.h"

namespace gm::host {

class CredentialVault {
 public:
  static constexpr size_t key_size = 32;
  using Credential = std::array<uint8_t, 32>;

  // Loads the vault key from path. If absent, creates it (32 random bytes, mode 0600) only when
  // nothing is sealed under a key yet (sealed_agents == 0): a new key would make every stored
  // credential unreadable, so then it throws, explaining. Throws std::runtime_error naming the
  // file when it cannot.
  static CredentialVault open_or_create(const std::string& path, size_t sealed_agents = 0);
  explicit CredentialVault(const std::array<uint8_t, key_size>& key) : key_(key) {}

  // nonce(12) | ciphertext(32) | tag(16)
  std::vector<uint8_t> seal(const Credential& credential, const std::string& agent_id) const;
  std::optional<Credential> open(const std::vector<uint8_t>& sealed,
                                 const std::string& agent_id) const;

  // Tag keys (login sessions' frame keys, frame_tag.h) at rest, bound to their login session.
  std::vector<uint8_t> seal_tag_key(const frame::TagKey& key, uint64_t login_session) const;
  std::optional<frame::TagKey> open_tag_key(const std::vector<uint8_t>& sealed,
                                            uint64_t login_session) const;

  // A fresh random credential for a new agent.
  static Credential generate();

 private:
  std::array<uint8_t, key_size> key_;
};

// Lower-case hex, and its inverse (nullopt on odd length or a non-hex character).
std::string to_hex(const uint8_t* data, size_t n);
std::optional<std::vector<uint8_t>> from_hex(const std::string& text);

// Fills with cryptographically random bytes (OpenSSL's RAND_bytes); throws if it cannot.
void random_bytes(uint8_t* out, size_t n);

}  // namespace gm::host
