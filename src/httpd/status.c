/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * status.c - SetHandler jwtsso-status (DESIGN §5): the counters of
 * stats.c, summed over all children, as one snapshot in three forms:
 *
 *   HTML (default)       a table of every number, and the failures by
 *                        reason as an inline SVG bar chart (no script, no
 *                        external asset), readable in a terminal browser;
 *   ?format=json         one object, every reason present;
 *   ?format=prometheus   the text exposition format 0.0.4, also for a
 *                        request whose Accept asks for it or for
 *                        OpenMetrics (a Prometheus scrape).
 *
 * It needs no AuthType jwtsso: like mod_status it shows numbers about
 * everybody, never a user, a token or a secret, and belongs behind
 * Require ip. GET and HEAD only; never cached.
 */
#include "glue.h"
#include "stats.h"

#include "http_protocol.h"
#include "http_request.h"
#include "apr_strings.h"
#include "apr_lib.h"

#include <stdlib.h>
#include <jansson.h>

#ifndef JWTSSO_VERSION      /* AC_INIT's, from Makefile.am */
#define JWTSSO_VERSION "unknown"
#endif

enum { FORM_HTML, FORM_JSON, FORM_PROMETHEUS, FORM_BAD };

/* What each event counter is called in each form. */
static const struct {
    const char *json;
    const char *metric;
    const char *label;          /* the HTML table's, and the HELP text */
} events[JWTSSO_STATS__COUNT] = {
    [JWTSSO_STATS_LOGINS] = { "logins", "jwtsso_logins_total",
        "Logins: tokens consumed into a session" },
    [JWTSSO_STATS_SESSIONS] = { "sessions", "jwtsso_session_requests_total",
        "Requests accepted by their session" },
    [JWTSSO_STATS_BEARER] = { "bearer", "jwtsso_bearer_requests_total",
        "Requests accepted by a bearer token" },
    [JWTSSO_STATS_REDIRECTS] = { "redirects", "jwtsso_redirects_total",
        "Browsers sent to the login page (IdP)" },
    [JWTSSO_STATS_LOGOUTS] = { "logouts", "jwtsso_logouts_total",
        "Logouts (logins ended by jwtsso-logout)" },
    [JWTSSO_STATS_REPLAYS] = { "replays_refused",
        "jwtsso_replays_refused_total",
        "Replays refused (a used login token again, as a login or a "
        "bearer)" },
    [JWTSSO_STATS_STORE_ERRORS] = { "store_errors",
        "jwtsso_store_errors_total",
        "Replay store errors (503: the store did not answer)" },
};

/* Does this Accept header ask for the Prometheus text format (0.0.4) or
 * OpenMetrics, as a scrape does? A range with q=0 does not. */
static int accept_metrics(apr_pool_t *p, const char *accept)
{
    char *list = apr_pstrdup(p, accept), *item, *last = NULL, *params;
    const char *type, *q;

    for (item = apr_strtok(list, ",", &last); item;
         item = apr_strtok(NULL, ",", &last)) {
        params = strchr(item, ';');
        if (params) {
            *params++ = '\0';
        }
        /* (apr_collapse_spaces returns the end of what it wrote) */
        apr_collapse_spaces(item, item);
        type = item;
        if (params) {
            apr_collapse_spaces(params, params);
        }
        else {
            params = "";
        }
        q = ap_strcasestr(params, "q=");
        if (q && strtod(q + 2, NULL) <= 0.0) {
            continue;           /* "not this one" */
        }
        if (!strcasecmp(type, "application/openmetrics-text")
            || (!strcasecmp(type, "text/plain")
                && ap_strcasestr(params, "version=0.0.4"))) {
            return 1;
        }
    }
    return 0;
}

/* The form asked for: format= (once), else the Accept header; FORM_BAD
 * (logged) for a format we do not have or one given twice. */
static int form_of(request_rec *r)
{
    apr_array_header_t *pairs = jwtsso_url_query_parse(r->pool, r->args);
    const jwtsso_qpair_t *q = (const jwtsso_qpair_t *)pairs->elts;
    const char *format = NULL, *accept;
    int i, n = 0;

    for (i = 0; i < pairs->nelts; i++) {
        if (!strcmp(q[i].name, "format")) {
            format = q[i].value;
            n++;
        }
    }
    if (n > 1) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(01253)
                      JWTSSO_HANDLER_STATUS ": format given %d times: 400",
                      n);
        return FORM_BAD;
    }
    if (format) {
        if (!strcmp(format, "html")) {
            return FORM_HTML;
        }
        if (!strcmp(format, "json")) {
            return FORM_JSON;
        }
        if (!strcmp(format, "prometheus")) {
            return FORM_PROMETHEUS;
        }
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(01252)
                      JWTSSO_HANDLER_STATUS ": unknown format '%.40s': 400 "
                      "(html, json or prometheus)",
                      ap_escape_logitem(r->pool, format));
        return FORM_BAD;
    }
    accept = apr_table_get(r->headers_in, "Accept");
    return accept && accept_metrics(r->pool, accept) ? FORM_PROMETHEUS
                                                     : FORM_HTML;
}

static const char *u64(apr_pool_t *p, apr_uint64_t n)
{
    return apr_psprintf(p, "%" APR_UINT64_T_FMT, n);
}

/* The JSON form, through Jansson (as issuer.c's claims); NULL when out
 * of memory. */
static const char *json_form(apr_pool_t *p, const jwtsso_stats_t *st)
{
    json_t *o = json_object(), *f = json_object();
    const char *name, *out = NULL;
    char *text;
    int i, bad;

    bad = !o || !f
          || json_object_set_new(o, "version", json_string(JWTSSO_VERSION))
          || json_object_set_new(o, "since", json_integer(st->since));
    for (i = 0; !bad && i < JWTSSO_STATS__COUNT; i++) {
        bad = json_object_set_new(o, events[i].json,
                                  json_integer((json_int_t)st->event[i]));
    }
    for (i = 0; !bad && i < JWTSSO_STATS__FAIL_COUNT; i++) {
        if ((name = jwtsso_stats_fail_name(i)) != NULL) {
            bad = json_object_set_new(f, name,
                                      json_integer((json_int_t)st->fail[i]));
        }
    }
    if (!bad && !json_object_set(o, "failures", f)
        && (text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
        out = apr_pstrcat(p, text, "\n", NULL);
        free(text);
    }
    json_decref(f);
    json_decref(o);
    return out;
}

static const char *prometheus_form(apr_pool_t *p, const jwtsso_stats_t *st)
{
    apr_array_header_t *a = apr_array_make(p, 64, sizeof(const char *));
    const char *name;
    int i;

    for (i = 0; i < JWTSSO_STATS__COUNT; i++) {
        APR_ARRAY_PUSH(a, const char *) =
            apr_psprintf(p, "# HELP %s %s.\n# TYPE %s counter\n%s %s\n",
                         events[i].metric, events[i].label, events[i].metric,
                         events[i].metric, u64(p, st->event[i]));
    }
    APR_ARRAY_PUSH(a, const char *) =
        "# HELP jwtsso_failures_total Refused logins, bearer tokens and "
        "session records, by reason (README, Reading the log).\n"
        "# TYPE jwtsso_failures_total counter\n";
    for (i = 0; i < JWTSSO_STATS__FAIL_COUNT; i++) {
        if ((name = jwtsso_stats_fail_name(i)) != NULL) {
            APR_ARRAY_PUSH(a, const char *) =
                apr_psprintf(p, "jwtsso_failures_total{reason=\"%s\"} %s\n",
                             name, u64(p, st->fail[i]));
        }
    }
    APR_ARRAY_PUSH(a, const char *) = apr_psprintf(p,
        "# HELP jwtsso_start_time_seconds When counting started (Unix "
        "time): the last start, or restart that was not graceful.\n"
        "# TYPE jwtsso_start_time_seconds gauge\n"
        "jwtsso_start_time_seconds %" APR_INT64_T_FMT "\n"
        "# HELP jwtsso_info The module's version.\n"
        "# TYPE jwtsso_info gauge\n"
        "jwtsso_info{version=\"%s\"} 1\n", st->since, JWTSSO_VERSION);
    return apr_array_pstrcat(p, a, 0);
}

#define BAR_ROW 20
#define BAR_LABEL 190
#define BAR_WIDTH 330

/* The failures that happened, as horizontal bars scaled to the largest;
 * each with its name and number as text. "" when there were none. */
static const char *svg_chart(apr_pool_t *p, const jwtsso_stats_t *st)
{
    apr_array_header_t *a = apr_array_make(p, 64, sizeof(const char *));
    apr_uint64_t max = 0;
    const char *name;
    int i, rows = 0, w;

    for (i = 0; i < JWTSSO_STATS__FAIL_COUNT; i++) {
        if (jwtsso_stats_fail_name(i) && st->fail[i]) {
            max = st->fail[i] > max ? st->fail[i] : max;
            rows++;
        }
    }
    if (!rows) {
        return "";
    }
    APR_ARRAY_PUSH(a, const char *) = apr_psprintf(p,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        "height=\"%d\" role=\"img\" aria-labelledby=\"fchart\" "
        "font-family=\"sans-serif\" font-size=\"12\">\n"
        "<title id=\"fchart\">Failures by reason</title>\n",
        BAR_LABEL + BAR_WIDTH + 80, rows * BAR_ROW + 4);
    rows = 0;
    for (i = 0; i < JWTSSO_STATS__FAIL_COUNT; i++) {
        if (!(name = jwtsso_stats_fail_name(i)) || !st->fail[i]) {
            continue;
        }
        w = (int)((double)st->fail[i] * BAR_WIDTH / (double)max);
        APR_ARRAY_PUSH(a, const char *) = apr_psprintf(p,
            "<g><title>%s: %s</title>"
            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
            "fill=\"#b33\"/>"
            "<text x=\"%d\" y=\"%d\">%s</text></g>\n",
            ap_escape_html(p, name), u64(p, st->fail[i]),
            BAR_LABEL - 6, rows * BAR_ROW + 15, ap_escape_html(p, name),
            BAR_LABEL, rows * BAR_ROW + 3, w > 1 ? w : 1, BAR_ROW - 4,
            BAR_LABEL + (w > 1 ? w : 1) + 6, rows * BAR_ROW + 15,
            u64(p, st->fail[i]));
        rows++;
    }
    APR_ARRAY_PUSH(a, const char *) = "</svg>\n";
    return apr_array_pstrcat(p, a, 0);
}

static const char *html_row(apr_pool_t *p, const char *key,
                            const char *label, const char *value)
{
    return apr_psprintf(p, "<tr><th scope=\"row\">%s</th><td>%s</td>"
                        "<td>%s</td></tr>\n", ap_escape_html(p, label),
                        ap_escape_html(p, key), ap_escape_html(p, value));
}

static const char *html_form(request_rec *r, const jwtsso_stats_t *st)
{
    apr_pool_t *p = r->pool;
    apr_array_header_t *a = apr_array_make(p, 64, sizeof(const char *));
    apr_int64_t up = (apr_int64_t)apr_time_sec(apr_time_now()) - st->since;
    const char *name, *chart = svg_chart(p, st);
    int i;

    APR_ARRAY_PUSH(a, const char *) = apr_psprintf(p,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>jwtsso-status</title></head>\n<body>\n"
        "<h1>jwtsso-status</h1>\n<p>mod_auth_jwtsso %s; counting since "
        "%s (%" APR_INT64_T_FMT "), %" APR_INT64_T_FMT " s ago; summed "
        "over all httpd children.</p>\n"
        "<table border=\"1\">\n<caption>Events</caption>\n"
        "<tr><th>event</th><th>key</th><th>count</th></tr>\n",
        ap_escape_html(p, JWTSSO_VERSION),
        ap_ht_time(p, apr_time_from_sec(st->since),
                   "%Y-%m-%d %H:%M:%S UTC", 1),
        st->since, up < 0 ? 0 : up);
    for (i = 0; i < JWTSSO_STATS__COUNT; i++) {
        APR_ARRAY_PUSH(a, const char *) =
            html_row(p, events[i].json, events[i].label,
                     u64(p, st->event[i]));
    }
    APR_ARRAY_PUSH(a, const char *) = apr_pstrcat(p,
        "</table>\n<h2>Failures by reason</h2>\n",
        *chart ? chart : "<p>No failures.</p>\n",
        "<table border=\"1\">\n<caption>Failures by reason (README, "
        "Reading the log)</caption>\n<tr><th>reason</th><th>key</th>"
        "<th>count</th></tr>\n", NULL);
    for (i = 0; i < JWTSSO_STATS__FAIL_COUNT; i++) {
        if ((name = jwtsso_stats_fail_name(i)) != NULL) {
            APR_ARRAY_PUSH(a, const char *) =
                html_row(p, apr_pstrcat(p, "failures.", name, NULL), name,
                         u64(p, st->fail[i]));
        }
    }
    APR_ARRAY_PUSH(a, const char *) = "</table>\n</body></html>\n";
    return apr_array_pstrcat(p, a, 0);
}

static int answer(request_rec *r, int status, const char *type,
                  const char *body)
{
    apr_size_t len = strlen(body);

    r->status = status;
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_table_mergen(r->headers_out, "Vary", "Accept");
    ap_set_content_type(r, type);
    ap_set_content_length(r, len);
    if (!r->header_only) {
        ap_rwrite(body, (int)len, r);
    }
    return OK;
}

int jwtsso_status_handler(request_rec *r)
{
    jwtsso_stats_t st;
    const char *text;
    int form;

    if (!r->handler || strcmp(r->handler, JWTSSO_HANDLER_STATUS)) {
        return DECLINED;
    }
    if (r->method_number != M_GET) {        /* HEAD is a GET here */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(01251)
                      JWTSSO_HANDLER_STATUS ": method %s refused: GET or "
                      "HEAD only", ap_escape_logitem(r->pool, r->method));
        ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, -1);
        return HTTP_METHOD_NOT_ALLOWED;
    }
    form = form_of(r);
    if (form == FORM_BAD) {
        return answer(r, HTTP_BAD_REQUEST, "text/plain; charset=utf-8",
                      "jwtsso-status: unknown format: use format=html, "
                      "format=json or format=prometheus\n");
    }
    if (!jwtsso_stats_snapshot(&st)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(01254)
                      JWTSSO_HANDLER_STATUS ": no counters in this process "
                      "(see the start-up log): 503");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    switch (form) {
    case FORM_JSON:
        text = json_form(r->pool, &st);
        return text ? answer(r, HTTP_OK, "application/json", text)
                    : HTTP_INTERNAL_SERVER_ERROR;
    case FORM_PROMETHEUS:
        return answer(r, HTTP_OK,
                      "text/plain; version=0.0.4; charset=utf-8",
                      prometheus_form(r->pool, &st));
    default:
        return answer(r, HTTP_OK, "text/html; charset=utf-8",
                      html_form(r, &st));
    }
}
