/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * mod_auth_jwtsso - single sign-on for anything Apache serves, by consuming
 * JWTs from an identity provider (DESIGN.md).
 *
 * This file is the wiring only: the module record, the directive table
 * (src/httpd/config.c) and hook registration. The hooks of the flow live
 * in src/httpd/flow.c (the login in login.c, bearer tokens in bearer.c),
 * the session record in src/httpd/session.c, the replay cache in
 * src/httpd/replay.c, and the token core, free of httpd headers, in
 * src/core/.
 */
#define JWTSSO_MODULE_FILE
#include "glue.h"
#include "stats.h"

#include "http_protocol.h"
#include "http_request.h"
#include "mod_auth.h"

static void jwtsso_optional_fns(void)
{
    jwtsso_session_init();
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(jwtsso_replay_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_config(jwtsso_bcache_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_config(jwtsso_jwksurl_pre_config, NULL, NULL,
                       APR_HOOK_MIDDLE);
    ap_hook_check_config(jwtsso_startup_check, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(jwtsso_replay_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_child_init(jwtsso_replay_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(jwtsso_bcache_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(jwtsso_jwksurl_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_post_config(jwtsso_stats_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_pre_mpm(jwtsso_stats_pre_mpm, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(jwtsso_jwksurl_child_init, NULL, NULL,
                       APR_HOOK_MIDDLE);
    ap_hook_optional_fn_retrieve(jwtsso_optional_fns, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    ap_hook_post_perdir_config(jwtsso_flow_post_perdir, NULL, NULL,
                               APR_HOOK_REALLY_FIRST);
    ap_hook_check_authn(jwtsso_flow_check_authn, NULL, NULL, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_force_authn(jwtsso_flow_force_authn, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(jwtsso_handlers_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(jwtsso_info_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(jwtsso_status_handler, NULL, NULL, APR_HOOK_MIDDLE);
    /* last: other fixups (mod_rewrite) still see the login cookies */
    ap_hook_fixups(jwtsso_proxied_fixups, NULL, NULL, APR_HOOK_LAST);
    jwtsso_authz_register(p);
    ap_hook_note_auth_failure(jwtsso_authz_note_failure, NULL, NULL,
                              APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(auth_jwtsso) = {
    STANDARD20_MODULE_STUFF,
    jwtsso_config_create_dir,   /* per-directory config */
    jwtsso_config_merge_dir,    /* merge per-directory */
    jwtsso_replay_create_srv,   /* per-server config: the replay cache */
    jwtsso_replay_merge_srv,    /* merge per-server */
    jwtsso_config_cmds,         /* directives */
    register_hooks,
    AP_MODULE_FLAG_NONE
};
