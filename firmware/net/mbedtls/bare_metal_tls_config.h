/* mbedTLS configuration for bare-metal agents (mps2-an385): the login client's TLS 1.2 with
 * the login service's P-256 key (ECDHE-ECDSA, AES-GCM, SHA-256), certificate parsing for the
 * pin, and SHA-256 for shared/frame. One configuration for crypto and TLS alike, so no
 * structure differs between the libraries.
 *
 * No heap: mbedTLS allocates through MBEDTLS_PLATFORM_MEMORY, which the board points at a
 * static arena (mbedtls_memory_buffer_alloc_init) before the first login; libc's calloc is
 * never referenced. No OS: no sockets, no timing, no file system, no entropy source (the
 * board's RNG HAL feeds TlsClient), no clock (certificate dates are not checked; the pin is the
 * trust decision). */
#ifndef GATEMETER_BARE_METAL_TLS_CONFIG_H
#define GATEMETER_BARE_METAL_TLS_CONFIG_H

#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO snprintf /* only x509's unused *_info texts */
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* The arena allocator stops on a corrupted heap; bare metal has no exit() to call. */
#define MBEDTLS_PLATFORM_EXIT_MACRO(code) __builtin_trap()
#define MBEDTLS_NO_PLATFORM_ENTROPY

#define MBEDTLS_SHA256_C
#define MBEDTLS_MD_C
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_HMAC_DRBG_C /* ECP blinds its own multiplications with it */
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C /* the pin hashes the peer's SubjectPublicKeyInfo DER */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C

#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE /* TlsClient reads the peer's key after the handshake */
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
/* The agent writes a few hundred bytes (ClientHello, its key share, the login request); the
 * server may send full 16 KiB records, so only the output buffer shrinks. With it, a handshake
 * against OpenSSL 3 (P-256 key, pinned) completed in a 32 KiB arena and failed in 24 KiB (with
 * 16 KiB out it needed 48); boards give it 48 KiB for margin. */
#define MBEDTLS_SSL_OUT_CONTENT_LEN 2048

#include "mbedtls/check_config.h"

#endif
