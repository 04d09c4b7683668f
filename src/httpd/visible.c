/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * visible.c - a failed login the administrator and the user can see
 * (DESIGN §2.5): the level of a refusal's log line, and the page a
 * browser gets when the token its IdP sent back is refused.
 *
 * Level: a refusal in the browser flow (a token the IdP sent back, a lost
 * state cookie) is what a broken set-up looks like, so it is logged at
 * warn, where Debian's default LogLevel shows it; anything an attacker can
 * send at will is then at warn too, so at most one warn per kind of
 * refusal per second per child, the rest at info under the same tag
 * (nothing is lost at LogLevel info). Which refusals count as the browser
 * flow is the caller's call (verify.c, login.c, handlers.c).
 *
 * Page: one sentence and a link to try again, never the token or a
 * detail; the reason's name only under JWTSSODebug On. An ErrorDocument
 * 401 of the administrator's wins over it.
 */
#include "glue.h"

#include "http_core.h"
#include "http_protocol.h"
#include "mod_core.h"
#include "apr_atomic.h"
#include "apr_strings.h"

/* When each kind last went to warn in this child (apr_time_t, 0: never).
 * Static: each child has its own, as the limit is per child; threads of
 * one child share it through compare-and-swap, no lock. */
static volatile apr_uint64_t last_warn[JWTSSO_VISIBLE__SLOTS];

int jwtsso_visible_level(int slot, int browser)
{
    apr_uint64_t now, last;

    if (!browser || slot < 0 || slot >= JWTSSO_VISIBLE__SLOTS) {
        return APLOG_INFO;
    }
    now = (apr_uint64_t)apr_time_now();
    last = apr_atomic_read64(&last_warn[slot]);
    /* a clock set back (now < last) wraps to a large difference: a warn,
     * rather than none until the clock catches up */
    if (last && now - last < (apr_uint64_t)APR_USEC_PER_SEC) {
        return APLOG_INFO;
    }
    /* of the threads that saw the same last, one wins the swap */
    if (apr_atomic_cas64(&last_warn[slot], now, last) != last) {
        return APLOG_INFO;
    }
    return APLOG_WARNING;
}

/* The page: "<p>" and the link are the only markup around the URL, which
 * is escaped; the reason name is the table's (letters and '_'), escaped
 * all the same. */
static const char *page(request_rec *r, const jwtsso_dir_cfg *cfg,
                        const char *back, const char *reason)
{
    const char *debug = "";

    if (cfg->debug && reason) {
        debug = apr_pstrcat(r->pool, "<p>Reason: <code>",
                            ap_escape_html(r->pool, reason),
                            "</code> (" JWTSSO_D_DEBUG " On; see the "
                            "server's error log for the details)</p>\n",
                            NULL);
    }
    return apr_pstrcat(r->pool,
                       "<!DOCTYPE html>\n<html><head><title>Login failed"
                       "</title></head>\n<body><h1>Login failed</h1>\n"
                       "<p>The login failed: please <a href=\"",
                       ap_escape_html(r->pool, back),
                       "\">try again</a>.</p>\n", debug,
                       "</body></html>\n", NULL);
}

int jwtsso_visible_refuse(request_rec *r, const jwtsso_dir_cfg *cfg,
                          const char *back, const char *reason)
{
    /* an ErrorDocument 401 (a file, a URL or a text) is the
     * administrator's page: ap_custom_response would replace it */
    if (!ap_response_code_string(r,
                                 ap_index_of_response(HTTP_UNAUTHORIZED))) {
        ap_custom_response(r, HTTP_UNAUTHORIZED,
                           page(r, cfg, back, reason));
    }
    return jwtsso_flow_refuse(r);
}
