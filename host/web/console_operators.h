// The web console's operator logins (WEB.md "Accounts and roles"): a file of `name:hash`
// lines, the hash Argon2id in libsodium's string form (billing/password_hash.h), written by
// `censusctl web-operator NAME` (mode 0600, replaced whole) and read by the console at start and
// again whenever the file changes, so an operator added or removed needs no restart. Providers
// and subscribers log in with the passwords the store keeps for them (settlectl provider
// password, billingctl subscriber password); operators are the people who run the servers, so
// their logins sit with the servers' other secrets in the state folder.
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <string>

namespace gm::web {

// Throws std::runtime_error naming the file and line of a malformed line (an empty name, a
// name with ':' or whitespace, a hash that is not Argon2id's). A missing file is no operators.
std::map<std::string, std::string> read_operators(const std::string& path);

// Adds or replaces one operator's hash (hash "" removes it): written to PATH.tmp with mode 0600,
// then renamed over PATH, so a reader never sees half a file. Returns whether it was there.
bool write_operator(const std::string& path, const std::string& name, const std::string& hash);

// The name's rule, for the CLI's error and the file's reader: 1 to 64 characters, none of
// them ':', whitespace or control.
bool valid_operator_name(const std::string& name);

class ConsoleOperators {
 public:
  explicit ConsoleOperators(std::string path) : path_(std::move(path)) {}
  // The stored hash, reading the file again first if it changed since; nullopt for no such
  // operator. A file that became malformed keeps the last good one (and says so on stderr).
  std::optional<std::string> hash_of(const std::string& name);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::map<std::string, std::string> hashes_;
  timespec seen_{-1, 0};
  bool loaded_ = false;
};

}  // namespace gm::web
