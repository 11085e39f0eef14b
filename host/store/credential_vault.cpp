#include "host/store/credential_vault.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace gm::host {

namespace {
constexpr size_t nonce_size = 12, tag_size = 16;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
}  // namespace

void random_bytes(uint8_t* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1)
    throw std::runtime_error("the system random generator failed (RAND_bytes)");
}

std::string to_hex(const uint8_t* data, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string s(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = digits[data[i] >> 4];
    s[2 * i + 1] = digits[data[i] & 15];
  }
  return s;
}

std::optional<std::vector<uint8_t>> from_hex(const std::string& text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<uint8_t> out(text.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

CredentialVault CredentialVault::open_or_create(const std::string& path, size_t sealed_agents) {
  std::array<uint8_t, key_size> key{};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && sealed_agents > 0)
    throw std::runtime_error(
        "vault key '" + path + "' is missing, but the store holds " +
        std::to_string(sealed_agents) +
        " agent credential(s) sealed under it. Restore the file from a backup; a new key would "
        "refuse every agent as bad_credential. (Starting afresh: remove the agents with a new "
        "store, or re-add them with censusctl after moving the store aside.)");
  if (fd < 0 && errno == ENOENT) {
    random_bytes(key.data(), key.size());
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
      throw std::runtime_error("cannot create vault key '" + path + "': " + std::strerror(errno));
    const bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) &&
                    ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write vault key '" + path + "'");
    return CredentialVault(key);
  }
  if (fd < 0)
    throw std::runtime_error("cannot open vault key '" + path + "': " + std::strerror(errno));
  const ssize_t n = ::read(fd, key.data(), key.size());
  uint8_t extra;
  const ssize_t more = ::read(fd, &extra, 1);
  ::close(fd);
  if (n != static_cast<ssize_t>(key.size()) || more != 0)
    throw std::runtime_error("vault key '" + path + "' is not exactly 32 bytes");
  return CredentialVault(key);
}

CredentialVault::Credential CredentialVault::generate() {
  Credential c;
  random_bytes(c.data(), c.size());
  return c;
}

std::vector<uint8_t> CredentialVault::seal(const Credential& credential,
                                           const std::string& agent_id) const {
  std::vector<uint8_t> out(nonce_size + credential.size() + tag_size);
  random_bytes(out.data(), nonce_size);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  const bool ok =
      ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), out.data()) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const uint8_t*>(agent_id.data()),
                        static_cast<int>(agent_id.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), out.data() + nonce_size, &len, credential.data(),
                        static_cast<int>(credential.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), out.data() + nonce_size + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_size,
                          out.data() + nonce_size + credential.size()) == 1;
  if (!ok) throw std::runtime_error("cannot seal credential (AES-256-GCM)");
  return out;
}

std::optional<CredentialVault::Credential> CredentialVault::open(
    const std::vector<uint8_t>& sealed, const std::string& agent_id) const {
  Credential c{};
  if (sealed.size() != nonce_size + c.size() + tag_size) return std::nullopt;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  uint8_t tag[tag_size];
  std::memcpy(tag, sealed.data() + nonce_size + c.size(), tag_size);
  int len = 0;
  const bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), sealed.data()) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const uint8_t*>(agent_id.data()),
                        static_cast<int>(agent_id.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), c.data(), &len, sealed.data() + nonce_size,
                        static_cast<int>(c.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_size, tag) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), c.data() + len, &len) == 1;
  if (!ok) return std::nullopt;
  return c;
}

namespace {
std::string tag_key_binding(uint64_t login_session) {
  return "tag-key:" + std::to_string(login_session);
}
}  // namespace

std::vector<uint8_t> CredentialVault::seal_tag_key(const frame::TagKey& key,
                                                   uint64_t login_session) const {
  Credential c;
  static_assert(sizeof key.bytes == std::tuple_size_v<Credential>);
  std::memcpy(c.data(), key.bytes, c.size());
  return seal(c, tag_key_binding(login_session));
}

std::optional<frame::TagKey> CredentialVault::open_tag_key(const std::vector<uint8_t>& sealed,
                                                           uint64_t login_session) const {
  const auto c = open(sealed, tag_key_binding(login_session));
  if (!c) return std::nullopt;
  frame::TagKey key;
  std::memcpy(key.bytes, c->data(), c->size());
  return key;
}

}  // namespace gm::host
