/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * state.c - see state.h.
 *
 * One process keeps the file open and a copy of what it last read or
 * wrote (`mem`): a commit group that moved neither the audit
 * head nor a reference past that copy writes nothing (the readiness
 * probe's empty transaction, a failed change).  Every write is a
 * read-merge-write under flock, so a CLI command writing beside the server
 * never lowers what the server recorded, nor the other way round.
 */
#include "state.h"
#include "audit.h"
#include "db.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define STATE_MAGIC "meldpunt-state 1\n"
#define SUM_LEN     16 /* BLAKE2b-128 over the text before the sum line */
#define SUM_HEX     ((size_t)2 * SUM_LEN)
#define HASH_HEX    ((size_t)2 * CHAIN_HASH_LEN)

/* mu: the file, one reader or writer at a time in this process (held
 * across its fdatasync).  mem_mu: mem and loaded, held only to copy them,
 * so that a change numbering an incident (store_state_ref_floor, on the
 * writer thread) never waits for the recorder's sync.  Order: mu, then
 * mem_mu. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t mem_mu = PTHREAD_MUTEX_INITIALIZER;
static struct store_state mem;
static bool loaded;
static int fd = -1;
static char path[PATH_MAX + 8];

/* The years whose references the running change issued (one or two;
 * more sets `noted_all`: then every year is read at the commit). */
static _Thread_local int noted[4];
static _Thread_local int nnoted;
static _Thread_local bool noted_all;

const char *
store_state_path(void)
{
    const char *db = db_path();

    if (db == NULL)
        return "";
    snprintf(path, sizeof(path), "%s.state", db);
    return path;
}

void
store_state_note_year(int year)
{
    for (int i = 0; i < nnoted; i++) {
        if (noted[i] == year)
            return;
    }
    if (nnoted < (int)(sizeof(noted) / sizeof(noted[0])))
        noted[nnoted++] = year;
    else
        noted_all = true;
}

/* ---- one slot as text ---- */

static void
hex(const uint8_t *b, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, b, n);
}

int
store_state_format(const struct store_state *s, char slot[STATE_SLOT])
{
    uint8_t sum[SUM_LEN];
    char h[2 * CHAIN_HASH_LEN + 1], sh[2 * SUM_LEN + 1];
    size_t n;
    int w;

    memset(slot, 0, STATE_SLOT);
    hex(s->audit_hash, CHAIN_HASH_LEN, h);
    w = snprintf(slot, STATE_SLOT, STATE_MAGIC "gen %lld\naudit %lld %s\n", (long long)s->gen,
                 (long long)s->audit_seq, h);
    if (w < 0 || w >= STATE_SLOT)
        return -1;
    n = (size_t)w;
    for (int i = 0; i < s->nrefs; i++) {
        w = snprintf(slot + n, STATE_SLOT - n, "ref %d %d\n", s->refs[i].year, s->refs[i].number);
        if (w < 0 || (size_t)w >= STATE_SLOT - n)
            return -1;
        n += (size_t)w;
    }
    crypto_generichash(sum, sizeof(sum), (const uint8_t *)slot, n, NULL, 0);
    hex(sum, SUM_LEN, sh);
    w = snprintf(slot + n, STATE_SLOT - n, "sum %s\n", sh);
    return w < 0 || (size_t)w >= STATE_SLOT - n ? -1 : 0;
}

/* At *p: word, then a number in [min, max], then the character after;
 * *p moves past that character. */
static bool
take(const char **p, const char *word, long long min, long long max, char after, long long *out)
{
    size_t w = strlen(word);
    char *end;

    if (strncmp(*p, word, w) != 0 || (*p)[w] < '0' || (*p)[w] > '9')
        return false;
    errno = 0;
    *out = strtoll(*p + w, &end, 10);
    if (errno != 0 || *out < min || *out > max || *end != after)
        return false;
    *p = end + 1;
    return true;
}

int
store_state_parse(const char *slot, size_t len, struct store_state *out)
{
    char text[STATE_SLOT + 1], want[SUM_HEX + 1];
    uint8_t sum[SUM_LEN];
    const char *sumline, *p;
    size_t n = strnlen(slot, len < STATE_SLOT ? len : STATE_SLOT);
    long long a, b;

    memset(out, 0, sizeof(*out));
    memcpy(text, slot, n);
    text[n] = '\0';
    if (strncmp(text, STATE_MAGIC, strlen(STATE_MAGIC)) != 0)
        return -1;
    sumline = strstr(text, "\nsum ");
    if (sumline == NULL || strlen(sumline) != 6 + SUM_HEX)
        return -1;
    sumline++;
    crypto_generichash(sum, sizeof(sum), (const uint8_t *)text, (size_t)(sumline - text), NULL, 0);
    hex(sum, SUM_LEN, want);
    if (strncmp(sumline + 4, want, SUM_HEX) != 0)
        return -1;
    p = text + strlen(STATE_MAGIC);
    if (!take(&p, "gen ", 0, INT64_MAX, '\n', &a) || !take(&p, "audit ", 0, INT64_MAX, ' ', &b) ||
        sodium_hex2bin(out->audit_hash, CHAIN_HASH_LEN, p, HASH_HEX, NULL, NULL, NULL) != 0 ||
        p[HASH_HEX] != '\n')
        return -1;
    out->gen = a;
    out->audit_seq = b;
    p += HASH_HEX + 1;
    while (p < sumline) {
        if (out->nrefs == STATE_YEARS_MAX || !take(&p, "ref ", 0, 9999, ' ', &a) ||
            !take(&p, "", 0, INT_MAX, '\n', &b))
            return -1;
        out->refs[out->nrefs++] = (struct store_state_ref){(int)a, (int)b};
    }
    return p == sumline ? 0 : -1;
}

/* ---- the file ---- */

static void
set_mem(const struct store_state *st)
{
    pthread_mutex_lock(&mem_mu);
    mem = *st;
    loaded = true;
    pthread_mutex_unlock(&mem_mu);
}

/* Opens the file once per database; *created when this made it. */
static int
open_file(bool create, bool *created, struct mp_error *err)
{
    if (created)
        *created = false;
    if (fd >= 0)
        return 0;
    if (store_state_path()[0] == '\0')
        return mp_error_set(err, 500, "", "no database open");
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0 && created)
            *created = true;
    }
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        return mp_error_set(err, 500, "", "cannot open %s: %s", path, strerror(errno));
    }
    return 0;
}

/* The valid slot with the higher generation: 1, 0 when the file is empty,
 * -1 when it holds no valid slot or cannot be read. */
static int
read_file(struct store_state *out, struct mp_error *err)
{
    char buf[2 * STATE_SLOT];
    struct store_state s[2];
    bool ok[2];
    ssize_t n = pread(fd, buf, sizeof(buf), 0);

    memset(out, 0, sizeof(*out));
    if (n < 0)
        return mp_error_set(err, 500, "", "cannot read %s: %s", path, strerror(errno));
    if (n == 0)
        return 0;
    for (int i = 0; i < 2; i++) {
        ssize_t avail = n - (ssize_t)i * STATE_SLOT;
        ok[i] = avail > 0 &&
                store_state_parse(buf + ((size_t)i * STATE_SLOT),
                                  avail < STATE_SLOT ? (size_t)avail : STATE_SLOT, &s[i]) == 0;
    }
    if (!ok[0] && !ok[1])
        return mp_error_set(err, 500, "",
                            "%s is damaged (no readable slot); remove it to record the "
                            "database's state anew",
                            path);
    *out = s[ok[0] && (!ok[1] || s[0].gen >= s[1].gen) ? 0 : 1];
    return 1;
}

static void
fsync_parent(void)
{
    char dir[sizeof(path)];
    char *slash;
    int dfd;

    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else
        *(slash == dir ? slash + 1 : slash) = '\0';
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

static int
write_file(struct store_state *s, bool created, struct mp_error *err)
{
    char slot[STATE_SLOT];

    if (store_state_format(s, slot) != 0)
        return mp_error_set(err, 500, "", "the state does not fit its slot");
    if (pwrite(fd, slot, STATE_SLOT, (off_t)(s->gen & 1) * STATE_SLOT) != STATE_SLOT ||
        fdatasync(fd) != 0)
        return mp_error_set(err, 507, "", "cannot write %s: %s", path, strerror(errno));
    if (created)
        fsync_parent();
    return 0;
}

static int
ref_of(const struct store_state *s, int year)
{
    for (int i = 0; i < s->nrefs; i++) {
        if (s->refs[i].year == year)
            return s->refs[i].number;
    }
    return 0;
}

/* Raises year's number in s to at least number; a 33rd year pushes out
 * the lowest. */
static void
raise_ref(struct store_state *s, int year, int number)
{
    int low = 0;

    for (int i = 0; i < s->nrefs; i++) {
        if (s->refs[i].year == year) {
            if (number > s->refs[i].number)
                s->refs[i].number = number;
            return;
        }
        if (s->refs[i].year < s->refs[low].year)
            low = i;
    }
    if (s->nrefs < STATE_YEARS_MAX) {
        s->refs[s->nrefs++] = (struct store_state_ref){year, number};
        return;
    }
    if (year > s->refs[low].year)
        s->refs[low] = (struct store_state_ref){year, number};
}

/* Does s already say all that p says? */
static bool
covers(const struct store_state *s, const struct store_state *p)
{
    if (p->audit_seq > s->audit_seq)
        return false;
    for (int i = 0; i < p->nrefs; i++) {
        if (ref_of(s, p->refs[i].year) < p->refs[i].number)
            return false;
    }
    return true;
}

/* Under mu: the file's state merged with p (the higher audit head unless
 * adopt, the higher number per year), written when it says more. */
static int
merge_write(const struct store_state *p, bool adopt, struct mp_error *err)
{
    struct store_state cur, next;
    bool created;
    int rc;

    if ((rc = open_file(true, &created, err)) != 0)
        return rc < 0 ? -1 : mp_error_set(err, 500, "", "cannot create %s", path);
    if (flock(fd, LOCK_EX) != 0)
        return mp_error_set(err, 500, "", "cannot lock %s: %s", path, strerror(errno));
    if (read_file(&cur, err) < 0) {
        /* a damaged file is written anew from what this commit knows */
        log_warn("state file rewritten error=\"%s\"", err->message);
        memset(&cur, 0, sizeof(cur));
    }
    next = cur;
    if (adopt || p->audit_seq > cur.audit_seq) {
        next.audit_seq = p->audit_seq;
        memcpy(next.audit_hash, p->audit_hash, CHAIN_HASH_LEN);
    }
    for (int i = 0; i < p->nrefs; i++)
        raise_ref(&next, p->refs[i].year, p->refs[i].number);
    rc = 0;
    if (created || adopt || !covers(&cur, &next)) {
        next.gen = cur.gen + 1;
        rc = write_file(&next, created, err);
    }
    flock(fd, LOCK_UN);
    if (rc == 0)
        set_mem(&next);
    return rc;
}

/* ---- the writer's side ---- */

/* The highest number of each year in db: all years (all), or those noted. */
static int
read_refs(sqlite3 *db, bool all, struct store_state *out)
{
    sqlite3_stmt *st;
    int rc = 0;

    if (all) {
        st = db_stmt(db, "SELECT ref_year, max(ref_number) FROM incidents GROUP BY ref_year");
        if (st == NULL)
            return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            raise_ref(out, sqlite3_column_int(st, 0), sqlite3_column_int(st, 1));
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    for (int i = 0; i < nnoted && rc == 0; i++) {
        st = db_stmt(db, "SELECT max(ref_number) FROM incidents WHERE ref_year = ?");
        if (st == NULL)
            return -1;
        sqlite3_bind_int(st, 1, noted[i]);
        if (sqlite3_step(st) != SQLITE_ROW)
            rc = -1;
        else if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            raise_ref(out, noted[i], sqlite3_column_int(st, 0));
        sqlite3_reset(st);
    }
    return rc;
}

/* The database's audit head and references (all years, or those noted). */
static int
read_database(sqlite3 *db, bool all, struct store_state *out, struct mp_error *err)
{
    memset(out, 0, sizeof(*out));
    if (store_audit_head(db, &out->audit_seq, out->audit_hash, err) < 0)
        return -1;
    if (read_refs(db, all, out) != 0)
        return db_fail(db, err, "reading the incident references");
    return 0;
}

int
store_state_collect(sqlite3 *db, struct store_state *out)
{
    struct mp_error err;
    int rc = read_database(db, noted_all, out, &err);

    nnoted = 0;
    noted_all = false;
    if (rc != 0)
        log_error("state not collected error=\"%s\"", err.message);
    return rc;
}

void
store_state_merge(struct store_state *into, const struct store_state *from)
{
    if (from->audit_seq > into->audit_seq) {
        into->audit_seq = from->audit_seq;
        memcpy(into->audit_hash, from->audit_hash, CHAIN_HASH_LEN);
    }
    for (int i = 0; i < from->nrefs; i++)
        raise_ref(into, from->refs[i].year, from->refs[i].number);
}

void
store_state_record(const struct store_state *pending)
{
    struct mp_error err;

    bool said;

    pthread_mutex_lock(&mem_mu);
    said = loaded && covers(&mem, pending);
    pthread_mutex_unlock(&mem_mu);
    if (said)
        return;
    pthread_mutex_lock(&mu);
    if (merge_write(pending, false, &err) != 0)
        log_error("state file not written (the change is committed) error=\"%s\"", err.message);
    pthread_mutex_unlock(&mu);
}

int
store_state_ref_floor(int year)
{
    struct store_state st;
    struct mp_error err;
    bool have;
    int n = 0;

    pthread_mutex_lock(&mem_mu);
    have = loaded;
    if (have)
        n = ref_of(&mem, year);
    pthread_mutex_unlock(&mem_mu);
    if (have)
        return n;
    /* a process that did not compare at start (a CLI command, a test):
     * the file as it is, once */
    pthread_mutex_lock(&mu);
    if (open_file(false, NULL, &err) == 0 && flock(fd, LOCK_SH) == 0) {
        if (read_file(&st, &err) >= 0) {
            set_mem(&st);
            n = ref_of(&st, year);
        }
        flock(fd, LOCK_UN);
    }
    pthread_mutex_unlock(&mu);
    return n;
}

/* ---- at start ---- */

static int
compare_locked(sqlite3 *db, struct store_state_gap *gap, bool *created, struct mp_error *err)
{
    struct store_state cur, now;
    uint8_t h[CHAIN_HASH_LEN];
    int rc;

    memset(gap, 0, sizeof(*gap));
    *created = false;
    if (read_database(db, true, &now, err) != 0)
        return -1;
    rc = open_file(false, NULL, err);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        /* no file yet (a database from before it, or the first start) */
        *created = true;
        return merge_write(&now, true, err);
    }
    if (flock(fd, LOCK_SH) != 0)
        return mp_error_set(err, 500, "", "cannot lock %s: %s", path, strerror(errno));
    rc = read_file(&cur, err);
    flock(fd, LOCK_UN);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        *created = true;
        return merge_write(&now, true, err);
    }
    set_mem(&cur);
    gap->recorded_seq = cur.audit_seq;
    memcpy(gap->recorded_hash, cur.audit_hash, CHAIN_HASH_LEN);
    gap->database_seq = now.audit_seq;
    if (cur.audit_seq > now.audit_seq) {
        gap->behind = true;
    } else if (cur.audit_seq > 0) {
        rc = store_audit_hash_at(db, cur.audit_seq, h, err);
        if (rc < 0)
            return -1;
        if (rc == 0 || sodium_memcmp(h, cur.audit_hash, CHAIN_HASH_LEN) != 0)
            gap->behind = gap->diverged = true;
    }
    /* Which references the database lacks, for the report.  Behind or not
     * is the audit head's to say: every reference is issued in a change
     * whose audit entry commits with it, so a lost reference means a lost
     * entry; and after an accepted loss the numbers stay above what the
     * database holds on purpose. */
    for (int i = 0; i < cur.nrefs; i++) {
        int have = ref_of(&now, cur.refs[i].year);
        if (have < cur.refs[i].number) {
            gap->lost[gap->nlost].year = cur.refs[i].year;
            gap->lost[gap->nlost].issued = cur.refs[i].number;
            gap->lost[gap->nlost].present = have;
            gap->nlost++;
        }
    }
    return 0;
}

int
store_state_compare(sqlite3 *db, struct store_state_gap *gap, bool *created, struct mp_error *err)
{
    int rc;

    pthread_mutex_lock(&mu);
    rc = compare_locked(db, gap, created, err);
    pthread_mutex_unlock(&mu);
    return rc;
}

int
store_state_adopt(sqlite3 *db, struct mp_error *err)
{
    struct store_state now;
    int rc;

    if (read_database(db, true, &now, err) != 0)
        return -1;
    pthread_mutex_lock(&mu);
    rc = merge_write(&now, true, err);
    pthread_mutex_unlock(&mu);
    return rc;
}

void
store_state_forget(void)
{
    pthread_mutex_lock(&mu);
    if (fd >= 0)
        close(fd);
    fd = -1;
    pthread_mutex_lock(&mem_mu);
    loaded = false;
    memset(&mem, 0, sizeof(mem));
    pthread_mutex_unlock(&mem_mu);
    pthread_mutex_unlock(&mu);
}
