#include "host/login/tls_identity.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "host/store/credential_vault.h"

namespace gm::host {

namespace {

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Cert read_cert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) throw std::runtime_error("cannot read TLS certificate '" + path + "'");
  Cert cert(PEM_read_X509(f, nullptr, nullptr, nullptr), &X509_free);
  std::fclose(f);
  if (!cert) throw std::runtime_error("'" + path + "' is not a PEM certificate");
  return cert;
}

std::array<uint8_t, 32> pin_of(X509* cert) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
  if (n <= 0) throw std::runtime_error("certificate has no public key");
  std::array<uint8_t, 32> pin{};
  SHA256(der, static_cast<size_t>(n), pin.data());
  OPENSSL_free(der);
  return pin;
}

void create(const std::string& key_path, const std::string& cert_path) {
  Pkey key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!key) throw std::runtime_error("cannot generate an EC P-256 key");
  Cert cert(X509_new(), &X509_free);
  uint8_t serial[8];
  random_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  const bool ok = cert && bn && X509_set_version(cert.get(), 2) == 1 &&
                  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr &&
                  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
                  // Agents pin the key and ignore dates; ten years keeps other tools quiet.
                  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 86400) != nullptr &&
                  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                                             reinterpret_cast<const unsigned char*>("gatemeter-login"),
                                             -1, -1, 0) == 1 &&
                  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1 &&
                  X509_set_pubkey(cert.get(), key.get()) == 1 &&
                  X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  BN_free(bn);
  if (!ok) throw std::runtime_error("cannot make the self-signed TLS certificate");

  const int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create TLS key '" + key_path + "'");
  FILE* kf = ::fdopen(fd, "w");
  const bool key_ok = kf && PEM_write_PrivateKey(kf, key.get(), nullptr, nullptr, 0, nullptr,
                                                 nullptr) == 1;
  if (kf) std::fclose(kf);
  FILE* cf = std::fopen(cert_path.c_str(), "w");
  const bool cert_ok = cf && PEM_write_X509(cf, cert.get()) == 1;
  if (cf) std::fclose(cf);
  if (!key_ok) throw std::runtime_error("cannot write TLS key '" + key_path + "'");
  if (!cert_ok) throw std::runtime_error("cannot write TLS certificate '" + cert_path + "'");
}

}  // namespace

std::array<uint8_t, 32> certificate_pin(const std::string& cert_path) {
  return pin_of(read_cert(cert_path).get());
}

TlsIdentity load_or_create_tls_identity(const std::string& key_path, const std::string& cert_path,
                                        const std::string& pin_path) {
  const bool have_key = exists(key_path), have_cert = exists(cert_path);
  if (!have_key && !have_cert) create(key_path, cert_path);
  else if (!have_key) throw std::runtime_error("tls_cert '" + cert_path + "' exists but tls_key '" +
                                               key_path + "' does not");
  else if (!have_cert) throw std::runtime_error("tls_key '" + key_path + "' exists but tls_cert '" +
                                                cert_path + "' does not");

  TlsIdentity id{key_path, cert_path, certificate_pin(cert_path)};
  if (!pin_path.empty()) {
    std::ofstream out(pin_path, std::ios::trunc);
    out << to_hex(id.pin.data(), id.pin.size()) << "\n";
    if (!out) throw std::runtime_error("cannot write the pin file '" + pin_path + "'");
  }
  return id;
}

}  // namespace gm::host
