/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * mfa_account.c - a person's own second factor (enrolment, the second
 * step and step-up, turning it off, new recovery codes) and the
 * break-glass accounts.  See mfa.h.
 *
 * Every check of a code goes the same way (proof_check, then one write):
 * the throttle is asked first, the code is checked against what the reader
 * sees, and the write accepts it only if it is still fresh there (the
 * comparison of time steps and the spending of a recovery code are single
 * UPDATEs inside the writer's transaction), so two requests with one code
 * cannot both pass.  A failure at either point counts against the sign-in
 * throttle and is audited as session.mfa_fail.
 */
#include "mfa.h"
#include "core/user.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/webauthn.h"
#include "store/writer.h"

#include <jansson.h>
#include <liboath/oath.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WRONG_CODE "is wrong or was used already"

/* One change to a user's factor, with its audit entry. */
struct mfa_write {
    const struct principal *p;
    int64_t now;
    const char *action;
    int64_t counter; /* >= 0: a TOTP time step to accept */
    bool confirm;    /* ... and confirm the enrolment with it */
    bool use_recovery;
    uint8_t hash[32]; /* the recovery code's */
    bool remove;      /* the factor and its recovery codes */
    bool put_secret;  /* a new, unconfirmed secret: row */
    struct mfa_totp_row row;
    int ncodes; /* new recovery codes: their hashes */
    uint8_t codes[MFA_RECOVERY_COUNT][32];
    bool passkey; /* a passkey's answer: use */
    struct webauthn_use use;
    struct webauthn_cred_row *add; /* a new passkey, answering add_challenge (id set) */
    uint8_t add_challenge[WEBAUTHN_CHALLENGE_LEN];
    int64_t change; /* a passkey to rename (rename) or remove */
    const char *rename;
    bool checked;  /* a factor was checked: the second step is done */
    json_t *audit; /* stolen */
};

/* The user name of a session principal ("user:NAME"). */
static const char *
user_of(const struct principal *p)
{
    return strncmp(p->name, "user:", 5) == 0 ? p->name + 5 : p->name;
}

static int
accept_proof(sqlite3 *db, struct mfa_write *w, const char *at, struct mp_error *err)
{
    int r;

    if (w->passkey)
        return webauthn_proof_accept(db, &w->use, w->now, at, err);
    if (w->use_recovery) {
        r = store_mfa_recovery_use(db, w->p->user_id, w->hash, at, err);
        if (r == 0)
            return mp_error_set(err, 422, "recovery_code", WRONG_CODE);
        return r < 0 ? -1 : 0;
    }
    if (w->counter < 0)
        return 0;
    r = store_mfa_totp_accept(db, w->p->user_id, w->counter, w->confirm ? at : NULL, err);
    if (r == 0)
        return mp_error_set(err, 422, "code", WRONG_CODE);
    return r < 0 ? -1 : 0;
}

/* A passkey added (its registration's challenge spent), renamed or
 * removed. */
static int
passkey_apply(sqlite3 *db, struct mfa_write *w, const char *at, struct mp_error *err)
{
    int64_t given_to = 0;
    int r;

    if (w->add != NULL) {
        r = store_webauthn_challenge_take(db, w->add_challenge, "register", w->p->session_id,
                                          w->now, &given_to, err);
        if (r == 0)
            return mp_error_set(err, 422, "clientDataJSON",
                                "answers no registration given out here (used already, expired, "
                                "or another session's)");
        return r < 0 ? -1 : store_webauthn_cred_insert(db, w->add, at, err);
    }
    if (w->change <= 0)
        return 0;
    r = w->rename != NULL ? store_webauthn_cred_rename(db, w->p->user_id, w->change, w->rename, err)
                          : store_webauthn_cred_delete(db, w->p->user_id, w->change, err);
    if (r == 0)
        return mp_error_set(err, 404, "", "no passkey %lld of this user", (long long)w->change);
    return r < 0 ? -1 : 0;
}

static int
mfa_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct mfa_write *w = arg;
    char at[TIME_RFC3339_LEN];

    time_format_rfc3339(w->now, at, sizeof(at));
    if (passkey_apply(db, w, at, err) != 0)
        return -1;
    if (w->put_secret && store_mfa_totp_put(db, w->p->user_id, &w->row, at, err) != 0)
        return -1;
    if (accept_proof(db, w, at, err) != 0)
        return -1;
    if (w->remove && store_mfa_delete(db, w->p->user_id, err) != 0)
        return -1;
    if (w->ncodes > 0 &&
        store_mfa_recovery_replace(db, w->p->user_id, w->codes, w->ncodes, err) != 0)
        return -1;
    /* a code was checked in this session: the second step is done and the
     * step-up window starts now */
    if (w->checked && w->p->session &&
        store_mfa_session_put(db, w->p->session_id, false, w->now, err) != 0)
        return -1;
    return store_audit_append_json(db, w->now, w->p->name, w->action, user_of(w->p), w->audit, err);
}

static int
mfa_write(struct mfa_write *w, struct mp_error *err)
{
    int rc = store_write(mfa_apply, w, err);

    json_decref(w->audit);
    w->audit = NULL;
    sodium_memzero(&w->row, sizeof(w->row));
    return rc;
}

static int
need_session(const struct principal *p, struct mp_error *err)
{
    if (!p->session)
        return mp_error_set(err, 404, "",
                            "no session: this request was authenticated with an API token");
    return 0;
}

static int
audit_only_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct mfa_write *w = arg;

    return store_audit_append_json(db, w->now, w->p->name, w->action, user_of(w->p), w->audit, err);
}

/* A wrong code: counted like a wrong password and audited (session.lock
 * when it started a lock); 422 on field.  A passkey's refusal keeps its
 * reason; one whose counter went back is audited as webauthn.counter. */
static int
proof_failed(const struct principal *p, int64_t now, const struct mfa_proof *proof,
             const char *field, struct mp_error *err)
{
    struct mfa_write w = {.p = p, .now = now};
    struct mp_error aerr, keep = *err;
    bool locked = session_guess_failed(user_of(p), proof->address);
    bool cloned = proof->passkey != NULL && proof->cloned;

    w.action = cloned ? "webauthn.counter" : locked ? "session.lock" : "session.mfa_fail";
    w.audit = json_pack("{s:s, s:b, s:s}", "address", proof->address, "locked", locked, "method",
                        proof->passkey != NULL                ? "passkey"
                        : strcmp(field, "recovery_code") == 0 ? "recovery"
                                                              : "totp");
    if (proof->passkey != NULL)
        json_object_set_new(w.audit, "reason", json_string(keep.message));
    if (cloned)
        log_warn("passkey counter went back user=%s: refused", user_of(p));
    if (store_write(audit_only_apply, &w, &aerr) != 0)
        log_error("cannot audit a wrong second-factor code: %s", aerr.message);
    json_decref(w.audit);
    if (proof->passkey != NULL)
        return mp_error_set(err, 422, keep.field, "%s", keep.message);
    return mp_error_set(err, 422, field, WRONG_CODE);
}

/* proof_check for a passkey's answer. */
static int
passkey_check(const struct principal *p, int64_t now, struct mfa_proof *proof, struct mfa_write *w,
              struct mp_error *err)
{
    if (session_guess_wait(user_of(p), proof->address, "second-factor check", &proof->retry_after,
                           err) != 0)
        return -1;
    if (webauthn_proof_check(p->user_id, p->session_id, now, proof->passkey, &w->use, err) != 0) {
        proof->cloned = w->use.cloned;
        return err->status == 422 ? proof_failed(p, now, proof, err->field, err) : -1;
    }
    w->passkey = true;
    w->checked = true;
    return 0;
}

/* Checks proof for p's factor (confirming: the enrolment not yet
 * confirmed) and fills w to accept it in the write.  0 fine; -1 with err:
 * 422 (counted), 429 wait, 409 no factor in that state. */
static int
proof_check(const struct principal *p, int64_t now, struct mfa_proof *proof, bool confirming,
            struct mfa_write *w, struct mp_error *err)
{
    struct mfa_totp_row row;
    uint8_t raw[MFA_SECRET_LEN];
    char norm[MFA_RECOVERY_CHARS + 1];
    enum mfa_check c;
    sqlite3 *db;
    int found;

    w->counter = -1;
    if (need_session(p, err) != 0)
        return -1;
    if (proof->code == NULL && proof->recovery_code == NULL && proof->passkey == NULL)
        return mp_error_set(err, 422, "code", "is required (or recovery_code, or passkey)");
    if ((proof->code != NULL) + (proof->recovery_code != NULL) + (proof->passkey != NULL) > 1)
        return mp_error_set(err, 422, "recovery_code",
                            "give one of code, recovery_code and passkey");
    if (proof->passkey != NULL && !confirming)
        return passkey_check(p, now, proof, w, err);
    if (confirming && proof->recovery_code != NULL)
        return mp_error_set(err, 422, "recovery_code",
                            "enrolment is confirmed with a code from the app");
    if (session_guess_wait(user_of(p), proof->address, "second-factor check", &proof->retry_after,
                           err) != 0)
        return -1;
    db = db_reader(err);
    if (db == NULL)
        return -1;
    found = store_mfa_totp_get(db, p->user_id, &row, err);
    if (found < 0)
        return -1;
    if (found == 0 || row.confirmed == confirming)
        return mp_error_set(err, 409, "",
                            confirming ? "no enrolment has been started: POST /api/v1/me/mfa/totp"
                                       : "no second factor is set up for this user");
    if (proof->recovery_code != NULL) {
        if (!mfa_recovery_normalise(proof->recovery_code, norm))
            return proof_failed(p, now, proof, "recovery_code", err);
        token_hash_secret(norm, w->hash);
        w->use_recovery = true;
        w->checked = true;
        return 0;
    }
    if (!mfa_secret_open(&row, raw))
        return mp_error_set(err, 500, "", "the stored second factor does not open");
    c = mfa_totp_check(raw, sizeof(raw), now, proof->code, row.last_counter, &w->counter);
    sodium_memzero(raw, sizeof(raw));
    sodium_memzero(&row, sizeof(row));
    if (c != MFA_CODE_OK)
        return proof_failed(p, now, proof, "code", err);
    w->confirm = confirming;
    w->checked = true;
    return 0;
}

/* The write after proof_check; a code spent between the two counts as a
 * wrong one. */
static int
proof_write(const struct principal *p, int64_t now, struct mfa_proof *proof, struct mfa_write *w,
            struct mp_error *err)
{
    if (mfa_write(w, err) == 0) {
        session_guess_clear(user_of(p));
        return 0;
    }
    if (err->status == 422) /* err->field is overwritten: name it anew */
        return proof_failed(p, now, proof,
                            w->passkey        ? err->field
                            : w->use_recovery ? "recovery_code"
                                              : "code",
                            err);
    return -1;
}

static void
new_codes(struct mfa_write *w, char codes[MFA_RECOVERY_COUNT][MFA_RECOVERY_SHOWN + 1])
{
    char norm[MFA_RECOVERY_CHARS + 1];

    for (int i = 0; i < MFA_RECOVERY_COUNT; i++) {
        mfa_recovery_generate(codes[i]);
        (void)mfa_recovery_normalise(codes[i], norm);
        token_hash_secret(norm, w->codes[i]);
    }
    w->ncodes = MFA_RECOVERY_COUNT;
}

int
mfa_status(const struct principal *p, struct mfa_status *out, struct mp_error *err)
{
    struct mfa_session_state s;
    struct mfa_totp_row row;
    sqlite3 *db;

    memset(out, 0, sizeof(*out));
    if (need_session(p, err) != 0)
        return -1;
    db = db_reader(err);
    if (db == NULL || store_mfa_state(db, p->session_id, p->user_id, &s, err) != 0)
        return -1;
    if (s.totp && store_mfa_totp_get(db, p->user_id, &row, err) == 1)
        snprintf(out->confirmed_at, sizeof(out->confirmed_at), "%s", row.confirmed_at);
    sodium_memzero(&row, sizeof(row));
    out->enrolled = s.enrolled;
    out->totp = s.totp;
    out->passkeys = s.passkeys;
    out->pending = s.pending && s.enrolled;
    out->break_glass = s.break_glass;
    out->required = mfa_role_required(p->role) || s.break_glass;
    out->recovery_left = s.recovery_left;
    out->verified_unix = s.verified_unix;
    return 0;
}

int
mfa_enrol_start(const struct principal *p, int64_t now, char b32[MFA_SECRET_B32 + 1],
                char uri[MFA_URI_MAX], struct mp_error *err)
{
    struct mfa_write w = {.p = p, .now = now, .action = "mfa.enrol_start", .counter = -1};
    struct mfa_status st;
    uint8_t raw[MFA_SECRET_LEN];
    char *text = NULL;
    size_t n = 0;
    int rc;

    if (mfa_status(p, &st, err) != 0)
        return -1;
    if (st.totp)
        return mp_error_set(err, 409, "",
                            "an authenticator app is set up already: turn it off first to set up "
                            "another");
    randombytes_buf(raw, sizeof(raw));
    if (oath_base32_encode((const char *)raw, sizeof(raw), &text, &n) != OATH_OK ||
        n != MFA_SECRET_B32) {
        free(text);
        sodium_memzero(raw, sizeof(raw));
        return mp_error_set(err, 500, "", "cannot encode the secret");
    }
    memcpy(b32, text, n + 1);
    sodium_memzero(text, n);
    free(text);
    mfa_secret_seal(raw, &w.row);
    sodium_memzero(raw, sizeof(raw));
    w.put_secret = true;
    w.audit = json_object(); /* never the secret */
    rc = mfa_write(&w, err);
    if (rc == 0)
        rc = mfa_totp_uri(user_of(p), b32, uri) == 0
                 ? 0
                 : mp_error_set(err, 500, "", "the account name is too long for a URI");
    if (rc != 0)
        sodium_memzero(b32, MFA_SECRET_B32 + 1);
    return rc;
}

int
mfa_enrol_confirm(const struct principal *p, int64_t now, struct mfa_proof *proof,
                  char codes[MFA_RECOVERY_COUNT][MFA_RECOVERY_SHOWN + 1], struct mp_error *err)
{
    struct mfa_write w = {.p = p, .now = now, .action = "mfa.enrol"};

    if (proof_check(p, now, proof, true, &w, err) != 0)
        return -1;
    new_codes(&w, codes);
    w.audit = json_pack("{s:s, s:i}", "method", "totp", "recovery_codes", MFA_RECOVERY_COUNT);
    if (proof_write(p, now, proof, &w, err) != 0) {
        sodium_memzero(codes, sizeof(char) * MFA_RECOVERY_COUNT * (MFA_RECOVERY_SHOWN + 1));
        return -1;
    }
    return 0;
}

int
mfa_verify(const struct principal *p, int64_t now, struct mfa_proof *proof, struct mp_error *err)
{
    struct mfa_write w = {.p = p, .now = now, .action = "session.mfa"};

    if (proof_check(p, now, proof, false, &w, err) != 0)
        return -1;
    w.audit = json_pack("{s:s, s:s, s:b}", "address", proof->address, "method",
                        w.passkey        ? "passkey"
                        : w.use_recovery ? "recovery"
                                         : "totp",
                        "step_up", !p->mfa_pending);
    if (w.passkey)
        json_object_set_new(w.audit, "passkey", json_string(w.use.name));
    return proof_write(p, now, proof, &w, err);
}

int
mfa_disable(const struct principal *p, int64_t now, struct mfa_proof *proof, struct mp_error *err)
{
    struct mfa_write w = {.p = p, .now = now, .action = "mfa.disable", .remove = true};
    struct mfa_status st;

    if (mfa_status(p, &st, err) != 0)
        return -1;
    if (st.required && st.passkeys == 0)
        return mp_error_set(err, 409, "",
                            "this account must keep its second factor (its role or break-glass "
                            "requires one): add a passkey first");
    if (!st.totp)
        return mp_error_set(err, 409, "", "no authenticator app is set up for this user");
    if (proof_check(p, now, proof, false, &w, err) != 0)
        return -1;
    w.audit = json_pack("{s:s}", "method",
                        w.passkey        ? "passkey"
                        : w.use_recovery ? "recovery"
                                         : "totp");
    return proof_write(p, now, proof, &w, err);
}

int
mfa_recovery_renew(const struct principal *p, int64_t now, struct mfa_proof *proof,
                   char codes[MFA_RECOVERY_COUNT][MFA_RECOVERY_SHOWN + 1], struct mp_error *err)
{
    struct mfa_write w = {.p = p, .now = now, .action = "mfa.recovery_codes"};

    if (proof_check(p, now, proof, false, &w, err) != 0)
        return -1;
    new_codes(&w, codes);
    w.audit = json_pack("{s:i}", "recovery_codes", MFA_RECOVERY_COUNT);
    if (proof_write(p, now, proof, &w, err) != 0) {
        sodium_memzero(codes, sizeof(char) * MFA_RECOVERY_COUNT * (MFA_RECOVERY_SHOWN + 1));
        return -1;
    }
    return 0;
}

/* ---- passkeys (core/webauthn.h checks them) ---- */

int
mfa_passkey_enrol(const struct principal *p, int64_t now, struct webauthn_cred_row *cred,
                  const uint8_t *challenge, const char *fmt,
                  char codes[MFA_RECOVERY_COUNT][MFA_RECOVERY_SHOWN + 1], int *ncodes,
                  struct mp_error *err)
{
    struct mfa_write w = {.p = p, .now = now, .action = "mfa.enrol", .counter = -1, .add = cred};
    struct mfa_status st;

    *ncodes = 0;
    if (mfa_status(p, &st, err) != 0)
        return -1;
    memcpy(w.add_challenge, challenge, WEBAUTHN_CHALLENGE_LEN);
    /* making the passkey proved the person has it: as a first TOTP code */
    w.checked = true;
    if (st.recovery_left == 0) {
        new_codes(&w, codes);
        *ncodes = MFA_RECOVERY_COUNT;
    }
    w.audit = json_pack("{s:s, s:s, s:s, s:i, s:i}", "method", "passkey", "name", cred->name,
                        "attestation", fmt, "algorithm", cred->cose_alg, "recovery_codes", *ncodes);
    if (mfa_write(&w, err) != 0) {
        sodium_memzero(codes, sizeof(char) * MFA_RECOVERY_COUNT * (MFA_RECOVERY_SHOWN + 1));
        *ncodes = 0;
        return -1;
    }
    return 0;
}

int
mfa_passkey_change(const struct principal *p, int64_t now, int64_t id, const char *name,
                   struct mp_error *err)
{
    struct mfa_write w = {.p = p, .now = now, .counter = -1, .change = id, .rename = name};
    struct mfa_status st;

    if (mfa_status(p, &st, err) != 0)
        return -1;
    if (name == NULL && webauthn_fresh_check(p, now, err) != 0)
        return -1;
    if (name == NULL && st.required && !st.totp && st.passkeys <= 1)
        return mp_error_set(err, 409, "",
                            "this is the account's last second factor and its role or "
                            "break-glass requires one: add another passkey or an authenticator "
                            "app first");
    w.action = name != NULL ? "mfa.passkey_rename" : "mfa.passkey_remove";
    w.audit = json_pack("{s:I, s:s?}", "passkey", (json_int_t)id, "name", name);
    return mfa_write(&w, err);
}

/* ---- break-glass ---- */

struct glass_write {
    const char *actor;
    int64_t now;
    const char *action;
    const char *object;
    int64_t user_id; /* marking */
    bool on;
    int64_t use_id; /* acknowledging */
    bool reset;     /* removing user_id's factor (and ending the sessions) */
    json_t *audit;  /* stolen */
};

static int
glass_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct glass_write *w = arg;
    char at[TIME_RFC3339_LEN];
    int rc;

    time_format_rfc3339(w->now, at, sizeof(at));
    if (w->use_id > 0) {
        rc = store_break_glass_ack(db, w->use_id, at, w->actor, err);
        if (rc == 0)
            return mp_error_set(err, 404, "", "no unacknowledged break-glass sign-in %lld",
                                (long long)w->use_id);
        if (rc < 0)
            return -1;
    } else if (w->reset) {
        if (store_mfa_delete(db, w->user_id, err) != 0 ||
            store_webauthn_delete_all(db, w->user_id, err) != 0 ||
            store_session_end(db, 0, w->user_id, at, err) != 0)
            return -1;
    } else if (store_break_glass_set(db, w->user_id, w->on, at, w->actor, err) != 0) {
        return -1;
    }
    return store_audit_append_json(db, w->now, w->actor, w->action, w->object, w->audit, err);
}

static int
glass_write(struct glass_write *w, struct mp_error *err)
{
    int rc = store_write(glass_apply, w, err);

    json_decref(w->audit);
    return rc;
}

int
mfa_break_glass_set(const char *actor, int64_t now, const char *name, bool on, struct mp_error *err)
{
    struct glass_write w = {.actor = actor, .now = now, .action = "user.break_glass", .on = on};
    struct user_row u;

    if (user_get(name, &u, err) != 0)
        return -1;
    if (on && strcmp(u.role, "admin") != 0)
        return mp_error_set(err, 422, "break_glass", "only an admin account can be break-glass");
    w.user_id = u.id;
    w.object = name;
    w.audit = json_pack("{s:b}", "break_glass", on);
    return glass_write(&w, err);
}

int
mfa_reset(const char *actor, int64_t now, const char *name, struct mp_error *err)
{
    struct glass_write w = {.actor = actor, .now = now, .action = "mfa.reset", .reset = true};
    struct user_row u;

    if (user_get(name, &u, err) != 0)
        return -1;
    w.user_id = u.id;
    w.object = name;
    w.audit = json_object();
    return glass_write(&w, err);
}

int
mfa_break_glass_open(struct break_glass_use **rows, int *count, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    if (db == NULL)
        return -1;
    return store_break_glass_open(db, rows, count, err);
}

int
mfa_break_glass_ack(const char *actor, int64_t now, int64_t id, struct mp_error *err)
{
    struct glass_write w = {.actor = actor, .now = now, .action = "session.break_glass_ack"};
    char object[24];

    snprintf(object, sizeof(object), "%lld", (long long)id);
    w.use_id = id;
    w.object = object;
    w.audit = json_object();
    return glass_write(&w, err);
}
