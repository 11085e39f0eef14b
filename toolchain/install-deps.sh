#!/usr/bin/env bash
# Installs, from Debian's packages only, whatever gatemeter needs and this machine lacks.
# Idempotent: a second run installs nothing and takes a second or two.
# Also enables deb-src for the configured suites so the cross and bare-metal builds can
# `apt-get source` lwIP, mbedTLS and nanopb (see toolchain/fetch-debian-source.sh).
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git dpkg-dev ca-certificates openssl
  # host libraries
  libboost-dev libboost-program-options-dev libssl-dev libsqlite3-dev sqlite3
  libmbedtls-dev nanopb libnanopb-dev protobuf-compiler python3-protobuf liblwip-dev
  # the PostgreSQL store: libpq to build it, the server for its tests' private clusters
  libpq-dev postgresql
  # time zones for billing's time bands (host/billing/time_zone.cpp reads /usr/share/zoneinfo)
  tzdata
  # RADIUS: Debian's radclient drives host/radius/ in the tests, and a private FreeRADIUS
  # proxies to it (its service is never started: the tests run their own)
  freeradius-utils freeradius
  # subscribers' passwords, hashed with Argon2id (host/billing/password_hash.cpp)
  libsodium-dev
  # tests and benchmarks (curl: the settlement-reports service's HTTPS client in its test)
  curl googletest libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev valgrind
  # cross and bare metal
  g++-arm-linux-gnueabihf qemu-user gcc-arm-none-eabi libnewlib-arm-none-eabi
  libstdc++-arm-none-eabi-newlib binutils-arm-none-eabi qemu-system-arm
  # simulator networking (namespaces, TAP)
  iproute2
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-deps: not root and no sudo; install these yourself: ${packages[*]}" >&2
    exit 1
  fi
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# deb-src: needed once, for `apt-get source` in the cross builds.
need_update=0
if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    echo "install-deps: enabling deb-src in /etc/apt/sources.list.d/debian.sources"
    $SUDO sed -i -E 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
  elif [ -f /etc/apt/sources.list ]; then
    echo "install-deps: enabling deb-src in /etc/apt/sources.list"
    $SUDO sed -i -E 's/^deb (.*)$/deb \1\ndeb-src \1/' /etc/apt/sources.list
  fi
  need_update=1
fi
# apt-get source needs the Sources lists even if deb-src was already configured.
ls /var/lib/apt/lists/*_Sources >/dev/null 2>&1 || need_update=1

if [ ${#missing[@]} -eq 0 ] && [ $need_update -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get update"
$SUDO apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "install-deps: done"
