/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_signature.c - minisign signatures (server/lib/minisign.c): our
 * signatures verify with our verifier and with the standard minisign tool,
 * a changed byte or trusted comment is refused, and signatures made by the
 * minisign tool verify with ours, prehashed ("ED") and legacy ("Ed", -l).
 */
#include "lib/minisign.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char doc[] = "{\"incident\":\"INC-2026-0001\",\"stage\":\"early_warning\"}";

static void
write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[PATH_MAX];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static char *
read_file(const char *dir, const char *name)
{
    char path[PATH_MAX];
    static char text[4096];
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/* The tools run (minisign) are checked for what they accept, not for
 * dates: they run without the dated runs' libfaketime, whose shared
 * semaphore an exiting Check child may already have removed. */
static void
no_faketime(void)
{
    unsetenv("LD_PRELOAD");
    unsetenv("FAKETIME_SHARED");
}

static int
run(const char *fmt, const char *dir)
{
    char cmd[PATH_MAX * 4];

    no_faketime();
    snprintf(cmd, sizeof(cmd), fmt, dir, dir, dir);
    return system(cmd);
}

START_TEST(test_sign_and_verify)
{
    struct minisign_key key, pub;
    struct buf sig = BUF_INIT, pubtext = BUF_INIT;
    const char *why = NULL;
    char trusted[256], changed[sizeof(doc)];

    minisign_key_generate(&key);
    ck_assert_int_eq(minisign_sign(&key, doc, strlen(doc), "meldpunt draft",
                                   "incident INC-2026-0001 stage early_warning", &sig),
                     0);
    minisign_format_public(&key, &pubtext);
    ck_assert_int_eq(minisign_parse_public(pubtext.data, &pub, &why), 0);
    ck_assert_int_eq(
        minisign_verify(&pub, doc, strlen(doc), sig.data, trusted, sizeof(trusted), &why), 0);
    ck_assert_str_eq(trusted, "incident INC-2026-0001 stage early_warning");

    /* one byte of the document changed */
    memcpy(changed, doc, sizeof(doc));
    changed[5] ^= 1;
    ck_assert_int_eq(minisign_verify(&pub, changed, strlen(changed), sig.data, NULL, 0, &why), -1);
    ck_assert_str_eq(why, "the signature does not match the data");

    /* the trusted comment changed */
    {
        char *t = strdup(sig.data), *p = strstr(t, "INC-2026-0001");
        p[12] = '2';
        ck_assert_int_eq(minisign_verify(&pub, doc, strlen(doc), t, NULL, 0, &why), -1);
        ck_assert_str_eq(why, "the trusted comment was altered");
        free(t);
    }

    /* another key */
    {
        struct minisign_key other;
        minisign_key_generate(&other);
        ck_assert_int_eq(minisign_verify(&other, doc, strlen(doc), sig.data, NULL, 0, &why), -1);
    }
    ck_assert_int_eq(minisign_sign(&key, doc, 3, "two\nlines", "x", &sig), -1);
    buf_free(&sig);
    buf_free(&pubtext);
}
END_TEST

START_TEST(test_minisign_tool_verifies_ours)
{
    struct minisign_key key;
    struct buf sig = BUF_INIT, pub = BUF_INIT;
    char dir[PATH_MAX], changed[sizeof(doc)];

    tu_mkdtemp(dir);
    minisign_key_generate(&key);
    ck_assert_int_eq(minisign_sign(&key, doc, strlen(doc), "meldpunt", "checked by minisign", &sig),
                     0);
    minisign_format_public(&key, &pub);
    write_file(dir, "draft.json", doc, strlen(doc));
    write_file(dir, "draft.json.minisig", sig.data, sig.len);
    write_file(dir, "signing.pub", pub.data, pub.len);
    ck_assert_int_eq(run("/usr/bin/minisign -Vq -m %s/draft.json -p %s/signing.pub "
                         "-x %s/draft.json.minisig",
                         dir),
                     0);
    memcpy(changed, doc, sizeof(doc));
    changed[10] ^= 1;
    write_file(dir, "draft.json", changed, strlen(changed));
    ck_assert_int_ne(run("/usr/bin/minisign -Vq -m %s/draft.json -p %s/signing.pub "
                         "-x %s/draft.json.minisig 2>/dev/null",
                         dir),
                     0);
    buf_free(&sig);
    buf_free(&pub);
    tu_rmrf(dir);
}
END_TEST

START_TEST(test_we_verify_the_minisign_tool)
{
    struct minisign_key pub;
    const char *why = NULL;
    char dir[PATH_MAX], trusted[256], *pubtext;

    tu_mkdtemp(dir);
    write_file(dir, "draft.json", doc, strlen(doc));
    ck_assert_int_eq(run("/usr/bin/minisign -G -W -p %s/k.pub -s %s/k.key >/dev/null && "
                         "true %s",
                         dir),
                     0);
    {
        char cmd[PATH_MAX * 4];
        snprintf(cmd, sizeof(cmd),
                 "/usr/bin/minisign -S -s %s/k.key -m %s/draft.json -t 'made by minisign' "
                 ">/dev/null",
                 dir, dir);
        ck_assert_int_eq(system(cmd), 0);
    }
    pubtext = strdup(read_file(dir, "k.pub"));
    ck_assert_int_eq(minisign_parse_public(pubtext, &pub, &why), 0);
    ck_assert_int_eq(minisign_verify(&pub, doc, strlen(doc), read_file(dir, "draft.json.minisig"),
                                     trusted, sizeof(trusted), &why),
                     0);
    ck_assert_str_eq(trusted, "made by minisign");
    free(pubtext);
    tu_rmrf(dir);
}
END_TEST

/* A legacy ("Ed") signature: Ed25519 over the data itself, built here
 * byte by byte as minisign -S -l builds it. */
static char *
legacy_signature(const struct minisign_key *key, const char *data, const char *trusted)
{
    uint8_t sig[2 + 8 + 64], global[64], msg[64 + 256];
    char b64sig[sodium_base64_ENCODED_LEN(sizeof(sig), sodium_base64_VARIANT_ORIGINAL)];
    char b64glob[sodium_base64_ENCODED_LEN(sizeof(global), sodium_base64_VARIANT_ORIGINAL)];
    static char text[1024];
    size_t tlen = strlen(trusted);

    memcpy(sig, "Ed", 2);
    memcpy(sig + 2, key->keyid, 8);
    crypto_sign_detached(sig + 10, NULL, (const unsigned char *)data, strlen(data), key->sk);
    memcpy(msg, sig + 10, 64);
    memcpy(msg + 64, trusted, tlen);
    crypto_sign_detached(global, NULL, msg, 64 + tlen, key->sk);
    sodium_bin2base64(b64sig, sizeof(b64sig), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(b64glob, sizeof(b64glob), global, sizeof(global),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(text, sizeof(text), "untrusted comment: legacy\n%s\ntrusted comment: %s\n%s\n", b64sig,
             trusted, b64glob);
    return text;
}

START_TEST(test_legacy_signatures_verify)
{
    struct minisign_key key;
    const char *why = NULL;
    char trusted[256], changed[sizeof(doc)], *sig;

    minisign_key_generate(&key);
    sig = legacy_signature(&key, doc, "legacy and fine");
    ck_assert_msg(minisign_verify(&key, doc, strlen(doc), sig, trusted, sizeof(trusted), &why) == 0,
                  "%s", why);
    ck_assert_str_eq(trusted, "legacy and fine");
    memcpy(changed, doc, sizeof(doc));
    changed[7] ^= 1;
    ck_assert_int_eq(minisign_verify(&key, changed, strlen(changed), sig, NULL, 0, &why), -1);
    ck_assert_str_eq(why, "the signature does not match the data");
    /* the algorithm is bound: relabelled "ED", the same bytes are checked
     * against the hash of the data, and fail (base64 "RW..." -> "RU...") */
    ck_assert_int_eq(sig[strlen("untrusted comment: legacy\n") + 1], 'W');
    sig[strlen("untrusted comment: legacy\n") + 1] = 'U';
    ck_assert_int_eq(minisign_verify(&key, doc, strlen(doc), sig, NULL, 0, &why), -1);
    ck_assert_str_eq(why, "the signature does not match the data");
    /* the trusted comment is covered as in the prehashed form */
    sig = legacy_signature(&key, doc, "legacy and fine");
    *strstr(sig, "fine") = 'F';
    ck_assert_int_eq(minisign_verify(&key, doc, strlen(doc), sig, NULL, 0, &why), -1);
    ck_assert_str_eq(why, "the trusted comment was altered");
}
END_TEST

START_TEST(test_we_verify_legacy_minisign_tool)
{
    struct minisign_key pub;
    const char *why = NULL;
    char dir[PATH_MAX], trusted[256], cmd[PATH_MAX * 5], *pubtext;

    tu_mkdtemp(dir);
    write_file(dir, "draft.json", doc, strlen(doc));
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/minisign -G -W -p %s/k.pub -s %s/k.key >/dev/null && "
             "/usr/bin/minisign -S -l -s %s/k.key -m %s/draft.json -t 'legacy by minisign' "
             ">/dev/null",
             dir, dir, dir, dir);
    no_faketime();
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(strncmp(read_file(dir, "draft.json.minisig"), "untrusted comment:", 18), 0);
    pubtext = strdup(read_file(dir, "k.pub"));
    ck_assert_int_eq(minisign_parse_public(pubtext, &pub, &why), 0);
    ck_assert_msg(minisign_verify(&pub, doc, strlen(doc), read_file(dir, "draft.json.minisig"),
                                  trusted, sizeof(trusted), &why) == 0,
                  "%s", why);
    ck_assert_str_eq(trusted, "legacy by minisign");
    free(pubtext);
    tu_rmrf(dir);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("signature");
    TCase *tc = tcase_create("minisign");
    if (sodium_init() < 0)
        return 1;
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_sign_and_verify);
    tcase_add_test(tc, test_minisign_tool_verifies_ours);
    tcase_add_test(tc, test_we_verify_the_minisign_tool);
    tcase_add_test(tc, test_legacy_signatures_verify);
    tcase_add_test(tc, test_we_verify_legacy_minisign_tool);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
