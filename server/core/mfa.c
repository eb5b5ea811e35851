/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * mfa.c - see mfa.h.
 *
 * This file: the settings, the pure parts (codes, URIs, sealing) and the
 * hooks of the sign-in; mfa_account.c: a person's own factor and the
 * break-glass accounts.
 */
#include "mfa.h"
#include "lib/log.h"
#include "store/db.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct mfa_settings settings = {
    .require_roles = 0,
    .step_up_window = 600,
    .local_passwords = MFA_PASSWORDS_ALL,
};

void
mfa_configure(const struct mfa_settings *s)
{
    settings = *s;
}

const struct mfa_settings *
mfa_settings(void)
{
    return &settings;
}

bool
mfa_role_required(enum role r)
{
    return (settings.require_roles & ROLE_BIT(r)) != 0;
}

int
mfa_parse_roles(const char *s, unsigned *mask)
{
    char word[16];
    enum role r;

    *mask = 0;
    while (*s != '\0') {
        size_t n;
        s += strspn(s, " ,\t");
        n = strcspn(s, " ,\t");
        if (n == 0)
            break;
        if (n >= sizeof(word))
            return -1;
        memcpy(word, s, n);
        word[n] = '\0';
        if (role_parse(word, &r) != 0 || r == ROLE_INGEST)
            return -1;
        *mask |= ROLE_BIT(r);
        s += n;
    }
    return 0;
}

/* ---- pure parts ---- */

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;

static void
oath_start(void)
{
    if (oath_init() != OATH_OK)
        log_error("liboath did not start");
}

static bool
six_digits(const char *code)
{
    size_t n = 0;

    for (; code[n] != '\0'; n++) {
        if (code[n] < '0' || code[n] > '9')
            return false;
    }
    return n == MFA_DIGITS;
}

enum mfa_check
mfa_totp_check(const uint8_t *secret, size_t len, int64_t now, const char *code,
               int64_t last_counter, int64_t *counter)
{
    uint64_t step = 0;
    int pos = 0, rc;

    pthread_once(&oath_once, oath_start);
    if (code == NULL || !six_digits(code) || now < 0)
        return MFA_CODE_WRONG;
    rc = oath_totp_validate4((const char *)secret, len, (time_t)now, MFA_STEP, 0, MFA_WINDOW, &pos,
                             &step, 0, code);
    if (rc < 0)
        return MFA_CODE_WRONG;
    if ((int64_t)step <= last_counter)
        return MFA_CODE_REPLAYED;
    *counter = (int64_t)step;
    return MFA_CODE_OK;
}

int
mfa_totp_uri(const char *account, const char *b32, char out[MFA_URI_MAX])
{
    int n = snprintf(out, MFA_URI_MAX,
                     "otpauth://totp/meldpunt:%s?secret=%s&issuer=meldpunt&algorithm=SHA1"
                     "&digits=%d&period=%d",
                     account, b32, MFA_DIGITS, MFA_STEP);
    return n > 0 && n < MFA_URI_MAX ? 0 : -1;
}

static const char b32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

bool
mfa_recovery_normalise(const char *in, char out[MFA_RECOVERY_CHARS + 1])
{
    size_t n = 0;

    for (; *in != '\0'; in++) {
        char c = *in;
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (strchr(b32_alphabet, c) == NULL || n == MFA_RECOVERY_CHARS)
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == MFA_RECOVERY_CHARS;
}

void
mfa_recovery_generate(char out[MFA_RECOVERY_SHOWN + 1])
{
    size_t j = 0;

    for (int i = 0; i < MFA_RECOVERY_CHARS; i++) {
        if (i == MFA_RECOVERY_CHARS / 2)
            out[j++] = '-';
        out[j++] = b32_alphabet[randombytes_uniform(32)];
    }
    out[j] = '\0';
}

/* The sealing key: the token secret's keyed hash of a fixed label, so it
 * lives where that secret does (outside the database). */
static void
seal_key(uint8_t key[crypto_secretbox_KEYBYTES])
{
    token_hash_secret("meldpunt mfa totp seal v1", key);
}

void
mfa_secret_seal(const uint8_t raw[MFA_SECRET_LEN], struct mfa_totp_row *r)
{
    uint8_t key[crypto_secretbox_KEYBYTES];

    seal_key(key);
    randombytes_buf(r->nonce, sizeof(r->nonce));
    crypto_secretbox_easy(r->secret, raw, MFA_SECRET_LEN, r->nonce, key);
    r->secret_len = MFA_SECRET_LEN + crypto_secretbox_MACBYTES;
    sodium_memzero(key, sizeof(key));
}

bool
mfa_secret_open(const struct mfa_totp_row *r, uint8_t raw[MFA_SECRET_LEN])
{
    uint8_t key[crypto_secretbox_KEYBYTES];
    bool ok;

    if (r->secret_len != MFA_SECRET_LEN + crypto_secretbox_MACBYTES)
        return false;
    seal_key(key);
    ok = crypto_secretbox_open_easy(raw, r->secret, r->secret_len, r->nonce, key) == 0;
    sodium_memzero(key, sizeof(key));
    return ok;
}

/* ---- hooks of the sign-in ---- */

int
mfa_after_password(const struct user_row *u, bool *pending, bool *break_glass, struct mp_error *err)
{
    struct mfa_session_state s;
    sqlite3 *db = db_reader(err);

    if (db == NULL || store_mfa_state(db, 0, u->id, &s, err) != 0)
        return -1;
    *pending = s.enrolled;
    *break_glass = s.break_glass;
    if (settings.local_passwords == MFA_PASSWORDS_BREAK_GLASS_ONLY && !s.break_glass)
        return mp_error_set(err, 403, "",
                            "local passwords are turned off here: sign in with single sign-on "
                            "(only break-glass accounts use a password)");
    return 0;
}

int
mfa_after_passkey(const struct user_row *u, bool *break_glass, struct mp_error *err)
{
    struct mfa_session_state s;
    sqlite3 *db = db_reader(err);

    if (db == NULL || store_mfa_state(db, 0, u->id, &s, err) != 0)
        return -1;
    *break_glass = s.break_glass;
    return 0;
}

int
mfa_session_begin(sqlite3 *db, int64_t session_id, int64_t user_id, bool pending, int64_t verified,
                  bool break_glass, const char *at, const char *address, struct mp_error *err)
{
    if ((pending || verified > 0) &&
        store_mfa_session_put(db, session_id, pending, pending ? 0 : verified, err) != 0)
        return -1;
    if (break_glass && store_break_glass_use(db, user_id, at, address, err) != 0)
        return -1;
    return 0;
}

int
mfa_principal(sqlite3 *db, struct principal *p, struct mp_error *err)
{
    struct mfa_session_state s;

    if (store_mfa_state(db, p->session_id, p->user_id, &s, err) != 0)
        return -1;
    /* pending without a factor cannot be completed: the factor was
     * removed, and with it the step */
    p->mfa_pending = s.pending && s.enrolled;
    p->mfa_enrolled = s.enrolled;
    p->mfa_verified = s.verified_unix;
    p->mfa_enrol = !s.enrolled && (mfa_role_required(p->role) || s.break_glass);
    return 0;
}

const char *
mfa_refusal(const struct principal *p, int64_t now, bool step, bool enrol, bool step_up)
{
    if (!p->session)
        return NULL;
    if (p->mfa_pending && !step)
        return "the second sign-in step is owed: POST /api/v1/session/mfa with a code from the "
               "authenticator app, a passkey's answer or a recovery code";
    if (p->mfa_enrol && !enrol)
        return "a second factor must be set up before anything else (this role or account "
               "requires one): POST /api/v1/me/mfa/totp or /api/v1/me/mfa/passkeys";
    if (step_up && p->mfa_enrolled && now - p->mfa_verified >= (int64_t)settings.step_up_window)
        return "this needs a fresh second-factor check (step-up): POST /api/v1/session/mfa with "
               "a code or a passkey's answer, then retry";
    return NULL;
}
