/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * minisign.c - fuzz target: minisign keys and signatures (lib/minisign.c).
 *
 * The input is tried as a public key, as a secret key and as a signature
 * of DATA by the key pair in the seed corpus (tests/fuzz/minisign/: a
 * throwaway key made for this by Debian's minisign -G -W, with a prehashed
 * and a legacy signature of DATA by minisign -S).  What holds whatever the
 * input:
 *   - a key that parses is written out again and parses to the same key;
 *   - a secret key signs, and its public half verifies that signature;
 *   - a signature that verifies names its trusted comment, NUL-terminated,
 *     and a signature over other data does not verify.
 */
#include "fuzz.h"
#include "lib/buf.h"
#include "lib/minisign.h"

static const char DATA[] = "meldpunt fuzz\n";
static const char PUBLIC[] = "untrusted comment: minisign public key 6CAA4718BDCBB134\n"
                             "RWQ0scu9GEeqbFGKFJ7zJg1dd/OtSIxTnSMKCXl6/hRKJ1JD9K/vM1ra\n";

static void
check_public(const char *text)
{
    struct minisign_key k, again;
    struct buf b = BUF_INIT;
    const char *why;

    if (minisign_parse_public(text, &k, &why) != 0) {
        FUZZ_ASSERT(why != NULL);
        return;
    }
    minisign_format_public(&k, &b);
    FUZZ_ASSERT(!buf_failed(&b));
    FUZZ_ASSERT(minisign_parse_public(b.data, &again, &why) == 0);
    FUZZ_ASSERT(memcmp(k.keyid, again.keyid, 8) == 0 && memcmp(k.pk, again.pk, 32) == 0);
    buf_free(&b);
}

static void
check_secret(const char *text)
{
    struct minisign_key k, again, pub;
    struct buf b = BUF_INIT, sig = BUF_INIT;
    char trusted[64];
    const char *why;

    if (minisign_parse_secret(text, &k, &why) != 0) {
        FUZZ_ASSERT(why != NULL);
        return;
    }
    minisign_format_secret(&k, &b);
    FUZZ_ASSERT(!buf_failed(&b));
    FUZZ_ASSERT(minisign_parse_secret(b.data, &again, &why) == 0);
    FUZZ_ASSERT(memcmp(&k, &again, sizeof(k)) == 0);
    buf_reset(&b);
    minisign_format_public(&k, &b);
    FUZZ_ASSERT(minisign_parse_public(b.data, &pub, &why) == 0);
    FUZZ_ASSERT(minisign_sign(&k, DATA, strlen(DATA), "fuzz", "fuzz", &sig) == 0);
    FUZZ_ASSERT(
        minisign_verify(&pub, DATA, strlen(DATA), sig.data, trusted, sizeof(trusted), &why) == 0);
    FUZZ_ASSERT(strcmp(trusted, "fuzz") == 0);
    FUZZ_ASSERT(minisign_verify(&pub, DATA, strlen(DATA) - 1, sig.data, trusted, sizeof(trusted),
                                &why) != 0);
    sodium_memzero(&k, sizeof(k));
    sodium_memzero(&again, sizeof(again));
    buf_free(&b);
    buf_free(&sig);
}

static void
check_signature(const char *text)
{
    static struct minisign_key pub;
    static bool loaded;
    char trusted[1024];
    const char *why = NULL;

    if (!loaded) {
        FUZZ_ASSERT(minisign_parse_public(PUBLIC, &pub, &why) == 0);
        loaded = true;
    }
    memset(trusted, 'x', sizeof(trusted));
    if (minisign_verify(&pub, DATA, strlen(DATA), text, trusted, sizeof(trusted), &why) != 0) {
        FUZZ_ASSERT(why != NULL);
        return;
    }
    FUZZ_ASSERT(memchr(trusted, '\0', sizeof(trusted)) != NULL);
    FUZZ_ASSERT(minisign_verify(&pub, DATA, 3, text, trusted, sizeof(trusted), &why) != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);

    check_public(text);
    check_secret(text);
    check_signature(text);
    free(text);
    return 0;
}
