/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * authz.c - `Require jwtsso-claim NAME VALUE...`, an httpd 2.4 authz
 * provider: the claims of the request's login (a session record or a
 * bearer token, which check_authn left in the request's flow state)
 * against a requirement parsed once, at start-up.
 *
 * The test itself is the core's (src/core/match.c); this file parses the
 * line, finds the claims, turns the answer into an authz_status and logs
 * it. mod_authz_core combines the answers (RequireAll/Any/None, "not")
 * and chooses the status: 401 or the login redirect when there is no
 * login (AUTHZ_DENIED_NO_USER), and for a logged-in user it refuses 403
 * under AuthzSendForbiddenOnFailure On, else 401 (note_failure below says
 * so in the log).
 *
 * A claim the record left out for size is unknown: it is answered so that
 * the requirement refuses whichever way it is used, negated or not.
 */
#include "glue.h"

#include "http_core.h"
#include "http_request.h"
#include "mod_auth.h"
#include "ap_provider.h"
#include "apr_strings.h"

#define REQUIRE_NAME "jwtsso-claim"
#define USAGE "Require " REQUIRE_NAME " NAME VALUE... (e.g. 'Require " \
    REQUIRE_NAME " realm_access.roles admin')"

typedef struct {
    const char *name;       /* the claim as written, for the log */
    const char **path;      /* its names, top level first */
    size_t npath;
    const char **values;
    size_t nvalues;
    const char *text;       /* "NAME VALUE..." escaped for the log */
    int negated;            /* under an odd number of "not"/<RequireNone>:
                             * 1; even: 0; cannot tell: -1 */
} claim_req_t;

/* Is this Require under an odd number of negations? mod_authz_core does
 * not tell a provider, so it is read from the configuration tree: "Require
 * not ..." and each enclosing <RequireNone> negate. -1 when the line is
 * not a Require of its own (an <AuthzProviderAlias>). */
static int negation(cmd_parms *cmd)
{
    const ap_directive_t *d = cmd->directive, *p;
    const char *args;
    int odd = 0;

    if (!d || !d->directive || strcasecmp(d->directive, "Require")) {
        return -1;
    }
    args = d->args ? d->args : "";
    odd = !strcasecmp(ap_getword_conf(cmd->temp_pool, &args), "not");
    for (p = d->parent; p; p = p->parent) {
        if (p->directive && !strcasecmp(p->directive, "<RequireNone")) {
            odd = !odd;
        }
    }
    return odd;
}

/* The claim's path into q->path. NULL or the error. */
static const char *parse_path(cmd_parms *cmd, claim_req_t *q)
{
    char *buf = apr_palloc(cmd->pool, strlen(q->name) + 1);
    const char *p;
    size_t i, n = 0;

    switch (jwtsso_match_path(q->name, buf, &n)) {
    case 0:
        break;
    case JWTSSO_MATCH_PATH_EMPTY:
        return apr_psprintf(cmd->pool, "Require " REQUIRE_NAME ": the claim "
                            "'%s' has an empty name between dots; write "
                            "nested claims as 'realm_access.roles', and a "
                            "dot inside a claim's name with a backslash "
                            "before it (README, Authorization)", q->name);
    default:
        return apr_psprintf(cmd->pool, "Require " REQUIRE_NAME ": the claim "
                            "'%s' has a backslash before something other "
                            "than a dot or a backslash; in a claim name, a "
                            "backslash and a dot are a dot, two "
                            "backslashes one", q->name);
    }
    q->path = apr_palloc(cmd->pool, n * sizeof(*q->path));
    for (p = buf, i = 0; i < n; i++) {
        q->path[i] = p;
        p += strlen(p) + 1;
    }
    q->npath = n;
    return NULL;
}

static const char *parse(cmd_parms *cmd, const char *line,
                         const void **parsed)
{
    claim_req_t *q = apr_pcalloc(cmd->pool, sizeof(*q));
    apr_array_header_t *v = apr_array_make(cmd->pool, 4, sizeof(char *));
    const char *w, *err;

    q->name = ap_getword_conf(cmd->pool, &line);
    if (!*q->name) {
        return "Require " REQUIRE_NAME " needs a claim name and at least "
               "one value: " USAGE;
    }
    while (*line) {
        w = ap_getword_conf(cmd->pool, &line);
        if (!*w) {
            return apr_psprintf(cmd->pool, "Require " REQUIRE_NAME " %s: an "
                                "empty value (\"\") matches nothing useful; "
                                "remove it", q->name);
        }
        *(const char **)apr_array_push(v) = w;
    }
    if (v->nelts == 0) {
        return apr_psprintf(cmd->pool, "Require " REQUIRE_NAME " %s: no "
                            "value; name the values that grant access: "
                            USAGE, q->name);
    }
    if ((err = parse_path(cmd, q)) != NULL) {
        return err;
    }
    q->values = (const char **)v->elts;
    q->nvalues = (size_t)v->nelts;
    q->text = ap_escape_logitem(cmd->pool,
                                apr_pstrcat(cmd->pool, q->name, " ",
                                            apr_array_pstrcat(cmd->temp_pool,
                                                              v, ' '),
                                            NULL));
    q->negated = negation(cmd);
    *parsed = q;
    return NULL;
}

/* The answer that refuses whichever way the requirement is used: negated,
 * a grant (which "not" turns into a denial); else a denial; when that
 * cannot be told, an error (500). */
static authz_status refuse_unknown(const claim_req_t *q)
{
    return q->negated == 1 ? AUTHZ_GRANTED
         : q->negated == 0 ? AUTHZ_DENIED : AUTHZ_GENERAL_ERROR;
}

/* The claims of this request's login: those check_authn kept in the flow
 * state for r->user; NULL when there are none. */
static const jwtsso_record_t *login_claims(request_rec *r)
{
    const jwtsso_flow_req_t *st = ap_get_module_config(r->request_config,
                                                       &auth_jwtsso_module);

    if (!st || !st->rec.user || strcmp(st->rec.user, r->user)) {
        return NULL;
    }
    return &st->rec;
}

/* The log line and the answer for a match that did not grant. */
static authz_status refused(request_rec *r, const claim_req_t *q,
                            jwtsso_match_t m)
{
    const char *user = ap_escape_logitem(r->pool, r->user);

    switch (m) {
    case JWTSSO_MATCH_NO:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00901)
                      "user '%s' refused by Require " REQUIRE_NAME " %s: "
                      "the claim has none of these values", user, q->text);
        return AUTHZ_DENIED;
    case JWTSSO_MATCH_MISSING:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00902)
                      "user '%s' refused by Require " REQUIRE_NAME " %s: "
                      "the login has no such claim", user, q->text);
        return AUTHZ_DENIED;
    case JWTSSO_MATCH_UNKNOWN:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, JWTSSO_LOGNO(00903)
                      "user '%s' refused by Require " REQUIRE_NAME " %s: "
                      "the claim is not in the login's record, which left "
                      "claims out for size (over %d bytes; "
                      "JWTSSO_CLAIMS_TRUNCATED): have the IdP send fewer or "
                      "smaller claims", user, q->text,
                      JWTSSO_RECORD_CLAIMS_MAX);
        return refuse_unknown(q);
    default:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00904)
                      "Require " REQUIRE_NAME " %s: the claims of user "
                      "'%s' cannot be read", q->text, user);
        return AUTHZ_GENERAL_ERROR;
    }
}

static authz_status check(request_rec *r, const char *line,
                          const void *parsed)
{
    const claim_req_t *q = parsed;
    const char *type = ap_auth_type(r);
    const jwtsso_record_t *rec;
    jwtsso_match_t m;

    (void)line;
    if (!type || strcasecmp(type, JWTSSO_AUTH_TYPE)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, JWTSSO_LOGNO(00905)
                      "Require " REQUIRE_NAME " %s refuses %s: only a "
                      "login under AuthType jwtsso has claims, and this is "
                      "AuthType %s; use it in a section with AuthType "
                      "jwtsso", q->text, r->uri,
                      type ? ap_escape_logitem(r->pool, type) : "None");
        return refuse_unknown(q);
    }
    if (!r->user) {
        /* no login yet: mod_authz_core then has it authenticated (the
         * login redirect or 401), and asks again */
        return AUTHZ_DENIED_NO_USER;
    }
    if ((rec = login_claims(r)) == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00906)
                      "Require " REQUIRE_NAME " %s: no claims of a jwtsso "
                      "login for user '%s' on this request", q->text,
                      ap_escape_logitem(r->pool, r->user));
        return refuse_unknown(q);
    }
    m = jwtsso_match_record(rec, q->path, q->npath, q->values, q->nvalues);
    if (m != JWTSSO_MATCH_YES) {
        return refused(r, q, m);
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00907)
                  "user '%s' granted by Require " REQUIRE_NAME " %s",
                  ap_escape_logitem(r->pool, r->user), q->text);
    return AUTHZ_GRANTED;
}

static const authz_provider provider = {
    &check,
    &parse,
};

void jwtsso_authz_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, REQUIRE_NAME,
                              AUTHZ_PROVIDER_VERSION, &provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}

int jwtsso_authz_note_failure(request_rec *r, const char *type)
{
    if (strcasecmp(type, JWTSSO_AUTH_TYPE)) {
        return DECLINED;
    }
    /* a login has no password to try again: the 401 only says so */
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00908)
                  "user '%s' refused by authorization for %s: answered 401; "
                  "'AuthzSendForbiddenOnFailure On' makes it a 403",
                  r->user ? ap_escape_logitem(r->pool, r->user) : "-",
                  r->uri);
    return OK;
}
