#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
# Every source file carries the two-line licence header (SPDX identifier and
# copyright) in its first four lines, and LICENSE is the Apache License 2.0.
# Source files: C, Perl, shell, Python, JavaScript, Lua, the man page, the
# build files, the scripts and conf/. Run by make check from the build
# directory, in a git checkout or an unpacked tarball alike.
srcdir=${srcdir:-.}
top=$(cd "$srcdir" && pwd)
if [ -e "$top/.git" ] && command -v git >/dev/null 2>&1; then
    files=$(git -C "$top" ls-files)
else
    # an unpacked tarball or scripts/test's copy: no list of what is ours,
    # so leave out what autotools, Apache::Test, npm, the builds and
    # dpkg-buildpackage make
    files=$(cd "$top" && find . \( -path ./build-aux -o -path ./m4 -o -path ./autom4te.cache \
                                 -o -path ./build -o -path ./node/node_modules -o -path ./t/logs \
                                 -o -path ./debian/tmp -o -path ./debian/.debhelper \
                                 -o -path ./debian/libapache2-mod-auth-jwtsso \
                                 -o -name .libs -o -name .deps \) -prune -o -type f -print |
            sed 's|^\./||' | grep -v -x -e t/TEST -e t/conf/apache_test_config.pm -e 'configure' \
                                  -e 'aclocal\.m4' -e 'libtool')
fi
grep -q 'Apache License' "$top/LICENSE" && grep -q 'Version 2.0, January 2004' "$top/LICENSE" ||
    { echo "LICENSE: not the Apache License 2.0"; exit 1; }
st=0; n=0
for f in $files; do
    case "$f" in
    *.c|*.h|*.t|*.pm|*.PL|*.sh|*.py|*.js|*.mjs|*.lua|*.cgi|*.1|*.am|*.ac) ;;
    conf/*.conf|conf/*.load.in|conf/examples/*|scripts/*|debian/rules) ;;
    *) continue ;;
    esac
    n=$((n+1))
    head -n 4 "$top/$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' &&
    head -n 4 "$top/$f" | grep -q 'Copyright 2026 The mod_auth_jwtsso Authors' ||
        { echo "$f: no licence header (SPDX-License-Identifier: Apache-2.0 and the copyright line)"; st=1; }
done
[ "$n" -gt 50 ] || { echo "only $n source files found under $top"; exit 99; }
echo "$n files carry the header"
exit $st
