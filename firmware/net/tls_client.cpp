#include "firmware/net/tls_client.h"

#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include <cstring>

namespace gm::net {

namespace {
int random_bytes(void* rng, unsigned char* out, size_t length) {
  return static_cast<hal::Rng*>(rng)->fill(out, length) ? 0 : -1;
}
}  // namespace

bool public_key_pin(mbedtls_pk_context& key, uint8_t (&out)[32]) {
  unsigned char der[600];  // SPKI of an EC P-256..P-521 or RSA-4096 key fits
  const int n = mbedtls_pk_write_pubkey_der(&key, der, sizeof der);
  if (n <= 0) return false;
  return mbedtls_sha256_ret(der + sizeof der - n, static_cast<size_t>(n), out, 0) == 0;
}

TlsClient::~TlsClient() { close(); }

bool TlsClient::start(const Io& io, const uint8_t (&pinned_key_sha256)[32], hal::Rng& rng) {
  close();
  mbedtls_ssl_init(&ssl_);
  mbedtls_ssl_config_init(&conf_);
  started_ = true;
  verified_ = false;
  std::memcpy(pin_, pinned_key_sha256, sizeof pin_);
  error_ = "";
  int rc = mbedtls_ssl_config_defaults(&conf_, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                       MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc == 0) {
    // The chain is not checked against CAs: the pinned key below is the whole trust decision.
    mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_NONE);
    mbedtls_ssl_conf_min_version(&conf_, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_rng(&conf_, random_bytes, &rng);
    rc = mbedtls_ssl_setup(&ssl_, &conf_);
  }
  if (rc != 0) {
    error_ = "setup";
    mbedtls_error_ = rc;
    return false;
  }
  mbedtls_ssl_set_bio(&ssl_, io.context, io.send, io.recv, nullptr);
  return true;
}

TlsClient::Step TlsClient::handshake() {
  if (!started_) return Step::failed;
  if (verified_) return Step::ready;
  const int rc = mbedtls_ssl_handshake(&ssl_);
  if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) return Step::busy;
  if (rc != 0) {
    error_ = "handshake";
    mbedtls_error_ = rc;
    return Step::failed;
  }
  const mbedtls_x509_crt* peer = mbedtls_ssl_get_peer_cert(&ssl_);
  uint8_t got[32];
  if (peer == nullptr || !public_key_pin(const_cast<mbedtls_pk_context&>(peer->pk), got)) {
    error_ = "no_peer_key";
    return Step::failed;
  }
  uint8_t diff = 0;
  for (size_t i = 0; i < sizeof got; ++i) diff |= static_cast<uint8_t>(got[i] ^ pin_[i]);
  if (diff != 0) {
    error_ = "pin_mismatch";
    return Step::failed;
  }
  verified_ = true;
  return Step::ready;
}

int TlsClient::write(const uint8_t* data, size_t length) {
  if (!verified_) return -1;
  const int rc = mbedtls_ssl_write(&ssl_, data, length);
  if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) return 0;
  return rc;
}

int TlsClient::read(uint8_t* data, size_t length) {
  if (!verified_) return -1;
  const int rc = mbedtls_ssl_read(&ssl_, data, length);
  if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) return 0;
  if (rc == 0) return -1;  // the server closed
  return rc;
}

void TlsClient::close() {
  if (!started_) return;
  if (verified_) mbedtls_ssl_close_notify(&ssl_);
  mbedtls_ssl_free(&ssl_);
  mbedtls_ssl_config_free(&conf_);
  started_ = false;
  verified_ = false;
}

}  // namespace gm::net
