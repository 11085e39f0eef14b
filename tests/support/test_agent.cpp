#include "tests/support/test_agent.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pb_decode.h>
#include <pb_encode.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "shared/login/login_proof.h"
#include "shared/proto/wire_limits.h"
#include "shared/record/usage_record.h"

namespace gm::test {

bool parse_endpoint(const std::string& text, sockaddr_in& out) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  out = {};
  out.sin_family = AF_INET;
  if (inet_pton(AF_INET, text.substr(0, colon).c_str(), &out.sin_addr) != 1) return false;
  try {
    const unsigned long port = std::stoul(text.substr(colon + 1));
    if (port == 0 || port > 65535) return false;
    out.sin_port = htons(static_cast<uint16_t>(port));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

std::optional<std::array<uint8_t, 32>> parse_hex32(const std::string& hex) {
  std::string h = hex;
  while (!h.empty() && (h.back() == '\n' || h.back() == '\r' || h.back() == ' ')) h.pop_back();
  if (h.size() != 64) return std::nullopt;
  std::array<uint8_t, 32> out{};
  for (size_t i = 0; i < 32; ++i) {
    unsigned v = 0;
    if (std::sscanf(h.c_str() + 2 * i, "%2x", &v) != 1) return std::nullopt;
    out[i] = static_cast<uint8_t>(v);
  }
  return out;
}

TestAgent::~TestAgent() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

using SslCtx = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using Ssl = std::unique_ptr<SSL, decltype(&SSL_free)>;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool read_exact(SSL* ssl, uint8_t* out, size_t n) {
  while (n > 0) {
    const int r = SSL_read(ssl, out, static_cast<int>(n));
    if (r <= 0) return false;
    out += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool read_message(SSL* ssl, const pb_msgdesc_t* fields, void* msg) {
  uint8_t len[2];
  if (!read_exact(ssl, len, 2)) return false;
  const size_t n = static_cast<size_t>(len[0]) << 8 | len[1];
  std::vector<uint8_t> body(n);
  if (!read_exact(ssl, body.data(), n)) return false;
  pb_istream_t in = pb_istream_from_buffer(body.data(), n);
  return pb_decode(&in, fields, msg);
}

}  // namespace

bool TestAgent::login(const std::string& ip, uint16_t port, const Bytes32& pin, int timeout_ms,
                      const std::vector<gatemeter_ComponentVersion>& components) {
  grant_ = gatemeter_LoginResponse_init_zero;
  auto fail = [this](const char* why) {
    error_ = why;
    return false;
  };

  Fd sock{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (sock.fd < 0 || inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) return fail("address");
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(sock.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(sock.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return fail("connect");

  SslCtx ctx(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  if (!ctx) return fail("tls_context");
  // The agent speaks TLS 1.2 (mbedTLS 2.28); so does this client, to test what agents see.
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);  // trust is the pin, checked below
  Ssl ssl(SSL_new(ctx.get()), &SSL_free);
  if (!ssl || SSL_set_fd(ssl.get(), sock.fd) != 1 || SSL_connect(ssl.get()) != 1)
    return fail("handshake");

  X509* cert = SSL_get1_peer_certificate(ssl.get());
  if (cert == nullptr) return fail("no_peer_key");
  unsigned char* der = nullptr;
  const int der_len = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
  X509_free(cert);
  Bytes32 seen{};
  if (der_len <= 0) return fail("no_peer_key");
  SHA256(der, static_cast<size_t>(der_len), seen.data());
  OPENSSL_free(der);
  if (seen != pin) return fail("pin_mismatch");

  gatemeter_LoginChallenge challenge = gatemeter_LoginChallenge_init_zero;
  if (!read_message(ssl.get(), gatemeter_LoginChallenge_fields, &challenge)) return fail("challenge");

  gatemeter_LoginRequest req = gatemeter_LoginRequest_init_zero;
  copy_text(req.agent_id, sizeof req.agent_id, agent_id_.c_str());
  RAND_bytes(req.client_nonce, sizeof req.client_nonce);
  login::agent_proof(credential_.data(), credential_.size(), challenge.server_nonce,
                     req.client_nonce, req.agent_id, req.proof);
  for (const auto& c : components)
    if (req.components_count < wire::max_components) req.components[req.components_count++] = c;
  req.boot_count = 1;
  uint8_t out[2 + gatemeter_LoginRequest_size];
  pb_ostream_t os = pb_ostream_from_buffer(out + 2, sizeof out - 2);
  if (!pb_encode(&os, gatemeter_LoginRequest_fields, &req)) return fail("encode");
  out[0] = static_cast<uint8_t>(os.bytes_written >> 8);
  out[1] = static_cast<uint8_t>(os.bytes_written);
  if (SSL_write(ssl.get(), out, static_cast<int>(2 + os.bytes_written)) <= 0) return fail("write");

  gatemeter_LoginResponse resp = gatemeter_LoginResponse_init_zero;
  if (!read_message(ssl.get(), gatemeter_LoginResponse_fields, &resp)) return fail("response");
  SSL_shutdown(ssl.get());
  switch (wire_enum(resp.status)) {
    case gatemeter_LoginStatus_LOGIN_OK: break;
    case gatemeter_LoginStatus_LOGIN_BAD_CREDENTIAL: return fail("bad_credential");
    case gatemeter_LoginStatus_LOGIN_UNKNOWN_AGENT: return fail("unknown_agent");
    case gatemeter_LoginStatus_LOGIN_DISABLED: return fail("disabled");
    default: return fail("refused");
  }
  uint8_t expected[login::proof_size];
  login::server_proof(credential_.data(), credential_.size(), challenge.server_nonce,
                      req.client_nonce, req.agent_id, expected);
  if (!login::proofs_equal(expected, resp.server_proof)) return fail("server_proof");
  if (resp.login_session_id == 0) return fail("no_session");

  grant_ = resp;
  frame::derive_tag_key(resp.session_key, sizeof resp.session_key, key_);
  ack_window_.reset();
  seq_ = 0;
  error_.clear();
  return true;
}

bool TestAgent::open_census(const std::string& address) {
  const std::string a = address.empty() && grant_.census_count > 0 ? grant_.census[0] : address;
  if (!parse_endpoint(a, census_)) {
    error_ = "bad census address '" + a + "'";
    return false;
  }
  if (fd_ < 0) fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  // Room for many acks in flight (the benchmark keeps hundreds outstanding).
  const int buf = 4 << 20;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  return fd_ >= 0;
}

std::vector<uint8_t> TestAgent::seal(const gatemeter_MeteringBatch& batch, uint32_t seq) const {
  std::vector<uint8_t> out(frame::max_frame_size);
  const frame::Header h{frame::FrameKind::metering_batch, grant_.login_session_id, seq};
  out.resize(frame::seal(h, &batch, key_, out.data(), out.size()));
  return out;
}

uint32_t TestAgent::send_batch(const gatemeter_MeteringBatch& batch) {
  const uint32_t seq = ++seq_;
  return send_raw(seal(batch, seq)) ? seq : 0;
}

bool TestAgent::send_raw(const std::vector<uint8_t>& d) const {
  return ::sendto(fd_, d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&census_),
                  sizeof census_) == static_cast<ssize_t>(d.size());
}

std::optional<gatemeter_Ack> TestAgent::receive_ack(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return std::nullopt;
  uint8_t buf[frame::max_frame_size + 1];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
  if (n <= 0) return std::nullopt;
  frame::Header h;
  gatemeter_Ack ack = gatemeter_Ack_init_zero;
  frame::Refusal r = frame::peek(buf, static_cast<size_t>(n), h);
  if (r == frame::Refusal::none && h.login_session != grant_.login_session_id)
    r = frame::Refusal::unknown_session;
  if (r == frame::Refusal::none)
    r = frame::open(buf, static_cast<size_t>(n), h, key_, ack_window_, frame::FrameKind::ack, &ack);
  if (r != frame::Refusal::none) {
    ++acks_refused;
    return std::nullopt;
  }
  return ack;
}

}  // namespace gm::test
