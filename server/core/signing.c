/*
 * signing.c - see signing.h.
 */
#include "signing.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

static struct minisign_key key;
static bool loaded;

int
signing_load(const char *secret_text, struct mp_error *err)
{
    const char *why;

    if (minisign_parse_secret(secret_text, &key, &why) != 0)
        return mp_error_set(err, 0, "", "%s", why);
    loaded = true;
    return 0;
}

void
signing_forget(void)
{
    sodium_memzero(&key, sizeof(key));
    loaded = false;
}

json_t *
signing_public_json(void)
{
    struct buf pub = BUF_INIT;
    char id[17];
    json_t *out;

    if (!loaded)
        return NULL;
    minisign_format_public(&key, &pub);
    minisign_keyid_hex(key.keyid, id);
    out = json_pack("{s:s, s:s, s:s, s:s}", "algorithm", "Ed25519", "format", "minisign", "key_id",
                    id, "public_key", pub.data ? pub.data : "");
    buf_free(&pub);
    return out;
}

int
signing_sign(const void *data, size_t len, const char *untrusted, const char *trusted,
             struct buf *out)
{
    if (!loaded)
        return -1;
    return minisign_sign(&key, data, len, untrusted, trusted, out);
}
