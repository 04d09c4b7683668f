/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * httpget.c - one GET with libcurl, for jwksurl.c: TLS always verified
 * (against the given CA certificates alone, or the system's), redirects
 * only to https and at most 3, one time limit to connect and one in all,
 * and at most max bytes of answer. Nothing here knows what a JWKS is.
 */
#include "glue.h"

#include "apr_strings.h"

#include <curl/curl.h>

typedef struct {
    char *buf;
    apr_size_t len, max;
    int over;
} sink_t;

static size_t on_data(char *ptr, size_t size, size_t n, void *data)
{
    sink_t *k = data;
    size_t m = size * n;

    if (m > k->max - k->len) {
        k->over = 1;
        return 0;               /* ends the transfer */
    }
    memcpy(k->buf + k->len, ptr, m);
    k->len += m;
    return m;
}

static void options(CURL *c, const char *url, int http, sink_t *sink,
                    long ms, char *err, struct curl_blob *ca)
{
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, http ? "http" : "https");
    /* a redirect may only go to https, whatever the URL's scheme */
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink->max);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mod_auth_jwtsso");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    if (ca->data) {
        /* the private CA alone, as curl --cacert: not the system's too */
        ca->flags = CURL_BLOB_NOCOPY;
        curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, ca);
        curl_easy_setopt(c, CURLOPT_CAINFO, NULL);
        curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
    }
}

int jwtsso_httpget_init(void)
{
    static int ready;

    if (!ready && curl_global_init(CURL_GLOBAL_DEFAULT) == 0) {
        ready = 1;
    }
    return ready;
}

const char *jwtsso_httpget_fetch(apr_pool_t *p, const char *url, int http,
                                 const char *ca, apr_size_t ca_len,
                                 char *buf, apr_size_t max, long ms,
                                 apr_size_t *len)
{
    CURL *c = curl_easy_init();
    char err[CURL_ERROR_SIZE];
    sink_t sink = { buf, 0, max, 0 };
    struct curl_blob blob = { (void *)ca, ca_len, 0 };
    CURLcode rc;
    long code = 0;
    const char *why = NULL;

    *len = 0;
    if (!c) {
        return "curl_easy_init failed (out of memory)";
    }
    err[0] = '\0';
    options(c, url, http, &sink, ms, err, &blob);
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    }
    if (sink.over || rc == CURLE_FILESIZE_EXCEEDED) {
        why = apr_psprintf(p, "the answer is larger than %" APR_SIZE_T_FMT
                           " bytes", max);
    }
    else if (rc != CURLE_OK) {
        why = apr_psprintf(p, "%s (curl error %d)",
                           err[0] ? err : curl_easy_strerror(rc), (int)rc);
    }
    else if (code != 200) {
        why = apr_psprintf(p, "the server answered HTTP status %ld, not "
                           "200", code);
    }
    curl_easy_cleanup(c);
    *len = sink.len;
    return why;
}
