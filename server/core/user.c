/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * user.c - see user.h.
 */
#include "user.h"
#include "core/mfa.h"
#include "core/throttle.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/writer.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The session's last-seen time is written at most this often. */
#define TOUCH_EVERY_S 60

static struct auth_settings settings = {
    .session_idle = 1800,
    .session_max = 43200,
    .password_min = 12,
    .lockout_after = 10,
    .lockout_time = 900,
};

void
user_configure(const struct auth_settings *s)
{
    settings = *s;
}

const struct auth_settings *
user_settings(void)
{
    return &settings;
}

/* ---- passwords ---- */

/* True when hay contains needle, ignoring ASCII case. */
static bool
contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay != '\0'; hay++) {
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    }
    return false;
}

/* NULL when pw is acceptable for user name, else the reason. */
static const char *
password_problem(const char *name, const char *pw)
{
    static char why[96];
    size_t n = strlen(pw);

    if (!text_valid_utf8(pw, true))
        return "must be UTF-8 text without control characters";
    if (n > PASSWORD_MAX)
        return "must be at most 1024 bytes";
    if (text_chars(pw) < settings.password_min) {
        snprintf(why, sizeof(why), "must be at least %u characters", settings.password_min);
        return why;
    }
    if (name[0] != '\0' && contains_nocase(pw, name))
        return "must not contain the user name";
    return NULL;
}

/* Each Argon2id computation takes USER_PWHASH_MEM (64 MiB): at most
 * HASHES_AT_ONCE run at a time, so a burst of sign-ins from many addresses
 * queues instead of taking gigabytes. */
#define HASHES_AT_ONCE 4
static pthread_mutex_t hash_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hash_cond = PTHREAD_COND_INITIALIZER;
static int hashes_running;

static void
hash_slot_take(void)
{
    pthread_mutex_lock(&hash_lock);
    while (hashes_running >= HASHES_AT_ONCE)
        pthread_cond_wait(&hash_cond, &hash_lock);
    hashes_running++;
    pthread_mutex_unlock(&hash_lock);
}

static void
hash_slot_give(void)
{
    pthread_mutex_lock(&hash_lock);
    hashes_running--;
    pthread_cond_signal(&hash_cond);
    pthread_mutex_unlock(&hash_lock);
}

static int
password_hash(const char *pw, char out[crypto_pwhash_STRBYTES], struct mp_error *err)
{
    int rc;

    hash_slot_take();
    rc = crypto_pwhash_str(out, pw, strlen(pw), USER_PWHASH_OPS, USER_PWHASH_MEM);
    hash_slot_give();
    if (rc != 0)
        return mp_error_set(err, 503, "", "out of memory hashing the password");
    return 0;
}

static void
password_generate(char out[USER_PASSWORD_GEN + 1])
{
    uint8_t raw[15]; /* 120 bits, 20 base64url characters */

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, USER_PASSWORD_GEN + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

/* A hash of a random password: checking a password against it costs what
 * checking a real one does, so an unknown name takes as long as a wrong
 * password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_init(void)
{
    char pw[USER_PASSWORD_GEN + 1];
    struct mp_error err;

    password_generate(pw);
    if (password_hash(pw, dummy_hash, &err) != 0)
        dummy_hash[0] = '\0';
    sodium_memzero(pw, sizeof(pw));
}

static bool
password_verify(const char *hash, const char *pw)
{
    bool ok;

    hash_slot_take();
    ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
    hash_slot_give();
    return ok;
}

static bool
user_role_valid(const char *role)
{
    enum role r;
    return role_parse(role, &r) == 0 && r != ROLE_INGEST;
}

static bool
language_valid(const char *l)
{
    return strcmp(l, "en") == 0 || strcmp(l, "nl") == 0;
}

/* ---- users ---- */

struct user_write {
    const char *actor;
    int64_t now;
    const char *action;
    struct user_row row;
    const char *disabled_by;
    bool insert;
    bool end_sessions; /* all of the user's sessions */
    json_t *audit;     /* stolen */
};

static int
user_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct user_write *w = arg;
    char at[TIME_RFC3339_LEN];

    time_format_rfc3339(w->now, at, sizeof(at));
    if (w->insert) {
        if (store_user_insert(db, &w->row, err) != 0)
            return -1;
    } else {
        struct user_row cur;
        int found = store_user_find(db, w->row.name, false, &cur, err);
        if (found < 0)
            return -1;
        if (found == 0)
            return mp_error_set(err, 404, "name", "no user named '%s'", w->row.name);
        w->row.id = cur.id;
        if (store_user_update(db, &w->row, w->disabled_by, err) != 0)
            return -1;
    }
    if (w->end_sessions && store_session_end(db, 0, w->row.id, at, err) != 0)
        return -1;
    return store_audit_append_json(db, w->now, w->actor, w->action, w->row.name, w->audit, err);
}

static int
user_write(struct user_write *w, struct mp_error *err)
{
    int rc = store_write(user_apply, w, err);
    json_decref(w->audit);
    w->audit = NULL;
    return rc;
}

int
user_create(const char *actor, int64_t now, const char *name, const char *role,
            const char *password, const char *tlp_max, char generated[USER_PASSWORD_GEN + 1],
            struct user_row *out, struct field_errors *fe)
{
    struct user_write w = {.actor = actor, .now = now, .action = "user.create", .insert = true};
    struct mp_error err;
    const char *why;
    char hash[crypto_pwhash_STRBYTES];
    int rc;

    if (generated != NULL)
        generated[0] = '\0';
    if (!token_name_valid(name))
        field_error(fe, "name",
                    "must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit");
    if (!user_role_valid(role))
        field_error(fe, "role", "must be one of viewer, analyst, manager, admin");
    if (tlp_max != NULL && tlp_parse(tlp_max) < 0)
        field_error(fe, "tlp_max", "must be one of clear, green, amber, amber+strict, red");
    if (password != NULL && (why = password_problem(name, password)) != NULL)
        field_error(fe, "password", "%s", why);
    if (password == NULL && generated == NULL) { /* nowhere to hand a generated one */
        field_error(fe, "password", "is required");
        return -1;
    }
    if (fe->count > 0)
        return -1;

    if (password == NULL) {
        password_generate(generated);
        password = generated;
        w.row.must_change_password = true;
    }
    if (password_hash(password, hash, &err) != 0)
        return field_errors_fail(fe, &err);
    snprintf(w.row.name, sizeof(w.row.name), "%s", name);
    snprintf(w.row.role, sizeof(w.row.role), "%s", role);
    snprintf(w.row.password_hash, sizeof(w.row.password_hash), "%s", hash);
    snprintf(w.row.tlp_max, sizeof(w.row.tlp_max), "%s", tlp_max ? tlp_max : "");
    time_format_rfc3339(now, w.row.created_at, sizeof(w.row.created_at));
    snprintf(w.row.created_by, sizeof(w.row.created_by), "%s", actor);
    w.audit = json_pack("{s:s, s:s?, s:b}", "role", role, "tlp_max", tlp_max,
                        "must_change_password", w.row.must_change_password);
    rc = user_write(&w, &err);
    sodium_memzero(hash, sizeof(hash));
    sodium_memzero(w.row.password_hash, sizeof(w.row.password_hash));
    if (rc != 0) {
        if (generated != NULL)
            sodium_memzero(generated, USER_PASSWORD_GEN + 1);
        return field_errors_fail(fe, &err);
    }
    if (out != NULL)
        *out = w.row;
    return 0;
}

int
user_get(const char *name, struct user_row *out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    int found;

    if (db == NULL)
        return -1;
    found = store_user_find(db, name, false, out, err);
    if (found < 0)
        return -1;
    if (found == 0)
        return mp_error_set(err, 404, "name", "no user named '%s'", name);
    return 0;
}

int
user_list(struct user_row **rows, int *count, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    if (db == NULL)
        return -1;
    return store_user_list(db, rows, count, err);
}

/* "" (removing it) or 1-100 characters of UTF-8 without control characters. */
static bool
signer_text_valid(const char *s)
{
    return s[0] == '\0' || (text_valid_utf8(s, true) && !text_blank(s) && text_chars(s) <= 100);
}

int
user_update(const char *actor, int64_t now, const char *name, const struct user_change *ch,
            struct user_row *out, struct field_errors *fe)
{
    struct user_write w = {
        .actor = actor, .now = now, .action = "user.update", .disabled_by = actor};
    struct user_row cur;
    struct mp_error err;

    if (ch->role != NULL && !user_role_valid(ch->role))
        field_error(fe, "role", "must be one of viewer, analyst, manager, admin");
    if (ch->tlp_max != NULL && ch->tlp_max[0] != '\0' && tlp_parse(ch->tlp_max) < 0)
        field_error(fe, "tlp_max", "must be one of clear, green, amber, amber+strict, red");
    if (ch->language != NULL && !language_valid(ch->language))
        field_error(fe, "language", "must be en or nl");
    /* the name and function a signed notification gives for its signer */
    if (ch->full_name != NULL && !signer_text_valid(ch->full_name))
        field_error(fe, "full_name", "must be null or text of 1-100 characters on one line");
    if (ch->job_title != NULL && !signer_text_valid(ch->job_title))
        field_error(fe, "job_title", "must be null or text of 1-100 characters on one line");
    if (fe->count > 0)
        return -1;
    if (user_get(name, &cur, &err) != 0)
        return field_errors_fail(fe, &err);
    /* The change is applied to the row read here; the write re-reads the
     * id only, so two admins changing different fields at once each win
     * on their own field at worst: users change rarely. */
    w.row = cur;
    if (ch->role != NULL)
        snprintf(w.row.role, sizeof(w.row.role), "%s", ch->role);
    if (ch->tlp_max != NULL)
        snprintf(w.row.tlp_max, sizeof(w.row.tlp_max), "%s", ch->tlp_max);
    if (ch->language != NULL)
        snprintf(w.row.language, sizeof(w.row.language), "%s", ch->language);
    if (ch->full_name != NULL)
        snprintf(w.row.full_name, sizeof(w.row.full_name), "%s", ch->full_name);
    if (ch->job_title != NULL)
        snprintf(w.row.job_title, sizeof(w.row.job_title), "%s", ch->job_title);
    if (ch->disabled == 1 && cur.disabled_at[0] == '\0') {
        time_format_rfc3339(now, w.row.disabled_at, sizeof(w.row.disabled_at));
        w.end_sessions = true;
    } else if (ch->disabled == 0) {
        w.row.disabled_at[0] = '\0';
    }
    /* A change of role or limit ends the sessions, so no browser keeps
     * rights the user no longer has. */
    if (strcmp(w.row.role, cur.role) != 0 || strcmp(w.row.tlp_max, cur.tlp_max) != 0)
        w.end_sessions = true;
    w.row.password_hash[0] = '\0';
    w.audit = json_pack("{s:s, s:s?, s:s?, s:b, s:s?, s:s?}", "role", w.row.role, "tlp_max",
                        w.row.tlp_max[0] ? w.row.tlp_max : NULL, "language",
                        w.row.language[0] ? w.row.language : NULL, "disabled",
                        w.row.disabled_at[0] != '\0', "full_name",
                        w.row.full_name[0] ? w.row.full_name : NULL, "job_title",
                        w.row.job_title[0] ? w.row.job_title : NULL);
    if (user_write(&w, &err) != 0)
        return field_errors_fail(fe, &err);
    if (out != NULL)
        *out = w.row;
    return 0;
}

int
user_reset_password(const char *actor, int64_t now, const char *name, const char *password,
                    char generated[USER_PASSWORD_GEN + 1], struct mp_error *err)
{
    struct user_write w = {
        .actor = actor, .now = now, .action = "user.password_reset", .end_sessions = true};
    char hash[crypto_pwhash_STRBYTES];
    const char *why;
    int rc;

    if (generated != NULL)
        generated[0] = '\0';
    if (user_get(name, &w.row, err) != 0)
        return -1;
    if (password != NULL && (why = password_problem(name, password)) != NULL)
        return mp_error_set(err, 422, "password", "%s", why);
    if (password == NULL && generated == NULL) /* nowhere to hand a generated one */
        return mp_error_set(err, 422, "password", "is required");
    if (password == NULL) {
        password_generate(generated);
        password = generated;
    }
    if (password_hash(password, hash, err) != 0)
        return -1;
    snprintf(w.row.password_hash, sizeof(w.row.password_hash), "%s", hash);
    w.row.must_change_password = true;
    w.disabled_by = w.row.disabled_at[0] ? actor : NULL;
    w.audit = json_pack("{s:b}", "must_change_password", true);
    rc = user_write(&w, err);
    sodium_memzero(hash, sizeof(hash));
    sodium_memzero(w.row.password_hash, sizeof(w.row.password_hash));
    if (rc != 0 && generated != NULL)
        sodium_memzero(generated, USER_PASSWORD_GEN + 1);
    return rc;
}

/* ---- sessions ---- */

struct session_write {
    const char *action; /* audit action */
    const char *object; /* audit object */
    const char *actor;
    json_t *audit; /* stolen */
    /* a new session */
    bool create;
    uint8_t hash[TOKEN_HASH_LEN];
    const char *csrf;
    const char *address;
    const char *user_agent;
    int64_t user_id;
    int64_t now;
    int64_t id;
    bool mfa_pending, break_glass; /* core/mfa.h */
    int64_t mfa_verified;
    /* a sign-out */
    int64_t end_id;
};

static int
session_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct session_write *w = arg;
    char at[TIME_RFC3339_LEN];

    time_format_rfc3339(w->now, at, sizeof(at));
    if (w->create) {
        if (store_session_insert(db, w->hash, w->user_id, w->csrf, w->address, w->user_agent,
                                 w->now, &w->id, err) != 0 ||
            store_user_signed_in(db, w->user_id, at, err) != 0 ||
            mfa_session_begin(db, w->id, w->user_id, w->mfa_pending, w->mfa_verified,
                              w->break_glass, at, w->address, err) != 0)
            return -1;
    }
    if (w->end_id > 0 && store_session_end(db, w->end_id, 0, at, err) != 0)
        return -1;
    return store_audit_append_json(db, w->now, w->actor, w->action, w->object, w->audit, err);
}

static int
session_write(struct session_write *w, struct mp_error *err)
{
    int rc = store_write(session_apply, w, err);
    json_decref(w->audit);
    w->audit = NULL;
    return rc;
}

/* The account key for throttling: the name as typed, lower-cased, so
 * "Alice" and "alice" share one count. */
static void
account_key(const char *name, char out[80])
{
    size_t i;

    for (i = 0; name[i] != '\0' && i < 79; i++)
        out[i] = (char)tolower((unsigned char)name[i]);
    out[i] = '\0';
}

/* Guessing a password is throttled the same wherever it is typed (signing
 * in, changing one's own password): the account's and the address's
 * counts.  0 when both may try now; else -1 with err 429 and *retry_after
 * the longer of the two waits.  what names the attempt in the answer. */
static int
guess_wait(const char *key, const char *address, int64_t now_us, const char *what,
           int64_t *retry_after, struct mp_error *err)
{
    int64_t wait_a = throttle_wait(THROTTLE_ACCOUNT, key, now_us);
    int64_t wait_b = throttle_wait(THROTTLE_ADDRESS, address, now_us);

    if (wait_a <= 0 && wait_b <= 0)
        return 0;
    *retry_after = wait_a > wait_b ? wait_a : wait_b;
    log_warn("%s refused: too many failures address=%s retry_after=%lld", what, address,
             (long long)*retry_after);
    return mp_error_set(err, 429, "", "too many failed %ss: try again in %lld seconds", what,
                        (long long)*retry_after);
}

/* Counts a wrong password against the account and the address.  Returns
 * true when this failure started a lock.  The wait counts from now, when
 * the failure is known, not from when the slow password check began: a
 * loaded machine must not shorten the backoff it imposes. */
static bool
guess_failed(const char *key, const char *address)
{
    int64_t now_us = clock_mono_us();
    bool locked;

    /* A name waits after 3 failures; an address (an office behind one
     * NAT: many people) after 10, and locks at three times the name's
     * count. */
    locked = throttle_fail(THROTTLE_ACCOUNT, key, now_us, 3, settings.lockout_after,
                           settings.lockout_time);
    locked |= throttle_fail(THROTTLE_ADDRESS, address, now_us, 10, settings.lockout_after * 3,
                            settings.lockout_time);
    return locked;
}

int
session_sign_in(int64_t now, const char *name, const char *password, const char *address,
                const char *user_agent, struct sign_in *out, struct mp_error *err)
{
    struct session_write w = {.address = address, .now = now};
    struct user_row u;
    char key[80];
    int64_t now_us = clock_mono_us();
    sqlite3 *db;
    int found;
    bool ok, locked;

    memset(out, 0, sizeof(*out));
    account_key(name, key);
    if (guess_wait(key, address, now_us, "sign-in", &out->retry_after, err) != 0)
        return -1;

    db = db_reader(err);
    if (db == NULL)
        return -1;
    found = token_name_valid(name) ? store_user_find(db, name, true, &u, err) : 0;
    if (found < 0)
        return -1;
    if (found == 1 && u.disabled_at[0] == '\0') {
        ok = password_verify(u.password_hash, password);
    } else {
        pthread_once(&dummy_once, dummy_init);
        (void)password_verify(dummy_hash, password);
        ok = false;
    }
    sodium_memzero(u.password_hash, sizeof(u.password_hash));

    if (!ok) {
        struct mp_error aerr;
        char object[80];

        locked = guess_failed(key, address);
        /* Record the name typed only when it could be a name at all. */
        snprintf(object, sizeof(object), "%s", token_name_valid(name) ? name : "-");
        w.actor = "-";
        w.object = object;
        w.action = locked ? "session.lock" : "session.fail";
        w.audit = json_pack("{s:s, s:b}", "address", address, "locked", locked);
        if (session_write(&w, &aerr) != 0)
            log_error("cannot audit a failed sign-in: %s", aerr.message);
        return mp_error_set(err, 401, "", "the name or password is wrong");
    }

    throttle_clear(THROTTLE_ACCOUNT, key);
    {
        struct session_how how = {.user_agent = user_agent};
        if (mfa_after_password(&u, &how.mfa_pending, &how.break_glass, err) != 0) {
            struct session_write refused = {.now = now, .actor = "-", .object = u.name};
            struct mp_error aerr;
            if (err->status != 403) /* storage failed; a 403 (passwords off) is audited */
                return -1;
            refused.action = "session.refused";
            refused.audit =
                json_pack("{s:s, s:s}", "address", address, "reason", "local_passwords");
            if (session_write(&refused, &aerr) != 0)
                log_error("cannot audit a refused sign-in: %s", aerr.message);
            return -1;
        }
        return session_open(now, &u, address, &how, out, err);
    }
}

int
session_open(int64_t now, const struct user_row *u, const char *address,
             const struct session_how *how, struct sign_in *out, struct mp_error *err)
{
    struct session_write w = {.address = address, .now = now};
    char agent[513]; /* the column's limit, cut between characters */
    char actor[96];
    enum role r;

    w.mfa_pending = how->mfa_pending;
    w.mfa_verified = how->mfa_verified;
    w.break_glass = how->break_glass;
    token_random_text(out->cookie);
    token_random_text(out->csrf);
    token_hash_secret(out->cookie, w.hash);
    snprintf(actor, sizeof(actor), "user:%s", u->name);
    w.create = true;
    if (how->user_agent != NULL) {
        text_copy_utf8(agent, sizeof(agent), how->user_agent);
        w.user_agent = agent;
    }
    w.csrf = out->csrf;
    w.user_id = u->id;
    w.actor = actor;
    w.object = u->name;
    w.action = w.break_glass ? "session.break_glass" : "session.create";
    w.audit = json_pack("{s:s, s:b, s:s?}", "address", address, "second_step", w.mfa_pending,
                        "method", how->method);
    if (w.break_glass) /* loud: every admin is shown it too (core/mfa.h) */
        log_warn("BREAK-GLASS sign-in user=%s address=%s", u->name, address);
    if (session_write(&w, err) != 0) {
        sodium_memzero(out, sizeof(*out));
        return -1;
    }
    out->user = *u;
    sodium_memzero(out->user.password_hash, sizeof(out->user.password_hash));
    out->expires_unix = w.now + settings.session_max;
    out->mfa_pending = w.mfa_pending;
    /* a factor checked at the sign-in (a passkey) is one set up */
    out->mfa_enrol = !w.mfa_pending && w.mfa_verified == 0 &&
                     (w.break_glass || (role_parse(u->role, &r) == 0 && mfa_role_required(r)));
    return 0;
}

static bool
cookie_well_formed(const char *s)
{
    size_t n = 0;

    for (; s[n] != '\0'; n++) {
        char c = s[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return n == SESSION_TEXT_LEN;
}

static int
touch_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    const int64_t *v = arg;
    return store_session_touch(db, v[0], v[1], err);
}

int
session_authenticate(const char *cookie, int64_t now, struct principal *p, struct mp_error *err)
{
    uint8_t hash[TOKEN_HASH_LEN];
    struct session_row s;
    enum role r;
    sqlite3 *db;
    int found;

    if (!cookie_well_formed(cookie))
        return 0;
    db = db_reader(err);
    if (db == NULL)
        return -1;
    token_hash_secret(cookie, hash);
    found = store_session_find(db, hash, &s, err);
    if (found <= 0)
        return found;
    if (s.user.disabled_at[0] != '\0' || role_parse(s.user.role, &r) != 0)
        return 0;
    if (now - s.created_unix >= (int64_t)settings.session_max ||
        now - s.seen_unix >= (int64_t)settings.session_idle)
        return 0;
    if (now - s.seen_unix >= TOUCH_EVERY_S) {
        int64_t v[2] = {s.id, now};
        struct mp_error terr;
        /* Idle time is counted from the last write of seen_unix: at worst
         * TOUCH_EVERY_S seconds early, never late. */
        if (store_write(touch_apply, v, &terr) != 0)
            log_warn("cannot refresh a session: %s", terr.message);
    }
    p->authenticated = true;
    p->role = r;
    p->session = true;
    p->session_id = s.id;
    p->session_expires = s.created_unix + settings.session_max;
    p->user_id = s.user_id;
    p->must_change_password = s.user.must_change_password;
    p->tlp_max = s.user.tlp_max[0] ? tlp_parse(s.user.tlp_max) : TLP_RED;
    if (p->tlp_max < 0)
        p->tlp_max = TLP_CLEAR;
    snprintf(p->csrf, sizeof(p->csrf), "%s", s.csrf);
    snprintf(p->name, sizeof(p->name), "user:%s", s.user.name);
    if (mfa_principal(db, p, err) != 0)
        return -1;
    return 1;
}

/* The user name of a session principal ("user:NAME"). */
static const char *
principal_user(const struct principal *p)
{
    return strncmp(p->name, "user:", 5) == 0 ? p->name + 5 : p->name;
}

static int
need_session(const struct principal *p, struct mp_error *err)
{
    if (!p->session)
        return mp_error_set(err, 404, "",
                            "no session: this request was authenticated with an API token");
    return 0;
}

int
session_sign_out(const struct principal *p, int64_t now, struct mp_error *err)
{
    struct session_write w = {.action = "session.end", .now = now};

    if (need_session(p, err) != 0)
        return -1;
    w.actor = p->name;
    w.object = principal_user(p);
    w.end_id = p->session_id;
    w.audit = json_object();
    return session_write(&w, err);
}

int
session_user(const struct principal *p, struct user_row *out, struct mp_error *err)
{
    if (need_session(p, err) != 0)
        return -1;
    return user_get(principal_user(p), out, err);
}

int
session_set_language(const struct principal *p, int64_t now, const char *language,
                     struct user_row *out, struct mp_error *err)
{
    struct user_write w = {.action = "user.language", .now = now};
    struct user_row cur;

    if (need_session(p, err) != 0)
        return -1;
    if (!language_valid(language))
        return mp_error_set(err, 422, "language", "must be en or nl");
    if (user_get(principal_user(p), &cur, err) != 0)
        return -1;
    w.actor = p->name;
    w.row = cur;
    w.row.password_hash[0] = '\0';
    snprintf(w.row.language, sizeof(w.row.language), "%s", language);
    w.audit = json_pack("{s:s}", "language", language);
    if (user_write(&w, err) != 0)
        return -1;
    if (out != NULL)
        *out = w.row;
    return 0;
}

struct password_write {
    struct user_write uw;
    int64_t keep;
};

static int
own_password_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct password_write *pw = arg;
    char at[TIME_RFC3339_LEN];

    if (user_apply(db, &pw->uw, err) != 0)
        return -1;
    /* End every other session of this user; this one stays. */
    time_format_rfc3339(pw->uw.now, at, sizeof(at));
    return store_session_end_others(db, pw->uw.row.id, pw->keep, at, err);
}

/* A wrong current password: counted like a failed sign-in (a stolen
 * session must not become an unthrottled way to guess the password) and
 * audited with the address, as session.password_fail or, when it started
 * a lock, session.lock. */
static int
wrong_current(const struct principal *p, int64_t now, const char *key, const char *address,
              struct mp_error *err)
{
    struct session_write w = {.now = now};
    struct mp_error aerr;
    bool locked = guess_failed(key, address);

    w.actor = p->name;
    w.object = principal_user(p);
    w.action = locked ? "session.lock" : "session.password_fail";
    w.audit = json_pack("{s:s, s:b}", "address", address, "locked", locked);
    if (session_write(&w, &aerr) != 0)
        log_error("cannot audit a wrong current password: %s", aerr.message);
    return mp_error_set(err, 422, "current", "is not the current password");
}

int
session_change_password(const struct principal *p, int64_t now, const char *current,
                        const char *new_pw, const char *address, int64_t *retry_after,
                        struct mp_error *err)
{
    struct password_write pw = {.uw = {.action = "user.password", .now = now}};
    char hash[crypto_pwhash_STRBYTES], key[80];
    int64_t now_us = clock_mono_us();
    struct user_row u;
    const char *why;
    sqlite3 *db;
    int found, rc;

    *retry_after = 0;
    if (need_session(p, err) != 0)
        return -1;
    account_key(principal_user(p), key);
    if (guess_wait(key, address, now_us, "password check", retry_after, err) != 0)
        return -1;
    db = db_reader(err);
    if (db == NULL)
        return -1;
    found = store_user_find(db, principal_user(p), true, &u, err);
    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "the user no longer exists");
    if (!password_verify(u.password_hash, current)) {
        sodium_memzero(u.password_hash, sizeof(u.password_hash));
        return wrong_current(p, now, key, address, err);
    }
    throttle_clear(THROTTLE_ACCOUNT, key);
    if ((why = password_problem(u.name, new_pw)) != NULL)
        return mp_error_set(err, 422, "new", "%s", why);
    if (strcmp(current, new_pw) == 0)
        return mp_error_set(err, 422, "new", "must differ from the current password");
    if (password_hash(new_pw, hash, err) != 0)
        return -1;
    pw.uw.actor = p->name;
    pw.uw.row = u;
    snprintf(pw.uw.row.password_hash, sizeof(pw.uw.row.password_hash), "%s", hash);
    pw.uw.row.must_change_password = false;
    pw.uw.audit = json_object();
    pw.keep = p->session_id;
    rc = store_write(own_password_apply, &pw, err);
    json_decref(pw.uw.audit);
    sodium_memzero(hash, sizeof(hash));
    sodium_memzero(&u, sizeof(u));
    sodium_memzero(pw.uw.row.password_hash, sizeof(pw.uw.row.password_hash));
    return rc;
}

int
session_guess_wait(const char *name, const char *address, const char *what, int64_t *retry_after,
                   struct mp_error *err)
{
    char key[80];

    account_key(name, key);
    return guess_wait(key, address, clock_mono_us(), what, retry_after, err);
}

bool
session_guess_failed(const char *name, const char *address)
{
    char key[80];

    account_key(name, key);
    return guess_failed(key, address);
}

void
session_guess_clear(const char *name)
{
    char key[80];

    account_key(name, key);
    throttle_clear(THROTTLE_ACCOUNT, key);
}
