# Third-party libraries, all from Debian:
#   host:                Debian's binary -dev packages (libmbedtls-dev, libnanopb-dev).
#   arm-linux, mps2:     compiled here from Debian's source packages, fetched into the build
#                        tree by fetch-debian-source.sh at configure time.
# Each ends up as one target: gm_mbedcrypto, gm_nanopb.

find_program(GM_NANOPB_GENERATOR nanopb_generator.py REQUIRED)

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

set(GM_DEBIAN_SRC ${CMAKE_BINARY_DIR}/debian-src)
foreach(pkg nanopb mbedtls lwip)
  execute_process(
    COMMAND ${CMAKE_SOURCE_DIR}/toolchain/fetch-debian-source.sh ${pkg} ${GM_DEBIAN_SRC}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "could not fetch Debian source package '${pkg}' (see above)")
  endif()
endforeach()

# nanopb runtime: three files.
set(np ${GM_DEBIAN_SRC}/nanopb)
add_library(gm_nanopb STATIC ${np}/pb_common.c ${np}/pb_encode.c ${np}/pb_decode.c)
target_include_directories(gm_nanopb SYSTEM PUBLIC ${np})
target_compile_options(gm_nanopb PRIVATE -w)

# mbedTLS crypto library with the agent's configuration; unused parts compile to nothing.
set(mt ${GM_DEBIAN_SRC}/mbedtls)
file(GLOB gm_mbedcrypto_sources ${mt}/library/*.c)
list(FILTER gm_mbedcrypto_sources EXCLUDE REGEX "/(ssl_|x509|net_sockets|debug|mps_|timing)[^/]*\\.c$")
add_library(gm_mbedcrypto STATIC ${gm_mbedcrypto_sources})
target_include_directories(gm_mbedcrypto SYSTEM PUBLIC ${mt}/include
                           ${CMAKE_SOURCE_DIR}/toolchain/mbedtls)
target_compile_definitions(gm_mbedcrypto PUBLIC
                           MBEDTLS_CONFIG_FILE="agent_mbedtls_config.h")
target_compile_options(gm_mbedcrypto PRIVATE -w)

# lwIP: the tree is fetched now so the agent's uplink (firmware/net) can compile it with its
# own lwipopts.h; the library target is defined there.
set(GM_LWIP_SRC ${GM_DEBIAN_SRC}/lwip CACHE INTERNAL "")
