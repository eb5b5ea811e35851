/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * reminders_send.c - the send loop: every [reminders] send_interval seconds
 * (and at once when the test clock moves) the planned jobs whose time came
 * are sent, on their own thread, never on the writer's.
 *
 * At least once, nothing twice in one step: each message (job, channel,
 * recipient) is recorded in the delivery log as soon as it went out, in a
 * change of its own; a pass after a restart sends only what the log does
 * not hold as sent.  A job with nothing delivered is tried again after a
 * backoff (1, 2, 4 minutes); after the last try, or at once when there is
 * nobody to deliver to, it fails and the next step is due at once
 * (escalation).  Jobs superseded by a later step of the same report that
 * is due too are skipped: one reminder says it all.  A report submitted or
 * waived meanwhile ends its ladder here as well.
 */
#include "reminders.h"
#include "reminders_int.h"
#include "core/classify.h"
#include "core/exercise.h"
#include "lib/clock.h"
#include "lib/deliver.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/ticker.h"
#include "lib/timeutil.h"
#include "store/classification.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/reminders.h"
#include "store/users.h"
#include "store/writer.h"

#include <limits.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASS_MAX     200 /* jobs in one pass */
#define TRIES        4   /* sends of one job before it fails */
#define BACKOFF_BASE 60  /* seconds before the second try, doubling */
#define RCPTS_MAX    32

static char data_dir[PATH_MAX];
static char ca_file[PATH_MAX];
static atomic_long failures_total;
static pthread_mutex_t failing_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *failing; /* channel -> {since, reason} while its last delivery failed */

void
reminders_configure(const char *dir, const char *ca)
{
    snprintf(data_dir, sizeof(data_dir), "%s", dir);
    snprintf(ca_file, sizeof(ca_file), "%s", ca ? ca : "");
}

/* ---- the bookkeeping: one change per batch ---- */

/*
 * The loop writes little and seldom, so that the API's changes do not
 * queue behind it on the one writer thread: per batch of up to BATCH jobs
 * one change claims them (durable before anything is sent) and one change
 * records what came of them (the delivery log, the timeline, the jobs'
 * new states, the next rounds and escalations).  Both are background
 * changes (store_write_background): a request's change goes first.
 *
 * Claimed means "sent" before the send, so a crash between the claim and
 * the record never sends that step again: the next start finds the job
 * claimed with nothing in its log (store_reminder_jobs_interrupted), logs
 * it as interrupted and escalates to the next step at once, as for any
 * reminder not known to have reached anyone.  Nothing twice in a step,
 * and the ladder goes on.
 */
#define BATCH 50

enum job_op { OP_CLAIM, OP_SKIP, OP_LOG, OP_INSERT, OP_UPDATE, OP_CLOSE_FROM, OP_ESCALATE };

struct job_change {
    enum job_op op;
    struct reminder_job j;
    char channel[64], recipient[72], status[REMINDER_STATUS_LEN];
    char reason[DELIVER_REASON_LEN];
    char note[400]; /* OP_LOG: the timeline's words, "": none */
    int done;       /* OP_CLAIM, OP_UPDATE, OP_ESCALATE: whether it took */
};

/* What a batch is to write, in order, and when. */
struct book {
    struct job_change *v;
    int n, cap;
    int64_t now;
};

/* A new entry at the end of b (zeroed but for op and j); NULL when out of
 * memory. */
static struct job_change *
book_add(struct book *b, enum job_op op, const struct reminder_job *j)
{
    struct job_change *c;

    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 64;
        struct job_change *v = realloc(b->v, (size_t)cap * sizeof(*v));
        if (v == NULL)
            return NULL;
        b->v = v;
        b->cap = cap;
    }
    c = &b->v[b->n++];
    memset(c, 0, sizeof(*c));
    c->op = op;
    c->j = *j;
    return c;
}

static void
book_clear(struct book *b)
{
    b->n = 0;
}

/* The escalation: the failed job settled, the next step (still planned)
 * due at once. */
static int
escalate(sqlite3 *db, struct job_change *c, int64_t now, const char *at, struct mp_error *err)
{
    struct reminder_job next;
    int found;

    c->done = store_reminder_job_settle(db, &c->j, at, err);
    if (c->done <= 0)
        return c->done;
    found = store_reminder_job_find(db, c->j.obligation_id, c->j.step + 1, 0, &next, err);
    if (found <= 0 || strcmp(next.status, "planned") != 0)
        return found < 0 ? -1 : 0;
    next.fire_at = now < next.fire_at ? now : next.fire_at;
    return store_reminder_job_update(db, &next, at, err);
}

static int
job_apply(sqlite3 *db, struct job_change *c, int64_t now, const char *at, struct mp_error *err)
{
    struct reminder_job next;
    int found;

    switch (c->op) {
    case OP_CLAIM:
    case OP_SKIP:
        c->done =
            store_reminder_job_claim(db, c->j.id, c->op == OP_CLAIM ? "sent" : "skipped", at, err);
        return c->done < 0 ? -1 : 0;
    case OP_LOG:
        if (store_reminder_delivery_add(db, &c->j, c->channel, c->recipient, c->status, c->reason,
                                        at, err) != 0)
            return -1;
        return c->note[0]
                   ? store_timeline_append(db, c->j.incident_id, at, "meldpunt", "obligation",
                                           "reminder", NULL, NULL, c->note, err)
                   : 0;
    case OP_INSERT:
        found = store_reminder_job_find(db, c->j.obligation_id, c->j.step, c->j.round, &next, err);
        return found != 0 ? (found < 0 ? -1 : 0) : store_reminder_job_insert(db, &c->j, at, err);
    case OP_UPDATE:
        c->done = store_reminder_job_settle(db, &c->j, at, err);
        return c->done < 0 ? -1 : 0;
    case OP_CLOSE_FROM:
        return store_reminder_jobs_close(db, c->j.obligation_id, c->j.step, c->status, at, err) < 0
                   ? -1
                   : 0;
    case OP_ESCALATE:
        return escalate(db, c, now, at, err) < 0 ? -1 : 0;
    }
    return 0;
}

static int
book_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct book *b = arg;
    char at[TIME_RFC3339_LEN];

    time_format_rfc3339(b->now, at, sizeof(at));
    for (int i = 0; i < b->n; i++)
        if (job_apply(db, &b->v[i], b->now, at, err) != 0)
            return -1;
    return 0;
}

/* Writes what b holds in one background change, and empties it. */
static int
book_write(struct book *b, struct mp_error *err)
{
    int rc = b->n > 0 ? store_write_background(book_apply, b, err) : 0;

    if (rc != 0)
        log_error("the reminders' bookkeeping was not written (%d changes): %s", b->n,
                  err->message);
    return rc;
}

/* Copies s into dst of size n ("" for NULL). */
static void
copy(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

/* ---- whom ---- */

static void
person(sqlite3 *db, const json_t *policy, const char *name, struct reminder_rcpt *r)
{
    const json_t *p = json_object_get(json_object_get(policy, "people"), name);
    struct user_row u;
    struct mp_error err;
    const char *s;

    memset(r, 0, sizeof(*r));
    snprintf(r->name, sizeof(r->name), "%s", name);
    snprintf(r->lang, sizeof(r->lang), "en");
    r->tlp_max = TLP_RED;
    if (store_user_find(db, name, false, &u, &err) == 1) {
        if (u.language[0])
            snprintf(r->lang, sizeof(r->lang), "%.2s", u.language);
        for (int t = 0; u.tlp_max[0] && t < TLP_COUNT; t++)
            if (strcmp(incident_tlp_names[t], u.tlp_max) == 0)
                r->tlp_max = t;
    }
    if ((s = json_string_value(json_object_get(p, "email"))) != NULL)
        snprintf(r->email, sizeof(r->email), "%s", s);
    if ((s = json_string_value(json_object_get(p, "language"))) != NULL)
        snprintf(r->lang, sizeof(r->lang), "%s", s);
    if ((s = json_string_value(json_object_get(p, "time_zone"))) != NULL)
        snprintf(r->zone, sizeof(r->zone), "%s", s);
    for (int t = 0; (s = json_string_value(json_object_get(p, "tlp_max"))) && t < TLP_COUNT; t++)
        if (strcmp(incident_tlp_names[t], s) == 0 && t < r->tlp_max)
            r->tlp_max = t;
}

static void
add(sqlite3 *db, const json_t *policy, const char *name, struct reminder_rcpt *v, int *n)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(v[i].name, name) == 0)
            return;
    if (*n < RCPTS_MAX)
        person(db, policy, name, &v[(*n)++]);
}

static int
recipients(sqlite3 *db, const json_t *policy, const json_t *step, const struct incident *inc,
           struct reminder_rcpt *v)
{
    const json_t *w;
    int n = 0;
    size_t i, k;

    json_array_foreach(json_object_get(step, "to"), i, w)
    {
        const char *s = json_string_value(w);
        if (strcmp(s, "assignee") == 0 && inc->assignee && inc->assignee[0]) {
            add(db, policy, inc->assignee, v, &n);
        } else if (strcmp(s, "on_duty") == 0) {
            json_t *x;
            json_array_foreach(json_object_get(policy, "on_duty"), k, x)
                add(db, policy, json_string_value(x), v, &n);
        } else if (strcmp(s, "managers") == 0) {
            struct user_row *u = NULL;
            struct mp_error err;
            int nu = 0;
            if (store_user_list(db, &u, &nu, &err) == 0)
                for (int m = 0; m < nu; m++)
                    if (strcmp(u[m].role, "manager") == 0 && !u[m].disabled_at[0])
                        add(db, policy, u[m].name, v, &n);
            free(u);
        } else if (strncmp(s, "person:", 7) == 0) {
            add(db, policy, s + 7, v, &n);
        }
    }
    return n;
}

/* ---- channels ---- */

/* The secret named: $CREDENTIALS_DIRECTORY/NAME, else DATA/secrets/NAME;
 * trailing newlines cut.  malloc'd, NULL when absent. */
static char *
secret(const char *name, size_t *len)
{
    const char *creds = getenv("CREDENTIALS_DIRECTORY");
    char path[PATH_MAX + 80];
    struct mp_error err;
    char *s = NULL;

    if (name == NULL)
        return NULL;
    if (creds && creds[0]) {
        snprintf(path, sizeof(path), "%s/%s", creds, name);
        s = file_read(path, 4096, len, &err);
    }
    if (s == NULL) {
        snprintf(path, sizeof(path), "%s/secrets/%s", data_dir, name);
        s = file_read(path, 4096, len, &err);
    }
    while (s && *len > 0 && (s[*len - 1] == '\n' || s[*len - 1] == '\r'))
        s[--*len] = '\0';
    return s;
}

/* The target checked: on the allow list, and not a special address unless
 * that address itself is allowed.  ip gets the address to connect to. */
static int
target(const json_t *policy, const char *url, char ip[64], char *reason, size_t rlen)
{
    char scheme[16], host[256];
    bool special;

    if (reminders_url_host(url, scheme, sizeof(scheme), host, sizeof(host)) != 0 ||
        !reminders_allowed(policy, host)) {
        snprintf(reason, rlen, "the target is not on the allow list");
        return -1;
    }
    if (deliver_resolve(host, deliver_url_port(url), ip, &special, reason, rlen) != 0)
        return -1;
    if (special && !reminders_allowed(policy, ip)) {
        snprintf(reason, rlen, "%s is a loopback, link-local or private address not allowed", ip);
        return -1;
    }
    return 0;
}

static void
channel_state(const char *name, bool ok, const char *reason, int64_t now)
{
    char at[TIME_RFC3339_LEN];

    pthread_mutex_lock(&failing_lock);
    if (failing == NULL)
        failing = json_object();
    if (ok) {
        json_object_del(failing, name);
    } else {
        atomic_fetch_add(&failures_total, 1);
        time_format_rfc3339(now, at, sizeof(at));
        if (json_object_get(failing, name) == NULL)
            json_object_set_new(failing, name,
                                json_pack("{s:s, s:s}", "since", at, "reason", reason));
    }
    pthread_mutex_unlock(&failing_lock);
}

struct send {
    const json_t *policy, *channel;
    const char *cname;
    const struct reminder_facts *f;
    const struct reminder_rcpt *r; /* smtp: the one; webhooks: NULL */
    const json_t *names;
    char reason[DELIVER_REASON_LEN];
};

/* payload POSTed to the channel's target, signed with its secret. */
static int
post_signed(const json_t *policy, const json_t *channel, const char *cname, const char *payload,
            int64_t now, char *reason, size_t rlen)
{
    const char *url = json_string_value(json_object_get(channel, "url"));
    char ip[64], ts[32], sig[65], h_ts[64], h_sig[96], *key;
    const char *headers[3] = {h_ts, h_sig, NULL};
    size_t klen = 0;
    int rc = -1;

    key = secret(json_string_value(json_object_get(channel, "secret")), &klen);
    if (key == NULL) {
        snprintf(reason, rlen, "no secret to sign with (channels.%s.secret)", cname);
        return -1;
    }
    if (target(policy, url, ip, reason, rlen) == 0) {
        snprintf(ts, sizeof(ts), "%lld", (long long)now);
        deliver_sign((const unsigned char *)key, klen, ts, payload, sig);
        snprintf(h_ts, sizeof(h_ts), "X-Meldpunt-Timestamp: %s", ts);
        snprintf(h_sig, sizeof(h_sig), "X-Meldpunt-Signature: sha256=%s", sig);
        rc =
            deliver_http_post(url, ip, ca_file[0] ? ca_file : NULL, payload, headers, reason, rlen);
    }
    sodium_memzero(key, klen);
    free(key);
    return rc;
}

/* An e-mail through the channel to the address to. */
static int
mail_send(const json_t *policy, const json_t *channel, const char *cname, const char *to,
          const char *subject, const char *body, int64_t now, char *reason, size_t rlen)
{
    const char *url = json_string_value(json_object_get(channel, "url"));
    struct deliver_mail m = {.url = url, .to = to};
    char ip[64], *pw = NULL;
    size_t plen = 0;
    int rc = -1;

    if (target(policy, url, ip, reason, rlen) != 0)
        return -1;
    pw = secret(json_string_value(json_object_get(channel, "secret")), &plen);
    if (json_object_get(channel, "secret") && pw == NULL) {
        snprintf(reason, rlen, "the secret channels.%s.secret names is missing", cname);
        return -1;
    }
    m.from = json_string_value(json_object_get(channel, "from"));
    m.message = reminders_mail(m.from, to, subject, body, now);
    m.ip = ip;
    m.starttls = json_is_true(json_object_get(channel, "starttls"));
    m.ca_file = ca_file[0] ? ca_file : NULL;
    m.username = json_string_value(json_object_get(channel, "username"));
    m.password = pw;
    rc = m.message ? deliver_smtp(&m, reason, rlen) : -1;
    if (pw) {
        sodium_memzero(pw, plen);
        free(pw);
    }
    free((char *)m.message);
    return rc;
}

static int
send_webhook(struct send *s)
{
    const char *type = json_string_value(json_object_get(s->channel, "type"));
    const char *lang = json_string_value(json_object_get(s->channel, "language"));
    struct reminder_rcpt room = {.tlp_max = TLP_GREEN};
    struct buf subject = BUF_INIT, body = BUF_INIT;
    char *payload;
    int rc = -1;

    snprintf(room.lang, sizeof(room.lang), "%s", lang ? lang : "en");
    snprintf(room.name, sizeof(room.name), "channel");
    reminders_render(s->policy, s->f, &room, &subject, &body);
    payload = reminders_payload(type, s->f, subject.data ? subject.data : "",
                                body.data ? body.data : "", s->names);
    if (payload)
        rc = post_signed(s->policy, s->channel, s->cname, payload, s->f->now, s->reason,
                         sizeof(s->reason));
    else
        snprintf(s->reason, sizeof(s->reason), "out of memory");
    free(payload);
    buf_free(&subject);
    buf_free(&body);
    return rc;
}

static int
send_mail(struct send *s)
{
    struct buf subject = BUF_INIT, body = BUF_INIT;
    int rc;

    reminders_render(s->policy, s->f, s->r, &subject, &body);
    rc = mail_send(s->policy, s->channel, s->cname, s->r->email, subject.data ? subject.data : "",
                   body.data ? body.data : "", s->f->now, s->reason, sizeof(s->reason));
    buf_free(&subject);
    buf_free(&body);
    return rc;
}

/* ---- a test message from Settings ---- */

int
reminders_test_send(const struct principal *p, int64_t now, const char *cname, const char *to,
                    json_t **out, struct field_errors *errs)
{
    json_t *policy = reminders_acquire(), *ch, *person;
    const char *type, *lang, *email = NULL;
    char reason[DELIVER_REASON_LEN] = "", subject[160], body[400], *payload = NULL;
    struct reminder_facts none = {.now = now};
    int rc;

    *out = NULL;
    ch = json_object_get(json_object_get(policy, "channels"), cname ? cname : "");
    if (ch == NULL) {
        field_error(errs, "channel", "no such channel in the reminder policy");
        json_decref(policy);
        return -1;
    }
    type = json_string_value(json_object_get(ch, "type"));
    lang = json_string_value(json_object_get(ch, "language"));
    person = json_object_get(json_object_get(policy, "people"), to ? to : "");
    if (strcmp(type, "smtp") == 0) {
        email = json_string_value(json_object_get(person, "email"));
        if (email == NULL) {
            field_error(errs, "to", "an e-mail channel is tried on one of people with an e-mail");
            json_decref(policy);
            return -1;
        }
        lang = json_string_value(json_object_get(person, "language"));
    }
    lang = lang ? lang : "en";
    snprintf(subject, sizeof(subject), "%s",
             strcmp(lang, "nl") == 0 ? "meldpunt: testbericht" : "meldpunt: test message");
    snprintf(body, sizeof(body),
             strcmp(lang, "nl") == 0 ? "Dit is een testbericht over kanaal %s, verstuurd door %s."
                                     : "This is a test message on channel %s, sent by %s.",
             cname, p->name);
    if (email) {
        rc = mail_send(policy, ch, cname, email, subject, body, now, reason, sizeof(reason));
    } else {
        json_t *names = json_array();
        struct incident blank = {.tlp = TLP_CLEAR};
        snprintf(blank.ref, sizeof(blank.ref), "TEST");
        none.inc = &blank;
        none.obligation = NULL;
        none.link = json_string_value(json_object_get(policy, "link_base"))
                        ? json_string_value(json_object_get(policy, "link_base"))
                        : "";
        payload = reminders_payload(type, &none, subject, body, names);
        json_decref(names);
        rc = payload ? post_signed(policy, ch, cname, payload, now, reason, sizeof(reason)) : -1;
        free(payload);
    }
    channel_state(cname, rc == 0, reason, now);
    log_notice("reminder test message channel=%s by=%s result=%s", cname, p->name,
               rc == 0 ? "sent" : "failed");
    *out = json_pack("{s:s, s:s}", "channel", cname, "status", rc == 0 ? "sent" : "failed");
    if (rc != 0)
        json_object_set_new(*out, "reason", json_string(reason));
    json_decref(policy);
    return 0;
}

/* ---- one job ---- */

struct outcome {
    int tried, sent, failed;
};

/* One (channel, recipient) pair: skipped when the log has it as sent; what
 * came of it goes into the book. */
static int
deliver_one(sqlite3 *db, struct send *s, const struct reminder_job *j, const char *who,
            struct outcome *o, struct book *b, struct mp_error *err)
{
    int done = store_reminder_delivery_sent(db, j->id, s->cname, who, err), rc;
    struct job_change *c;

    if (done < 0)
        return -1;
    o->tried++;
    if (done) {
        o->sent++;
        return 0;
    }
    s->reason[0] = '\0';
    rc = s->r ? send_mail(s) : send_webhook(s);
    channel_state(s->cname, rc == 0, s->reason, s->f->now);
    if (rc == 0)
        o->sent++;
    else
        o->failed++;
    if (rc != 0)
        log_warn("reminder not delivered channel=%s job=%lld reason=\"%s\"", s->cname,
                 (long long)j->id, s->reason);
    if ((c = book_add(b, OP_LOG, j)) == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    copy(c->channel, sizeof(c->channel), s->cname);
    copy(c->recipient, sizeof(c->recipient), who);
    copy(c->status, sizeof(c->status), rc == 0 ? "sent" : "failed");
    copy(c->reason, sizeof(c->reason), rc == 0 ? NULL : s->reason);
    snprintf(c->note, sizeof(c->note), "reminder %s: %s %s, step %d%s, %s via %s%s%s",
             rc == 0 ? "sent" : "not delivered",
             json_string_value(json_object_get(s->f->obligation, "regime")),
             json_string_value(json_object_get(s->f->obligation, "stage")), j->step + 1,
             j->round ? " (repeated)" : "", who, s->cname, rc == 0 ? "" : ": ",
             rc == 0 ? "" : s->reason);
    return 0;
}

static int
deliver_all(sqlite3 *db, const json_t *policy, const json_t *step, const struct reminder_facts *f,
            const struct reminder_job *j, struct outcome *o, struct book *b, struct mp_error *err)
{
    struct reminder_rcpt v[RCPTS_MAX];
    int n = recipients(db, policy, step, f->inc, v);
    const json_t *chans = json_object_get(policy, "channels"),
                 *only = json_object_get(step, "channels");
    json_t *names = json_array(), *ch;
    const char *cname;
    int rc = 0;

    for (int i = 0; i < n; i++)
        json_array_append_new(names, json_string(v[i].name));
    json_object_foreach((json_t *)chans, cname, ch)
    {
        struct send s = {.policy = policy, .channel = ch, .cname = cname, .f = f, .names = names};
        bool listed = only == NULL;
        size_t k;
        json_t *x;

        json_array_foreach(only, k, x) listed = listed || strcmp(json_string_value(x), cname) == 0;
        if (!listed || n == 0)
            continue;
        if (strcmp(json_string_value(json_object_get(ch, "type")), "smtp") != 0) {
            rc = deliver_one(db, &s, j, "channel", o, b, err);
        } else {
            for (int i = 0; rc == 0 && i < n; i++) {
                if (!v[i].email[0])
                    continue;
                s.r = &v[i];
                rc = deliver_one(db, &s, j, v[i].name, o, b, err);
            }
        }
        if (rc != 0)
            break;
    }
    json_decref(names);
    return rc;
}

/* The obligation as classify_obligations() words it; NULL when gone. */
static json_t *
obligation_words(const char *incident_id, const char *obligation_id, int64_t now)
{
    struct mp_error err;
    json_t *all, *o, *found = NULL;
    size_t i;

    if (classify_obligations(incident_id, now, &all, &err) != 0)
        return NULL;
    json_array_foreach(json_object_get(all, "items"), i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "id")), obligation_id) == 0)
            found = json_incref(o);
    }
    json_decref(all);
    return found;
}

/* After a job was sent: its next round when the step repeats. */
static int
repeat(const json_t *step, const struct reminder_job *j, int64_t now, struct book *b)
{
    struct job_change *c;
    int64_t every;
    bool aware;

    if (reminders_offset(json_string_value(json_object_get(step, "repeat")), &every, &aware) != 0 ||
        every <= 0)
        return 0;
    if ((c = book_add(b, OP_INSERT, j)) == NULL)
        return -1;
    c->j.round++;
    c->j.fire_at = j->fire_at + every;
    while (c->j.fire_at <= now)
        c->j.fire_at += every; /* no burst after a long pause */
    c->j.attempts = 0;
    c->j.next_try = 0;
    snprintf(c->j.status, sizeof(c->j.status), "planned");
    return 0;
}

/* A job that reached nobody: logged as failed with reason, and the next
 * step due at once. */
static int
fail_escalate(struct reminder_job *j, const char *reason, struct book *b)
{
    struct job_change *c;

    snprintf(j->status, sizeof(j->status), "failed");
    if ((c = book_add(b, OP_LOG, j)) == NULL)
        return -1;
    copy(c->channel, sizeof(c->channel), "-");
    copy(c->recipient, sizeof(c->recipient), "-");
    copy(c->status, sizeof(c->status), "failed");
    copy(c->reason, sizeof(c->reason), reason);
    return book_add(b, OP_ESCALATE, j) ? 0 : -1;
}

/* What came of the sends: the job's new state (and what follows from it)
 * into the book. */
static int
job_settle(struct reminder_job *j, const json_t *step, const struct outcome *o, int64_t now,
           struct book *b)
{
    j->attempts++;
    if (o->sent > 0) {
        snprintf(j->status, sizeof(j->status), "sent");
        if (book_add(b, OP_UPDATE, j) == NULL)
            return -1;
        return repeat(step, j, now, b);
    }
    if (o->tried == 0 || j->attempts >= TRIES) /* nobody reached: the next step at once */
        return fail_escalate(j,
                             o->tried == 0 ? "nobody to deliver to: escalated"
                                           : "not delivered after retries: escalated",
                             b);
    snprintf(j->status, sizeof(j->status), "planned");
    j->next_try = now + ((int64_t)BACKOFF_BASE << (j->attempts - 1));
    return book_add(b, OP_UPDATE, j) ? 0 : -1;
}

/* A claimed job: sent, and what came of it written into the book. */
static int
job_run(sqlite3 *db, const json_t *policy, struct reminder_job *j, int64_t now, struct book *b,
        struct mp_error *err)
{
    struct reminder_facts f = {.step = j->step, .round = j->round, .now = now};
    const json_t *step = NULL;
    struct outcome o = {0};
    struct incident inc;
    struct buf link = BUF_INIT;
    json_t *ob;
    const char *status, *base;
    int rc = -1;

    rc = store_incident_load(db, j->incident_id, &inc, err);
    if (rc != 1)
        return rc < 0 ? -1
                      : mp_error_set(err, 500, "", "reminder %lld: no incident", (long long)j->id);
    rc = -1;
    ob = obligation_words(j->incident_id, j->obligation_id, now);
    status = json_string_value(json_object_get(ob, "status"));
    if (ob && status && strcmp(status, "pending") != 0 && strcmp(status, "missed") != 0) {
        /* submitted or waived: its ladder ends, this job with it */
        struct job_change *c = book_add(b, OP_CLOSE_FROM, j);
        snprintf(j->status, sizeof(j->status), "cancelled");
        if (c != NULL) {
            c->j.step = 0;
            copy(c->status, sizeof(c->status), "cancelled");
        }
        rc = c != NULL && book_add(b, OP_UPDATE, j) != NULL ? 0 : -1;
        goto out;
    }
    if (ob)
        step = json_array_get(reminders_ladder(policy,
                                               json_string_value(json_object_get(ob, "regime")),
                                               json_string_value(json_object_get(ob, "stage"))),
                              (size_t)j->step);
    /* no step, or no due time now (it moves after the incident's handling):
     * cancelled; planning revives it when the due time is known again */
    if (step == NULL || !json_is_string(json_object_get(ob, "due_at")) ||
        time_parse_rfc3339(json_string_value(json_object_get(ob, "due_at")), &f.due) != 0) {
        snprintf(j->status, sizeof(j->status), "cancelled");
        rc = book_add(b, OP_UPDATE, j) ? 0 : -1;
        goto out;
    }
    /* ---- issue 22, exercises: an exercise's reminder goes to no outside
     * address unless its run allows it; the step is logged as kept inside
     * (the incident page and the exercise report show it) and not escalated */
    if (inc.exercise && (rc = exercise_reminders_outside(db, inc.id, err)) <= 0) {
        struct job_change *c;

        if (rc < 0)
            goto out;
        rc = -1;
        if ((c = book_add(b, OP_LOG, j)) == NULL)
            goto out;
        copy(c->channel, sizeof(c->channel), "-");
        copy(c->recipient, sizeof(c->recipient), "-");
        copy(c->status, sizeof(c->status), "failed");
        copy(c->reason, sizeof(c->reason), "exercise: not sent to outside addresses");
        snprintf(j->status, sizeof(j->status), "skipped");
        rc = book_add(b, OP_UPDATE, j) ? 0 : -1;
        goto out;
    }
    rc = -1;
    /* ---- end of issue 22's block */
    base = json_string_value(json_object_get(policy, "link_base"));
    base = base ? base : "";
    buf_printf(&link, "%s/#/incidents/%s", base, inc.ref);
    f.inc = &inc;
    f.obligation = ob;
    f.link = link.data;
    f.link_base = base;
    f.job_id = j->id;
    if (deliver_all(db, policy, step, &f, j, &o, b, err) != 0)
        goto out;
    rc = job_settle(j, step, &o, now, b);
out:
    if (rc != 0 && err->status == 0)
        mp_error_set(err, 500, "", "out of memory");
    buf_free(&link);
    json_decref(ob);
    incident_free(&inc);
    return rc;
}

/* Set when claimed jobs may be left without their record: at start, and
 * after a record that was not written. */
static bool recover_due = true;

/* Jobs a crash left claimed and unrecorded: interrupted, escalated. */
static int
recover(sqlite3 *db, struct book *b, struct mp_error *err)
{
    struct reminder_job *v = NULL;
    int n = 0, rc = 0;

    do {
        free(v);
        v = NULL;
        book_clear(b);
        if (store_reminder_jobs_interrupted(db, PASS_MAX, &v, &n, err) != 0) {
            rc = -1;
            break;
        }
        for (int i = 0; i < n && rc == 0; i++) {
            log_warn("reminder interrupted job=%lld: not sent again in its step, escalated",
                     (long long)v[i].id);
            rc = fail_escalate(&v[i],
                               "interrupted by a restart before its delivery was recorded: "
                               "not sent again in this step; escalated",
                               b);
        }
        if (rc == 0)
            rc = book_write(b, err);
    } while (rc == 0 && n == PASS_MAX);
    free(v);
    if (rc == 0)
        recover_due = false;
    return rc;
}

/* Jobs v[from..to) of the n due: the superseded ones skipped and the
 * others claimed in one change, then sent, then what came of them
 * recorded in another. */
static int
batch_run(sqlite3 *db, const json_t *policy, struct reminder_job *v, int from, int to, int n,
          int64_t now, struct book *b, struct mp_error *err)
{
    bool claimed[BATCH] = {false};
    int rc = 0;

    book_clear(b);
    for (int i = from; i < to; i++) {
        /* a later step of the same report is due too: it says it all */
        bool later = i + 1 < n && strcmp(v[i].obligation_id, v[i + 1].obligation_id) == 0;
        if (book_add(b, later ? OP_SKIP : OP_CLAIM, &v[i]) == NULL)
            return mp_error_set(err, 500, "", "out of memory");
    }
    if (book_write(b, err) != 0)
        return -1;
    for (int i = 0; i < b->n; i++) /* the claims taken (not acknowledged meanwhile) */
        claimed[i] = b->v[i].op == OP_CLAIM && b->v[i].done == 1;
    book_clear(b);
    for (int i = from; i < to && rc == 0; i++)
        if (claimed[i - from])
            rc = job_run(db, policy, &v[i], now, b, err);
    /* what was sent is recorded even when a later job failed to run; the
     * jobs claimed and not run are found by recover() */
    if (book_write(b, err) != 0 || rc != 0) {
        recover_due = true;
        return -1;
    }
    return 0;
}

int
reminders_send_pass(int64_t now, struct mp_error *err)
{
    struct reminder_job *v = NULL;
    struct book b = {.now = now};
    json_t *policy;
    sqlite3 *db;
    int n = 0, rc = 0;
    static pthread_mutex_t one = PTHREAD_MUTEX_INITIALIZER; /* the ticker and the test clock */

    pthread_mutex_lock(&one);
    if (reminders_replan_due()) { /* a policy from the file, at start or on SIGHUP */
        int planned = 0;
        if (reminders_replan(now, true, &planned, err) != 0)
            log_error("re-planning the reminders failed: %s", err->message);
        else if (planned >= 0)
            log_notice("reminders re-planned obligations=%d", planned);
        mp_error_clear(err);
    }
    db = db_reader(err);
    policy = reminders_acquire();
    if (db == NULL || policy == NULL || (recover_due && recover(db, &b, err) != 0) ||
        store_reminder_jobs_due(db, now, PASS_MAX, &v, &n, err) != 0) {
        rc = db == NULL || policy != NULL ? -1 : 0;
        goto out;
    }
    for (int i = 0; i < n && rc == 0; i += BATCH)
        rc = batch_run(db, policy, v, i, i + BATCH < n ? i + BATCH : n, n, now, &b, err);
out:
    free(b.v);
    free(v);
    json_decref(policy);
    pthread_mutex_unlock(&one);
    return rc;
}

static struct ticker sender;

void
reminders_sender_start(unsigned interval_seconds)
{
    ticker_start(&sender, interval_seconds ? interval_seconds : 15, "reminder send",
                 reminders_send_pass);
}

void
reminders_sender_stop(void)
{
    ticker_stop(&sender);
}

json_t *
reminders_channel_status(void)
{
    json_t *copy, *policy = reminders_acquire(), *out;

    pthread_mutex_lock(&failing_lock); /* a copy: the loop changes the original */
    copy = failing ? json_deep_copy(failing) : json_object();
    pthread_mutex_unlock(&failing_lock);

    /* channels: how many the policy in force has; 0 is a configuration
     * problem, not a failed send per reminder (reminders_plan.c) */
    out = json_pack("{s:o, s:I, s:I}", "failing", copy, "failures_total",
                    (json_int_t)atomic_load(&failures_total), "channels",
                    (json_int_t)json_object_size(json_object_get(policy, "channels")));
    json_decref(policy);
    return out;
}

long
reminders_failures_total(void)
{
    return atomic_load(&failures_total);
}
