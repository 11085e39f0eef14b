// The words after an admin CLI's command ("account add alice --kind=prepaid"): its operands and
// its own --name=value options, checked against what the command takes, so a typo or a
// missing operand is refused (ConfigError, exit status 2) with what the command allows.
// Settings shared with gatemeter-server (--state-dir, --store, ...) come before the command.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/config/setting_parse.h"

namespace gm::host {

struct OptionSpec {
  const char* name;   // without the dashes: "service-type" (written with '-' or '_')
  bool flag = false;  // takes no value: --csv
};

class CommandArgs {
 public:
  // `command` names it in errors ("account add"); `operands` describes what it expects
  // ("NAME"), and exactly `count` of them must be given. An option may be written
  // --name=value or --name value, once.
  CommandArgs(std::string command, const std::vector<std::string>& words, size_t count,
              const char* operands, std::vector<OptionSpec> allowed);

  const std::string& operand(size_t i) const { return operands_.at(i); }
  bool has(const char* name) const { return values_.count(name) != 0; }
  bool flag(const char* name) const { return has(name); }
  std::optional<std::string> value(const char* name) const;
  std::string required(const char* name) const;  // throws naming the option if it is absent

  // The option's value run through parse (which throws BillingError, ConfigError or the like,
  // naming what is wrong), a failure rethrown as ConfigError that names the command and the
  // option: "rate add: --price=1.2345678: ... has more than 6 decimals". parsed_if gives
  // nullopt for an option not given.
  template <typename Parse>
  auto parsed_if(const char* name, Parse parse) const
      -> std::optional<decltype(parse(std::string()))> {
    const auto v = value(name);
    if (!v) return std::nullopt;
    try {
      return parse(*v);
    } catch (const std::exception& e) {
      bad(name, e.what());
    }
  }
  template <typename Parse>
  auto parsed(const char* name, Parse parse) const -> decltype(parse(std::string())) {
    required(name);
    return *parsed_if(name, parse);
  }
  // The same for an operand: "account add: account name must be ...".
  template <typename Parse>
  auto parsed_operand(size_t i, Parse parse) const -> decltype(parse(std::string())) {
    try {
      return parse(operand(i));
    } catch (const std::exception& e) {
      bad_operand(e.what());
    }
  }

  // "account add: --time-zone=Mars/Base: why".
  [[noreturn]] void bad(const char* option, const std::string& why) const;
  [[noreturn]] void bad_operand(const std::string& why) const;  // "account add: why"
  const std::string& command() const { return command_; }

 private:
  std::string command_;
  std::vector<std::string> operands_;
  std::map<std::string, std::string, std::less<>> values_;
};

// For a CLI of `noun verb ...` commands: the verb (words[0]) if it is one of `verbs`, else a
// ConfigError that lists them; the words after it go to `rest`.
std::string verb_of(const char* noun, const std::vector<std::string>& words,
                    std::initializer_list<const char*> verbs, std::vector<std::string>& rest);

// Operator names (accounts, plans, zones, keys): 1 to `max` printable ASCII characters, no
// spaces, so that every listing and shell line shows them as they are. `what` names it in the
// error: "account name must be 1 to 32 printable characters without spaces, got \"\"".
void check_name(const std::string& what, const std::string& text, size_t max);
// Free text for people (offer labels and terms): printable ASCII, spaces allowed, at most `max`.
void check_text(const std::string& what, const std::string& text, size_t min, size_t max);
// A whole number from lo to hi, digits only.
uint64_t parse_whole(const std::string& text, uint64_t lo, uint64_t hi);

}  // namespace gm::host
