#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
# check-readme.sh - the README says only what is true of the tree beside
# it. Run by make check, in a git checkout and in the release tarball
# (make distcheck) alike; $srcdir comes from the test driver.
#   1. every log tag of src/ (JWTSSO_LOGNO(nnnnn), and the literal
#      "JWTSSOnnnnn" of reasons.c) has a row in "Reading the log", and
#      every tag a row names (`JWTSSO00704`–`00707` is four) is still used,
#      and no tag has two rows, nor two places in src/ that write it;
#   2. every directive of src/httpd/glue.h (JWTSSO_D_*) has a row in
#      "Directives";
#   3. every repository path README.md names in backticks (t/..., src/...,
#      scripts/..., conf/..., bench/..., fuzz/..., node/..., demo/...) is
#      in the tree, a bare `name.c` / `name.h` is the name of a file in
#      it, and every NAME.md that a *.md of the tree names exists: the
#      README must not send a reader to a file the repository lacks;
#   4. every in-page link (](#anchor)) names a heading of README.md.
# In a git checkout "in the tree" means committed or added (git ls-files),
# so a file only on the author's disk does not count.
# Prints "ok - NAME" / "not ok - NAME" and what is wrong; exit 1 if any.
set -u

srcdir=${srcdir:-.}
top=$(cd "$srcdir" && pwd)
R=$top/README.md
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-readme.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
st=0

[ -f "$R" ] || { echo "no README.md in $top"; exit 99; }

# Paths the README may name although no repository holds them: what the
# build, the demo and the tests write.
generated="t/logs t/unit/test_core.log bench/micro node/node_modules"

result() {  # $1 = file of complaints, $2 = the check's name
    if [ -s "$1" ]; then
        echo "not ok - $2"; sed 's/^/    /' "$1"; st=1
    else
        echo "ok - $2"
    fi
}

# One README section (from "## TITLE" to the next "## "), code blocks
# left in.
section() {
    awk -v t="## $1" 'index($0, t) == 1 { f = 1; next }
                      f && /^## / { exit } f' "$R"
}

# ------------------------------------------------------------ the files
if [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
    git -C "$top" ls-files >"$tmp/files"
else
    (cd "$top" && find . -type f | sed 's|^\./||') >"$tmp/files"
fi
[ -s "$tmp/files" ] || { echo "no files found under $top"; exit 99; }

# ------------------------------------------------------------ 1. log tags
five='[0-9][0-9][0-9][0-9][0-9]'
find "$top/src" "$top/mod_auth_jwtsso.c" -name '*.[ch]' -exec cat {} + |
    grep -oE "JWTSSO_LOGNO\\($five\\)|\"JWTSSO$five" |
    grep -oE "$five" | sort >"$tmp/src-uses"
sort -u "$tmp/src-uses" >"$tmp/src-tags"
[ -s "$tmp/src-tags" ] || { echo "no log tags found in $top/src"; exit 99; }

# The first cell of each row; `A`–`B` (an en dash or a hyphen) is a range.
section 'Reading the log' | grep '^| `' | cut -d'|' -f2 |
    sed 's/–/-/g' |
    awk -v five="$five" '{
        s = $0
        while (match(s, "`(JWTSSO)?" five "`")) {
            a = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
            gsub(/[^0-9]/, "", a); b = a
            if (match(s, "^ *- *`(JWTSSO)?" five "`")) {
                b = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
                gsub(/[^0-9]/, "", b)
            }
            for (n = a + 0; n <= b + 0; n++) printf "%05d\n", n
        }
    }' | sort >"$tmp/readme-rows"
sort -u "$tmp/readme-rows" >"$tmp/readme-tags"

comm -23 "$tmp/src-tags" "$tmp/readme-tags" | sed 's/^/JWTSSO/; s/$/: in src\/, no row in "Reading the log"/' >"$tmp/out"
result "$tmp/out" "every log tag of src/ has a row in the README ($(wc -l <"$tmp/src-tags") tags)"
comm -13 "$tmp/src-tags" "$tmp/readme-tags" | sed 's/^/JWTSSO/; s/$/: a row of "Reading the log", used nowhere in src\//' >"$tmp/out"
result "$tmp/out" "every tag of the README's log table is used in src/"
# one row a tag: two meanings of one tag make the log ambiguous
uniq -d "$tmp/readme-rows" | sed 's/^/JWTSSO/; s/$/: two rows of "Reading the log" (one tag, two meanings?)/' >"$tmp/out"
result "$tmp/out" "no tag has two rows in the README's log table"
uniq -d "$tmp/src-uses" | sed 's/^/JWTSSO/; s/$/: written by two places in src\//' >"$tmp/out"
result "$tmp/out" "each tag is written by one place in src/"

# ------------------------------------------------------------ 2. directives
sed -n 's/^#define JWTSSO_D_[A-Z0-9_]*[ 	]*"\([A-Za-z]*\)".*/\1/p' \
    "$top/src/httpd/glue.h" | sort -u >"$tmp/directives"
[ -s "$tmp/directives" ] || { echo "no JWTSSO_D_ names in glue.h"; exit 99; }
section 'Directives' | sed -n 's/^| `\([A-Za-z]*\)[ `].*/\1/p' | sort -u \
    >"$tmp/rows"
comm -23 "$tmp/directives" "$tmp/rows" | sed 's/$/: no row in the README'"'"'s Directives table/' >"$tmp/out"
result "$tmp/out" "every directive has a row in the README ($(wc -l <"$tmp/directives") directives)"

# ------------------------------------------------------------ 3. paths
# The backticked spans of the prose and tables (a paragraph joined into
# one line, so a span wrapped across lines stays whole); code blocks are
# examples for the administrator's own system, not ours.
awk '/^```/ { code = !code; next }
     code { next }
     /^[ \t]*$/ { if (p != "") print p; p = ""; next }
     { p = p " " $0 }
     END { if (p != "") print p }' "$R" |
    grep -oE '`[^`]+`' | tr -d '`' | cut -d' ' -f1 |
    sed 's/[:,.]*$//' | sort -u >"$tmp/spans"

: >"$tmp/out"
grep -E '^(\.ci|bench|conf|demo|fuzz|m4|node|scripts|src|t)/|^(mod_auth_jwtsso\.c|Makefile\.am|configure\.ac)$' \
    "$tmp/spans" | while read -r p; do
    q=${p%/}
    case " $generated " in *" $q "*) continue ;; esac
    grep -qxF "$q" "$tmp/files" && continue
    awk -v d="$q/" 'index($0, d) == 1 { found = 1; exit } END { exit !found }' \
        "$tmp/files" && continue
    echo "\`$p\`: named by README.md, not in the repository"
done >>"$tmp/out"
sed 's|.*/||' "$tmp/files" | sort -u >"$tmp/basenames"
grep -E '^[A-Za-z0-9_.-]+\.[ch]$' "$tmp/spans" | while read -r p; do
    grep -qxF "$p" "$tmp/basenames" ||
        echo "\`$p\`: named by README.md, no file of that name"
done >>"$tmp/out"
# NAME.md in any Markdown file of the tree, outside URLs: relative to the
# top or to that file's directory.
grep -E '\.md$' "$tmp/files" | grep -v '^node/node_modules/' |
    while read -r m; do
        [ -f "$top/$m" ] || continue
        d=$(dirname "$m")
        sed 's#[a-z][a-z]*://[^ )>]*##g' "$top/$m" |
            grep -oE '[A-Za-z0-9_./-]*[A-Za-z0-9_]\.md\b' | sort -u |
            while read -r n; do
                grep -qxF "$n" "$tmp/files" && continue
                if [ "$d" != . ] && grep -qxF "$d/$n" "$tmp/files"; then
                    continue
                fi
                echo "$m names $n, which is not in the repository"
            done
    done >>"$tmp/out"
result "$tmp/out" "every file the READMEs name is in the repository ($(grep -cE '/|\.[ch]$' "$tmp/spans") names)"

# ------------------------------------------------------------ 4. anchors
# GitHub's anchors: lower case, punctuation other than - and _ dropped,
# spaces as -.
awk '/^```/ { code = !code; next } !code && /^#+ /' "$R" |
    sed 's/^#* *//' | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9 _-]//g; s/ /-/g' |
    sort -u >"$tmp/anchors"
grep -oE '\]\(#[^)]+\)' "$R" | sed 's/^](#//; s/)$//' | sort -u |
    while read -r a; do
        grep -qxF "$a" "$tmp/anchors" ||
            echo "](#$a): no heading of README.md has that anchor"
    done >"$tmp/out"
result "$tmp/out" "every in-page link of the README names a heading"

exit $st
