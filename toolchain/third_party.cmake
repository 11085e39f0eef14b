# Third-party libraries, all from Debian:
#   host:                Debian's binary -dev packages (libmbedtls-dev, libnanopb-dev).
#   arm-linux, mps2:     compiled here from Debian's source packages, fetched into the build
#                        tree by fetch-debian-source.sh at configure time.
#   lwIP, every preset:  compiled from Debian's source package with the agent's own lwipopts.h
#                        (firmware/net/lwip), so the simulator runs the bare-metal stack.
# Each ends up as one target: gm_mbedcrypto, gm_nanopb (gm_mbedtls where TLS is built);
# gm_lwip is defined by firmware/net from GM_LWIP_SRC.

find_program(GM_NANOPB_GENERATOR nanopb_generator.py REQUIRED)

set(GM_DEBIAN_SRC ${CMAKE_BINARY_DIR}/debian-src)
function(gm_fetch_debian_source pkg)
  execute_process(
    COMMAND ${CMAKE_SOURCE_DIR}/toolchain/fetch-debian-source.sh ${pkg} ${GM_DEBIAN_SRC}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "could not fetch Debian source package '${pkg}' (see above)")
  endif()
endfunction()

# Debian's liblwip.so is built with Debian's lwipopts.h (sockets, threads); the agent needs
# NO_SYS=1 and its own pool sizes, so every preset compiles the source package.
gm_fetch_debian_source(lwip)
set(GM_LWIP_SRC ${GM_DEBIAN_SRC}/lwip CACHE INTERNAL "")

if(GM_TARGET STREQUAL "host")
  find_path(GM_MBEDTLS_INCLUDE mbedtls/md.h REQUIRED)
  find_library(GM_MBEDCRYPTO_LIB mbedcrypto REQUIRED)
  add_library(gm_mbedcrypto INTERFACE)
  target_include_directories(gm_mbedcrypto SYSTEM INTERFACE ${GM_MBEDTLS_INCLUDE})
  target_link_libraries(gm_mbedcrypto INTERFACE ${GM_MBEDCRYPTO_LIB})
  # TLS for the agent's login client (host builds of the agent: simulator, Linux gateway).
  find_library(GM_MBEDTLS_LIB mbedtls REQUIRED)
  find_library(GM_MBEDX509_LIB mbedx509 REQUIRED)
  add_library(gm_mbedtls INTERFACE)
  target_link_libraries(gm_mbedtls INTERFACE ${GM_MBEDTLS_LIB} ${GM_MBEDX509_LIB} gm_mbedcrypto)

  find_package(nanopb CONFIG REQUIRED)
  add_library(gm_nanopb INTERFACE)
  target_link_libraries(gm_nanopb INTERFACE nanopb::protobuf-nanopb-static)
  return()
endif()

foreach(pkg nanopb mbedtls)
  gm_fetch_debian_source(${pkg})
endforeach()

# nanopb runtime: three files.
set(np ${GM_DEBIAN_SRC}/nanopb)
add_library(gm_nanopb STATIC ${np}/pb_common.c ${np}/pb_encode.c ${np}/pb_decode.c)
target_include_directories(gm_nanopb SYSTEM PUBLIC ${np})
target_compile_options(gm_nanopb PRIVATE -w)

set(mt ${GM_DEBIAN_SRC}/mbedtls)
file(GLOB gm_mbedtls_all_sources ${mt}/library/*.c)
set(gm_mbedcrypto_sources ${gm_mbedtls_all_sources})
list(FILTER gm_mbedcrypto_sources EXCLUDE REGEX "/(ssl_|x509|net_sockets|debug|mps_|timing)[^/]*\\.c$")

if(GM_TARGET STREQUAL "arm-linux")
  # ARM Linux gateways and the cross-built simulator log in over TLS: the whole of mbedTLS
  # with its default configuration (TLS 1.2 client, x509 parsing, net_sockets), one
  # configuration for crypto and TLS alike so that no structure differs between them.
  set(gm_mbedx509_sources ${gm_mbedtls_all_sources})
  list(FILTER gm_mbedx509_sources INCLUDE REGEX "/x509[^/]*\\.c$")
  set(gm_mbedssl_sources ${gm_mbedtls_all_sources})
  list(FILTER gm_mbedssl_sources INCLUDE REGEX "/(ssl_|mps_|net_sockets|debug|timing)[^/]*\\.c$")
  add_library(gm_mbedcrypto STATIC ${gm_mbedcrypto_sources})
  target_include_directories(gm_mbedcrypto SYSTEM PUBLIC ${mt}/include)
  add_library(gm_mbedtls STATIC ${gm_mbedssl_sources} ${gm_mbedx509_sources})
  target_link_libraries(gm_mbedtls PUBLIC gm_mbedcrypto)
  target_compile_options(gm_mbedcrypto PRIVATE -w)
  target_compile_options(gm_mbedtls PRIVATE -w)
  return()
endif()

# Bare metal: crypto and the login's TLS client with one heap-free configuration
# (firmware/net/mbedtls); parts it leaves out compile to nothing.
set(gm_mbedtls_config ${CMAKE_SOURCE_DIR}/firmware/net/mbedtls)
set(gm_mbedtls_tls_sources ${gm_mbedtls_all_sources})
list(FILTER gm_mbedtls_tls_sources INCLUDE REGEX "/(ssl_|x509)[^/]*\\.c$")
add_library(gm_mbedcrypto STATIC ${gm_mbedcrypto_sources})
target_include_directories(gm_mbedcrypto SYSTEM PUBLIC ${mt}/include ${gm_mbedtls_config})
target_compile_definitions(gm_mbedcrypto PUBLIC
                           MBEDTLS_CONFIG_FILE="bare_metal_tls_config.h")
add_library(gm_mbedtls STATIC ${gm_mbedtls_tls_sources})
target_link_libraries(gm_mbedtls PUBLIC gm_mbedcrypto)
target_compile_options(gm_mbedcrypto PRIVATE -w)
target_compile_options(gm_mbedtls PRIVATE -w)
