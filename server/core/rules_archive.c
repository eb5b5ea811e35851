/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * rules_archive.c - rule files by their content: a digest of each file's
 * document, and the rule sets compiled again from a text the database kept.
 *
 * A judgement is stored as what was decided (store/classification.c), with
 * the hash of each rule file that decided it; the explanation in words is
 * worked out again when someone reads it.  The rules in force may have
 * changed since (a new version of a file, installed by SIGHUP), so the text
 * of every file the server judged with is kept in the database, once per
 * hash, and compiled here when an old judgement is read.  Compiled sets are
 * kept until the process ends: there are a handful of versions in a
 * database's life, and a reader must be able to hold one without a
 * reference count.
 */
#include "rules.h"
#include "rules_int.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void
rules_hash_text(const char *text, size_t len, char out[RULES_HASH_LEN])
{
    unsigned char d[crypto_generichash_BYTES_MIN];

    crypto_generichash(d, sizeof(d), (const unsigned char *)text, len, NULL, 0);
    sodium_bin2hex(out, RULES_HASH_LEN, d, (RULES_HASH_LEN - 1) / 2);
}

int
rules_fingerprint(struct ruleset *rs, struct mp_error *err)
{
    rs->text = json_dumps(rs->doc, JSON_COMPACT | JSON_SORT_KEYS);
    if (rs->text == NULL)
        return mp_error_set(err, 0, "", "%s: out of memory", rs->file);
    rules_hash_text(rs->text, strlen(rs->text), rs->hash);
    return 0;
}

/* The sets compiled from stored texts: each a struct rules of one set,
 * with the calendars of the rules in force when it was compiled (only a
 * stage's calendar id is shown in an explanation; due times are stored). */
struct archived {
    struct rules *r;
    struct archived *next;
};

static pthread_mutex_t archive_lock = PTHREAD_MUTEX_INITIALIZER;
static struct archived *archive;

static struct rules *
archive_compile(const struct rules *current, const char *hash, const char *text,
                struct mp_error *err)
{
    struct rules *r = calloc(1, sizeof(*r));
    char path[64];

    if (r == NULL || (r->sets = calloc(1, sizeof(*r->sets))) == NULL) {
        free(r);
        mp_error_set(err, 500, "", "out of memory");
        return NULL;
    }
    snapshot_refs_init(&r->refs);
    snprintf(r->dir, sizeof(r->dir), "%s", current ? current->dir : "(built in)");
    snprintf(path, sizeof(path), "(stored rule file %.16s)", hash);
    r->nsets = 1;
    if (rules_load_text(path, text, strlen(text), &r->sets[0], err) != 0 ||
        rules_calendars_for(strcmp(r->dir, "(built in)") == 0 ? NULL : r->dir, r, err) != 0)
        goto fail;
    if (strcmp(r->sets[0].hash, hash) != 0) {
        mp_error_set(err, 500, "", "%s: the text does not have this hash", path);
        goto fail;
    }
    return r;
fail:
    rules_release(r);
    return NULL;
}

const struct ruleset *
rules_by_hash(const struct rules *r, const char *hash, const char *text, struct mp_error *err)
{
    const struct ruleset *found = NULL;
    struct archived *a;

    for (int i = 0; r != NULL && i < r->nsets; i++) {
        if (strcmp(r->sets[i].hash, hash) == 0)
            return &r->sets[i];
    }
    pthread_mutex_lock(&archive_lock);
    for (a = archive; a != NULL && found == NULL; a = a->next) {
        if (strcmp(a->r->sets[0].hash, hash) == 0)
            found = &a->r->sets[0];
    }
    if (found == NULL && text != NULL && (a = calloc(1, sizeof(*a))) != NULL) {
        a->r = archive_compile(r, hash, text, err);
        if (a->r != NULL) {
            a->next = archive;
            archive = a;
            found = &a->r->sets[0];
        } else {
            free(a);
        }
    }
    pthread_mutex_unlock(&archive_lock);
    return found;
}
