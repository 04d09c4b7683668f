/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * main.c - jwtsso-token: make a token, or say why the module refuses one
 * (DESIGN §7). Dispatches to the commands; see jwtsso-token(1).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: jwtsso-token COMMAND [OPTION]... \n"
    "\n"
    "  sign     make a signed token (HS*, RS*, PS*, ES*, EdDSA)\n"
    "  verify   check a token as mod_auth_jwtsso does, and say why it fails\n"
    "  inspect  show a token's header and payload, NOT VERIFIED\n"
    "\n"
    "jwtsso-token COMMAND --help shows a command's options; man jwtsso-token\n"
    "the rest. Exit status: 0 done (verify: valid), 1 refused (inspect:\n"
    "malformed), 2 bad arguments or unusable key, 3 internal failure.\n";

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } cmds[] = {
        { "sign", jwtsso_signcmd_run },
        { "verify", jwtsso_verify_run },
        { "inspect", jwtsso_inspect_run },
    };
    size_t i;

    if (argc < 2) {
        fputs(usage_text, stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(argv[1], cmds[i].name) == 0) {
            /* the command's own argv: its name is argv[0] to getopt */
            return cmds[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "jwtsso-token: unknown command '%s'\n\n", argv[1]);
    fputs(usage_text, stderr);
    return CLI_USAGE;
}
