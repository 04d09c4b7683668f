#!/bin/bash
# shellcheck disable=SC2086  # flag lists ($COMMON, $SAN, ...) split on purpose
# fuzz/build.sh [--replay-only|--auto] [OUTDIR] - build the fuzz targets.
#
# For each target T (fuzz/fuzz_T.c) it builds, into OUTDIR (default
# build/fuzz at the top of the tree):
#   OUTDIR/fuzz_T    libFuzzer binary: clang -fsanitize=fuzzer,address,undefined
#   OUTDIR/replay_T  replay binary: the same target with fuzz/replay.c as
#                    main(), -fsanitize=address,undefined, no libFuzzer
#                    (clang, or gcc where clang is missing)
# linking src/core/*.c directly with OpenSSL and Jansson (pkg-config); no
# autotools. --replay-only skips the libFuzzer binaries (no clang needed);
# --auto skips them, with a notice, only where clang cannot link libFuzzer.
#
# fuzz_jwks and fuzz_pem, and the public-key half of fuzz_jws, need
# jwtsso_keyset_add_pem/_add_jwks/_count and jwtsso_keyerr_text: they are
# built (with -DJWTSSO_FUZZ_PKEY) only when the core defines all four.
# FUZZ_PKEY=0 or 1 overrides the check. OUTDIR/targets lists what was built.
#
# Environment: FUZZ_CC (default clang), REPLAY_CC (default: FUZZ_CC if it
# works, else gcc).
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
replay_only=0 auto=0
case "${1:-}" in
    --replay-only) replay_only=1; shift ;;
    --auto) auto=1; shift ;;
esac
OUT=${1:-$TOP/build/fuzz}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

log() { printf 'fuzz/build.sh: %s\n' "$*"; }
die() { printf 'fuzz/build.sh: %s\n' "$*" >&2; exit 1; }

FUZZ_CC=${FUZZ_CC:-clang}
PKG_CFLAGS=$(pkg-config --cflags openssl jansson) || die "pkg-config: openssl or jansson missing (libssl-dev libjansson-dev)"
PKG_LIBS=$(pkg-config --libs openssl jansson)
COMMON="-g -O1 -fno-omit-frame-pointer -std=c99 -D_DEFAULT_SOURCE -I$TOP/src/core -I$TOP/fuzz $PKG_CFLAGS"
WARN="-Wall -Wextra"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"

# Can $1 link a program with the flags that follow?
works() {
    local cc=$1; shift
    command -v "$cc" >/dev/null 2>&1 || return 1
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n%s\n' \
        "$( [ "$*" = "${*/fuzzer,/}" ] && echo 'int main(void) { return 0; }')" \
        >"$OUT/probe.c"
    "$cc" "$@" "$OUT/probe.c" -o "$OUT/probe" >/dev/null 2>&1
}

if [ "$replay_only" = 0 ] && ! works "$FUZZ_CC" -fsanitize=fuzzer,address,undefined; then
    if [ "$auto" = 0 ]; then
        die "$FUZZ_CC cannot link -fsanitize=fuzzer (Debian: apt-get install clang libclang-rt-14-dev)"
    fi
    log "NOTICE: $FUZZ_CC cannot link -fsanitize=fuzzer (apt-get install clang libclang-rt-14-dev): replay binaries only"
    replay_only=1
fi
REPLAY_CC=${REPLAY_CC:-}
if [ -z "$REPLAY_CC" ]; then
    for cc in "$FUZZ_CC" gcc cc; do
        if works "$cc" $SAN; then REPLAY_CC=$cc; break; fi
    done
fi
[ -n "$REPLAY_CC" ] || die "no C compiler links -fsanitize=address,undefined"
rm -f "$OUT/probe.c" "$OUT/probe"

# Compile the core once per flavour (in parallel, one job per file).
compile_core() {
    local dir=$1 cc=$2; shift 2
    local src pids=() rc=0
    rm -rf "$dir"; mkdir -p "$dir"
    for src in "$TOP"/src/core/*.c; do
        "$cc" $COMMON $WARN "$@" -c "$src" -o "$dir/$(basename "${src%.c}").o" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || rc=1; done
    [ "$rc" = 0 ] || die "compiling src/core with $cc failed"
}

log "core for replay ($REPLAY_CC $SAN)"
compile_core "$OUT/obj-replay" "$REPLAY_CC" $SAN

pkey=${FUZZ_PKEY:-auto}
if [ "$pkey" = auto ]; then
    pkey=1
    defined=$(nm --defined-only "$OUT"/obj-replay/*.o 2>/dev/null | awk '$2 == "T" { print $3 }')
    for sym in jwtsso_keyset_add_pem jwtsso_keyset_add_jwks jwtsso_keyset_count jwtsso_keyerr_text; do
        if ! grep -qx "$sym" <<<"$defined"; then
            log "NOTICE: src/core does not define $sym yet: fuzz_jwks, fuzz_pem and the public-key part of fuzz_jws left out"
            pkey=0
            break
        fi
    done
fi
targets=(b64url jscan jws record userclaim)
defs=()
if [ "$pkey" = 1 ]; then
    targets+=(jwks pem)
    defs=(-DJWTSSO_FUZZ_PKEY)
fi

if [ "$replay_only" = 0 ]; then
    log "core for libFuzzer ($FUZZ_CC -fsanitize=fuzzer-no-link,address,undefined)"
    compile_core "$OUT/obj-fuzz" "$FUZZ_CC" -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
fi

pids=()
for t in "${targets[@]}"; do
    src=$TOP/fuzz/fuzz_$t.c
    [ -f "$src" ] || die "missing $src"
    "$REPLAY_CC" $COMMON $WARN -Werror ${defs[@]+"${defs[@]}"} $SAN "$src" "$TOP/fuzz/replay.c" \
        "$OUT"/obj-replay/*.o $PKG_LIBS -o "$OUT/replay_$t" &
    pids+=($!)
    if [ "$replay_only" = 0 ]; then
        "$FUZZ_CC" $COMMON $WARN -Werror ${defs[@]+"${defs[@]}"} -fsanitize=fuzzer,address,undefined \
            -fno-sanitize-recover=all "$src" "$OUT"/obj-fuzz/*.o $PKG_LIBS -o "$OUT/fuzz_$t" &
        pids+=($!)
    fi
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
[ "$rc" = 0 ] || die "building the targets failed"

printf '%s\n' "${targets[@]}" >"$OUT/targets"
echo "$pkey" >"$OUT/pkey"
log "built into $OUT: ${targets[*]}$( [ "$replay_only" = 1 ] && echo ' (replay only)')"
