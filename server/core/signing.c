/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * signing.c - see signing.h.
 */
#include "signing.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>

static struct minisign_key key;
static bool loaded;
static json_t *previous;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int
signing_load(const char *secret_text, struct mp_error *err)
{
    const char *why;

    struct minisign_key k;

    if (minisign_parse_secret(secret_text, &k, &why) != 0)
        return mp_error_set(err, 0, "", "%s", why);
    pthread_mutex_lock(&lock);
    key = k;
    loaded = true;
    pthread_mutex_unlock(&lock);
    sodium_memzero(&k, sizeof(k));
    return 0;
}

void
signing_forget(void)
{
    pthread_mutex_lock(&lock);
    sodium_memzero(&key, sizeof(key));
    loaded = false;
    json_decref(previous);
    previous = NULL;
    pthread_mutex_unlock(&lock);
}

void
signing_set_previous(json_t *prev)
{
    pthread_mutex_lock(&lock);
    json_decref(previous);
    previous = prev;
    pthread_mutex_unlock(&lock);
}

json_t *
signing_public_json(void)
{
    struct buf pub = BUF_INIT;
    char id[17];
    json_t *out;

    pthread_mutex_lock(&lock);
    if (!loaded) {
        pthread_mutex_unlock(&lock);
        return NULL;
    }
    minisign_format_public(&key, &pub);
    minisign_keyid_hex(key.keyid, id);
    out = json_pack("{s:s, s:s, s:s, s:s, s:o}", "algorithm", "Ed25519", "format", "minisign",
                    "key_id", id, "public_key", pub.data ? pub.data : "", "previous",
                    previous ? json_deep_copy(previous) : json_array());
    pthread_mutex_unlock(&lock);
    buf_free(&pub);
    return out;
}

int
signing_sign(const void *data, size_t len, const char *untrusted, const char *trusted,
             struct buf *out)
{
    int rc = -1;

    pthread_mutex_lock(&lock);
    if (loaded)
        rc = minisign_sign(&key, data, len, untrusted, trusted, out);
    pthread_mutex_unlock(&lock);
    return rc;
}

/* Tries one public key in minisign text form. */
static int
verify_with(const char *pub_text, const void *data, size_t len, const char *sig, char *trusted,
            size_t trusted_size, const char **why)
{
    struct minisign_key k;

    if (pub_text == NULL || minisign_parse_public(pub_text, &k, why) != 0)
        return -1;
    return minisign_verify(&k, data, len, sig, trusted, trusted_size, why);
}

int
signing_verify(const void *data, size_t len, const char *sig, char *trusted, size_t trusted_size,
               const char **why)
{
    json_t *keys = signing_public_json(), *prev;
    size_t i;
    int rc = -1;

    *why = "no signing key is loaded";
    if (keys == NULL)
        return -1;
    rc = verify_with(json_string_value(json_object_get(keys, "public_key")), data, len, sig,
                     trusted, trusted_size, why);
    /* a key rotated out decides only when the signature names it */
    json_array_foreach(json_object_get(keys, "previous"), i, prev)
    {
        if (rc == 0 || strcmp(*why, "signed with another key (key id differs)") != 0)
            break;
        rc = verify_with(json_string_value(json_object_get(prev, "public_key")), data, len, sig,
                         trusted, trusted_size, why);
    }
    json_decref(keys);
    return rc;
}
