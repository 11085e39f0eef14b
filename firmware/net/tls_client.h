// The agent's TLS client for the login service (mbedTLS, TLS 1.2), independent of transport:
// the caller supplies send/recv callbacks over a POSIX socket or an lwIP TCP connection, and
// drives it step by step, so it never blocks the agent.
//
// Trust is a pinned key, not a CA chain: the login server's public key (SHA-256 of its
// SubjectPublicKeyInfo DER) is configured in the agent, and a server presenting any other key
// is refused after the handshake, before a single login byte is sent.
#pragma once

#include <mbedtls/ssl.h>

#include <cstddef>
#include <cstdint>

#include "firmware/hal/rng.h"

namespace gm::net {

class TlsClient {
 public:
  struct Io {
    void* context;
    // mbedTLS BIO contract: bytes moved, MBEDTLS_ERR_SSL_WANT_READ/WRITE if it would block,
    // another negative value on error; recv returns 0 when the peer closed.
    int (*send)(void* context, const unsigned char* data, size_t length);
    int (*recv)(void* context, unsigned char* data, size_t length);
  };
  enum class Step : uint8_t { busy, ready, failed };

  TlsClient() = default;
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  bool start(const Io& io, const uint8_t (&pinned_key_sha256)[32], hal::Rng& rng);
  // Advances the handshake; ready once it is done and the server's key matched the pin.
  Step handshake();
  // Bytes moved (> 0), 0 if it would block, < 0 on error or close.
  int write(const uint8_t* data, size_t length);
  int read(uint8_t* data, size_t length);
  void close();

  // Why the last step failed, for the log: "pin_mismatch", "handshake", "no_peer_key", ...
  const char* error() const { return error_; }
  int mbedtls_error() const { return mbedtls_error_; }

 private:
  mbedtls_ssl_context ssl_;
  mbedtls_ssl_config conf_;
  bool started_ = false;
  bool verified_ = false;
  uint8_t pin_[32] = {};
  const char* error_ = "";
  int mbedtls_error_ = 0;
};

// SHA-256 of a public key's SubjectPublicKeyInfo DER: what the agent pins.
bool public_key_pin(mbedtls_pk_context& key, uint8_t (&out)[32]);

}  // namespace gm::net
