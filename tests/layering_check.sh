#!/usr/bin/env bash
# Firmware never includes host code, host never includes firmware code, shared includes
# neither (ARCHITECTURE.md): what both need lives in shared/.
set -u
root=$1
bad=0
check() {  # folder, forbidden include prefix
  local hits
  hits=$(grep -rnE "#include +\"$2/" "$root/$1" --include='*.h' --include='*.cpp' --include='*.c' 2>/dev/null)
  if [ -n "$hits" ]; then echo "$1/ must not include $2/:"; echo "$hits"; bad=1; fi
}
check firmware host
check host firmware
check shared host
check shared firmware
check shared boards
check firmware boards
[ $bad -eq 0 ] && echo "layering ok: firmware/, host/, shared/, boards/ include only what they may"
exit $bad
