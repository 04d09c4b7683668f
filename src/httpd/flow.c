/*
 * flow.c - the jwtsso login flow in httpd's hooks (DESIGN §2).
 *
 *   post_perdir_config  every request of a configuration that uses the
 *                       module: remove spoofed X-JWTSSO-* headers (and our
 *                       names from Connection); under AuthType jwtsso also
 *                       take the token out of the query (kept in the
 *                       request config) and redact it from what the access
 *                       log sees.
 *   check_authn         a token to consume, else a valid session, else the
 *                       unauthenticated action (redirect, 401 or pass).
 *   force_authn         for JWTSSOUnauthAction pass under Require all
 *                       granted: authenticate when there is something to
 *                       authenticate, else stay anonymous.
 *
 * Every refusal of client input is a 401 with one INFO line naming the
 * reason; 500 is for configuration faults only.
 */
#include "glue.h"

#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"
#include "mod_auth.h"
#include "util_cookies.h"
#include "apr_strings.h"
#include "apr_escape.h"
#include "apr_lib.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define STATE_BYTES 16

/* What this module learned about one request. */
typedef struct {
    int parsed;
    apr_array_header_t *pairs;  /* the query as the client sent it */
    const char *token;          /* the token parameter, decoded */
    int ntokens;
    const char *state;          /* the jwtsso_state parameter */
    int session_checked;
    int session_ok;
    jwtsso_record_t rec;
} req_t;

static int is_ours(request_rec *r)
{
    const char *type = ap_auth_type(r);

    return type && !strcasecmp(type, JWTSSO_AUTH_TYPE);
}

static jwtsso_dir_cfg *dir_cfg(request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &auth_jwtsso_module);
}

/* Parse the query once per request and find our parameters in it. */
static req_t *req_state(request_rec *r, const jwtsso_dir_cfg *cfg)
{
    req_t *st = ap_get_module_config(r->request_config, &auth_jwtsso_module);
    const jwtsso_qpair_t *q;
    int i;

    if (!st) {
        st = apr_pcalloc(r->pool, sizeof(*st));
        ap_set_module_config(r->request_config, &auth_jwtsso_module, st);
    }
    if (st->parsed) {
        return st;
    }
    st->parsed = 1;
    st->pairs = jwtsso_url_query_parse(r->pool, r->args);
    q = (const jwtsso_qpair_t *)st->pairs->elts;
    for (i = 0; i < st->pairs->nelts; i++) {
        if (!strcmp(q[i].name, cfg->token_param)) {
            st->token = q[i].value;
            st->ntokens++;
        }
        else if (!strcmp(q[i].name, JWTSSO_STATE_PARAM)) {
            st->state = q[i].value;
        }
    }
    return st;
}

/* The query with the token's value replaced, for the logs. */
static const char *redacted_query(request_rec *r, const req_t *st,
                                  const char *param)
{
    const jwtsso_qpair_t *q = (const jwtsso_qpair_t *)st->pairs->elts;
    const char *out = "", *item;
    int i;

    for (i = 0; i < st->pairs->nelts; i++) {
        item = strcmp(q[i].name, param) ? q[i].raw
             : apr_pstrcat(r->pool, param, "=[redacted]", NULL);
        out = *out ? apr_pstrcat(r->pool, out, "&", item, NULL) : item;
    }
    return out;
}

/* Is this one of the names we pass claims in? X-JWTSSO-* in any case, and
 * the X_JWTSSO_ spelling (DESIGN §6); len bytes of name. */
static int our_header(const char *name, size_t len)
{
    /* x, then '-' or '_', "jwtsso" in any case, '-' or '_' */
    return len >= 9 && (name[0] | 0x20) == 'x'
           && (name[1] == '-' || name[1] == '_')
           && !strncasecmp(name + 2, "JWTSSO", 6)
           && (name[8] == '-' || name[8] == '_');
}

typedef struct {
    apr_pool_t *pool;
    apr_array_header_t *names;      /* made at the first one found */
} spoofed_t;

static int spoofed(void *rec, const char *key, const char *value)
{
    spoofed_t *f = rec;

    (void)value;
    if (our_header(key, strlen(key))) {
        if (!f->names) {
            f->names = apr_array_make(f->pool, 2, sizeof(const char *));
        }
        *(const char **)apr_array_push(f->names) = key;
    }
    return 1;
}

/* A Connection header that names one of our headers would make mod_proxy
 * drop it as hop-by-hop after we set it: those names are taken out of
 * Connection (the others stay). */
static void connection_tokens(request_rec *r)
{
    const char *conn = apr_table_get(r->headers_in, "Connection"), *tok;
    const char *kept = "";
    char *list, *last = NULL;
    int changed = 0;

    if (!conn || !ap_strcasestr(conn, "jwtsso")) {
        return;
    }
    list = apr_pstrdup(r->pool, conn);
    for (tok = apr_strtok(list, ", \t", &last); tok;
         tok = apr_strtok(NULL, ", \t", &last)) {
        if (our_header(tok, strlen(tok))) {
            changed = 1;
            continue;
        }
        kept = *kept ? apr_pstrcat(r->pool, kept, ", ", tok, NULL) : tok;
    }
    if (!changed) {
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00423)
                  "Connection header named X-JWTSSO-* headers: those "
                  "names removed from it");
    if (*kept) {
        apr_table_setn(r->headers_in, "Connection", kept);
    }
    else {
        apr_table_unset(r->headers_in, "Connection");
    }
}

/* Remove every incoming header a client could use to pose as us, and our
 * names from its Connection header. */
static void strip_spoofed(request_rec *r)
{
    spoofed_t found;
    int i;

    /* the array is made only when a header is found (most requests have
     * none) */
    found.pool = r->pool;
    found.names = NULL;
    apr_table_do(spoofed, &found, r->headers_in, NULL);
    for (i = 0; found.names && i < found.names->nelts; i++) {
        apr_table_unset(r->headers_in, ((const char **)found.names->elts)[i]);
    }
    connection_tokens(r);
}

int jwtsso_flow_post_perdir(request_rec *r)
{
    jwtsso_dir_cfg *cfg;
    req_t *st;

    if (!is_ours(r)) {
        /* a configuration that uses the module strips spoofed headers
         * everywhere, an AuthType None path of a proxied app too, unless
         * JWTSSOStripHeaders Off (a backend this server proxies to) */
        if (jwtsso_startup_used() && dir_cfg(r)->strip_headers) {
            strip_spoofed(r);
        }
        return DECLINED;
    }
    cfg = dir_cfg(r);
    strip_spoofed(r);
    st = req_state(r, cfg);
    if (st->ntokens > 0) {
        /* the token never reaches the access log or the app */
        const char *q = redacted_query(r, st, cfg->token_param);
        const char *path = r->parsed_uri.path ? r->parsed_uri.path : "/";

        r->args = apr_pstrdup(r->pool, q);
        r->parsed_uri.query = r->args;
        r->unparsed_uri = apr_pstrcat(r->pool, path, "?", q, NULL);
        r->the_request = apr_pstrcat(r->pool, r->method, " ",
                                     r->unparsed_uri,
                                     r->assbackwards ? "" : " ",
                                     r->assbackwards ? "" : r->protocol,
                                     NULL);
    }
    return DECLINED;
}

/* 8 hex of SHA-256: lets an administrator match log lines to a token
 * without the token in the log. */
static const char *fingerprint(request_rec *r, const char *token)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (!EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL)) {
        return "-";
    }
    return apr_psprintf(r->pool, "%02x%02x%02x%02x", md[0], md[1], md[2],
                        md[3]);
}

/* 16 random bytes; as 32 hex digits (the state, in cookies and URLs) or,
 * shorter, as 22 base64url characters (the login id kept in a record). */
static const char *random_id(request_rec *r, int b64)
{
    unsigned char raw[STATE_BYTES];
    char *out = apr_palloc(r->pool, STATE_BYTES * 2 + 1);
    int i;

    if (apr_generate_random_bytes(raw, sizeof(raw)) != APR_SUCCESS) {
        return NULL;
    }
    if (b64) {
        jwtsso_b64url_encode(raw, sizeof(raw), out);
        return out;
    }
    for (i = 0; i < STATE_BYTES; i++) {
        apr_snprintf(out + i * 2, 3, "%02x", raw[i]);
    }
    return out;
}

/* The state cookie's name: with the __Host- prefix on https (Secure,
 * Path=/, no Domain), so a sibling subdomain cannot plant one. */
static const char *state_name(int https)
{
    return https ? "__Host-" JWTSSO_STATE_COOKIE : JWTSSO_STATE_COOKIE;
}

static void state_cookie(request_rec *r, const jwtsso_dir_cfg *cfg,
                         const char *value)
{
    int https;

    jwtsso_url_origin(r, cfg, &https);
    apr_table_addn(r->err_headers_out, "Set-Cookie",
                   apr_psprintf(r->pool, "%s=%s; Path=/; Max-Age=%d; "
                                "HttpOnly; SameSite=Lax%s",
                                state_name(https), value ? value : "",
                                value ? JWTSSO_STATE_MAX_AGE : 0,
                                https ? "; Secure" : ""));
}

static int refuse(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    return HTTP_UNAUTHORIZED;
}

/* Verify a token with cfg's keys and policy; on failure, one line with
 * the level and tag of the reason's row (reasons.c): INFO JWTSSO002nn for
 * refused input, ERR JWTSSO00415 for an internal fault.
 * what: "token" or "bearer token"; fp: the token's fingerprint, or NULL
 * to compute it only if a line is logged. */
/* The core's policy for a token of this section: a login token, or a
 * bearer (an API token when JWTSSOBearerAudience declares them: its own
 * audience, alive until its exp). */
static void policy_for(const jwtsso_dir_cfg *cfg, int bearer,
                       jwtsso_policy_t *pol)
{
    memset(pol, 0, sizeof(*pol));
    pol->max_age = cfg->max_age;
    pol->skew = cfg->skew;
    pol->user_claim = cfg->user_claim;
    pol->max_size = (size_t)cfg->max_token_size;
    pol->algs = cfg->algs;
    pol->issuer = cfg->issuer;
    pol->audience = cfg->audience;
    pol->max_kidless = cfg->max_kidless;
    pol->api_audience = cfg->bearer_audience;
    pol->bearer = bearer;
    if (bearer && cfg->bearer_audience) {
        pol->audience = NULL;
        pol->max_age = -1;
    }
}

static jwtsso_reason_t verify(request_rec *r, const jwtsso_dir_cfg *cfg,
                              const char *token, int bearer,
                              const char *what, const char *fp,
                              jwtsso_result_t *res)
{
    jwtsso_policy_t pol;
    jwtsso_reason_t why;
    const jwtsso_reasons_row_t *row;
    unsigned char nkey[JWTSSO_BCACHE_KEY_LEN];
    size_t len, slen;
    int keyed, remembered;

    policy_for(cfg, bearer, &pol);
    memset(res, 0, sizeof(*res));
    /* the same token refused at its signature moments ago (bcache.c):
     * refused again without a signature check, logged as the first time */
    keyed = jwtsso_bcache_key(r, cfg, token, nkey);
    remembered = keyed && jwtsso_bcache_refused(r, nkey, &why);
    if (!remembered) {
        len = strlen(token);
        /* decoded in the request pool: no malloc per verification; a
         * token over the size cap is refused before the scratch is
         * looked at */
        slen = len <= pol.max_size ? jwtsso_jws_scratch_len(len) : 0;
        why = jwtsso_jws_verify_in(cfg->keys->keys, &pol, token, len,
                                   (long long)apr_time_sec(r->request_time),
                                   res, slen ? apr_palloc(r->pool, slen)
                                             : NULL, slen);
        if (why == JWTSSO_OK && bearer && !res->has_exp) {
            why = JWTSSO_R_NO_LIFETIME;     /* a bearer token needs an exp */
            res->claim = "exp";
        }
    }
    if (why == JWTSSO_OK) {
        return why;
    }
    row = jwtsso_reasons_get(why);
    if (why == JWTSSO_R_INTERNAL) {
        ap_log_rerror(APLOG_MARK, row->level, 0, r, "%s: cannot verify a "
                      "%s: %s", row->tag, what, jwtsso_reason_text(why));
    }
    else {
        ap_log_rerror(APLOG_MARK, row->level, 0, r, "%s: %s refused: %s: "
                      "%s (alg %s, kid '%s'%s%s, token %s%s)",
                      row->tag, what, row->name,
                      jwtsso_reason_text(why), jwtsso_alg_name(res->alg),
                      ap_escape_logitem(r->pool, res->kid),
                      res->claim ? ", claim " : "",
                      res->claim ? ap_escape_logitem(r->pool, res->claim)
                                 : "", fp ? fp : fingerprint(r, token),
                      remembered ? "; refused here moments ago, not "
                                   "verified again" : "");
    }
    jwtsso_result_clear(res);
    if (keyed && !remembered) {
        jwtsso_bcache_refuse(r, nkey, why);
    }
    return why;
}

/* A record for a verified token, with a fresh random sid, checked into
 * rec (strings in r->pool). Returns the record text or NULL (logged). */
static const char *make_record(request_rec *r, const jwtsso_dir_cfg *cfg,
                               const jwtsso_result_t *res,
                               jwtsso_record_t *rec)
{
    const char *realm, *origin, *text;
    const unsigned char *policy;
    const char *sid = random_id(r, 1);
    long long now = (long long)apr_time_sec(r->request_time);
    char dropped[256] = "";
    jwtsso_reason_t why;
    char *record;

    jwtsso_session_binding(r, cfg, &realm, &origin, &policy);
    record = sid && policy
           ? jwtsso_record_make(jwtsso_keyconf_record_key(cfg), realm, origin,
                                policy, res->user, now,
                                now + cfg->session_max_age, sid,
                                res->payload, res->payload_len, dropped,
                                sizeof(dropped))
           : NULL;
    if (!record) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00405)
                      "cannot make a session record (out of memory or no "
                      "randomness)");
        return NULL;
    }
    text = apr_pstrdup(r->pool, record);
    free(record);
    if (*dropped) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00406)
                      "claims not kept in the session (over %d bytes; "
                      "JWTSSO_CLAIMS_TRUNCATED=1): %s",
                      JWTSSO_RECORD_CLAIMS_MAX,
                      ap_escape_logitem(r->pool, dropped));
    }
    why = jwtsso_session_check(r, cfg, text, rec);
    if (why != JWTSSO_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00407)
                      "the session record just made does not check: %s",
                      jwtsso_reason_name(why));
        return NULL;
    }
    return text;
}

/* The replay cache key of a token: its jti (with iss) if it has one, else
 * its signing input "header.payload" — never the signature, which ECDSA
 * lets anyone re-form (r, n-s) without the key. SHA-256, 32 bytes. */
static void replay_key(const jwtsso_result_t *res, const char *token,
                       unsigned char *key)
{
    unsigned int n = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    if (md && EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
        if (res->jti) {
            EVP_DigestUpdate(md, "jti\0", 4);
            if (res->iss) {
                EVP_DigestUpdate(md, res->iss, res->iss_len);
            }
            EVP_DigestUpdate(md, "\0", 1);
            EVP_DigestUpdate(md, res->jti, res->jti_len);
        }
        else {
            EVP_DigestUpdate(md, "jws\0", 4);
            EVP_DigestUpdate(md, token, strrchr(token, '.') - token);
        }
        EVP_DigestFinal_ex(md, key, &n);
    }
    if (n != 32) {
        memset(key, 0, 32);
    }
    EVP_MD_CTX_free(md);
}

/* A request that carries a token: verify it, check the state, keep the
 * login in a fresh session record, and redirect to the same URL without
 * the token. */
static int consume(request_rec *r, const jwtsso_dir_cfg *cfg, req_t *st)
{
    static const char *const drop_names[3] = { NULL, JWTSSO_STATE_PARAM,
                                               NULL };
    const char *drop[3];
    jwtsso_result_t res;
    jwtsso_reason_t why;
    const char *fp = fingerprint(r, st->token), *cookie = NULL, *rtext;
    const char *query;
    unsigned char rkey[32];
    apr_time_t until;
    long long end;
    int rv;

    if (st->ntokens > 1) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00401)
                      "token refused: duplicate_param: the %s parameter "
                      "appears %d times", cfg->token_param, st->ntokens);
        return refuse(r);
    }
    why = verify(r, cfg, st->token, 0, "token", fp, &res);
    if (why == JWTSSO_R_INTERNAL) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (why != JWTSSO_OK) {
        return refuse(r);
    }
    if (cfg->state) {
        int https;
        const char *name;

        jwtsso_url_origin(r, cfg, &https);
        name = state_name(https);
        ap_cookie_read(r, name, &cookie, 0);
        if (!cookie || !*cookie) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00402)
                          "token refused: state_missing: no %s cookie: the "
                          "login was not started by this browser, or the "
                          "cookie was lost (token %s)", name, fp);
            jwtsso_result_clear(&res);
            return refuse(r);
        }
        if (!st->state || !*st->state) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00403)
                          "token refused: state_param_missing: the return "
                          "URL has no %s parameter (token %s)",
                          JWTSSO_STATE_PARAM, fp);
            jwtsso_result_clear(&res);
            return refuse(r);
        }
        if (strlen(cookie) != strlen(st->state)
            || CRYPTO_memcmp(cookie, st->state, strlen(cookie)) != 0) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00404)
                          "token refused: state_mismatch: the %s parameter "
                          "does not match this browser's cookie: a login "
                          "started elsewhere (token %s)", JWTSSO_STATE_PARAM,
                          fp);
            jwtsso_result_clear(&res);
            return refuse(r);
        }
    }

    /* each token logs in once: kept in the replay cache until it could
     * no longer be accepted anyway: the earlier of exp and iat + max age
     * (verify() bounded iat), + skew; saturating, as the core takes any
     * exp up to LLONG_MAX (a wrapped sum was a 2 s entry: issue 11) */
    replay_key(&res, st->token, rkey);
    end = res.has_exp ? res.exp : LLONG_MAX;
    if (res.has_iat && cfg->max_age >= 0 && res.iat + cfg->max_age < end) {
        end = res.iat + cfg->max_age;
    }
    until = jwtsso_replay_until(end, cfg->skew);
    switch (jwtsso_replay_consume(r, rkey, sizeof(rkey), until)) {
    case JWTSSO_REPLAY_FRESH:
    case JWTSSO_REPLAY_OFF:
        break;
    case JWTSSO_REPLAY_TOO_LONG:        /* logged by replay.c */
        jwtsso_result_clear(&res);
        return refuse(r);
    case JWTSSO_REPLAY_SEEN:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00417)
                      "token refused: replayed: this token was already used "
                      "to log in (token %s)", fp);
        jwtsso_result_clear(&res);
        return refuse(r);
    case JWTSSO_REPLAY_UNAVAILABLE:
    default:
        /* fail closed: no login without the replay check */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00418)
                      "token not consumed: the replay cache is unreachable "
                      "(see the line before); logins fail with 503 until it "
                      "is back (token %s)", fp);
        jwtsso_result_clear(&res);
        apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
        apr_table_setn(r->err_headers_out, "Retry-After", "10");
        return HTTP_SERVICE_UNAVAILABLE;
    }

    rtext = make_record(r, cfg, &res, &st->rec);
    if (!rtext) {
        jwtsso_result_clear(&res);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rv = jwtsso_session_store(r, rtext);
    if (rv != OK) {
        jwtsso_result_clear(&res);
        return rv;
    }
    jwtsso_session_apply(r, cfg, &st->rec);
    st->session_checked = st->session_ok = 1;
    if (cfg->state) {
        state_cookie(r, cfg, NULL);     /* single use */
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00408)
                  "login: user '%s' (alg %s, token %s)",
                  ap_escape_logitem(r->pool, r->user),
                  jwtsso_alg_name(res.alg), fp);
    jwtsso_result_clear(&res);

    memcpy(drop, drop_names, sizeof(drop));
    drop[0] = cfg->token_param;
    query = jwtsso_url_query_build(r->pool, st->pairs, drop);
    apr_table_setn(r->headers_out, "Location",
                   jwtsso_url_self(r, cfg, query));
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    return HTTP_MOVED_TEMPORARILY;
}

/* The token of an "Authorization: Bearer TOKEN" header (RFC 6750 §2.1),
 * "" for a Bearer header without a token, NULL for no Bearer header. */
static const char *bearer_of(request_rec *r)
{
    const char *h = apr_table_get(r->headers_in, "Authorization");

    if (!h || strncasecmp(h, "Bearer", 6) || (h[6] != ' ' && h[6] != '\0')) {
        return NULL;
    }
    h += 6;
    while (*h == ' ') {
        h++;
    }
    return h;
}

static int bearer_refused(request_rec *r, const char *error)
{
    const char *realm = ap_auth_name(r);

    /* RFC 6750 §3; the realm is the administrator's AuthName, quoted
     * without its own quotes */
    apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                   apr_psprintf(r->pool, "Bearer realm=\"%s\"%s%s%s",
                                realm ? ap_escape_quotes(r->pool, realm)
                                      : "jwtsso",
                                error ? ", error=\"" : "",
                                error ? error : "", error ? "\"" : ""));
    return refuse(r);
}

/* What a verified bearer token gives the app, as a record that lives in
 * r->pool only: the claims view (jwtsso_view_make), no MAC, no sid. */
static int bearer_record(request_rec *r, const jwtsso_result_t *res,
                         jwtsso_record_t *rec)
{
    size_t slen = jwtsso_view_scratch_len(res->payload_len);
    void *scratch = apr_palloc(r->pool, slen);
    char dropped[256];
    jwtsso_view_t v;

    if (jwtsso_view_make(res->payload, res->payload_len, res->user,
                         JWTSSO_RECORD_CLAIMS_MAX, &v, scratch, slen,
                         dropped, sizeof(dropped)) != JWTSSO_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00420)
                      "cannot pass the claims of a verified bearer token");
        return 0;
    }
    if (*dropped) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00422)
                      "claims of a bearer token not passed on (over %d "
                      "bytes; JWTSSO_CLAIMS_TRUNCATED=1): %s",
                      JWTSSO_RECORD_CLAIMS_MAX,
                      ap_escape_logitem(r->pool, dropped));
    }
    memset(rec, 0, sizeof(*rec));
    rec->truncated = v.truncated;
    rec->user = apr_pstrdup(r->pool, res->user);
    rec->auth_time = (long long)apr_time_sec(r->request_time);
    rec->end = res->exp;
    rec->sid = "";
    rec->claims_json = v.claims_json;
    rec->nclaims = v.nclaims;
    rec->claims = v.claims;
    return 1;
}

/* Was this token consumed by a login (RFC 8725 §3.11: a login token is
 * not an API token)? A look-up in the replay store: 1 yes, 0 no, -1 the
 * store cannot answer (fail closed: 503). */
static int consumed(request_rec *r, const unsigned char *rkey,
                    const char *token)
{
    switch (jwtsso_replay_seen(r, rkey, 32)) {
    case JWTSSO_REPLAY_FRESH:
    case JWTSSO_REPLAY_OFF:
        return 0;
    case JWTSSO_REPLAY_SEEN:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00424)
                      "bearer token refused: consumed: this token was used "
                      "to log in, and a login token is one-time (set "
                      JWTSSO_D_BEARER_AUDIENCE " for API tokens; token %s)",
                      fingerprint(r, token));
        return 1;
    default:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00425)
                      "bearer token not accepted: the replay store cannot "
                      "say whether it was used to log in; 503 until it is "
                      "back (token %s)", fingerprint(r, token));
        return -1;
    }
}

/* The answer to a bearer token a login consumed (seen 1) or whose replay
 * state is unknown (seen -1: fail closed, 503). */
static int not_consumable(request_rec *r, int seen)
{
    if (seen < 0) {
        apr_table_setn(r->err_headers_out, "Retry-After", "10");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    return bearer_refused(r, "invalid_token");
}

/* JWTSSOAcceptBearer On: a token per request, exp required, no session
 * written. A verified token is remembered, until its own exp, in this
 * process's bearer cache (JWTSSOBearerCache): a repeated token then costs
 * a hash and a lookup, not a signature check and a JSON scan. */
static int bearer(request_rec *r, const jwtsso_dir_cfg *cfg, req_t *st,
                  const char *token)
{
    jwtsso_result_t res;
    jwtsso_reason_t why;
    unsigned char ckey[JWTSSO_BCACHE_KEY_LEN], rkey[32];
    const char *sid = "";
    long long until;
    int cached, seen;

    if (!*token) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00419)
                      "bearer token refused: malformed: an Authorization: "
                      "Bearer header without a token");
        return bearer_refused(r, "invalid_request");
    }
    cached = jwtsso_bcache_key(r, cfg, token, ckey);
    if (cached && jwtsso_bcache_get(r, ckey, &st->rec)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00421)
                      "bearer token of user '%s' verified before: from "
                      "this child's cache (until its exp)",
                      ap_escape_logitem(r->pool, st->rec.user));
        /* a token a login could use carries its replay key (the record's
         * sid, in hex): a login may have consumed it since it was cached */
        if (*st->rec.sid) {
            if (strlen(st->rec.sid) != 64
                || apr_unescape_hex(rkey, st->rec.sid, 64, 0, NULL)
                   != APR_SUCCESS) {
                return HTTP_INTERNAL_SERVER_ERROR;
            }
            if ((seen = consumed(r, rkey, token)) != 0) {
                return not_consumable(r, seen);
            }
        }
        jwtsso_session_apply(r, cfg, &st->rec);
        return OK;
    }
    /* a declared API token (JWTSSOBearerAudience) lives until its exp;
     * otherwise a bearer token passes the login rules too (max age
     * included), and must have an exp. The fingerprint (a SHA-256) only
     * when a refusal is logged. */
    why = verify(r, cfg, token, 1, "bearer token", NULL, &res);
    if (why == JWTSSO_R_INTERNAL) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (why != JWTSSO_OK) {
        return bearer_refused(r, "invalid_token");
    }
    until = res.exp;
    if (!cfg->bearer_audience && !res.api) {
        /* a token a login could have used: one-time there, so never a
         * bearer once consumed (a look-up, the bearer path never
         * consumes), and cached no longer than the login rules allow */
        replay_key(&res, token, rkey);
        if ((seen = consumed(r, rkey, token)) != 0) {
            jwtsso_result_clear(&res);
            return not_consumable(r, seen);
        }
        sid = apr_pescape_hex(r->pool, rkey, sizeof(rkey), 0);
        if (cfg->max_age >= 0 && res.iat + cfg->max_age + cfg->skew < until) {
            until = res.iat + cfg->max_age + cfg->skew;
        }
    }
    if (!bearer_record(r, &res, &st->rec)) {
        jwtsso_result_clear(&res);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    st->rec.sid = sid;
    if (cached) {
        jwtsso_bcache_put(r, ckey, until, &st->rec);
    }
    jwtsso_result_clear(&res);
    jwtsso_session_apply(r, cfg, &st->rec);
    return OK;
}

/* Can this request follow a redirect to a login page? (DESIGN §2.6) */
static const char *why_not_navigable(request_rec *r)
{
    const char *v;

    if (r->method_number != M_GET) {
        return "the method is not GET or HEAD";
    }
    if (apr_table_get(r->headers_in, "X-Requested-With")) {
        return "X-Requested-With";
    }
    v = apr_table_get(r->headers_in, "Sec-Fetch-Mode");
    if (v && strcasecmp(v, "navigate")) {
        return "Sec-Fetch-Mode is not navigate";
    }
    v = apr_table_get(r->headers_in, "Accept");
    if (v && !ap_strcasestr(v, "text/html") && !strstr(v, "*/*")) {
        return "Accept has neither text/html nor */*";
    }
    return NULL;
}

static int unauthenticated(request_rec *r, const jwtsso_dir_cfg *cfg,
                           req_t *st)
{
    static const char *const drop[] = { JWTSSO_STATE_PARAM, NULL };
    const char *why = NULL, *query, *state = NULL, *endpoint, *ret;
    int https;

    switch (cfg->unauth) {
    case JWTSSO_UNAUTH_AUTO:
        why = why_not_navigable(r);
        break;
    case JWTSSO_UNAUTH_REDIRECT:
        break;
    case JWTSSO_UNAUTH_401:
        why = JWTSSO_D_UNAUTH_ACTION " 401";
        break;
    case JWTSSO_UNAUTH_PASS:
        why = "a user is required here (" JWTSSO_D_UNAUTH_ACTION
              " pass serves anonymous requests only under Require all "
              "granted)";
        break;
    }
    if (why) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00409)
                      "no session: 401, not a redirect: %s", why);
        return cfg->accept_bearer ? bearer_refused(r, NULL) : refuse(r);
    }
    if (!cfg->endpoint) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00410)
                      "no " JWTSSO_D_ENDPOINT " for %s: cannot send the "
                      "browser to log in; configure one", r->uri);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    query = jwtsso_url_query_build(r->pool, st->pairs, drop);
    if (cfg->state) {
        state = random_id(r, 0);
        if (!state) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00411)
                          "no randomness for the login state");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        query = apr_pstrcat(r->pool, query, *query ? "&" : "",
                            JWTSSO_STATE_PARAM "=", state, NULL);
        state_cookie(r, cfg, state);
    }
    ret = jwtsso_url_self(r, cfg, query);
    endpoint = cfg->endpoint[0] == '/'
             ? apr_pstrcat(r->pool, jwtsso_url_origin(r, cfg, &https),
                           cfg->endpoint, NULL)
             : cfg->endpoint;
    if (strlen(jwtsso_url_self(r, cfg, NULL)) == strcspn(endpoint, "?")
        && !strncasecmp(jwtsso_url_self(r, cfg, NULL), endpoint,
                        strcspn(endpoint, "?"))) {
        /* the login page itself is under AuthType jwtsso: never loop */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00416)
                      JWTSSO_D_ENDPOINT " %s is itself protected by AuthType "
                      "jwtsso: a redirect loop; exempt it (e.g. a <Location> "
                      "with Require all granted and AuthType None)",
                      ap_escape_logitem(r->pool, endpoint));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* the return URL as one form-encoded query value: ':', '/', '?',
     * '&', '=', '%' and '+' escaped (a raw space, which a request line
     * cannot carry, would be '+') */
    apr_table_setn(r->headers_out, "Location",
                   apr_pstrcat(r->pool, endpoint,
                               strchr(endpoint, '?') ? "&" : "?",
                               cfg->return_param, "=",
                               ap_escape_urlencoded(r->pool, ret), NULL));
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00412)
                  "no session: redirect to log in");
    return HTTP_MOVED_TEMPORARILY;
}

static int session_ok(request_rec *r, const jwtsso_dir_cfg *cfg, req_t *st)
{
    if (!st->session_checked) {
        st->session_checked = 1;
        st->session_ok = jwtsso_session_valid(r, cfg, &st->rec);
    }
    return st->session_ok;
}

static int configured(request_rec *r, const jwtsso_dir_cfg *cfg)
{
    if (cfg->keys && jwtsso_keyconf_record_key(cfg)) {
        return 1;
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00413)
                  "AuthType jwtsso for %s has no " JWTSSO_D_SECRET
                  " (or public key and " JWTSSO_D_SESSION_KEY "); "
                  "configure them", r->uri);
    return 0;
}

int jwtsso_flow_check_authn(request_rec *r)
{
    jwtsso_dir_cfg *cfg;
    const char *tok;
    req_t *st;

    if (!is_ours(r)) {
        return DECLINED;
    }
    cfg = dir_cfg(r);
    if (!configured(r, cfg)) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    st = req_state(r, cfg);
    if (st->ntokens > 0 && !r->main) {
        return consume(r, cfg, st);
    }
    if (cfg->accept_bearer && (tok = bearer_of(r)) != NULL) {
        return bearer(r, cfg, st, tok);
    }
    if (session_ok(r, cfg, st)) {
        jwtsso_session_apply(r, cfg, &st->rec);
        return OK;
    }
    return unauthenticated(r, cfg, st);
}

int jwtsso_flow_force_authn(request_rec *r)
{
    jwtsso_dir_cfg *cfg;
    req_t *st;

    if (!is_ours(r)) {
        return DECLINED;
    }
    cfg = dir_cfg(r);
    if (cfg->unauth != JWTSSO_UNAUTH_PASS || !cfg->keys) {
        return DECLINED;
    }
    st = req_state(r, cfg);
    if ((st->ntokens > 0 && !r->main)
        || (cfg->accept_bearer && bearer_of(r) != NULL)
        || session_ok(r, cfg, st)) {
        return OK;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00414)
                  "no session: anonymous (" JWTSSO_D_UNAUTH_ACTION " pass)");
    return DECLINED;
}
