/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * state.h - the state file: what the database has acknowledged, kept
 * outside it.
 *
 * A damaged write-ahead log can make SQLite's recovery drop committed
 * transactions without a word: the database opens, verifies, and is simply
 * older than what clients were told is on disk.  Its own contents cannot
 * show that.  So next to the database (DB.state, e.g. meldpunt.db.state)
 * a small file records, after every commit group, the audit chain's head
 * (seq and hash) and the highest incident reference issued per year.  At
 * start `meldpunt serve` compares it with the database
 * (store_state_compare): a database behind its own recorded head is
 * refused until the operator accepts the loss (serve --accept-loss, or a
 * restore), which is audited (core/audit.h: audit_accept_loss).
 * References are never issued twice: the numbering of a year continues
 * after the highest number recorded here, also when the rows that held
 * the numbers are gone (store_state_ref_floor).
 *
 * Why a file and not the signed checkpoints: checkpoints are signed every
 * few minutes, so the changes since the last one would go unnoticed; the
 * file costs one small write and one fdatasync per commit group (not per
 * change), measured with make bench (docs/SECURITY.md).
 *
 * Format: two slots of STATE_SLOT bytes, written in turn, each a short
 * text ("meldpunt-state 1", "gen N", "audit SEQ HEX", "ref YEAR NUMBER"
 * lines) closed by a BLAKE2b checksum line; a reader takes the valid slot
 * with the higher generation, so a write torn by a crash leaves the other
 * slot, one commit group older, in force.  The file is written after the
 * commit has returned: it may lag the database, never lead it.  Writers in
 * two processes (the server and a CLI command beside it) take flock on it
 * and merge: the higher audit head, the higher number per year.
 */
#ifndef MP_STORE_STATE_H
#define MP_STORE_STATE_H

#include "lib/error.h"
#include "lib/hashchain.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#define STATE_YEARS_MAX 32
#define STATE_SLOT      1024

struct store_state_ref {
    int year;
    int number; /* the highest number issued in that year */
};

struct store_state {
    int64_t gen;
    int64_t audit_seq; /* 0: no entry yet */
    uint8_t audit_hash[CHAIN_HASH_LEN];
    int nrefs;
    struct store_state_ref refs[STATE_YEARS_MAX];
};

/* What a database lacks against its state file. */
struct store_state_gap {
    bool behind;          /* the recorded audit head is not in the database */
    bool diverged;        /* the entry at recorded_seq has another hash */
    int64_t recorded_seq; /* the recorded audit head */
    uint8_t recorded_hash[CHAIN_HASH_LEN];
    int64_t database_seq; /* the database's audit head */
    /* years whose highest reference is missing (only a report: also after
     * an accepted loss the numbers stay above the database's) */
    int nlost;
    struct {
        int year;
        int issued;  /* recorded as issued */
        int present; /* the highest the database holds */
    } lost[STATE_YEARS_MAX];
};

/* The path of the state file of the database at db_path ("" when none is
 * open). */
const char *store_state_path(void);

/* Inside a change: an incident reference of year is being issued (the
 * commit that follows records the year's highest number). */
void store_state_note_year(int year);
/* The highest reference number the state file records for year (0: none):
 * a new reference's number is above both it and the database's. */
int store_state_ref_floor(int year);

/* The writer: before COMMIT, in the transaction, what the file is to say
 * (the audit head, the highest number of each year noted since the last
 * call); after the COMMIT returned, store_state_record() merges it into
 * the file and syncs it.  A failure to write is logged, not returned: the
 * change is on disk whatever the file says. */
int store_state_collect(sqlite3 *db, struct store_state *out);
void store_state_record(const struct store_state *pending);
/* into says also what from says: the higher audit head, the higher number
 * per year (two groups' states, recorded by one write). */
void store_state_merge(struct store_state *into, const struct store_state *from);

/* At start: the database (db) against its state file.  0 with gap->behind
 * false when in step (a missing file is created from the database; then
 * *created is true), 0 with the gap filled when behind, -1 when the file
 * cannot be read or the database not walked. */
int store_state_compare(sqlite3 *db, struct store_state_gap *gap, bool *created,
                        struct mp_error *err);

/* After an accepted loss (audited by the caller): the database's audit
 * head becomes the recorded one; the reference numbers stay as they are,
 * so none is issued again. */
int store_state_adopt(sqlite3 *db, struct mp_error *err);

/* Forgets what was loaded (db_close: another database may follow). */
void store_state_forget(void);

/* Parsing and formatting one slot (for the unit test). */
int store_state_parse(const char *slot, size_t len, struct store_state *out);
int store_state_format(const struct store_state *s, char slot[STATE_SLOT]);

#endif
