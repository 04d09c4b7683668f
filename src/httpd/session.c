/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * session.c - the jwtsso record kept through Apache's own mod_session.
 *
 * The record (src/core/record.c) is MAC'd with the session key and bound to
 * the realm (AuthName), the public origin and the section's policy digest
 * (policy.c), so the session store needs no
 * secrecy or integrity of its own: mod_session_crypto only adds
 * confidentiality. A record we cannot check is "no session". Checking one
 * costs one MAC and no JSON parsing; a valid record is never rewritten.
 */
#include "glue.h"
#include "stats.h"

#include "http_core.h"
#include "http_request.h"
#include "mod_auth.h"
#include "mod_session.h"
#include "apr_strings.h"
#include "apr_lib.h"
#include "apr_optional.h"

static APR_OPTIONAL_FN_TYPE(ap_session_load) *session_load;
static APR_OPTIONAL_FN_TYPE(ap_session_get) *session_get;
static APR_OPTIONAL_FN_TYPE(ap_session_set) *session_set;

int jwtsso_session_init(void)
{
    if (session_load && session_get && session_set) {
        return 1;               /* found once: no lookup per request */
    }
    session_load = APR_RETRIEVE_OPTIONAL_FN(ap_session_load);
    session_get = APR_RETRIEVE_OPTIONAL_FN(ap_session_get);
    session_set = APR_RETRIEVE_OPTIONAL_FN(ap_session_set);
    return session_load && session_get && session_set;
}

/* The binding of a record: realm, the public origin (with mount) and the
 * section's policy digest. */
void jwtsso_session_binding(request_rec *r, const jwtsso_dir_cfg *cfg,
                            const char **realm, const char **origin,
                            const unsigned char **policy)
{
    const char *name = ap_auth_name(r);

    *realm = name ? name : "";
    *origin = jwtsso_url_bound_origin(r, cfg);
    if (cfg->public_mount && *cfg->public_mount) {
        *origin = apr_pstrcat(r->pool, *origin, cfg->public_mount, NULL);
    }
    *policy = jwtsso_policy_of(r, cfg);
}

jwtsso_reason_t jwtsso_session_check(request_rec *r,
                                     const jwtsso_dir_cfg *cfg,
                                     const char *text, jwtsso_record_t *rec)
{
    const char *realm, *origin;
    const unsigned char *policy;
    const jwtsso_mackey_t *key = jwtsso_keyconf_record_key(cfg);
    long long now = (long long)apr_time_sec(r->request_time);
    size_t len = strlen(text), scratch_len;
    jwtsso_reason_t why;
    void *scratch;

    if (!key || len > JWTSSO_RECORD_MAX) {
        return JWTSSO_R_RECORD_MALFORMED;
    }
    jwtsso_session_binding(r, cfg, &realm, &origin, &policy);
    if (!policy) {
        return JWTSSO_R_INTERNAL;
    }
    scratch_len = jwtsso_record_scratch_len(len);
    scratch = apr_palloc(r->pool, scratch_len);
    why = jwtsso_record_check(key, realm, origin, policy, text, len, now, rec,
                              scratch, scratch_len);
    /* this section's own session max age, from the login time, whatever
     * end the record carries */
    if (why == JWTSSO_OK && rec->auth_time + cfg->session_max_age <= now) {
        memset(rec, 0, sizeof(*rec));
        why = JWTSSO_R_RECORD_EXPIRED;
    }
    return why;
}

int jwtsso_session_valid(request_rec *r, const jwtsso_dir_cfg *cfg,
                         jwtsso_record_t *rec)
{
    session_rec *z = NULL;
    const char *text = NULL;
    jwtsso_reason_t why;

    if (!jwtsso_session_init()
        || session_load(r, &z) != APR_SUCCESS || !z) {
        return 0;
    }
    if (session_get(r, z, JWTSSO_SESSION_KEY, &text) != APR_SUCCESS
        || !text || !*text) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00301)
                      "no jwtsso session record");
        return 0;
    }
    why = jwtsso_session_check(r, cfg, text, rec);
    if (why != JWTSSO_OK) {
        /* at the level of the reason's row (reasons.c): an ended
         * session is normal life (debug); anything else was made by
         * someone other than us, for another place, or tampered with */
        const jwtsso_reasons_row_t *row = jwtsso_reasons_get(why);

        ap_log_rerror(APLOG_MARK, row->level, 0, r, JWTSSO_LOGNO(00302)
                      "session record refused: %s: %s",
                      row->name, jwtsso_reason_text(why));
        jwtsso_stats_fail(why);
        return 0;
    }
    if (cfg->session_inactivity >= 0 && !jwtsso_idle_check(r, cfg, z, rec)) {
        memset(rec, 0, sizeof(*rec));
        return 0;
    }
    return 1;
}

int jwtsso_session_store(request_rec *r, const char *record)
{
    session_rec *z = NULL;

    if (!jwtsso_session_init()
        || session_load(r, &z) != APR_SUCCESS || !z) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00303)
                      "cannot keep the login: no session for %s: %s, "
                      "where AuthType jwtsso is used", r->uri,
                      jwtsso_mistakes_session_fix(r));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* a login always starts a fresh session: nothing from before the login
     * (fixation) survives it */
    apr_table_clear(z->entries);
    if (session_set(r, z, JWTSSO_SESSION_KEY, record) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00304)
                      "cannot write the session record");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

int jwtsso_session_clear(request_rec *r)
{
    session_rec *z = NULL;
    const char *text = NULL;
    int level;

    if (!jwtsso_session_init()
        || session_load(r, &z) != APR_SUCCESS || !z) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00305)
                      "cannot log out: no session for %s: %s, with the same "
                      "cookie as the protected locations, where "
                      "jwtsso-logout is", r->uri,
                      jwtsso_mistakes_session_fix(r));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (session_get(r, z, JWTSSO_SESSION_KEY, &text) != APR_SUCCESS
        || !text || !*text) {
        /* a user who is not logged in, or a logout that reads another
         * session than the login wrote: the user stays logged in there,
         * and only this line can tell (rate-limited: anyone can call it;
         * worked out once, as ap_log_rerror reads its level twice) */
        level = jwtsso_visible_level(JWTSSO_VISIBLE_LOGOUT_EMPTY, 1);
        ap_log_rerror(APLOG_MARK, level, 0, r, JWTSSO_LOGNO(01180)
                      "logout found no jwtsso login in this session: is "
                      "this location's mod_session configuration "
                      "(SessionCookieName, its path) the same as the "
                      "protected sections'?");
    }
    else {
        jwtsso_stats_count(JWTSSO_STATS_LOGOUTS);   /* a login ended */
    }
    /* NULL removes the entry; mod_session then writes the emptied session
     * (mod_session_cookie: an expired cookie; mod_session_dbd deletes the
     * row when nothing else is left in it, so the last-seen entry goes
     * too: it means nothing without the login) */
    session_set(r, z, JWTSSO_SESSION_KEY, NULL);
    session_set(r, z, JWTSSO_SEEN_KEY, NULL);
    return OK;
}

/* JWTSSO_CLAIM_<NAME>: upper case, anything but letters and digits '_'. */
static const char *env_name(apr_pool_t *p, const char *claim)
{
    char *n = apr_pstrcat(p, "JWTSSO_CLAIM_", claim, NULL), *s;

    for (s = n + 13; *s; s++) {
        *s = apr_isalnum(*s) ? apr_toupper(*s) : '_';
    }
    return n;
}

/* X-JWTSSO-Claim-<name>: the claim's name with anything but letters,
 * digits and '-' as '-', so it is a valid header name for any proxy. */
static const char *header_name(apr_pool_t *p, const char *claim)
{
    char *n = apr_pstrcat(p, "X-JWTSSO-Claim-", claim, NULL), *s;

    for (s = n + 15; *s; s++) {
        if (!apr_isalnum(*s) && *s != '-') {
            *s = '-';
        }
    }
    return n;
}

/* A header value: control characters (CR and LF above all) become spaces,
 * so a claim can never start a header of its own. */
static const char *header_value(apr_pool_t *p, const char *v)
{
    char *out = apr_pstrdup(p, v), *s;

    for (s = out; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            *s = ' ';
        }
    }
    return out;
}

void jwtsso_session_apply(request_rec *r, const jwtsso_dir_cfg *cfg,
                          const jwtsso_record_t *rec)
{
    size_t i;

    /* rec's strings live in r->pool already (jwtsso_session_check) */
    r->user = (char *)rec->user;
    r->ap_auth_type = (char *)ap_auth_type(r);   /* AUTH_TYPE for CGI */
    /* Names that map to the same variable or header ("Role" and "role",
     * "a b" and "a-b"): the first claim wins, so a later one (a custom
     * claim a user may set) never shadows it. Set from the last to the
     * first, each overwriting, so the first is what stays. */
    if (cfg->pass_claims & JWTSSO_PASS_ENV) {
        const char *json = rec->claims_json;

        if (!json) {
            /* a record keeps the claims flat: their JSON is written here,
             * only where the app gets it (never parsed) */
            char *out = apr_palloc(r->pool,
                                   jwtsso_view_json(rec->claims,
                                                    rec->nclaims, NULL)
                                   + 1);

            jwtsso_view_json(rec->claims, rec->nclaims, out);
            json = out;
        }
        apr_table_setn(r->subprocess_env, "JWTSSO_CLAIMS", json);
        if (rec->truncated) {
            apr_table_setn(r->subprocess_env, "JWTSSO_CLAIMS_TRUNCATED", "1");
        }
        for (i = rec->nclaims; i-- > 0;) {
            apr_table_setn(r->subprocess_env,
                           env_name(r->pool, rec->claims[i].name),
                           rec->claims[i].value);
        }
    }
    if (cfg->pass_claims & JWTSSO_PASS_HEADERS) {
        /* incoming X-JWTSSO-* headers were removed before authentication
         * (jwtsso_flow_post_perdir), so any such header is one of ours */
        for (i = rec->nclaims; i-- > 0;) {
            apr_table_setn(r->headers_in,
                           header_name(r->pool, rec->claims[i].name),
                           header_value(r->pool, rec->claims[i].value));
        }
        if (rec->truncated) {
            apr_table_setn(r->headers_in, "X-JWTSSO-Claims-Truncated", "1");
        }
    }
}
