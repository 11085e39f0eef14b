// A login service for the lwIP login tests: one TLS connection (mbedTLS server over a POSIX
// socket the test opened in its namespace), the challenge, the agent's request checked against
// the credential, and a granted response with the server's proof. Runs on its own thread so
// the test thread can drive lwIP; every wait is bounded by socket timeouts.
#pragma once

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <pb_decode.h>
#include <fcntl.h>
#include <pb_encode.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "firmware/net/tls_client.h"
#include "gatemeter.pb.h"
#include "shared/login/login_proof.h"

namespace gm::test {

class FakeLoginServer {
 public:
  // A throwaway EC key and certificate in a temporary folder.
  FakeLoginServer() : dir_(std::filesystem::temp_directory_path() /
                           ("gm-login-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    const std::string d = dir_.string();
    ok_ = std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                       "-nodes -subj /CN=login.test -days 1 -keyout " + d + "/key.pem -out " + d +
                       "/cert.pem >/dev/null 2>&1").c_str()) == 0;
  }
  ~FakeLoginServer() {
    if (thread_.joinable()) thread_.join();
    std::filesystem::remove_all(dir_);
  }
  bool ok() const { return ok_; }

  bool pin(uint8_t (&out)[32]) const {
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    const bool loaded = mbedtls_pk_parse_keyfile(&pk, (dir_ / "key.pem").c_str(), nullptr) == 0 &&
                        net::public_key_pin(pk, out);
    mbedtls_pk_free(&pk);
    return loaded;
  }

  // Serves one connection accepted on `listener` (a blocking listening socket) on a thread.
  void serve_once(int listener, const std::string& agent_id, const uint8_t (&credential)[32],
                  std::vector<std::string> census) {
    thread_ = std::thread([=, this] {
      uint8_t cred[32];
      std::memcpy(cred, credential, sizeof cred);
      result = serve(listener, agent_id, cred, census);
    });
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::string result = "not_run";  // "granted" or what went wrong

 private:
  std::string serve(int listener, const std::string& agent_id, const uint8_t (&credential)[32],
                    const std::vector<std::string>& census) {
    timeval tv{10, 0};  // bounds every wait below; the test's own loop is bounded too
    ::fcntl(listener, F_SETFL, ::fcntl(listener, F_GETFL) & ~O_NONBLOCK);
    ::setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) return "accept";
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    mbedtls_net_context net;
    mbedtls_net_init(&net);
    net.fd = fd;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt cert;
    mbedtls_pk_context key;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&cert);
    mbedtls_pk_init(&key);
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_init(&ssl);
    std::string outcome = conversation(net, entropy, drbg, cert, key, conf, ssl, agent_id,
                                       credential, census);
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&cert);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    mbedtls_net_free(&net);
    return outcome;
  }

  std::string conversation(mbedtls_net_context& net, mbedtls_entropy_context& entropy,
                           mbedtls_ctr_drbg_context& drbg, mbedtls_x509_crt& cert,
                           mbedtls_pk_context& key, mbedtls_ssl_config& conf,
                           mbedtls_ssl_context& ssl, const std::string& agent_id,
                           const uint8_t (&credential)[32],
                           const std::vector<std::string>& census) {
    if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, nullptr, 0) != 0 ||
        mbedtls_x509_crt_parse_file(&cert, (dir_ / "cert.pem").c_str()) != 0 ||
        mbedtls_pk_parse_keyfile(&key, (dir_ / "key.pem").c_str(), nullptr) != 0 ||
        mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
      return "setup";
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
    if (mbedtls_ssl_conf_own_cert(&conf, &cert, &key) != 0 || mbedtls_ssl_setup(&ssl, &conf) != 0)
      return "setup";
    mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, nullptr);
    if (mbedtls_ssl_handshake(&ssl) != 0) return "handshake";

    gatemeter_LoginChallenge challenge = gatemeter_LoginChallenge_init_zero;
    for (size_t i = 0; i < sizeof challenge.server_nonce; ++i)
      challenge.server_nonce[i] = static_cast<uint8_t>(0xA0 + i);
    if (!write_message(ssl, gatemeter_LoginChallenge_fields, &challenge)) return "write_challenge";

    uint8_t len[2];
    if (!read_exact(ssl, len, 2)) return "read_request";
    std::vector<uint8_t> body(static_cast<size_t>(len[0]) << 8 | len[1]);
    if (!read_exact(ssl, body.data(), body.size())) return "read_request";
    gatemeter_LoginRequest request = gatemeter_LoginRequest_init_zero;
    pb_istream_t in = pb_istream_from_buffer(body.data(), body.size());
    if (!pb_decode(&in, gatemeter_LoginRequest_fields, &request)) return "malformed_request";
    uint8_t expected[login::proof_size];
    login::agent_proof(credential, 32, challenge.server_nonce, request.client_nonce,
                       agent_id.c_str(), expected);
    if (agent_id != request.agent_id || !login::proofs_equal(expected, request.proof))
      return "bad_proof";

    gatemeter_LoginResponse r = gatemeter_LoginResponse_init_zero;
    r.status = gatemeter_LoginStatus_LOGIN_OK;
    r.login_session_id = 0x5151;
    for (size_t i = 0; i < sizeof r.session_key; ++i) r.session_key[i] = static_cast<uint8_t>(i);
    r.metering_interval_s = 10;
    r.track_usage = true;
    for (const std::string& c : census) std::strcpy(r.census[r.census_count++], c.c_str());
    login::server_proof(credential, 32, challenge.server_nonce, request.client_nonce,
                        agent_id.c_str(), r.server_proof);
    if (!write_message(ssl, gatemeter_LoginResponse_fields, &r)) return "write_response";
    mbedtls_ssl_close_notify(&ssl);
    return "granted";
  }

  static bool write_message(mbedtls_ssl_context& ssl, const pb_msgdesc_t* fields, const void* m) {
    uint8_t out[2 + 1024];
    pb_ostream_t s = pb_ostream_from_buffer(out + 2, sizeof out - 2);
    if (!pb_encode(&s, fields, m)) return false;
    out[0] = static_cast<uint8_t>(s.bytes_written >> 8);
    out[1] = static_cast<uint8_t>(s.bytes_written);
    size_t done = 0;
    while (done < 2 + s.bytes_written) {
      const int n = mbedtls_ssl_write(&ssl, out + done, 2 + s.bytes_written - done);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  static bool read_exact(mbedtls_ssl_context& ssl, uint8_t* out, size_t n) {
    size_t got = 0;
    while (got < n) {
      const int r = mbedtls_ssl_read(&ssl, out + got, n - got);
      if (r <= 0) return false;
      got += static_cast<size_t>(r);
    }
    return true;
  }

  std::filesystem::path dir_;
  bool ok_ = false;
  std::thread thread_;
};

}  // namespace gm::test
