#include "host/cli/command_args.h"

#include <algorithm>

namespace gm::host {

CommandArgs::CommandArgs(std::string command, const std::vector<std::string>& words, size_t count,
                         const char* operands, std::vector<OptionSpec> allowed)
    : command_(std::move(command)) {
  const auto allowed_list = [&] {
    std::string list;
    for (const OptionSpec& o : allowed)
      list += (list.empty() ? "" : ", ") + std::string("--") + o.name + (o.flag ? "" : "=...");
    return list.empty() ? std::string("none") : list;
  };
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.rfind("--", 0) != 0 || w == "--") {
      operands_.push_back(w);
      continue;
    }
    std::string name = w.substr(2);
    std::optional<std::string> value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    std::replace(name.begin(), name.end(), '_', '-');
    const auto spec = std::find_if(allowed.begin(), allowed.end(),
                                   [&](const OptionSpec& o) { return name == o.name; });
    if (spec == allowed.end())
      throw ConfigError(command_ + ": unknown option --" + name + " (options: " + allowed_list() +
                        "; settings such as --state-dir and --store go before the command)");
    if (values_.count(name)) throw ConfigError(command_ + ": --" + name + " is given twice");
    if (spec->flag) {
      if (value) throw ConfigError(command_ + ": --" + name + " takes no value");
      value = "";
    } else if (!value) {
      if (i + 1 >= words.size()) throw ConfigError(command_ + ": --" + name + ": missing value");
      value = words[++i];
    }
    values_[name] = *value;
  }
  if (operands_.size() != count)
    throw ConfigError(command_ + ": expected " + (count ? operands : "no operands") + ", got " +
                      std::to_string(operands_.size()) + " operand" +
                      (operands_.size() == 1 ? "" : "s") + " (usage: billingctl " + command_ +
                      (count ? std::string(" ") + operands : std::string()) + ")");
}

std::optional<std::string> CommandArgs::value(const char* name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string CommandArgs::required(const char* name) const {
  const auto v = value(name);
  if (!v) throw ConfigError(command_ + ": --" + name + "=... is required");
  return *v;
}

void CommandArgs::bad(const char* option, const std::string& why) const {
  throw ConfigError(command_ + ": --" + option + "=" + value(option).value_or("") + ": " + why);
}

void CommandArgs::bad_operand(const std::string& why) const {
  throw ConfigError(command_ + ": " + why);
}

std::string verb_of(const char* noun, const std::vector<std::string>& words,
                    std::initializer_list<const char*> verbs, std::vector<std::string>& rest) {
  std::string list;
  for (const char* v : verbs) {
    if (!words.empty() && words[0] == v) {
      rest.assign(words.begin() + 1, words.end());
      return v;
    }
    list += (list.empty() ? "" : ", ") + std::string(v);
  }
  throw ConfigError(
      std::string(noun) + ": " +
      (words.empty() ? std::string("expected a command") : "unknown command \"" + words[0] + "\"") +
      " (one of " + list + ")");
}

void check_name(const std::string& what, const std::string& text, size_t max) {
  const bool printable =
      std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 127; });
  if (text.empty() || text.size() > max || !printable)
    throw ConfigError(what + " must be 1 to " + std::to_string(max) +
                      " printable characters without spaces, got \"" + text + "\"");
}

void check_text(const std::string& what, const std::string& text, size_t min, size_t max) {
  const bool printable =
      std::all_of(text.begin(), text.end(), [](char c) { return c >= ' ' && c < 127; });
  if (text.size() < min || text.size() > max || !printable)
    throw ConfigError(what + " must be " + std::to_string(min) + " to " + std::to_string(max) +
                      " printable characters, got " + std::to_string(text.size()) +
                      (printable ? "" : " (with characters that are not printable ASCII)"));
}

uint64_t parse_whole(const std::string& text, uint64_t lo, uint64_t hi) {
  uint64_t v = 0;
  bool ok = !text.empty() && text.size() <= 19;
  for (char c : text) {
    if (c < '0' || c > '9')
      ok = false;
    else
      v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok || v < lo || v > hi)
    throw ConfigError("expected a whole number from " + std::to_string(lo) + " to " +
                      std::to_string(hi) + ", got \"" + text + "\"");
  return v;
}

}  // namespace gm::host
