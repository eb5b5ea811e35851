/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * writer.c - see writer.h.
 *
 * The queues are singly linked lists of jobs living on the callers' stacks;
 * a caller waits on the shared condition variable until its job is marked
 * done.  Invariant: only the writer thread touches the writer connection,
 * and a job is marked done only after the COMMIT (or ROLLBACK) that decides
 * its fate has returned.
 *
 * Two queues: the requests' changes, and the background jobs' (the
 * reminder send loop, re-planning, the obligation sweeper).  A group takes
 * every request's change queued (up to the batch size) and then at most
 * BACKGROUND_PER_GROUP background changes, so a request that arrives while
 * background work is queued waits for at most the one group being
 * committed, never behind a queue of background changes.  Background work
 * keeps its order among itself and still runs when requests keep coming:
 * one change in every group.
 */
#include "writer.h"
#include "db.h"
#include "state.h"
#include "lib/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct job {
    store_write_fn fn;
    void *arg;
    struct mp_error err;
    int rc;
    bool done;
    struct job *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queued = PTHREAD_COND_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;
static struct job *head, *tail;       /* the requests' changes */
static struct job *bg_head, *bg_tail; /* background changes */
static bool running, stopping;
static pthread_t thread;
static sqlite3 *wdb;
static unsigned batch_max = 64;
#define BACKGROUND_PER_GROUP 1
static _Atomic uint64_t n_commits, n_changes, n_failures;
/* the latest time a change was recorded with (store_change_time) */
static _Atomic int64_t latest_change_time = INT64_MIN;

/* Used when no writer thread runs (CLI): one change, one transaction. */
static pthread_mutex_t direct_lock = PTHREAD_MUTEX_INITIALIZER;

/* Runs one statement without results through the statement cache. */
static int
exec(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = db_stmt(db, sql);
    int rc;

    if (st == NULL)
        return sqlite3_errcode(db);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static void
fail_job(struct job *j, sqlite3 *db, const char *what)
{
    int rc = sqlite3_extended_errcode(db);

    j->rc = -1;
    mp_error_set(&j->err, db_error_status(rc), "", "storage failure (%s): %s", what,
                 sqlite3_errmsg(db));
}

/* Runs jobs first..(until NULL) in one transaction.  Sets each job's rc.
 * True when the transaction committed: then *pending is what the state
 * file is to say (store/state.h), which the caller records before it
 * marks the jobs done. */
static bool
run_batch(sqlite3 *db, struct job *first, struct store_state *pending)
{
    struct job *j;
    bool open_tx = false, collected;

    for (j = first; j != NULL; j = j->next) {
        if (!open_tx) {
            if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) {
                fail_job(j, db, "begin");
                continue;
            }
            open_tx = true;
        }
        if (exec(db, "SAVEPOINT job") != SQLITE_OK) {
            fail_job(j, db, "savepoint");
            continue;
        }
        mp_error_clear(&j->err);
        j->rc = j->fn(db, j->arg, &j->err) == 0 ? 0 : -1;
        if (j->rc != 0 && j->err.status == 0)
            mp_error_set(&j->err, 500, "", "change failed");
        if (sqlite3_get_autocommit(db)) {
            /* SQLite rolled the whole transaction back (I/O error, disk
             * full): every change of this batch so far is lost with it. */
            for (struct job *k = first; k != j; k = k->next) {
                if (k->rc == 0) {
                    k->rc = -1;
                    mp_error_set(&k->err, 503, "", "storage failure: transaction rolled back");
                }
            }
            if (j->rc == 0)
                fail_job(j, db, "rolled back");
            first = j->next;
            open_tx = false;
            continue;
        }
        if (j->rc != 0)
            exec(db, "ROLLBACK TO job");
        exec(db, "RELEASE job");
    }
    if (!open_tx)
        return false;
    /* what the state file is to say, read inside the transaction */
    collected = store_state_collect(db, pending) == 0;
    if (exec(db, "COMMIT") != SQLITE_OK) {
        int status = db_error_status(sqlite3_extended_errcode(db));
        char msg[160];

        snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(db));
        exec(db, "ROLLBACK");
        for (j = first; j != NULL; j = j->next) {
            if (j->rc == 0) {
                j->rc = -1;
                mp_error_set(&j->err, status, "", "storage failure (commit): %s", msg);
            }
        }
        log_error("commit failed error=\"%s\"", msg);
        return false;
    }
    atomic_fetch_add(&n_commits, 1);
    return collected;
}

/*
 * The recorder: the state file is written after the commit returned, never
 * before (it may lag the database, never lead it), and a change is
 * answered only once the state that covers it is on disk.  Its fdatasync
 * costs as much as the commit's, so it runs on a thread of its own: while
 * it syncs the state of one group, the writer commits the next.  Groups
 * committed meanwhile are covered by one write of the latest state (the
 * state only grows), so a slow disk makes both kinds of group larger
 * rather than the queue longer.
 */
static pthread_cond_t to_record = PTHREAD_COND_INITIALIZER;
static struct job *rec_head, *rec_tail; /* committed or failed, not yet answered */
static struct store_state rec_state;
static bool rec_have, rec_stopping;
static pthread_t recorder;

/* Under lock: the batch (and the state its commit left) to the recorder. */
static void
hand_over(struct job *batch, const struct store_state *st)
{
    struct job *last = batch;

    while (last->next != NULL)
        last = last->next;
    if (rec_tail)
        rec_tail->next = batch;
    else
        rec_head = batch;
    rec_tail = last;
    if (st != NULL) {
        if (rec_have)
            store_state_merge(&rec_state, st);
        else
            rec_state = *st;
        rec_have = true;
    }
    pthread_cond_signal(&to_record);
}

static void *
recorder_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&lock);
    for (;;) {
        struct store_state st;
        struct job *batch, *j;
        bool have;

        while (rec_head == NULL && !rec_stopping)
            pthread_cond_wait(&to_record, &lock);
        if (rec_head == NULL)
            break;
        batch = rec_head;
        rec_head = rec_tail = NULL;
        st = rec_state;
        have = rec_have;
        rec_have = false;
        pthread_mutex_unlock(&lock);

        if (have)
            store_state_record(&st);

        pthread_mutex_lock(&lock);
        for (j = batch; j != NULL;) {
            struct job *next = j->next;
            atomic_fetch_add(&n_changes, 1);
            if (j->rc != 0)
                atomic_fetch_add(&n_failures, 1);
            j->done = true;
            j = next;
        }
        pthread_cond_broadcast(&finished);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

/* Under lock: up to max jobs from the queue *h (..*t) cut off, chained
 * after *last (or made the first when *first is NULL). */
static unsigned
take(struct job **h, struct job **t, unsigned max, struct job **first, struct job **last)
{
    unsigned n = 0;

    while (*h != NULL && n < max) {
        struct job *j = *h;

        *h = j->next;
        j->next = NULL;
        if (*first == NULL)
            *first = j;
        else
            (*last)->next = j;
        *last = j;
        n++;
    }
    if (*h == NULL)
        *t = NULL;
    return n;
}

static void *
writer_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&lock);
    for (;;) {
        struct store_state st;
        struct job *batch = NULL, *last = NULL;
        bool committed;

        while (head == NULL && bg_head == NULL && !stopping)
            pthread_cond_wait(&queued, &lock);
        if (head == NULL && bg_head == NULL && stopping)
            break;
        /* the requests' changes first, then a little background work */
        take(&head, &tail, batch_max, &batch, &last);
        take(&bg_head, &bg_tail, BACKGROUND_PER_GROUP, &batch, &last);
        pthread_mutex_unlock(&lock);

        committed = run_batch(wdb, batch, &st);

        pthread_mutex_lock(&lock);
        hand_over(batch, committed ? &st : NULL);
    }
    pthread_mutex_unlock(&lock);
    /* The statement cache is per thread: release ours here, on this thread,
     * before store_writer_stop() closes the connection. */
    db_release(wdb);
    return NULL;
}

int
store_writer_start(unsigned max_batch, struct mp_error *err)
{
    if (running)
        return 0;
    wdb = db_connect(db_path(), false, err);
    if (wdb == NULL)
        return -1;
    if (max_batch > 0)
        batch_max = max_batch;
    stopping = rec_stopping = false;
    if (pthread_create(&recorder, NULL, recorder_main, NULL) != 0) {
        db_disconnect(wdb);
        wdb = NULL;
        return mp_error_set(err, 500, "", "cannot start the state recorder thread");
    }
    if (pthread_create(&thread, NULL, writer_main, NULL) != 0) {
        pthread_mutex_lock(&lock);
        rec_stopping = true;
        pthread_cond_signal(&to_record);
        pthread_mutex_unlock(&lock);
        pthread_join(recorder, NULL);
        db_disconnect(wdb);
        wdb = NULL;
        return mp_error_set(err, 500, "", "cannot start the writer thread");
    }
    running = true;
    return 0;
}

void
store_writer_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_signal(&queued);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    /* then the recorder answers what the writer handed it, and ends */
    pthread_mutex_lock(&lock);
    rec_stopping = true;
    pthread_cond_signal(&to_record);
    pthread_mutex_unlock(&lock);
    pthread_join(recorder, NULL);
    running = false;
    /* Fold the WAL back into the database file so a stopped server leaves
     * one self-contained file behind. */
    sqlite3_exec(wdb, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    db_disconnect(wdb);
    wdb = NULL;
}

/* The private connection of a change made without the writer thread,
 * one at a time; direct_close() gives it back. */
static sqlite3 *
direct_open(struct mp_error *err)
{
    sqlite3 *db;

    pthread_mutex_lock(&direct_lock);
    db = db_connect(db_path(), false, err);
    if (db == NULL)
        pthread_mutex_unlock(&direct_lock);
    return db;
}

static void
direct_close(sqlite3 *db)
{
    db_disconnect(db);
    pthread_mutex_unlock(&direct_lock);
}

static int
write_direct(store_write_fn fn, void *arg, struct mp_error *err)
{
    struct job j = {.fn = fn, .arg = arg};
    struct store_state st;
    sqlite3 *db = direct_open(err);

    if (db == NULL)
        return -1;
    if (run_batch(db, &j, &st))
        store_state_record(&st);
    direct_close(db);
    if (j.rc != 0 && err != NULL)
        *err = j.err;
    return j.rc;
}

/* Set while the server must not change anything (store_writer_read_only). */
static pthread_mutex_t ro_lock = PTHREAD_MUTEX_INITIALIZER;
static char ro_why[200];

void
store_writer_read_only(const char *why)
{
    pthread_mutex_lock(&ro_lock);
    snprintf(ro_why, sizeof(ro_why), "%s", why ? why : "");
    pthread_mutex_unlock(&ro_lock);
}

int
store_write_dry(store_write_fn fn, void *arg, struct mp_error *err)
{
    sqlite3 *db = direct_open(err);
    int rc;

    if (db == NULL)
        return -1;
    if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) {
        rc = db_fail(db, err, "starting a trial change");
    } else {
        rc = fn(db, arg, err);
        (void)exec(db, "ROLLBACK");
    }
    direct_close(db);
    return rc;
}

/* The read-only refusal (store_writer_read_only): 0 when changes are
 * taken, else -1 with err. */
static int
read_only_refusal(struct mp_error *err)
{
    char why[sizeof(ro_why)];

    pthread_mutex_lock(&ro_lock);
    memcpy(why, ro_why, sizeof(why));
    pthread_mutex_unlock(&ro_lock);
    if (why[0] != '\0')
        return mp_error_set(err, 503, "", "%s", why);
    return 0;
}

/* Queues fn on the request queue or the background one and waits for the
 * commit that decides it. */
static int
write_queued(store_write_fn fn, void *arg, bool background, struct mp_error *err)
{
    struct job j = {.fn = fn, .arg = arg};
    struct job **h = background ? &bg_head : &head, **t = background ? &bg_tail : &tail;

    pthread_mutex_lock(&lock);
    if (!running || stopping) {
        pthread_mutex_unlock(&lock);
        return write_direct(fn, arg, err);
    }
    if (*t)
        (*t)->next = &j;
    else
        *h = &j;
    *t = &j;
    pthread_cond_signal(&queued);
    while (!j.done)
        pthread_cond_wait(&finished, &lock);
    pthread_mutex_unlock(&lock);
    if (j.rc != 0 && err != NULL)
        *err = j.err;
    return j.rc;
}

int
store_write(store_write_fn fn, void *arg, struct mp_error *err)
{
    if (read_only_refusal(err) != 0)
        return -1;
    return write_queued(fn, arg, false, err);
}

int
store_write_background(store_write_fn fn, void *arg, struct mp_error *err)
{
    if (read_only_refusal(err) != 0)
        return -1;
    return write_queued(fn, arg, true, err);
}

int
store_write_unguarded(store_write_fn fn, void *arg, struct mp_error *err)
{
    return write_queued(fn, arg, false, err);
}

int64_t
store_change_time(int64_t requested)
{
    int64_t seen = atomic_load(&latest_change_time);

    /* changes run one at a time, but the CLI's direct writes may run
     * beside a server thread's: compare-and-swap keeps it exact */
    while (requested > seen && !atomic_compare_exchange_weak(&latest_change_time, &seen, requested))
        ;
    return requested > seen ? requested : seen;
}

#ifdef MP_TEST_BUILD
void
store_change_time_reset(void)
{
    atomic_store(&latest_change_time, INT64_MIN);
}

void
store_writer_queued(unsigned *requests, unsigned *background)
{
    pthread_mutex_lock(&lock);
    *requests = *background = 0;
    for (struct job *j = head; j != NULL; j = j->next)
        ++*requests;
    for (struct job *j = bg_head; j != NULL; j = j->next)
        ++*background;
    pthread_mutex_unlock(&lock);
}
#endif

void
store_writer_stats(struct store_writer_stats *out)
{
    out->commits = atomic_load(&n_commits);
    out->changes = atomic_load(&n_changes);
    out->failures = atomic_load(&n_failures);
}
