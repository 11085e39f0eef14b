#!/usr/bin/env bash
# Fails the bare-metal build if the linked image reaches for a heap, exceptions or RTTI, and
# prints the code/RAM size of the image and of each library in it.
#   usage: check_freestanding.sh SIZE_TOOL NM_TOOL IMAGE LIB...
set -u
size=$1 nm=$2 image=$3
shift 3
forbidden='^(malloc|_malloc_r|calloc|_calloc_r|realloc|_realloc_r|free|_free_r|_sbrk|_Znwj|_Znaj|_ZdlPv|_ZdaPv|__cxa_allocate_exception|__cxa_throw|__gxx_personality_v0|__cxa_begin_catch|__dynamic_cast|_ZTVN10__cxxabiv1.*)$'
hits=$("$nm" -g --defined-only "$image" | awk '{print $3}' | grep -E "$forbidden")
undef=$("$nm" -u "$image" | awk '{print $2}' | grep -E "$forbidden")
if [ -n "$hits$undef" ]; then
  echo "freestanding check FAILED: $(basename "$image") uses a heap, exceptions or RTTI:" >&2
  echo "$hits $undef" | tr ' ' '\n' | sed '/^$/d; s/^/  /' >&2
  exit 1
fi
echo "freestanding check: $(basename "$image") links no malloc/new/throw/RTTI"
echo "size report (bytes; code = text+data in flash, RAM = data+bss):"
printf '  %-40s %10s %10s %10s\n' "what" "code" "RAM" "bss"
report() {  # name, file
  "$size" -t "$2" | awk -v name="$1" 'END { printf "  %-40s %10d %10d %10d\n", name, $1 + $2, $2 + $3, $3 }'
}
report "$(basename "$image") (linked)" "$image"
for lib in "$@"; do report "$(basename "$lib") (all objects)" "$lib"; done
