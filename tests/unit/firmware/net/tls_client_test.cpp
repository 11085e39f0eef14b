// The agent's TLS client against a real TLS server (Debian's `openssl s_server`) on loopback:
// the handshake completes and data flows only when the server's key matches the pin.
#include "firmware/net/tls_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

namespace fs = std::filesystem;
using gm::net::TlsClient;

namespace {

struct KernelRng final : gm::hal::Rng {
  bool fill(uint8_t* out, size_t n) override { return getrandom(out, n, 0) == static_cast<ssize_t>(n); }
};

uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// A throwaway key pair and certificate, and `openssl s_server` serving with them.
class TlsServer {
 public:
  TlsServer() : dir_(fs::temp_directory_path() / ("gm-tls-" + std::to_string(::getpid()))) {
    fs::create_directories(dir_);
    const std::string d = dir_.string();
    ok_ = std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                       "-subj /CN=login.test -days 1 -keyout " + d + "/key.pem -out " + d +
                       "/cert.pem >/dev/null 2>&1").c_str()) == 0;
    if (!ok_) return;
    port_ = free_port();
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string accept = "127.0.0.1:" + std::to_string(port_);
      ::execlp("openssl", "openssl", "s_server", "-quiet", "-accept", accept.c_str(), "-key",
               (d + "/key.pem").c_str(), "-cert", (d + "/cert.pem").c_str(), "-naccept", "1",
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~TlsServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }
  bool ok() const { return ok_; }
  uint16_t port() const { return port_; }
  bool pin(uint8_t (&out)[32]) const {
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    const bool loaded =
        mbedtls_pk_parse_keyfile(&pk, (dir_ / "key.pem").c_str(), nullptr) == 0 &&
        gm::net::public_key_pin(pk, out);
    mbedtls_pk_free(&pk);
    return loaded;
  }

 private:
  fs::path dir_;
  bool ok_ = false;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// Connects (retrying while s_server starts) and runs the handshake to the end.
TlsClient::Step connect_and_handshake(TlsClient& client, mbedtls_net_context& net,
                                      uint16_t port, const uint8_t (&pin)[32], KernelRng& rng) {
  mbedtls_net_init(&net);
  const std::string p = std::to_string(port);
  for (int i = 0; i < 100; ++i) {
    if (mbedtls_net_connect(&net, "127.0.0.1", p.c_str(), MBEDTLS_NET_PROTO_TCP) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  TlsClient::Io io{&net, mbedtls_net_send, mbedtls_net_recv};
  if (!client.start(io, pin, rng)) return TlsClient::Step::failed;
  TlsClient::Step s = TlsClient::Step::busy;
  for (int i = 0; i < 1000 && s == TlsClient::Step::busy; ++i) s = client.handshake();
  return s;
}

}  // namespace

TEST(TlsClient, ConnectsWhenTheServerKeyMatchesThePin) {
  if (std::system("command -v openssl >/dev/null") != 0)
    GTEST_SKIP() << "needs the openssl command (toolchain/install-deps.sh installs it)";
  TlsServer server;
  ASSERT_TRUE(server.ok()) << "openssl could not make a test certificate";
  uint8_t pin[32];
  ASSERT_TRUE(server.pin(pin));
  KernelRng rng;
  TlsClient client;
  mbedtls_net_context net;
  ASSERT_EQ(connect_and_handshake(client, net, server.port(), pin, rng), TlsClient::Step::ready)
      << client.error() << " " << client.mbedtls_error();
  const char hello[] = "hello";
  EXPECT_EQ(client.write(reinterpret_cast<const uint8_t*>(hello), 5), 5);
  client.close();
  mbedtls_net_free(&net);
}

TEST(TlsClient, RefusesAServerWithAnotherKey) {
  if (std::system("command -v openssl >/dev/null") != 0)
    GTEST_SKIP() << "needs the openssl command (toolchain/install-deps.sh installs it)";
  TlsServer server;
  ASSERT_TRUE(server.ok());
  uint8_t pin[32];
  ASSERT_TRUE(server.pin(pin));
  pin[0] ^= 0xFF;  // the agent expects a different server
  KernelRng rng;
  TlsClient client;
  mbedtls_net_context net;
  EXPECT_EQ(connect_and_handshake(client, net, server.port(), pin, rng), TlsClient::Step::failed);
  EXPECT_STREQ(client.error(), "pin_mismatch");
  const uint8_t secret[] = "credential";
  EXPECT_LT(client.write(secret, sizeof secret), 0);  // nothing is sent to the wrong server
  mbedtls_net_free(&net);
}
