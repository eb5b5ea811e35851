/*
 * datadir.h - the data directory: database, keys, token secret.
 *
 *   DIR/meldpunt.db     the SQLite database (plus -wal and -shm beside it)
 *   DIR/signing.key     Ed25519 secret key, minisign format, mode 0600
 *   DIR/signing.pub     its public key, minisign format: give this to
 *                       whoever verifies meldpunt's signatures
 *   DIR/token.secret    32 random bytes keying the token hashes, mode 0600
 *   DIR/public-keys/    public keys rotated out (KEYID.pub), kept so that
 *                       documents signed with them still verify
 *
 * The directory is created 0700.  The secret files live outside the
 * database on purpose: a leaked database copy alone does not let anybody
 * test token guesses or sign in meldpunt's name.
 */
#ifndef MP_DATADIR_H
#define MP_DATADIR_H

#include "core/token.h"
#include "lib/error.h"

#include <stdbool.h>

/* True when dir holds a database. */
bool datadir_initialised(const char *dir);

/* Creates what is missing in dir and a first admin token whose text is
 * written to admin_token.  Fails (409) when dir is already initialised. */
int datadir_init(const char *dir, const char *actor, char admin_token[TOKEN_TEXT_LEN + 1],
                 struct mp_error *err);

/* Opens an initialised dir: loads the token secret, checks the signing key,
 * opens the database (applying migrations). */
int datadir_open(const char *dir, struct mp_error *err);
void datadir_close(void);

/* (Re)loads the signing key and the public keys rotated out before it
 * (DIR/public-keys/KEYID.pub); SIGHUP calls it. */
int datadir_load_signing(const char *dir, struct mp_error *err);
/* Keeps the current public key in DIR/public-keys/, then replaces the key
 * pair with a new one.  Old documents still verify with the kept key. */
int datadir_rotate_key(const char *dir, char old_id[17], char new_id[17], struct mp_error *err);

#endif
