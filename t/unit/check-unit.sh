#!/bin/sh
# check-unit.sh PROGRAM - run one unit test program for `make check`
# (Makefile.am's LOG_COMPILER), with the fixtures `make` left in
# $UNIT_FIXTURES (made once per run by mkfixtures.sh).
#
# Where mkfixtures.sh could not make them (no node jsonwebtoken or PyJWT),
# $UNIT_FIXTURES/SKIP holds the reason: a program named in
# $UNIT_NEEDS_FIXTURES then runs its other tests without the directory,
# and if those pass exits 77 (automake's SKIP) with the reason, since part
# of it did not run. A failure is a failure either way.
set -u

prog=$1
name=$(basename "$prog")
skip=${UNIT_FIXTURES:?}/SKIP

if [ ! -f "$skip" ]; then
    exec "$prog" "$UNIT_FIXTURES"
fi
case " ${UNIT_NEEDS_FIXTURES:-} " in
    *" $name "*) ;;
    *) exec "$prog" ;;
esac
"$prog" || exit $?
echo "SKIP: $name: the tests with fixtures did not run: $(cat "$skip")"
exit 77
