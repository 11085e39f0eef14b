// radiusctl's edits of the clients and realms files (radius_clients.h, access_proxy.h): line by
// line, so comments and order stay as the operator wrote them. The new text is written beside
// the file with mode 0600, read back with the server's own parser (a file the server would
// refuse never replaces one it takes), flushed to disk and renamed over the old one, so a
// server starting meanwhile reads the old file or the new, never half of one.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace gm::radius {

// The file's lines; none if it does not exist. Throws std::runtime_error if it cannot be read.
std::vector<std::string> read_lines(const std::string& path);

// Replaces the file with `lines` as described; `check(temporary_path)` throws (its message
// names what is wrong) to keep the old file. Throws std::runtime_error naming the file.
void replace_private_file(const std::string& path, const std::vector<std::string>& lines,
                          const std::function<void(const std::string&)>& check);

// A line's words before any '#', as both parsers split them.
std::vector<std::string> words_of(const std::string& line);

// What a shared secret in these files may be: 1 to 128 printable octets without blanks or
// '#' (the files' separators). Throws std::runtime_error saying which rule it breaks.
void check_secret(const std::string& secret);

}  // namespace gm::radius
