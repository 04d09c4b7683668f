#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
# test-cli.sh - jwtsso-token, run by `make check` from the build directory
# (./jwtsso-token), with the keys of $UNIT_FIXTURES (mkfixtures.sh):
#   - sign -> verify round trips for every algorithm, by PEM and by JWKS;
#   - every token refusal of the README's reason table ("token refused:
#     NAME" rows), produced and checked by its name, exit 1;
#   - tokens jwtsso-token signs verified by jsonwebtoken (node; jose for
#     EdDSA, which jsonwebtoken does not implement) and PyJWT, and theirs
#     verified by jwtsso-token;
#   - inspect on well-formed and malformed tokens; usage errors exit 2.
# Prints "ok - NAME" / "not ok - NAME"; exit 1 on a failure, 77 (SKIP)
# with the reason when the fixtures could not be made (node's
# jsonwebtoken or PyJWT missing: mkfixtures.sh says which).
set -u

srcdir=${srcdir:-.}
top=$(cd "$srcdir" && pwd)
T=${JWTSSO_TOKEN:-./jwtsso-token}
K=${UNIT_FIXTURES:-}
node=${JWTSSO_NODE:-node}
python=${JWTSSO_PYTHON:-/usr/bin/python3}
NODE_PATH=${NODE_PATH:-$top/node/node_modules}
export NODE_PATH
SECRET=jwtsso-unit-test-secret-0123456789abcdef
pass=0 fail=0

if [ -z "$K" ] || [ ! -d "$K" ]; then
    echo "SKIP: jwtsso-token: no fixture directory (\$UNIT_FIXTURES; make check makes one)"
    exit 77
fi
if [ -f "$K/SKIP" ]; then
    echo "SKIP: jwtsso-token: fixtures not made: $(cat "$K/SKIP")"
    exit 77
fi
if [ ! -x "$T" ]; then
    echo "not ok - $T not built"
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jwtsso-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

ok() {       # ok NAME STATUS: STATUS 0 passes
    if [ "$2" = 0 ]; then
        pass=$((pass + 1)); echo "ok - $1"
    else
        fail=$((fail + 1)); echo "not ok - $1"
        [ -s "$tmp/out" ] && sed 's/^/#   /' "$tmp/out" | head -n 8
    fi
}

b64u() {     # base64url of stdin, unpadded
    basenc --base64url -w0 | tr -d '='
}

hs256() {    # hs256 HEADER_JSON PAYLOAD_JSON: a token signed with SECRET
    in="$(printf %s "$1" | b64u).$(printf %s "$2" | b64u)"
    printf '%s.%s\n' "$in" "$(printf %s "$in" |
        openssl dgst -sha256 -hmac "$SECRET" -binary | b64u)"
}

key_of() {   # key_of ALG: the fixture key name that signs ALG
    case $1 in
        RS*|PS*) echo rsa2048 ;;
        ES256) echo ec256 ;;
        ES384) echo ec384 ;;
        ES512) echo ec521 ;;
        EdDSA) echo ed25519 ;;
    esac
}

sign() {     # sign ALG [OPTION]...: a token of ALG with the fixture key
    alg=$1; shift
    case $alg in
        HS*) "$T" sign --alg "$alg" --secret "$SECRET" "$@" ;;
        *) "$T" sign --alg "$alg" --key "$K/$(key_of "$alg").key" "$@" ;;
    esac
}

verify() {   # verify ALG [OPTION]... TOKEN: output in $tmp/out, status
    alg=$1; shift
    case $alg in
        HS*) "$T" verify --secret "$SECRET" "$@" >"$tmp/out" 2>&1 ;;
        *) "$T" verify --key "$K/$(key_of "$alg").pub" "$@" \
               >"$tmp/out" 2>&1 ;;
    esac
}

refused() {  # refused REASON: the last verify said "reason: REASON", exit 1
    st=$1
    [ "$st" = 1 ] && [ "$(head -n 1 "$tmp/out")" = "reason: $2" ] &&
        [ "$(wc -l <"$tmp/out")" -eq 2 ] && echo "$2" >>"$tmp/seen"
}

ALGS="HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA"
# times an hour away from now, or in the past (a slow run only makes them
# older): the verdicts below do not depend on how fast the run is
now=$(date +%s)

# ------------------------------------------------------------ round trips
for alg in $ALGS; do
    tok=$(sign "$alg" --sub alice --kid k1)
    verify "$alg" "$tok"
    st=$?
    grep -q '"sub": "alice"' "$tmp/out"
    ok "round_trip_$alg" $(( st + $? ))
    "$T" inspect "$tok" >"$tmp/out" 2>&1
    grep -q "\"alg\": \"$alg\"" "$tmp/out" && grep -q '"kid": "k1"' "$tmp/out"
    ok "header_alg_kid_$alg" $?
done
# the JWK Set mkfixtures.js exported from the same keys selects by kid
for pair in RS256:rsa-1 PS512:rsa-1 ES256:ec-1 EdDSA:ed-1; do
    alg=${pair%%:*} kid=${pair#*:}
    tok=$(sign "$alg" --sub alice --kid "$kid")
    "$T" verify --jwks "$K/jwks.json" "$tok" >"$tmp/out" 2>&1
    ok "jwks_round_trip_$alg" $?
done
tok=$(sign ES256 --sub alice)
"$T" verify --key "$K/ec256.key" "$tok" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && grep -q 'private key; only its public half' "$tmp/err"
ok "verify_private_key_noted" $?
tok=$("$T" sign --key "$K/ec384.key" --sub alice)
"$T" inspect "$tok" | grep -q '"alg": "ES384"'
ok "key_picks_its_alg" $?
tok=$("$T" sign --alg HS256 --secret "base64:$(printf %s "$SECRET" | base64 -w0)" --sub b64)
verify HS256 "$tok"
ok "secret_base64_form" $?
printf '%s\n' "$SECRET" >"$tmp/secret"
tok=$(sign HS384 --sub f)
"$T" verify --secret "file:$tmp/secret" "$tok" >"$tmp/out" 2>&1
ok "secret_file_form_newline_dropped" $?
# "file:" forgotten: refused with the module's words, not used as the key
"$T" verify --secret "$tmp/secret" "$tok" >"$tmp/out" 2>&1
[ $? = 2 ] && grep -qF -- "--secret: '$tmp/secret' is the path of an existing file, not a secret; to read the secret from the file, write file:$tmp/secret" "$tmp/out"
ok "secret_literal_path_refused" $?
"$T" sign --alg HS256 --secret "$tmp/secret" --sub x >"$tmp/out" 2>&1
[ $? = 2 ] && grep -qF "write file:$tmp/secret" "$tmp/out"
ok "secret_literal_path_refused_sign" $?
JWTSSO_CLI_SECRET=$SECRET "$T" verify --secret env:JWTSSO_CLI_SECRET "$tok" >"$tmp/out" 2>&1
ok "secret_env_form" $?
printf '  %s\n\n' "$tok" | "$T" verify --secret "$SECRET" - >"$tmp/out" 2>&1
ok "token_from_stdin" $?

# algorithm names in any case on the command line, as in the module's
# directives; a token's own "alg" header stays exact (RFC 7515)
tok=$("$T" sign --alg hs256 --secret "$SECRET" --sub lc)
"$T" inspect "$tok" 2>/dev/null | grep -q '"alg": "HS256"'
ok "alg_any_case_sign" $?
"$T" verify --secret "$SECRET" --alg Hs256,hs384 "$tok" >"$tmp/out" 2>&1
ok "alg_any_case_verify" $?
lnow=$(date +%s)
lh=$(printf '{"alg":"hs256","typ":"JWT"}' | b64u)
lp=$(printf '{"sub":"x","iat":%s,"exp":%s}' "$lnow" $((lnow + 600)) | b64u)
ls=$(printf '%s' "$lh.$lp" | openssl dgst -sha256 -hmac "$SECRET" -binary | b64u)
"$T" verify --secret "$SECRET" "$lh.$lp.$ls" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q '^reason: alg_unknown' "$tmp/out"
ok "token_alg_header_exact_case" $?

# --claims merged, flags win; iat always set; exp from --lifetime
tok=$(sign HS256 --claims '{"sub":"claims","role":["a","b"],"iss":"c"}' --iss flag --lifetime 120 --now 1000000)
"$T" inspect "$tok" >"$tmp/out"
grep -q '"sub": "claims"' "$tmp/out" && grep -q '"iss": "flag"' "$tmp/out" &&
    grep -q '"iat": 1000000' "$tmp/out" && grep -q '"exp": 1000120' "$tmp/out" &&
    grep -q '"a",' "$tmp/out"
ok "claims_merged_flags_win" $?
tok=$(sign HS256 --sub x --now 1000000)
"$T" inspect "$tok" | grep -q '"exp": 1003600'
ok "default_lifetime_3600" $?

# ------------------------------------------------------------ reasons
: >"$tmp/seen"
big=$(head -c 9000 /dev/zero | tr '\0' a)
verify HS256 "$(sign HS256 --sub a --claims "{\"pad\":\"$big\"}")"
refused $? too_large; ok reason_too_large $?
verify HS256 "abc.def"
refused $? malformed; ok reason_malformed $?
verify HS256 "eyJhbGciOiJIUzI1NiJ9.e30*.AAAA"
refused $? bad_base64; ok reason_bad_base64 $?
verify HS256 "$(hs256 '[1]' '{"sub":"a"}')"
refused $? bad_header; ok reason_bad_header $?
verify HS256 "$(hs256 '{"alg":"HS256"}' '["not an object"]')"
refused $? bad_payload; ok reason_bad_payload $?
verify HS256 "$(hs256 '{"alg":"HS256","alg":"HS256"}' '{"sub":"a"}')"
refused $? duplicate_member; ok reason_duplicate_member $?
verify HS256 "$(printf %s '{"alg":"none"}' | b64u).$(printf '{"sub":"a","iat":%s}' "$now" | b64u)."
refused $? alg_none; ok reason_alg_none $?
verify HS256 "$(hs256 '{"alg":"HS999"}' '{"sub":"a"}')"
refused $? alg_unknown; ok reason_alg_unknown $?
verify HS256 --alg HS512 "$(sign HS256 --sub a)"
refused $? alg_not_allowed; ok reason_alg_not_allowed $?
verify HS256 "$(hs256 '{"alg":"HS256","crit":["exp"]}' "{\"sub\":\"a\",\"iat\":$now}")"
refused $? crit; ok reason_crit $?
verify HS256 --alg HS256,RS256 "$(sign RS256 --sub a)"
refused $? no_key; ok reason_no_key $?
verify HS256 --kid k1 "$(sign HS256 --sub a --kid other)"
refused $? unknown_kid; ok reason_unknown_kid $?
"$T" verify --secret "${SECRET}X" "$(sign HS256 --sub a)" >"$tmp/out" 2>&1
refused $? bad_signature; ok reason_bad_signature $?
verify HS256 "$(sign HS256 --sub a --claims '{"exp":"tomorrow"}')"
refused $? claim_type && grep -q 'claim exp' "$tmp/out"; ok reason_claim_type $?
verify HS256 --max-age off "$(sign HS256 --sub a --now $((now - 7200)) --lifetime 60)"
refused $? expired; ok reason_expired $?
verify HS256 "$(sign HS256 --sub a --claims "{\"nbf\":$((now + 3600))}")"
refused $? not_yet_valid; ok reason_not_yet_valid $?
verify HS256 "$(sign HS256 --sub a --now $((now + 3600)))"
refused $? iat_future; ok reason_iat_future $?
verify HS256 "$(sign HS256 --sub a --now $((now - 120)))"
refused $? too_old && grep -q "iat $((now - 120))," "$tmp/out"; ok reason_too_old $?
verify HS256 --max-age off "$(sign HS256 --sub a --lifetime off)"
refused $? no_lifetime; ok reason_no_lifetime $?
verify HS256 "$(hs256 '{"alg":"HS256"}' "{\"sub\":\"a\",\"exp\":$(($(date +%s) + 3600))}")"
refused $? no_iat; ok reason_no_iat $?
verify HS256 "$(sign HS256)"
refused $? no_user; ok reason_no_user $?
verify HS256 "$(sign HS256 --claims '{"sub":"a\u0001b"}')"
refused $? bad_user; ok reason_bad_user $?
verify HS256 --iss https://idp.example "$(sign HS256 --sub a --iss https://other.example)"
refused $? bad_issuer; ok reason_bad_issuer $?
verify HS256 --aud app1 "$(sign HS256 --sub a --aud app2)"
refused $? bad_audience; ok reason_bad_audience $?
# five HMAC keys without kid: more than JWTSSOMaxKeysWithoutKid (4) tried
{
    printf '{"keys":['
    for i in 1 2 3 4 5; do
        [ "$i" = 1 ] || printf ','
        printf '{"kty":"oct","k":"%s"}' "$(printf '%s%s' "$SECRET" "$i" | b64u)"
    done
    printf ']}\n'
} >"$tmp/five.json"
"$T" verify --jwks "$tmp/five.json" "$(sign HS256 --sub a)" >"$tmp/out" 2>&1
refused $? kid_required; ok reason_kid_required $?
# an API token (aud naming JWTSSOBearerAudience) offered as a login
verify HS256 --bearer-audience api "$(sign HS256 --sub a --aud api)"
refused $? token_type; ok reason_token_type $?
verify HS256 --bearer --bearer-audience api "$(sign HS256 --sub a --aud api --now $((now - 600)))"
ok "bearer_api_token_accepted" $?
# every refusal the README's log table lists was produced above
sed -n 's/^| `JWTSSO002[0-9]*` | [a-z]* | token refused: \([a-z_0-9]*\).*/\1/p' \
    "$top/README.md" | sort -u >"$tmp/table"
sort -u "$tmp/seen" >"$tmp/seen.s"
comm -23 "$tmp/table" "$tmp/seen.s" >"$tmp/out"
[ -s "$tmp/table" ] && [ ! -s "$tmp/out" ]
ok "every_readme_reason_produced ($(wc -l <"$tmp/table") reasons)" $?

# ------------------------------------------------------------ interop
# Each library runs once per direction, on a batch of jobs (cli-interop.*):
# jwtsso-token signs, jsonwebtoken (jose for EdDSA) and PyJWT verify; they
# sign, jwtsso-token verifies (PyJWT's tokens carry no iat: max age off).
pubkey() { case $1 in HS*) echo "$SECRET" ;; *) echo "file:$K/$(key_of "$1").pub" ;; esac; }
privkey() { case $1 in HS*) echo "$SECRET" ;; *) echo "file:$K/$(key_of "$1").key" ;; esac; }
: >"$tmp/verify.jobs"
: >"$tmp/sign.jobs"
for alg in $ALGS; do
    printf 'verify\t%s\t%s\t%s\n' "$alg" "$(pubkey "$alg")" \
        "$(sign "$alg" --sub "cli-$alg")" >>"$tmp/verify.jobs"
    printf 'sign\t%s\t%s\t%s\n' "$alg" "$(privkey "$alg")" "lib-$alg" \
        >>"$tmp/sign.jobs"
done
for lib in node pyjwt; do
    case $lib in
        node) run() { "$node" "$srcdir/t/unit/cli-interop.js" "$@"; } ;;
        pyjwt) run() { "$python" "$srcdir/t/unit/cli-interop.py" "$@"; } ;;
    esac
    run "$tmp/verify.jobs" >"$tmp/$lib.verified" 2>"$tmp/$lib.err"
    run "$tmp/sign.jobs" >"$tmp/$lib.signed" 2>>"$tmp/$lib.err"
    n=0
    for alg in $ALGS; do
        n=$((n + 1))
        sed -n "${n}p" "$tmp/$lib.verified" >"$tmp/out"
        grep -qx "cli-$alg" "$tmp/out"
        ok "${lib}_verifies_cli_$alg" $?
        tok=$(sed -n "${n}p" "$tmp/$lib.signed")
        verify "$alg" --max-age off "$tok"
        st=$?
        grep -q "\"sub\": \"lib-$alg\"" "$tmp/out"
        ok "cli_verifies_${lib}_$alg" $(( st + $? ))
    done
done
# jsonwebtoken sets iat: its tokens pass the default max age too
verify HS256 "$(sed -n 1p "$tmp/node.signed")"
ok "cli_verifies_node_with_max_age" $?

# ------------------------------------------------------------ inspect
inspect_says() {   # inspect_says NAME TOKEN PATTERN: exit 1, first line, PATTERN
    "$T" inspect "$2" >"$tmp/out" 2>&1
    st=$?
    [ "$st" = 1 ] && head -n 1 "$tmp/out" | grep -q '^NOT VERIFIED' &&
        grep -q "$3" "$tmp/out"
    ok "inspect_$1" $?
}
good=$(sign HS256 --sub alice)
h=${good%%.*} rest=${good#*.} p=${rest%%.*} s=${good##*.}
"$T" inspect "$good" >"$tmp/out" 2>&1
[ $? = 0 ] && head -n 1 "$tmp/out" | grep -q '^NOT VERIFIED' &&
    grep -q '"sub": "alice"' "$tmp/out" && grep -q '^signature: 32 bytes' "$tmp/out"
ok "inspect_good" $?
inspect_says two_parts "$h.$p" 'malformed: the token has 2 parts'
inspect_says four_parts "$good.x" 'malformed: the token has 4 parts'
inspect_says empty_header ".$p.$s" 'malformed: the header segment is empty'
inspect_says empty_payload "$h..$s" 'malformed: the payload segment is empty'
inspect_says header_base64 "$h=.$p.$s" 'malformed: the header segment is not base64url'
inspect_says payload_base64 "$h.$p+.$s" 'malformed: the payload segment is not base64url'
inspect_says signature_base64 "$h.$p.$s/" 'malformed: the signature segment is not base64url'
inspect_says header_json "$(printf '{"alg":' | b64u).$p.$s" 'malformed: the header segment is base64url but not a JSON object'
inspect_says payload_not_object "$h.$(printf '[1,2]' | b64u).$s" 'malformed: the payload segment is base64url but not a JSON object'
inspect_says payload_duplicate "$h.$(printf '{"a":1,"a":2}' | b64u).$s" 'duplicate'
"$T" inspect "$h.$p." >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q '^signature: none' "$tmp/out"
ok "inspect_unsigned" $?
printf '%s\n' "$good" | "$T" inspect - >"$tmp/out" 2>&1
ok "inspect_stdin" $?

# ------------------------------------------------------------ usage
usage() {    # usage NAME ARG...: exit 2, a message on stderr
    "$T" "$@" >"$tmp/out" 2>&1
    st=$?
    [ "$st" = 2 ] && [ -s "$tmp/out" ]
}
usage_ok() { n=$1; shift; usage "$@"; ok "usage_$n" $?; }
usage_ok no_command
usage_ok unknown_command frobnicate
usage_ok sign_no_key sign --alg HS256
usage_ok sign_two_keys sign --alg HS256 --secret "$SECRET" --key "$K/rsa2048.key"
usage_ok sign_secret_no_alg sign --secret "$SECRET"
usage_ok sign_bad_alg sign --alg HS257 --secret "$SECRET"
usage_ok sign_alg_none sign --alg none --secret "$SECRET"
usage_ok sign_secret_rs256 sign --alg RS256 --secret "$SECRET"
usage_ok sign_key_mismatch sign --alg ES256 --key "$K/rsa2048.key"
usage_ok sign_public_key sign --key "$K/rsa2048.pub"
usage_ok sign_small_rsa sign --key "$K/rsa1024.key"
usage_ok sign_encrypted sign --key "$K/encrypted.key"
usage_ok sign_missing_key sign --key "$tmp/nonexistent"
usage_ok sign_short_secret sign --alg HS256 --secret short
usage_ok sign_claims_not_object sign --alg HS256 --secret "$SECRET" --claims '[1]'
usage_ok sign_claims_not_json sign --alg HS256 --secret "$SECRET" --claims '{'
usage_ok sign_bad_lifetime sign --alg HS256 --secret "$SECRET" --lifetime 1h
usage_ok sign_extra_arg sign --alg HS256 --secret "$SECRET" extra
usage_ok sign_unknown_option sign --alg HS256 --secret "$SECRET" --frob
usage_ok sign_twice sign --alg HS256 --alg HS384 --secret "$SECRET"
usage_ok sign_kid_not_utf8 sign --alg HS256 --secret "$SECRET" --kid "$(printf 'k\377')"
usage_ok verify_no_key verify "$good"
usage_ok verify_no_token verify --secret "$SECRET"
usage_ok verify_two_tokens verify --secret "$SECRET" "$good" "$good"
usage_ok verify_bad_max_age verify --secret "$SECRET" --max-age -1 "$good"
usage_ok verify_bad_skew verify --secret "$SECRET" --skew 3601 "$good"
usage_ok verify_bad_alg verify --secret "$SECRET" --alg HS256,XX "$good"
usage_ok verify_empty_alg verify --secret "$SECRET" --alg ' , ' "$good"
usage_ok verify_bad_base64_secret verify --secret base64:@@@ "$good"
usage_ok verify_unset_env verify --secret env:JWTSSO_CLI_UNSET_VAR "$good"
usage_ok verify_kid_with_jwks verify --jwks "$K/jwks.json" --kid x "$good"
usage_ok verify_bad_jwks verify --jwks "$K/rsa2048.pub" "$good"
# a secret file given as a JWKS by mistake: where it fails, never a piece of it
printf 's3cret-MATERIAL-0123456789-abcdef\n' >"$tmp/secret-as-jwks"
"$T" verify --jwks "$tmp/secret-as-jwks" "$good" >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q 'line 1, column ' "$tmp/out" && ! grep -q 's3cret\|MATERIAL' "$tmp/out"
ok "verify_jwks_error_never_quotes_the_file" $?
usage_ok inspect_no_token inspect
usage_ok inspect_unknown_option inspect --frob "$good"
"$T" sign --alg HS256 --secret short --allow-short-secret --sub s >"$tmp/tok" 2>"$tmp/out"
ok "allow_short_secret" $?
for cmd in sign verify inspect; do
    "$T" "$cmd" --help >"$tmp/out" 2>&1
    [ $? = 0 ] && grep -q "^usage: jwtsso-token $cmd" "$tmp/out"
    ok "help_$cmd" $?
done
"$T" --help >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q 'inspect' "$tmp/out"
ok "help" $?
# a secret never appears in what jwtsso-token prints
"$T" verify --secret "${SECRET}X" "$(sign HS256 --sub a)" >"$tmp/out" 2>&1
"$T" sign --alg HS256 --secret shortsecretvalue >>"$tmp/out" 2>&1
! grep -q -e "${SECRET}X" -e shortsecretvalue "$tmp/out"
ok "no_secret_printed" $?

echo "unit: $pass passed, $fail failed"
[ "$fail" = 0 ]
