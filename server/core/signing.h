/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * signing.h - meldpunt's signing key in memory.
 *
 * The data directory's Ed25519 key (minisign format, made by `meldpunt
 * init`) is loaded once at start; the secret half never leaves this module
 * (it is neither logged nor served), the public half is served so that
 * anyone can check what meldpunt signs.
 */
#ifndef MP_SIGNING_H
#define MP_SIGNING_H

#include "lib/buf.h"
#include "lib/error.h"
#include "lib/minisign.h"

#include <jansson.h>

/* Parses the secret key file's text and keeps the key. */
int signing_load(const char *secret_text, struct mp_error *err);
void signing_forget(void);
/* The public keys rotated out (a JSON array of {key_id, public_key}); the
 * module takes the reference. */
void signing_set_previous(json_t *previous);

/* {"algorithm","format","key_id","public_key","previous"} for the API; NULL when no
 * key is loaded. */
json_t *signing_public_json(void);

/* Signs data (minisign format) with the loaded key. */
int signing_sign(const void *data, size_t len, const char *untrusted, const char *trusted,
                 struct buf *out);

/* Checks a minisign signature against the loaded key and the keys rotated
 * out before it: 0 (trusted comment copied), or -1 with a reason. */
int signing_verify(const void *data, size_t len, const char *sig, char *trusted,
                   size_t trusted_size, const char **why);

#endif
