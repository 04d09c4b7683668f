/*
 * json.c - small string helpers of the core.
 *
 * Tokens are read with the scanner in jscan.c (no allocation, Jansson's
 * strictness); Jansson itself is only used where a document is read once
 * at start-up (a JWKS, jwks.c).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

char *jwtsso_strndup(const char *s, size_t len)
{
    char *d = malloc(len + 1);

    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}
