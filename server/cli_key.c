/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * cli_key.c - the signing key: `meldpunt key rotate|generate|bench` and
 * `meldpunt verify`, which checks a file meldpunt signed against the data
 * directory's public keys (the current one and those rotated out).
 */
#include "cli.h"
#include "datadir.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/file.h"
#include "lib/jcs.h"
#include "lib/minisign.h"
#include "store/audit.h"
#include "store/writer.h"

#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- verify ---- */

/* A file and its detached signature, read whole; trusted gets the trusted
 * comment of a signature that verifies. */
struct signed_file {
    const char *data;
    size_t len;
    const char *sig;
    char trusted[1024];
};

/* Checks f against the public key in pub_path: 0 verified, 1 not (why says
 * why), -1 when the key file cannot be read (why left alone). */
static int
verify_with_key(const char *pub_path, struct signed_file *f, const char **why)
{
    struct minisign_key key;
    size_t n;
    char *pub = file_read(pub_path, 8192, &n, NULL);
    int rc = 1;

    if (pub == NULL)
        return -1;
    if (minisign_parse_public(pub, &key, why) == 0 &&
        minisign_verify(&key, f->data, f->len, f->sig, f->trusted, sizeof(f->trusted), why) == 0)
        rc = 0;
    free(pub);
    return rc;
}

/* The current key of the data directory, then every key rotated out: the
 * one whose id the signature names decides.  0 verified, 1 not. */
static int
verify_in_datadir(const char *data_dir, struct signed_file *f, const char **why)
{
    char path[PATH_MAX + 300], file[PATH_MAX + 600];
    struct dirent *de;
    DIR *dir;
    int rc = 1;

    *why = "no public key of this data directory signed it";
    snprintf(path, sizeof(path), "%s/signing.pub", data_dir);
    if (verify_with_key(path, f, why) == 0)
        return 0;
    snprintf(path, sizeof(path), "%s/public-keys", data_dir);
    if (strcmp(*why, "signed with another key (key id differs)") != 0 ||
        (dir = opendir(path)) == NULL)
        return 1;
    while (rc != 0 && (de = readdir(dir)) != NULL) {
        if (strstr(de->d_name, ".pub") == NULL)
            continue;
        snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
        rc = verify_with_key(file, f, why) == 0 ? 0 : 1;
    }
    closedir(dir);
    return rc;
}

int
cmd_verify(int argc, char **argv)
{
    static const char usage[] =
        "usage: meldpunt verify FILE [--sig FILE.minisig] [--pubkey KEY.pub | --data DIR]\n";
    static const struct option longopts[] = {{"sig", required_argument, NULL, 's'},
                                             {"pubkey", required_argument, NULL, 'p'},
                                             {"data", required_argument, NULL, 'd'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *sig_path = NULL, *pub_path = NULL, *data_dir = "./var", *why = NULL;
    char sig_default[4096], *data = NULL, *sig = NULL;
    struct signed_file f;
    size_t len = 0, n = 0;
    int c, rc = 1;

    optind = 1;
    while ((c = getopt_long(argc, argv, "s:p:d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            sig_path = optarg;
            break;
        case 'd':
            data_dir = optarg;
            break;
        case 'p':
            pub_path = optarg;
            break;
        case 'h':
            printf("%s\nChecks a file meldpunt signed (a notification draft, an export) against\n"
                   "its detached minisign signature and meldpunt's public key (signing.pub in\n"
                   "the data directory).  The same check as `minisign -V -m FILE -p KEY`.\n"
                   "Prints OK and the trusted comment (exit 0), or why not (exit 1).\n",
                   usage);
            return 0;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (sig_path == NULL) {
        snprintf(sig_default, sizeof(sig_default), "%s.minisig", argv[optind]);
        sig_path = sig_default;
    }
    data = file_read(argv[optind], 64u << 20, &len, NULL);
    sig = file_read(sig_path, 8192, &n, NULL);
    if (data == NULL || sig == NULL) {
        fprintf(stderr, "meldpunt verify: cannot read %s\n",
                data == NULL ? argv[optind] : sig_path);
        goto out;
    }
    f = (struct signed_file){.data = data, .len = len, .sig = sig};
    rc = pub_path != NULL ? verify_with_key(pub_path, &f, &why)
                          : verify_in_datadir(data_dir, &f, &why);
    if (rc < 0) {
        fprintf(stderr, "meldpunt verify: cannot read %s\n", pub_path);
        rc = 1;
    } else if (rc != 0) {
        printf("FAILED: %s\n", why);
    } else {
        printf("OK signature and trusted comment verified\ntrusted comment: %s\n", f.trusted);
    }
out:
    free(data);
    free(sig);
    return rc;
}

/* ---- key ---- */

struct rotate_audit {
    const char *actor;
    int64_t now;
    char payload[96];
};

static int
rotate_audit_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct rotate_audit *r = arg;
    return store_audit_append(db, r->now, r->actor, "key.rotate", "signing.key", r->payload, err);
}

/* `meldpunt key bench`: approve-and-sign without the database: a
 * notification document put in canonical form (RFC 8785) and signed in
 * minisign format, beside a baseline from the same run (a plain JSON
 * encode of the same document). */
static int
key_bench(int count)
{
    json_t *doc = json_pack(
        "{s:{s:s, s:s}, s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, "
        "s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:s}",
        "meldpunt", "document", "notification", "version", MP_VERSION, "notification",
        "01a22580-27d0-7500-9025-6115ea67b771", "language", "nl", "organisation", "name",
        "Waterbedrijf Zuid", "country", "NL", "nis2_class", "essential", "recipient", "role",
        "csirt", "name", "NCSC-NL", "contact", "cert@ncsc.nl", "incident", "id",
        "01a22580-274d-79be-a69f-c966e33760d0", "ref", "INC-2026-0001", "title",
        "Chlorine dosing sabotage", "category", "cyber", "detected_at", "2026-11-29T03:00:00Z",
        "regime", "id", "nis2", "version", "2026-11-29.2", "stage", "id", "early_warning", "name",
        "Vroegtijdige waarschuwing", "due_at", "2026-11-30T03:00:00Z");
    json_t *contents = json_array();
    struct minisign_key key;
    int64_t t0, t_base, t_sign;
    size_t sink = 0;

    for (int i = 0; i < 7; i++)
        json_array_append_new(contents,
                              json_pack("{s:s, s:s, s:s}", "id", "suspected_malicious", "label",
                                        "Wordt vermoed dat het incident door onrechtmatige of "
                                        "kwaadwillige handelingen is veroorzaakt?",
                                        "value", "ja, de dosering is van buitenaf gewijzigd"));
    json_object_set_new(doc, "contents", contents);
    minisign_key_generate(&key);
    t0 = clock_mono_real_us();
    for (int i = 0; i < count; i++) {
        char *t = json_dumps(doc, JSON_COMPACT);
        sink += strlen(t);
        free(t);
    }
    t_base = clock_mono_real_us() - t0;
    t0 = clock_mono_real_us();
    for (int i = 0; i < count; i++) {
        struct buf text = BUF_INIT, sig = BUF_INIT;
        jcs_serialize(doc, &text);
        minisign_sign(&key, text.data, text.len, "signed by meldpunt",
                      "meldpunt incident=INC-2026-0001 regime=nis2 stage=early_warning", &sig);
        sink += sig.len;
        buf_free(&text);
        buf_free(&sig);
    }
    t_sign = clock_mono_real_us() - t0;
    if (t_base < 1)
        t_base = 1;
    if (t_sign < 1)
        t_sign = 1;
    printf("documents %d\n", count);
    printf("baseline: JSON encode of the document      %10.0f /s\n", count / (t_base / 1e6));
    printf("canonical form (RFC 8785) and signature    %10.0f /s  ratio %.2f (checksum %zu)\n",
           count / (t_sign / 1e6), (double)t_base / (double)t_sign, sink);
    json_decref(doc);
    sodium_memzero(&key, sizeof(key));
    return 0;
}

int
cmd_key(int argc, char **argv)
{
    static const char usage[] = "usage: meldpunt key rotate [--config FILE] [--data DIR]\n"
                                "       meldpunt key generate FILE\n";
    char help[1024], actor[96], old_id[17], new_id[17];
    struct rotate_audit ra;
    struct mp_error err;
    struct common co;
    struct config cfg;
    int rc;

    snprintf(help, sizeof(help),
             "Makes a new signing key pair.  The old public key is kept in\n"
             "DATA/public-keys/KEYID.pub and still served at /api/v1/signing-key, so\n"
             "documents signed before still verify.  A running server takes the new key on\n"
             "SIGHUP or restart.\n\n"
             "generate writes a new secret key (minisign format, mode 0600) to FILE, which\n"
             "must not exist: the signing key for a systemd credential\n"
             "(LoadCredential=signing.key:FILE), kept outside the data directory.\n\n%s",
             common_help);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s\n%s", usage, help);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "bench") == 0) {
        int count = cli_count("key bench", argc >= 3 ? argv[2] : NULL, 5000);
        return count < 0 ? EXIT_USAGE : key_bench(count);
    }
    if (argc >= 2 && strcmp(argv[1], "generate") == 0) {
        if (argc != 3 || argv[2][0] == '-') {
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
        if (datadir_write_new_key(argv[2], &err) != 0) {
            fprintf(stderr, "meldpunt key generate: %s\n", err.message);
            return 1;
        }
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "rotate") != 0) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    rc = parse_opts(argc - 1, argv + 1, usage, help, NULL, NULL, NULL, NULL, &co);
    if (rc >= 0)
        return rc;
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (open_data(&co, &cfg) != 0)
        return 1;
    rc = 1;
    if (datadir_rotate_key(cfg.data_dir, old_id, new_id, &err) != 0) {
        fprintf(stderr, "meldpunt key rotate: %s\n", err.message);
    } else {
        cli_actor(actor, sizeof(actor));
        ra.actor = actor;
        ra.now = clock_now();
        snprintf(ra.payload, sizeof(ra.payload), "{\"old\":\"%s\",\"new\":\"%s\"}", old_id, new_id);
        if (store_write(rotate_audit_apply, &ra, &err) != 0)
            fprintf(stderr,
                    "meldpunt key rotate: the key was rotated, but the audit entry "
                    "failed: %s\n",
                    err.message);
        printf("%s\n", new_id);
        fprintf(stderr,
                "meldpunt: signing key %s replaced by %s; the old public key stays in "
                "%s/public-keys/; send SIGHUP to a running server\n",
                old_id, new_id, cfg.data_dir);
        rc = 0;
    }
    datadir_close();
    return rc;
}
