#include "host/billing/password_hash.h"

#include <sodium.h>

#include <stdexcept>

namespace gm::billing {

namespace {

void start_sodium() {
  // sodium_init is safe to call again and from several threads; -1 means it could not start.
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not start");
}

}  // namespace

std::string hash_password(std::string_view password) {
  if (password.empty()) throw std::runtime_error("the password is empty");
  if (password.size() > max_password)
    throw std::runtime_error("the password is longer than " + std::to_string(max_password) +
                             " octets");
  start_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("hashing the password ran out of memory");
  return out;
}

bool password_matches(const std::string& hash, std::string_view password) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES || password.size() > max_password)
    return false;
  start_sodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace gm::billing
