/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * audit.h - the audit chain in the database.
 *
 * store_audit_append() runs inside a write (writer.h) in the same
 * transaction as the change it records: both commit or neither does.  It
 * reads the chain's head in that transaction, so entries from the server
 * and from a CLI process running beside it still form one chain.
 */
#ifndef MP_STORE_AUDIT_H
#define MP_STORE_AUDIT_H

#include "lib/error.h"
#include "lib/hashchain.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

/* now: the change's time (the entry says when the change was made, not
 * when the writer got to it).  payload: a short JSON text describing the
 * change; never a secret. */
int store_audit_append(sqlite3 *db, int64_t now, const char *principal, const char *action,
                       const char *object, const char *payload, struct mp_error *err);
/* The same with the payload as JSON, written compact with sorted keys (a
 * NULL payload: out of memory when it was built, refused with a 500). */
int store_audit_append_json(sqlite3 *db, int64_t now, const char *principal, const char *action,
                            const char *object, const json_t *payload, struct mp_error *err);

/* The chain's head: 1 with seq and hash, 0 when empty, -1 on error. */
int store_audit_head(sqlite3 *db, int64_t *seq, uint8_t hash[CHAIN_HASH_LEN], struct mp_error *err);

/* The hash of entry seq: 1 found, 0 no such entry, -1 error. */
int store_audit_hash_at(sqlite3 *db, int64_t seq, uint8_t hash[CHAIN_HASH_LEN],
                        struct mp_error *err);

struct audit_verify_result {
    bool ok;
    int64_t entries; /* ok: all of them; else: those verified before the break */
    int64_t head_seq;
    uint8_t head_hash[CHAIN_HASH_LEN];
    int64_t bad_seq; /* first entry that does not match, when !ok */
    char reason[160];
    int64_t acknowledged;              /* breaks acknowledged (segments - 1) */
    int64_t last_seq;                  /* the last row, verified or not */
    uint8_t last_hash[CHAIN_HASH_LEN]; /* and its stored hash */
};

/*
 * An acknowledged break.  When the chain breaks at entry B (an entry that
 * does not match its hash, its payload or its predecessor, or a gap), the
 * entries from B on are unverified until an entry with action
 * AUDIT_ACK_ACTION and object AUDIT_ACK_OBJECT_FMT (naming B) follows the
 * last row directly: its seq is that row's plus one and its prev_hash is
 * that row's stored hash, as store_audit_append writes it.  A new segment
 * starts there, verified on that stored head.  So the acknowledgement
 * names the break and the head it was made on, it is itself hashed into
 * the chain, and what follows it verifies again; the rows between B and it
 * stay unverified and are reported (audit acknowledge, core/audit.c).
 */
#define AUDIT_ACK_ACTION     "audit.acknowledge"
#define AUDIT_ACK_OBJECT_FMT "audit/%lld"

/* Walks the whole chain on db.  Returns 0 when the walk ran (then look at
 * out->ok), -1 when the database could not be read. */
int store_audit_verify(sqlite3 *db, struct audit_verify_result *out, struct mp_error *err);
/* The same walk from a head already vouched for (a signed checkpoint,
 * core/checkpoint.h): entries after from_seq, the first chained to
 * from_hash.  The entries up to from_seq count as verified.  Its cost is
 * the entries since that head, not the whole chain. */
int store_audit_verify_from(sqlite3 *db, int64_t from_seq, const uint8_t from_hash[CHAIN_HASH_LEN],
                            struct audit_verify_result *out, struct mp_error *err);

/*
 * The walk itself, row by row, whatever engine the rows come from: the
 * SQLite walk above feeds it from a statement, `meldpunt migrate-storage`
 * (cli_storage.c) from PostgreSQL, so both sides are judged by one check.
 * start, then row for each row in seq order (the fields as stored; the
 * hashes with their lengths, as a damaged row may hold any), then end.
 */
struct audit_row {
    struct chain_entry e; /* seq, at, principal, action, object */
    const char *payload;
    const uint8_t *payload_hash, *prev_hash, *hash;
    size_t payload_hash_len, prev_hash_len, hash_len;
};
struct audit_walk {
    struct audit_verify_result *out;
    uint8_t prev[CHAIN_HASH_LEN];
    uint8_t last_hash[CHAIN_HASH_LEN]; /* the stored hash of the last row read */
    int64_t last_seq, verified, expect;
    bool broken;
};
void store_audit_walk_start(struct audit_walk *w, int64_t from_seq,
                            const uint8_t from_hash[CHAIN_HASH_LEN],
                            struct audit_verify_result *out);
void store_audit_walk_row(struct audit_walk *w, struct audit_row *r);
void store_audit_walk_end(struct audit_walk *w);

struct audit_entry {
    int64_t seq;
    char at[32];
    char principal[80];
    char action[64];
    char object[128];
    char *payload;
    uint8_t hash[CHAIN_HASH_LEN];
};

/* Entries with seq > after, oldest first, at most limit.  *out is a
 * malloc'd array the caller frees with store_audit_free(). */
int store_audit_list(sqlite3 *db, int64_t after, int limit, struct audit_entry **out, int *count,
                     struct mp_error *err);
void store_audit_free(struct audit_entry *entries, int count);

#endif
