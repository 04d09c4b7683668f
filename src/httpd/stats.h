/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * stats.h - the counters of jwtsso-status: kept by stats.c in shared
 * memory, summed over every child and thread (kept over a graceful
 * restart, cleared by any other), raised where each event is logged
 * (flow.c, login.c, bearer.c, verify.c, session.c) and shown by status.c.
 */
#ifndef JWTSSO_STATS_H
#define JWTSSO_STATS_H

#include "httpd.h"
#include "scoreboard.h"

#include "jwtsso.h"

/* What each counts (README, "Watching it"): */
enum {
    JWTSSO_STATS_LOGINS,        /* tokens consumed into a session */
    JWTSSO_STATS_SESSIONS,      /* requests accepted by their session */
    JWTSSO_STATS_BEARER,        /* requests accepted by a bearer token */
    JWTSSO_STATS_REDIRECTS,     /* browsers sent to the login page */
    JWTSSO_STATS_LOGOUTS,       /* logins ended by jwtsso-logout */
    JWTSSO_STATS_REPLAYS,       /* replayed / consumed refusals */
    JWTSSO_STATS_STORE_ERRORS,  /* 503s: the replay store did not answer */
    JWTSSO_STATS__COUNT
};
/* Failures by reason: each jwtsso_reason_t but JWTSSO_OK, then the
 * refusals the httpd side names. */
enum {
    JWTSSO_STATS_F_DUPLICATE_PARAM = JWTSSO_R__COUNT,   /* JWTSSO00401 */
    JWTSSO_STATS_F_STATE_MISSING,                       /* JWTSSO00402 */
    JWTSSO_STATS_F_STATE_PARAM,                         /* JWTSSO00403 */
    JWTSSO_STATS_F_STATE_MISMATCH,                      /* JWTSSO00404 */
    JWTSSO_STATS_F_REPLAYED,                            /* JWTSSO00417 */
    JWTSSO_STATS_F_REPLAY_WINDOW,                       /* JWTSSO00721 */
    JWTSSO_STATS_F_CONSUMED,                            /* JWTSSO00424 */
    JWTSSO_STATS__FAIL_COUNT
};
typedef struct {
    apr_int64_t since;          /* Unix seconds of the last (re)start */
    apr_uint64_t event[JWTSSO_STATS__COUNT];
    apr_uint64_t fail[JWTSSO_STATS__FAIL_COUNT];
} jwtsso_stats_t;
/* One relaxed atomic add; nothing when the counters are not made. */
void jwtsso_stats_count(int event);
void jwtsso_stats_fail(int why);    /* a jwtsso_reason_t or _F_ value */
/* The name of failure counter i ("bad_signature", "replayed"), or NULL
 * for none (0, JWTSSO_OK, and past the end). */
const char *jwtsso_stats_fail_name(int i);
/* The counters now into *out; 0 (and zeros) when they are not made. */
int jwtsso_stats_snapshot(jwtsso_stats_t *out);
int jwtsso_stats_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s);
int jwtsso_stats_pre_mpm(apr_pool_t *p, ap_scoreboard_e sb_type);

/* status.c: SetHandler jwtsso-status. */
int jwtsso_status_handler(request_rec *r);

#endif
