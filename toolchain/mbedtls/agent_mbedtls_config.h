/* mbedTLS configuration for the agent when mbedTLS is compiled from Debian's source package
 * (arm-linux and mps2-an385). Only what the agent uses is enabled, so bare metal and the
 * cross-built simulator run one configuration. Host builds link Debian's libmbedcrypto.
 *
 * shared/frame builds HMAC and HKDF on the SHA-256 block functions itself, because mbedTLS's
 * md layer allocates its contexts; nothing enabled here may call mbedtls_calloc. */
#ifndef GATEMETER_AGENT_MBEDTLS_CONFIG_H
#define GATEMETER_AGENT_MBEDTLS_CONFIG_H

#define MBEDTLS_SHA256_C
/* no OS entropy on bare metal: the board feeds its RNG HAL in */
#define MBEDTLS_NO_PLATFORM_ENTROPY

#include "mbedtls/check_config.h"

#endif
