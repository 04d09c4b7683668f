#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
# shellcheck disable=SC2086  # flag lists ($COMMON, $SAN, ...) split on purpose
# fuzz/build.sh [--replay-only|--auto] [OUTDIR] - build the fuzz targets.
#
# For each target T (fuzz/fuzz_T.c) it builds, into OUTDIR (default
# build/fuzz at the top of the tree):
#   OUTDIR/fuzz_T    libFuzzer binary: clang -fsanitize=fuzzer,address,undefined
#   OUTDIR/replay_T  replay binary: the same target with fuzz/replay.c as
#                    main(), -fsanitize=address,undefined, no libFuzzer
#                    (clang, or gcc where clang is missing)
# through Makefile.am (`make fuzz` / `make fuzz-replay`: the core's own
# source list, compiled once more with the sanitizers and, for libFuzzer,
# coverage instrumentation). The build runs in the tree itself when it is
# configured (scripts/test), else in OUTDIR/obj, configured --without-apxs
# from this tree (autoreconf -fi first if configure is missing).
# --replay-only skips the libFuzzer binaries (no clang needed); --auto skips
# them, with a notice, only where clang cannot link libFuzzer.
# OUTDIR/targets lists what was built.
#
# Environment: FUZZ_CC (default clang; it builds both kinds), REPLAY_CC
# (replay only; default: FUZZ_CC if it works, else gcc).
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
COMMON="-g -O1 -fno-omit-frame-pointer"
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

# The build directory: scripts/test's configured tree, or OUTDIR/obj.
if [ -f "$TOP/config.status" ]; then
    B=$TOP
else
    B=$OUT/obj
    if [ ! -x "$TOP/configure" ]; then
        log "autoreconf -fi in $TOP"
        (cd "$TOP" && mkdir -p m4 && autoreconf -fi) >"$OUT/autoreconf.log" 2>&1 ||
            { cat "$OUT/autoreconf.log" >&2; die "autoreconf failed"; }
    fi
    if [ ! -f "$B/config.status" ]; then
        log "configuring $B (--without-apxs)"
        mkdir -p "$B"
        (cd "$B" && "$TOP/configure" --without-apxs) >"$OUT/configure.log" 2>&1 ||
            { tail -n 30 "$OUT/configure.log" >&2; die "configure failed"; }
    fi
fi

# Always from scratch: the objects of the last run may have other flags.
if [ "$replay_only" = 0 ]; then
    goal=fuzz cc=$FUZZ_CC
    flags="$COMMON -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
else
    goal=fuzz-replay cc=$REPLAY_CC
    flags="$COMMON $SAN"
fi
log "make $goal CC=$cc FUZZ_CFLAGS='$flags' (in $B)"
make -s -C "$B" fuzz-clean >/dev/null
make -s -C "$B" -j"$(nproc 2>/dev/null || echo 2)" "$goal" CC="$cc" CFLAGS= LDFLAGS= \
    FUZZ_CFLAGS="$flags" || die "building the targets failed"

mapfile -t targets < <(make -s --no-print-directory -C "$B" fuzz-list)
for t in "${targets[@]}"; do
    cp -f "$B/fuzz/replay_$t" "$OUT/replay_$t"
    if [ "$replay_only" = 0 ]; then
        cp -f "$B/fuzz/fuzz_$t" "$OUT/fuzz_$t"
    fi
done
printf '%s\n' "${targets[@]}" >"$OUT/targets"
log "built into $OUT: ${targets[*]}$( [ "$replay_only" = 1 ] && echo ' (replay only)')"
