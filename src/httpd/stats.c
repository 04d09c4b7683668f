/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * stats.c - the counters of jwtsso-status (status.c): one segment of
 * anonymous shared memory that every child and thread adds to, read by
 * the handler as one snapshot.
 *
 * Lifetime, as mod_status's scoreboard: the segment is made once per
 * httpd parent, in post_config (the real pass, not the first one), on
 * the process pool, and kept in that pool's userdata under KEY, because
 * the module's DSO (and its static variables) is unloaded and loaded
 * again on every restart. A graceful restart (SIGUSR1, `apachectl -k
 * graceful`) finds it there and keeps counting; the children fork from
 * the parent, so they share it without attaching. pre_mpm, which the MPMs
 * run at the first start and after a non-graceful restart (SIGHUP,
 * `apachectl -k restart`) but not after a graceful one, clears it and
 * sets the start time: a restart that kills every child starts over, as
 * mod_status's counts do. A full stop and start is a new parent: a new
 * segment.
 *
 * On the request path: one relaxed atomic add, no lock; each counter on
 * its own cache line, so CPUs adding to the hot ones (sessions, bearer)
 * do not fight over a line. A snapshot reads each counter atomically; the
 * set is not one instant (a request may land between two reads).
 */
#include "glue.h"
#include "stats.h"

#include "ap_mpm.h"
#include "http_core.h"
#include "scoreboard.h"
#include "apr_shm.h"
#include "apr_strings.h"

#define KEY "jwtsso-stats"
#define LINE 64
/* the layout's version: a segment a different build of the module made
 * (another layout, after an upgrade with a graceful restart) is not
 * read, but replaced */
#define MAGIC (0x6a777373u ^ (unsigned)(JWTSSO_STATS__COUNT << 8) \
               ^ (unsigned)JWTSSO_STATS__FAIL_COUNT)

typedef struct {
    apr_uint64_t n;
    char pad[LINE - sizeof(apr_uint64_t)];
} counter_t;

typedef struct {
    unsigned magic;
    apr_int64_t since;
    char pad[LINE - sizeof(unsigned) - sizeof(apr_int64_t)];
    counter_t event[JWTSSO_STATS__COUNT];
    counter_t fail[JWTSSO_STATS__FAIL_COUNT];
} segment_t;

static segment_t *seg;

/* the refusals the httpd side names (login.c, replay.c, bearer.c), after
 * the core's reasons */
static const char *const httpd_names[] = {
    [JWTSSO_STATS_F_DUPLICATE_PARAM - JWTSSO_R__COUNT] = "duplicate_param",
    [JWTSSO_STATS_F_STATE_MISSING - JWTSSO_R__COUNT] = "state_missing",
    [JWTSSO_STATS_F_STATE_PARAM - JWTSSO_R__COUNT] = "state_param_missing",
    [JWTSSO_STATS_F_STATE_MISMATCH - JWTSSO_R__COUNT] = "state_mismatch",
    [JWTSSO_STATS_F_REPLAYED - JWTSSO_R__COUNT] = "replayed",
    [JWTSSO_STATS_F_REPLAY_WINDOW - JWTSSO_R__COUNT] =
        "replay_window_too_long",
    [JWTSSO_STATS_F_CONSUMED - JWTSSO_R__COUNT] = "consumed",
};

const char *jwtsso_stats_fail_name(int i)
{
    if (i <= JWTSSO_OK || i >= JWTSSO_STATS__FAIL_COUNT) {
        return NULL;
    }
    return i < JWTSSO_R__COUNT ? jwtsso_reason_name((jwtsso_reason_t)i)
                               : httpd_names[i - JWTSSO_R__COUNT];
}

void jwtsso_stats_count(int event)
{
    if (seg && (unsigned)event < JWTSSO_STATS__COUNT) {
        __atomic_fetch_add(&seg->event[event].n, 1, __ATOMIC_RELAXED);
    }
}

void jwtsso_stats_fail(int why)
{
    if (seg && why > JWTSSO_OK && why < JWTSSO_STATS__FAIL_COUNT) {
        __atomic_fetch_add(&seg->fail[why].n, 1, __ATOMIC_RELAXED);
    }
}

int jwtsso_stats_snapshot(jwtsso_stats_t *out)
{
    int i;

    memset(out, 0, sizeof(*out));
    if (!seg) {
        return 0;
    }
    out->since = __atomic_load_n(&seg->since, __ATOMIC_RELAXED);
    for (i = 0; i < JWTSSO_STATS__COUNT; i++) {
        out->event[i] = __atomic_load_n(&seg->event[i].n, __ATOMIC_RELAXED);
    }
    for (i = 0; i < JWTSSO_STATS__FAIL_COUNT; i++) {
        out->fail[i] = __atomic_load_n(&seg->fail[i].n, __ATOMIC_RELAXED);
    }
    return 1;
}

static void clear(segment_t *s)
{
    memset(s, 0, sizeof(*s));
    s->magic = MAGIC;
    s->since = (apr_int64_t)apr_time_sec(apr_time_now());
}

/* A new segment on the process pool: anonymous where the system has it
 * (Linux, the BSDs), else a file in the runtime directory. */
static segment_t *make(apr_pool_t *pproc, server_rec *s)
{
    apr_shm_t *shm = NULL;
    apr_status_t rv;
    const char *file;

    rv = apr_shm_create(&shm, sizeof(segment_t), NULL, pproc);
    if (rv == APR_ENOTIMPL) {
        file = ap_runtime_dir_relative(pproc, "jwtsso-stats.shm");
        apr_shm_remove(file, pproc);
        rv = apr_shm_create(&shm, sizeof(segment_t), file, pproc);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, JWTSSO_LOGNO(01250)
                     "cannot make the shared memory of the jwtsso-status "
                     "counters (%" APR_SIZE_T_FMT " bytes)",
                     sizeof(segment_t));
        return NULL;
    }
    clear(apr_shm_baseaddr_get(shm));
    return apr_shm_baseaddr_get(shm);
}

int jwtsso_stats_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    apr_pool_t *pproc = s->process->pool;
    void *kept = NULL;

    (void)pconf;
    (void)plog;
    (void)ptemp;
    seg = NULL;
    /* the first pass of the configuration at start-up only checks it */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    apr_pool_userdata_get(&kept, KEY, pproc);
    if (kept && ((segment_t *)kept)->magic == MAGIC) {
        seg = kept;
        return OK;
    }
    seg = make(pproc, s);
    if (!seg) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_userdata_set(seg, KEY, apr_pool_cleanup_null, pproc);
    return OK;
}

/* The MPMs run pre_mpm at the first start and after a restart that is
 * not graceful: counting starts over then. */
int jwtsso_stats_pre_mpm(apr_pool_t *p, ap_scoreboard_e sb_type)
{
    (void)p;
    (void)sb_type;
    if (seg) {
        clear(seg);
    }
    return OK;
}
