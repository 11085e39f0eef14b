// The login server's TLS identity: an EC P-256 key and a self-signed certificate. Agents trust
// the key by its pin (SHA-256 of the SubjectPublicKeyInfo DER, as firmware/net/tls_client
// computes it), not by a CA chain, so a self-signed certificate is all that is needed.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace gm::host {

struct TlsIdentity {
  std::string key_path, cert_path;
  std::array<uint8_t, 32> pin{};  // what agents are configured with
};

// Loads key_path/cert_path, or creates both (key mode 0600) when neither exists. Writes the
// pin as hex (one line) to pin_path, for whoever provisions agents. Throws std::runtime_error
// naming the file on any failure (one of the two missing, unreadable, not matching).
TlsIdentity load_or_create_tls_identity(const std::string& key_path, const std::string& cert_path,
                                        const std::string& pin_path);

// SHA-256 of the certificate's SubjectPublicKeyInfo DER; throws if the file is unreadable.
std::array<uint8_t, 32> certificate_pin(const std::string& cert_path);

}  // namespace gm::host
