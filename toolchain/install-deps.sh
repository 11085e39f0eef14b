#!/usr/bin/env bash
# Installs, from Debian's packages only, whatever gatemeter needs and this machine lacks; then
# the pinned npm packages of package-lock.json (uPlot for the web console, playwright-core for
# the browser tests) with `npm ci`.
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
  # the web console's browser tests (tests/browser/): Debian's Chromium, driven by playwright-core
  # from npm with executablePath /usr/bin/chromium, so no test tool downloads a browser
  chromium
)
# Node.js and npm install the npm packages and run the browser tests. A Node.js already here
# (NodeSource's bundles npm) is used as it is; Debian's packages only where the commands lack.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

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
# (apt may keep them compressed: *_Sources.lz4)
ls /var/lib/apt/lists/*_Sources* >/dev/null 2>&1 || need_update=1

if [ ${#missing[@]} -eq 0 ] && [ $need_update -eq 0 ]; then
  apt_done="install-deps: everything is installed"
else
  export DEBIAN_FRONTEND=noninteractive
  echo "install-deps: apt-get update"
  $SUDO apt-get update -q
  if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
  apt_done="install-deps: done"
fi

# npm packages, exactly as package-lock.json pins them, into the repository's node_modules/.
# --ignore-scripts: no package's install script runs (none may download a browser or anything
# else); PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD says the same to playwright in case a script ever did.
# npm ci empties node_modules/ first, so it runs only when the packages are not what the lock
# file says: npm's record of what it installed (node_modules/.package-lock.json) is missing or
# older than package-lock.json, or a package's folder is gone.
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ "$repo/package-lock.json" -nt "$repo/node_modules/.package-lock.json" ] ||
   [ ! -d "$repo/node_modules/uplot" ] || [ ! -d "$repo/node_modules/playwright-core" ]; then
  echo "install-deps: npm ci (package-lock.json)"
  if ! (cd "$repo" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
        npm ci --ignore-scripts --no-audit --no-fund); then
    echo "install-deps: npm ci failed in $repo: the web console's assets (node_modules/uplot)" \
         "and the browser tests (node_modules/playwright-core) need it; see npm's message above" >&2
    exit 1
  fi
fi
echo "$apt_done"
