// The state folder holds the vault key, the TLS key and (by default) the SQLite store: anyone
// who reads it can impersonate the login service, open every sealed credential and forge
// metering frames. So it must be the owner's alone: the folder 0700, every file in it 0600.
#pragma once

#include <string>

namespace gm::host {

// Makes the files this process creates owner-only (umask 077), creates the folder 0700 if it is
// absent, and checks the folder and every file in it. Throws ConfigError naming the first path
// that others may read or write, with the chmod that fixes it.
void secure_state_folder(const std::string& path);

}  // namespace gm::host
