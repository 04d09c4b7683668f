/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * reasons.c - what the module does with each jwtsso_reason_t: the answer,
 * the log level and the log tag (STYLE §4-5).
 *
 * One row per reason. The tags are literal strings, so grepping a tag
 * from the error log finds its row here; they never change once given
 * (admins grep for them) and are never reused (README, "Reading the
 * log", lists them). t/05-reasons.t fails on a reason without a row and
 * on a tag used twice in src/.
 *
 * A token refused for a reason is logged under the reason's tag by
 * jwtsso_verify_token() (verify.c), at the row's level, or at warn for a
 * login token in the browser flow (visible.c rate-limits that), with the
 * reason's fix below. The session record reasons are not
 * token refusals: a record we cannot check is "no session" (the
 * unauthenticated action answers), logged by session.c under its own tag
 * JWTSSO00302 at the level given here; their rows have no tag of their
 * own and no status.
 */
#include "glue.h"

#include "httpd.h"
#include "http_log.h"

#define TOKEN(name, tag) { name, HTTP_UNAUTHORIZED, APLOG_INFO, tag }

static const jwtsso_reasons_row_t rows[JWTSSO_R__COUNT] = {
    [JWTSSO_R_TOO_LARGE]        = TOKEN("too_large",        "JWTSSO00201"),
    [JWTSSO_R_MALFORMED]        = TOKEN("malformed",        "JWTSSO00202"),
    [JWTSSO_R_BAD_BASE64]       = TOKEN("bad_base64",       "JWTSSO00203"),
    [JWTSSO_R_BAD_HEADER]       = TOKEN("bad_header",       "JWTSSO00204"),
    [JWTSSO_R_BAD_PAYLOAD]      = TOKEN("bad_payload",      "JWTSSO00205"),
    [JWTSSO_R_DUPLICATE_MEMBER] = TOKEN("duplicate_member", "JWTSSO00206"),
    [JWTSSO_R_ALG_NONE]         = TOKEN("alg_none",         "JWTSSO00207"),
    [JWTSSO_R_ALG_UNKNOWN]      = TOKEN("alg_unknown",      "JWTSSO00208"),
    [JWTSSO_R_ALG_NOT_ALLOWED]  = TOKEN("alg_not_allowed",  "JWTSSO00209"),
    [JWTSSO_R_CRIT]             = TOKEN("crit",             "JWTSSO00210"),
    [JWTSSO_R_NO_KEY]           = TOKEN("no_key",           "JWTSSO00211"),
    [JWTSSO_R_UNKNOWN_KID]      = TOKEN("unknown_kid",      "JWTSSO00212"),
    [JWTSSO_R_BAD_SIGNATURE]    = TOKEN("bad_signature",    "JWTSSO00213"),
    [JWTSSO_R_CLAIM_TYPE]       = TOKEN("claim_type",       "JWTSSO00214"),
    [JWTSSO_R_EXPIRED]          = TOKEN("expired",          "JWTSSO00215"),
    [JWTSSO_R_NOT_YET_VALID]    = TOKEN("not_yet_valid",    "JWTSSO00216"),
    [JWTSSO_R_IAT_FUTURE]       = TOKEN("iat_future",       "JWTSSO00217"),
    [JWTSSO_R_TOO_OLD]          = TOKEN("too_old",          "JWTSSO00218"),
    [JWTSSO_R_NO_LIFETIME]      = TOKEN("no_lifetime",      "JWTSSO00219"),
    [JWTSSO_R_NO_IAT]           = TOKEN("no_iat",           "JWTSSO00220"),
    [JWTSSO_R_NO_USER]          = TOKEN("no_user",          "JWTSSO00221"),
    [JWTSSO_R_BAD_USER]         = TOKEN("bad_user",         "JWTSSO00222"),
    [JWTSSO_R_BAD_ISSUER]       = TOKEN("bad_issuer",       "JWTSSO00223"),
    [JWTSSO_R_BAD_AUDIENCE]     = TOKEN("bad_audience",     "JWTSSO00224"),
    /* "no session", logged by session.c under JWTSSO00302; an ended
     * session is normal life (debug), the others were made by someone
     * else, for another place, or tampered with (info) */
    [JWTSSO_R_RECORD_MALFORMED] = { "record_malformed", 0, APLOG_INFO, NULL },
    [JWTSSO_R_RECORD_BAD_MAC]   = { "record_bad_mac",   0, APLOG_INFO, NULL },
    [JWTSSO_R_RECORD_EXPIRED]   = { "record_expired",   0, APLOG_DEBUG, NULL },
    /* a server fault, never the client's input */
    [JWTSSO_R_INTERNAL]         = { "internal", HTTP_INTERNAL_SERVER_ERROR,
                                    APLOG_ERR, "JWTSSO00415" },
    [JWTSSO_R_KID_REQUIRED]     = TOKEN("kid_required",     "JWTSSO00229"),
    [JWTSSO_R_TOKEN_TYPE]       = TOKEN("token_type",       "JWTSSO00230"),
};

/* The fix of a refusal, for the log line (verify.c): a login that fails
 * for these is most often a set-up that does not match the IdP's (its
 * secret, keys, claims or clock), which the administrator can change.
 * Reasons without one are a broken or forged token: nothing to set. */
#define SKEW_FIX "check this server's and the IdP's clocks (NTP); " \
                 JWTSSO_D_CLOCK_SKEW " allows for a small difference"

static const char *const fixes[JWTSSO_R__COUNT] = {
    [JWTSSO_R_TOO_LARGE]       = "raise " JWTSSO_D_MAX_TOKEN_SIZE " if the "
                                 "IdP's tokens are this large",
    [JWTSSO_R_MALFORMED]       = "the IdP must append a compact JWT as "
                                 "the " JWTSSO_D_TOKEN_PARAM " parameter",
    [JWTSSO_R_ALG_UNKNOWN]     = "have the IdP sign with HS256/384/512, "
                                 "RS*, PS*, ES* or EdDSA",
    [JWTSSO_R_ALG_NOT_ALLOWED] = "add the token's alg to "
                                 JWTSSO_D_ALGORITHMS ", with a key that "
                                 "serves it",
    [JWTSSO_R_NO_KEY]          = "configure the IdP's key: " JWTSSO_D_SECRET
                                 " for HS*, " JWTSSO_D_VERIFY_KEY " or "
                                 JWTSSO_D_VERIFY_JWKS " for the others",
    [JWTSSO_R_UNKNOWN_KID]     = "the IdP signs with a key not configured "
                                 "here: update " JWTSSO_D_VERIFY_JWKS " or "
                                 JWTSSO_D_VERIFY_KEY " (the JWKS) with its "
                                 "current keys",
    [JWTSSO_R_BAD_SIGNATURE]   = "check " JWTSSO_D_SECRET " is the IdP's "
                                 "secret (file:PATH for a file) or that "
                                 JWTSSO_D_VERIFY_KEY "/" JWTSSO_D_VERIFY_JWKS
                                 " hold the IdP's current key",
    [JWTSSO_R_CLAIM_TYPE]      = "the IdP must write exp, nbf and iat as "
                                 "numbers of seconds",
    [JWTSSO_R_EXPIRED]         = SKEW_FIX,
    [JWTSSO_R_NOT_YET_VALID]   = SKEW_FIX,
    [JWTSSO_R_IAT_FUTURE]      = SKEW_FIX,
    [JWTSSO_R_TOO_OLD]         = "check the clocks (NTP), or raise "
                                 JWTSSO_D_MAX_AGE " if logins take longer "
                                 "to come back",
    [JWTSSO_R_NO_LIFETIME]     = "have the IdP write an exp, or set "
                                 JWTSSO_D_MAX_AGE " to bound tokens by iat",
    [JWTSSO_R_NO_IAT]          = "set " JWTSSO_D_MAX_AGE " off for tokens "
                                 "without iat",
    [JWTSSO_R_NO_USER]         = "set " JWTSSO_D_USER_CLAIM " to the claim "
                                 "that holds the user name",
    [JWTSSO_R_BAD_USER]        = "set " JWTSSO_D_USER_CLAIM " to a claim "
                                 "that holds a plain user name",
    [JWTSSO_R_BAD_ISSUER]      = "set " JWTSSO_D_ISSUER " to the iss the IdP "
                                 "writes",
    [JWTSSO_R_BAD_AUDIENCE]    = "set " JWTSSO_D_AUDIENCE " to the aud the "
                                 "IdP writes for this site",
    [JWTSSO_R_KID_REQUIRED]    = "have the IdP put a kid in its tokens, or "
                                 "raise " JWTSSO_D_MAX_KIDLESS,
    [JWTSSO_R_TOKEN_TYPE]      = "the IdP sent an API token as a login: "
                                 "have it issue login tokens for this site "
                                 "(see " JWTSSO_D_BEARER_AUDIENCE ")",
};

const char *jwtsso_reasons_fix(jwtsso_reason_t why)
{
    return (unsigned)why < JWTSSO_R__COUNT ? fixes[why] : NULL;
}

const jwtsso_reasons_row_t *jwtsso_reasons_get(jwtsso_reason_t why)
{
    /* a value without a row is a caller's bug: answered as internal */
    if ((unsigned)why >= JWTSSO_R__COUNT || rows[why].name == NULL) {
        return &rows[JWTSSO_R_INTERNAL];
    }
    return &rows[why];
}
