#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
# Every non-static symbol of the core, the glue and jwtsso-token is named
# after its file:
# jwtsso_<file stem>_<verb>, so a name found in a log or a stack trace says
# where it lives. Run by make check, from the build directory, once the
# core and the module are built.
st=0; n=0
for o in src/core/.libs/*.o src/httpd/.libs/*.o .libs/*mod_auth_jwtsso.o \
         src/cli/*.o; do
    [ -f "$o" ] || continue
    stem=$(basename "$o" .o); stem=${stem##*-}
    for s in $(nm -g --defined-only "$o" | awk '{print $3}'); do
        n=$((n+1))
        case "$s" in
        auth_jwtsso_module) ;;
        main) case "$o" in src/cli/*) ;; *) echo "$o: $s"; st=1 ;; esac ;;
        __*) ;;    # the compiler's own (e.g. ASan's __odr_asan.NAME)
        jwtsso_"$stem"_*|jwtsso_"$stem") ;;
        *) echo "$o: $s is not jwtsso_${stem}_*"; st=1 ;;
        esac
    done
done
[ "$n" -gt 0 ] || { echo "no objects found"; exit 99; }
exit $st
