#include "host/store/credential_vault.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace gm::host {
namespace {

TEST(CredentialVaultTest, SealedCredentialOpensOnlyForItsAgentAndKey) {
  std::array<uint8_t, 32> key{};
  key[0] = 1;
  CredentialVault vault(key);
  const auto c = CredentialVault::generate();
  const auto sealed = vault.seal(c, "gw-1");
  EXPECT_EQ(vault.open(sealed, "gw-1"), c);
  EXPECT_FALSE(vault.open(sealed, "gw-2").has_value());
  key[0] = 2;
  EXPECT_FALSE(CredentialVault(key).open(sealed, "gw-1").has_value());
  auto tampered = sealed;
  tampered[20] ^= 1;
  EXPECT_FALSE(vault.open(tampered, "gw-1").has_value());
  EXPECT_FALSE(vault.open({1, 2, 3}, "gw-1").has_value());
}

TEST(CredentialVaultTest, KeyFileIsCreatedOnceThenReused) {
  char tmpl[] = "/tmp/gm-vault-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string path = std::string(tmpl) + "/vault.key";
  const auto c = CredentialVault::generate();
  const auto sealed = CredentialVault::open_or_create(path).seal(c, "gw-1");
  EXPECT_EQ(CredentialVault::open_or_create(path).open(sealed, "gw-1"), c);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::resize_file(path, 5);
  EXPECT_THROW(CredentialVault::open_or_create(path), std::runtime_error);
  std::filesystem::remove_all(tmpl);
}

TEST(HexTest, RoundTripsAndRejectsNonHex) {
  const uint8_t b[] = {0x00, 0xab, 0xff};
  EXPECT_EQ(to_hex(b, 3), "00abff");
  EXPECT_EQ(from_hex("00ABff"), (std::vector<uint8_t>{0x00, 0xab, 0xff}));
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
}

}  // namespace
}  // namespace gm::host
