// Subscribers' passwords (BILLING.md, "Subscribers"): stored only as Argon2id hashes in
// libsodium's self-describing string form ($argon2id$v=19$m=...,t=...,p=...$salt$hash), so the
// cost can rise later without invalidating what is stored: each hash carries its own.
#pragma once

#include <string>
#include <string_view>

namespace gm::billing {

// Longest password taken (RADIUS's User-Password carries at most 128 octets).
inline constexpr size_t max_password = 128;

// A fresh salt each time; libsodium's interactive limits (64 MiB, 2 passes). Throws
// std::runtime_error for an empty or too long password, or if libsodium cannot start.
std::string hash_password(std::string_view password);

// Whether `password` is the one `hash` was made from. False for a hash that is not one.
// Costs one hash (tens of milliseconds): callers run it off their io threads.
bool password_matches(const std::string& hash, std::string_view password);

}  // namespace gm::billing
