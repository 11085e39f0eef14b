// The admin CLIs' command lines (billingctl, radiusctl, settlectl): the settings gatemeter-server
// takes come first (--name=value or --name value), then the command and its own words.
#pragma once

#include <cstring>

namespace gm::host {

// Where the command starts: the first word that is neither a setting nor a setting's value.
inline int command_start(int argc, char** argv) {
  int i = 1;
  while (i < argc && std::strncmp(argv[i], "--", 2) == 0)
    i += std::strchr(argv[i], '=') != nullptr ? 1 : 2;
  return i < argc ? i : argc;
}

// --help or -h anywhere, or `help` as the command; not `help` elsewhere, since an operand may
// be any name ("service set help web").
inline bool asks_for_help(int argc, char** argv, int command) {
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h") ||
        (i == command && !std::strcmp(argv[i], "help")))
      return true;
  return false;
}

}  // namespace gm::host
