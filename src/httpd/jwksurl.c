/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * jwksurl.c - JWTSSOVerifyJWKS https://URL: the IdP's JWK Set fetched
 * with libcurl, shared by the children, refreshed on a schedule and on an
 * unknown kid.
 *
 * One fetch per server, not per child: the fetched text and a generation
 * number live in shared memory (one slot per URL), guarded by a global
 * mutex. The parent fetches in post_config (so 'httpd -t' fetches
 * nothing); after that a thread of each child looks at the slot's
 * deadline every half second and the first to take the turn (under the
 * mutex) fetches for all. A request that meets a kid the set lacks may
 * fetch itself, at most once a minute per URL server-wide (a forged kid
 * cannot make us fetch in a loop), and waits at most the fetch timeout.
 *
 * A child parses the text again only when the generation changed; its
 * parsed set is reference-counted, so a request that holds the old set
 * keeps it until it is done. A fetch that fails (network, TLS, status,
 * size, a JWKS that does not parse) keeps the last good text and is
 * logged with the URL and why; with no good text yet every token checked
 * against the URL is refused (no key) - never accepted.
 */
#include "glue.h"

#include "http_config.h"
#include "http_core.h"
#include "util_mutex.h"
#include "apr_atomic.h"
#include "apr_global_mutex.h"
#include "apr_shm.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"
#include "apr_thread_proc.h"

#define JWKS_MAX        (1024 * 1024)       /* an IdP's set is a few KiB */
#define FETCH_MS        5000                /* connect and total */
#define KID_GAP         apr_time_from_sec(60)
#define RETRY_GAP       apr_time_from_sec(60)
#define TICK            apr_time_from_msec(500)
#define MUTEX_TYPE      "jwtsso-jwks"

/* One URL's slot in shared memory. gen is read without the mutex
 * (apr_atomic); the rest only under it. */
typedef struct {
    apr_uint32_t gen;           /* bumped when a fetch brings new text */
    apr_uint32_t fetching;      /* a fetch is under way (since started) */
    apr_time_t started;
    apr_time_t next_due;        /* the scheduled refresh */
    apr_time_t kid_fetch;       /* the last fetch for an unknown kid */
    apr_time_t fetched;         /* the last good fetch */
    apr_size_t len;
    char text[JWKS_MAX];
} jwks_slot_t;

/* A child's parsed set, freed when the last holder lets go. */
typedef struct {
    jwtsso_keyset_t *keys;
    apr_uint32_t gen;
    unsigned refs;
} snap_t;

struct jwtsso_jwksurl {
    const char *url;
    int http;                   /* http:// (a loopback address only) */
    const char *cafile;         /* of the sections using it (check_config) */
    long long refresh;
    int noted;
    char *ca;                   /* the CA file's text, read in post_config */
    apr_size_t ca_len;
    jwks_slot_t *slot;
    apr_thread_mutex_t *lock;   /* per child: guards cur */
    snap_t *cur;
};
typedef struct jwtsso_jwksurl src_t;

/* This configuration generation's URLs (on pconf), and what post_config
 * made for them. */
static apr_array_header_t *sources;
static apr_shm_t *shm;
static apr_global_mutex_t *mutex;
static server_rec *main_server;
static apr_thread_t *refresher;
static volatile int stopping;

int jwtsso_jwksurl_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    sources = NULL;
    shm = NULL;
    mutex = NULL;
    return ap_mutex_register(pconf, MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0);
}

/* ------------------------------------------------------------------ */
/* Start-up: the directive's value, the sections' settings.            */

static int loopback(const char *host)
{
    if (!strcmp(host, "::1")) {
        return 1;
    }
    if (strncmp(host, "127.", 4)) {
        return 0;
    }
    return host[strspn(host, "0123456789.")] == '\0';
}

const char *jwtsso_jwksurl_parse(cmd_parms *cmd, const char *arg,
                                 src_t **out, int *is_url)
{
    const char *name = cmd->cmd->name;
    apr_uri_t u;
    src_t **each, *src;
    int i, http = !strncasecmp(arg, "http:", 5);

    *out = NULL;
    *is_url = http || !strncasecmp(arg, "https:", 6);
    if (!*is_url) {
        /* another scheme ("ftp://", "ldap://"): not a file name either */
        const char *sep = strstr(arg, "://");

        if (sep && sep + 1 == arg + strcspn(arg, "/")) {
            return apr_psprintf(cmd->pool, "%s: '%s': only https:// URLs "
                                "are fetched; write the IdP's https:// JWKS "
                                "URL or the path of a JWKS file", name, arg);
        }
        return NULL;
    }
    if (!jwtsso_url_absolute(cmd->temp_pool, arg, &u) || !u.hostname
        || !*u.hostname || u.fragment) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a URL we can fetch; "
                            "write it as https://idp.example.com/.well-known/"
                            "jwks.json (no user:password@, no #fragment)",
                            name, arg);
    }
    if (http && !loopback(u.hostname)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is plain http: whoever is "
                            "on the path to %s could hand us their own keys; "
                            "use https:// (http:// is accepted only for "
                            "127.0.0.1 and [::1])", name, arg, u.hostname);
    }
    if (!sources) {
        sources = apr_array_make(cmd->pool, 2, sizeof(src_t *));
    }
    each = (src_t **)sources->elts;
    for (i = 0; i < sources->nelts; i++) {
        if (!strcmp(each[i]->url, arg)) {
            *out = each[i];
            return NULL;
        }
    }
    src = apr_pcalloc(cmd->pool, sizeof(*src));
    src->url = apr_pstrdup(cmd->pool, arg);
    src->http = http;
    src->refresh = JWTSSO_JWKS_REFRESH_DEFAULT;
    APR_ARRAY_PUSH(sources, src_t *) = src;
    *out = src;
    return NULL;
}

const char *jwtsso_jwksurl_note(apr_pool_t *p, const jwtsso_dir_cfg *c)
{
    src_t *src = c->keys ? c->keys->remote : NULL;
    const char *ca = (c->set_bits & JWTSSO_SET_JWKS_CAFILE)
                     ? c->jwks_cafile : NULL;

    if (!src) {
        return NULL;
    }
    if (!src->noted) {
        src->noted = 1;
        src->cafile = ca;
        src->refresh = c->jwks_refresh;
        return NULL;
    }
    if (src->refresh != c->jwks_refresh
        || (ca ? !src->cafile || strcmp(ca, src->cafile) : !!src->cafile)) {
        return apr_psprintf(p, "fetches %s with another " JWTSSO_D_JWKS_CAFILE
                            " or " JWTSSO_D_JWKS_REFRESH " than another "
                            "section that fetches it; the URL is fetched "
                            "once for all: give these directives once, "
                            "at server level", src->url);
    }
    return NULL;
}

/* Parse text into a new set (*out, may be NULL to only check): NULL, or
 * what is wrong with it (in p). */
static const char *parse(apr_pool_t *p, const char *text, apr_size_t len,
                         jwtsso_keyset_t **out, size_t *added)
{
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    jwtsso_keyerr_t ke;
    jwtsso_jwks_err_t detail;
    const char *why = NULL;

    *added = 0;
    if (!ks) {
        return "out of memory";
    }
    ke = jwtsso_jwks_add_ex(ks, text, len, 0, added, &detail);
    if (ke != JWTSSO_KEY_OK) {
        why = apr_psprintf(p, "not a usable JWKS: %s%s%s",
                           jwtsso_reason_keyerr(ke),
                           detail.where[0] ? ": " : "", detail.where);
    }
    else if (*added == 0) {
        why = "the JWKS holds no signing key (keys with \"use\" other than "
              "\"sig\" and unknown kty are skipped)";
    }
    else if (jwtsso_keyset_algs(ks) & JWTSSO_ALGS_HMAC) {
        /* a secret served at a URL is no secret: anyone who can read it
         * could sign logins */
        why = "the JWKS holds a shared secret (kty \"oct\"), which anyone "
              "who can fetch the URL could sign tokens with; publish public "
              "keys only (a secret goes in " JWTSSO_D_SECRET ")";
    }
    if (why || !out) {
        jwtsso_keyset_free(ks);
        ks = NULL;
    }
    if (out) {
        *out = ks;
    }
    return why;
}

/* ------------------------------------------------------------------ */
/* Whose turn it is to fetch, and the fetch's result into the slot.     */

static int lock(void)
{
    return mutex && apr_global_mutex_lock(mutex) == APR_SUCCESS;
}

static void unlock(void)
{
    apr_global_mutex_unlock(mutex);
}

/* Takes the turn to fetch src, for an unknown kid (kid) or its schedule;
 * 1 when this thread is to fetch. A turn older than twice the timeout
 * belonged to a process that died fetching. */
static int claim(src_t *src, int kid)
{
    jwks_slot_t *sl = src->slot;
    apr_time_t now = apr_time_now();
    int ok;

    if (!lock()) {
        return 0;
    }
    ok = (!sl->fetching
          || now - sl->started > 2 * apr_time_from_msec(FETCH_MS))
         && (kid ? now - sl->kid_fetch >= KID_GAP : now >= sl->next_due);
    if (ok) {
        sl->fetching = 1;
        sl->started = now;
        if (kid) {
            sl->kid_fetch = now;
        }
    }
    unlock();
    return ok;
}

static void log_failure(server_rec *s, const src_t *src, const char *why,
                        apr_time_t fetched)
{
    char when[APR_RFC822_DATE_LEN];

    if (fetched) {
        apr_rfc822_date(when, fetched);
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, JWTSSO_LOGNO(01102)
                     "cannot fetch the JWKS from %s: %s; keeping the keys "
                     "fetched at %s (retried in 60 s)", src->url, why, when);
        return;
    }
    ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, JWTSSO_LOGNO(01103)
                 "cannot fetch the JWKS from %s: %s; no keys from it yet: "
                 "every token checked against it is refused (no key) until "
                 "a fetch succeeds (retried in 60 s, and at a token with "
                 "an unknown kid)%s", src->url, why, src->ca ? ""
                 : "; for a server whose certificate a private CA signs, "
                   "set " JWTSSO_D_JWKS_CAFILE);
}

/* Fetches src (this thread holds the turn) and stores the result. */
static void fetch_and_store(apr_pool_t *p, server_rec *s, src_t *src)
{
    jwks_slot_t *sl = src->slot;
    char *buf = malloc(JWKS_MAX);
    apr_size_t len = 0;
    size_t added = 0;
    apr_time_t now, fetched;
    const char *why = buf ? jwtsso_httpget_fetch(p, src->url, src->http,
                                                 src->ca, src->ca_len, buf,
                                                 JWKS_MAX, FETCH_MS, &len)
                          : "out of memory";
    int changed = 0, locked;

    if (!why) {
        why = parse(p, buf, len, NULL, &added);
    }
    locked = lock();
    now = apr_time_now();
    if (!why && locked) {
        changed = sl->len != len || memcmp(sl->text, buf, len);
        if (changed) {
            memcpy(sl->text, buf, len);
            sl->len = len;
            apr_atomic_inc32(&sl->gen);
        }
        sl->fetched = now;
    }
    sl->next_due = now + (why ? RETRY_GAP : apr_time_from_sec(src->refresh));
    fetched = sl->fetched;
    sl->fetching = 0;
    if (locked) {
        unlock();
    }
    free(buf);
    if (why) {
        log_failure(s, src, why, fetched);
    }
    else {
        ap_log_error(APLOG_MARK, changed ? APLOG_NOTICE : APLOG_DEBUG, 0, s,
                     JWTSSO_LOGNO(01101) "fetched %lu key(s) from %s%s",
                     (unsigned long)added, src->url,
                     changed ? " (a new set)" : " (unchanged)");
    }
}

/* ------------------------------------------------------------------ */
/* post_config (the parent) and the children.                           */

static const char *read_ca(apr_pool_t *pconf, src_t *src)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    char err[120];

    rv = apr_file_open(&f, src->cafile, APR_FOPEN_READ, 0, pconf);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
        if (rv == APR_SUCCESS && fi.size > 0 && fi.size <= JWKS_MAX) {
            src->ca = apr_palloc(pconf, (apr_size_t)fi.size);
            rv = apr_file_read_full(f, src->ca, (apr_size_t)fi.size,
                                    &src->ca_len);
        }
        apr_file_close(f);
    }
    if (rv != APR_SUCCESS || !src->ca) {
        return apr_psprintf(pconf, "cannot read %s (%s)", src->cafile,
                            apr_strerror(rv, err, sizeof(err)));
    }
    return NULL;
}

static int make_shared(apr_pool_t *pconf, server_rec *s)
{
    apr_size_t size = sources->nelts * sizeof(jwks_slot_t);
    apr_status_t rv;

    rv = ap_global_mutex_create(&mutex, NULL, MUTEX_TYPE, NULL, s, pconf, 0);
    if (rv == APR_SUCCESS) {
        rv = apr_shm_create(&shm, size, NULL, pconf);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, JWTSSO_LOGNO(01104)
                     "cannot make the shared memory or mutex for the JWKS "
                     "URLs (%" APR_SIZE_T_FMT " bytes)", size);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    memset(apr_shm_baseaddr_get(shm), 0, size);
    return OK;
}

int jwtsso_jwksurl_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    src_t **each;
    const char *err;
    int i;

    (void)plog;
    /* httpd reads its configuration twice at start-up; fetch on the
     * second, which the server runs with */
    if (!sources || ap_state_query(AP_SQ_MAIN_STATE)
                    == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    if (!jwtsso_httpget_init()) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, JWTSSO_LOGNO(01105)
                     "curl_global_init failed: cannot fetch JWKS URLs");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    main_server = s;
    if (make_shared(pconf, s) != OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    each = (src_t **)sources->elts;
    for (i = 0; i < sources->nelts; i++) {
        each[i]->slot = (jwks_slot_t *)apr_shm_baseaddr_get(shm) + i;
        if (each[i]->cafile && (err = read_ca(pconf, each[i]))) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, JWTSSO_LOGNO(01106)
                         JWTSSO_D_JWKS_CAFILE ": %s; make it readable by "
                         "the user that starts httpd", err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (claim(each[i], 0)) {
            fetch_and_store(ptemp, s, each[i]);
        }
    }
    return OK;
}

static void *APR_THREAD_FUNC refresh_loop(apr_thread_t *t, void *data)
{
    apr_pool_t *p = data;
    src_t **each = (src_t **)sources->elts;
    int i;

    while (!stopping) {
        apr_sleep(TICK);
        for (i = 0; i < sources->nelts && !stopping; i++) {
            if (apr_time_now() >= each[i]->slot->next_due
                && claim(each[i], 0)) {
                fetch_and_store(p, main_server, each[i]);
                apr_pool_clear(p);
            }
        }
    }
    apr_pool_destroy(p);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static apr_status_t stop_refresher(void *data)
{
    apr_status_t rv;

    (void)data;
    stopping = 1;
    if (refresher) {
        apr_thread_join(&rv, refresher);
        refresher = NULL;
    }
    return APR_SUCCESS;
}

void jwtsso_jwksurl_child_init(apr_pool_t *p, server_rec *s)
{
    src_t **each;
    apr_pool_t *tp;
    apr_status_t rv;
    int i;

    if (!sources || !mutex) {
        return;
    }
    rv = apr_global_mutex_child_init(&mutex,
                                     apr_global_mutex_lockfile(mutex), p);
    each = (src_t **)sources->elts;
    for (i = 0; rv == APR_SUCCESS && i < sources->nelts; i++) {
        rv = apr_thread_mutex_create(&each[i]->lock,
                                     APR_THREAD_MUTEX_DEFAULT, p);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_pool_create_unmanaged_ex(&tp, NULL, NULL);
    }
    stopping = 0;
    if (rv == APR_SUCCESS) {
        rv = apr_thread_create(&refresher, NULL, refresh_loop, tp, p);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, JWTSSO_LOGNO(01107)
                     "cannot start this child's JWKS refresh: the keys "
                     "from JWKS URLs are not refreshed by it");
        return;
    }
    apr_pool_cleanup_register(p, NULL, stop_refresher,
                              apr_pool_cleanup_null);
}

/* ------------------------------------------------------------------ */
/* Requests: the child's parsed set.                                    */

static void snap_drop(snap_t *sn)
{
    if (sn && --sn->refs == 0) {
        jwtsso_keyset_free(sn->keys);
        free(sn);
    }
}

/* Under src->lock: parse the slot's text of generation gen into cur. */
static void snap_renew(request_rec *r, src_t *src, apr_uint32_t gen)
{
    snap_t *sn;
    char *text = NULL;
    apr_size_t len = 0;
    size_t added;
    const char *why;

    if (!lock()) {
        return;
    }
    gen = apr_atomic_read32(&src->slot->gen);
    len = src->slot->len;
    text = malloc(len + 1);
    if (text) {
        memcpy(text, src->slot->text, len);
    }
    unlock();
    sn = calloc(1, sizeof(*sn));
    if (!text || !sn) {
        free(text);
        free(sn);
        return;
    }
    why = parse(r->pool, text, len, &sn->keys, &added);
    free(text);
    if (why) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(01108)
                      "the keys fetched from %s do not parse here: %s; "
                      "keeping the ones before", src->url, why);
        free(sn);
        return;
    }
    sn->gen = gen;
    sn->refs = 1;               /* cur's own */
    snap_drop(src->cur);
    src->cur = sn;
}

/* The child's set for src, held until snap_release; NULL for none. */
static snap_t *snap_get(request_rec *r, src_t *src)
{
    apr_uint32_t gen;
    snap_t *sn;

    if (!src->slot || !src->lock) {
        return NULL;
    }
    gen = apr_atomic_read32(&src->slot->gen);
    apr_thread_mutex_lock(src->lock);
    if (gen && (!src->cur || src->cur->gen != gen)) {
        snap_renew(r, src, gen);
    }
    sn = src->cur;
    if (sn) {
        sn->refs++;
    }
    apr_thread_mutex_unlock(src->lock);
    return sn;
}

static void snap_release(src_t *src, snap_t *sn)
{
    if (sn) {
        apr_thread_mutex_lock(src->lock);
        snap_drop(sn);
        apr_thread_mutex_unlock(src->lock);
    }
}

/* Brought up to date first: a bearer token cached under the set before
 * a rotation another child fetched must not be a hit here. */
apr_uint32_t jwtsso_jwksurl_generation(request_rec *r,
                                       const jwtsso_dir_cfg *cfg)
{
    src_t *src = cfg->keys ? cfg->keys->remote : NULL;
    snap_t *sn;
    apr_uint32_t gen;

    if (!src) {
        return 0;
    }
    sn = snap_get(r, src);
    gen = sn ? sn->gen : 0;
    snap_release(src, sn);
    return gen;
}

/* A token's kid the set lacks (or no set yet): fetch again if it is our
 * turn, else wait for a fetch under way; 1 when a new set came. */
static int refetch(request_rec *r, src_t *src, const char *kid)
{
    apr_uint32_t gen = apr_atomic_read32(&src->slot->gen);
    apr_time_t until = apr_time_now() + apr_time_from_msec(FETCH_MS + 500);
    int busy;

    if (claim(src, 1)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(01109)
                      "kid '%s' is not among the keys from %s: fetching "
                      "them again", ap_escape_logitem(r->pool, kid),
                      src->url);
        fetch_and_store(r->pool, r->server, src);
        return apr_atomic_read32(&src->slot->gen) != gen;
    }
    do {
        if (!lock()) {
            return 0;
        }
        busy = src->slot->fetching;
        unlock();
        if (busy) {
            apr_sleep(apr_time_from_msec(50));
        }
    } while (busy && apr_time_now() < until);
    if (apr_atomic_read32(&src->slot->gen) != gen) {
        return 1;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(01110)
                  "kid '%s' is not among the keys from %s, which were "
                  "fetched again less than a minute ago: not fetched again",
                  ap_escape_logitem(r->pool, kid), src->url);
    return 0;
}

static jwtsso_reason_t remote_verify(request_rec *r, src_t *src,
                                     const jwtsso_policy_t *pol,
                                     const char *token, size_t len,
                                     jwtsso_result_t *res, void *scratch,
                                     size_t slen)
{
    long long now = (long long)apr_time_sec(r->request_time);
    jwtsso_reason_t why;
    snap_t *sn;
    int empty, again;

    sn = snap_get(r, src);
    why = jwtsso_jws_verify_in(sn ? sn->keys : NULL, pol, token, len, now,
                               res, scratch, slen);
    empty = !sn || jwtsso_keyset_count(sn->keys) == 0;
    snap_release(src, sn);
    if (why == JWTSSO_OK || why == JWTSSO_R_INTERNAL
        || (why != JWTSSO_R_UNKNOWN_KID && !empty)) {
        return why;
    }
    again = refetch(r, src, res->kid);
    if (again) {
        jwtsso_jws_result_clear(res);
        memset(res, 0, sizeof(*res));
        sn = snap_get(r, src);
        why = jwtsso_jws_verify_in(sn ? sn->keys : NULL, pol, token, len,
                                   now, res, scratch, slen);
        empty = !sn || jwtsso_keyset_count(sn->keys) == 0;
        snap_release(src, sn);
    }
    /* no set yet (every fetch failed): say so, not "alg not allowed" */
    return empty && why != JWTSSO_OK ? JWTSSO_R_NO_KEY : why;
}

jwtsso_reason_t jwtsso_jwksurl_verify(request_rec *r,
                                      const jwtsso_dir_cfg *cfg,
                                      const jwtsso_policy_t *pol,
                                      const char *token, size_t len,
                                      jwtsso_result_t *res, void *scratch,
                                      size_t slen)
{
    long long now = (long long)apr_time_sec(r->request_time);
    const jwtsso_keyset_t *own = cfg->keys->keys;
    jwtsso_reason_t why;

    if (!cfg->keys->remote) {
        return jwtsso_jws_verify_in(own, pol, token, len, now, res, scratch,
                                    slen);
    }
    why = remote_verify(r, cfg->keys->remote, pol, token, len, res, scratch,
                        slen);
    /* the section's other keys (JWTSSOSecret, JWTSSOVerifyKey) for a
     * token none of the fetched keys is for */
    if ((why == JWTSSO_R_UNKNOWN_KID || why == JWTSSO_R_NO_KEY
         || why == JWTSSO_R_ALG_NOT_ALLOWED)
        && jwtsso_keyset_count(own) > 0) {
        jwtsso_jws_result_clear(res);
        memset(res, 0, sizeof(*res));
        why = jwtsso_jws_verify_in(own, pol, token, len, now, res, scratch,
                                   slen);
    }
    return why;
}
