/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * idle.c - JWTSSOSessionInactivity: a session unused for longer than the
 * timeout needs a new login.
 *
 * The last-seen time is a second, small session entry (JWTSSO_SEEN_KEY)
 * MAC'd with the record key and bound to the record's sid
 * (jwtsso_record_seen_make), so refreshing it never rewrites the record
 * and its claims, and a client can neither move it nor carry it to
 * another login. Without the entry the login time counts (a login clears
 * the session): removing it only makes a session older. It is refreshed
 * only when it is older than a tenth of the timeout, so the cookie is
 * rewritten at most once per tenth, never on every request; a session
 * thus ends up to a tenth of the timeout early, never late.
 */
#include "glue.h"

#include "mod_session.h"
#include "apr_optional.h"

static APR_OPTIONAL_FN_TYPE(ap_session_load) *session_load;
static APR_OPTIONAL_FN_TYPE(ap_session_get) *session_get;
static APR_OPTIONAL_FN_TYPE(ap_session_set) *session_set;

static int have_session(void)
{
    if (!session_get) {
        session_load = APR_RETRIEVE_OPTIONAL_FN(ap_session_load);
        session_get = APR_RETRIEVE_OPTIONAL_FN(ap_session_get);
        session_set = APR_RETRIEVE_OPTIONAL_FN(ap_session_set);
    }
    return session_load && session_get && session_set;
}

/* The last-seen time of rec's login in z: the entry's, else the login
 * time; -1 (with *why) for an entry this login's key did not write. */
static long long last_seen(request_rec *r, const jwtsso_dir_cfg *cfg,
                           session_rec *z, const jwtsso_record_t *rec,
                           jwtsso_reason_t *why)
{
    const char *text = NULL;
    long long t = 0;

    if (session_get(r, z, JWTSSO_SEEN_KEY, &text) != APR_SUCCESS || !text
        || !*text) {
        return rec->auth_time;
    }
    *why = jwtsso_record_seen_check(jwtsso_keyconf_record_key(cfg),
                                    rec->sid, text, strlen(text), &t);
    if (*why != JWTSSO_OK) {
        return -1;
    }
    return t;
}

/* Write the entry for now: the cookie is rewritten on this response. */
static void refresh(request_rec *r, const jwtsso_dir_cfg *cfg,
                    session_rec *z, const jwtsso_record_t *rec,
                    long long now, long long idle)
{
    char *text = apr_palloc(r->pool, JWTSSO_RECORD_SEEN_MAX);

    if (jwtsso_record_seen_make(jwtsso_keyconf_record_key(cfg), rec->sid,
                                now, text) != 0
        || session_set(r, z, JWTSSO_SEEN_KEY, text) != APR_SUCCESS) {
        /* the session stays valid: it idles out from the last write */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, JWTSSO_LOGNO(01202)
                      "cannot write the session's last-seen time");
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(01203)
                  "session of '%s' last seen %" APR_INT64_T_FMT " s ago: "
                  "last-seen time refreshed (at most once per %"
                  APR_INT64_T_FMT " s)", rec->user, (apr_int64_t)idle,
                  (apr_int64_t)(cfg->session_inactivity / 10));
}

int jwtsso_idle_check(request_rec *r, const jwtsso_dir_cfg *cfg, void *zv,
                      const jwtsso_record_t *rec)
{
    session_rec *z = zv;
    long long now = (long long)apr_time_sec(r->request_time);
    long long seen, idle;
    jwtsso_reason_t why = JWTSSO_OK;

    if (cfg->session_inactivity < 0) {
        return 1;
    }
    if (!have_session() || !z || !rec->sid) {
        return 0;
    }
    seen = last_seen(r, cfg, z, rec, &why);
    if (seen < 0) {
        const jwtsso_reasons_row_t *row = jwtsso_reasons_get(why);

        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(01201)
                      "session refused: its last-seen time (%s) is not one "
                      "this login's key wrote: %s: %s", JWTSSO_SEEN_KEY,
                      row->name, jwtsso_reason_text(why));
        return 0;
    }
    /* a time ahead of this server's clock (another server's) is now */
    idle = now > seen ? now - seen : 0;
    if (idle > cfg->session_inactivity) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(01200)
                      "session of '%s' unused for %" APR_INT64_T_FMT
                      " s, longer than " JWTSSO_D_SESSION_INACTIVITY " %"
                      APR_INT64_T_FMT ": a new login", rec->user,
                      (apr_int64_t)idle,
                      (apr_int64_t)cfg->session_inactivity);
        return 0;
    }
    if (idle >= cfg->session_inactivity / 10) {
        refresh(r, cfg, z, rec, now, idle);
    }
    return 1;
}

long long jwtsso_idle_expires(request_rec *r, const jwtsso_dir_cfg *cfg,
                              const jwtsso_record_t *rec)
{
    session_rec *z = NULL;
    jwtsso_reason_t why = JWTSSO_OK;
    long long seen;

    if (cfg->session_inactivity < 0 || !have_session() || !rec->sid
        || session_load(r, &z) != APR_SUCCESS || !z) {
        return -1;
    }
    seen = last_seen(r, cfg, z, rec, &why);
    return seen < 0 ? -1 : seen + cfg->session_inactivity;
}
