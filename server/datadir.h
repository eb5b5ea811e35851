/* SPDX-License-Identifier: EUPL-1.2 */
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
 * Under systemd the secret key may instead come from a credential,
 * $CREDENTIALS_DIRECTORY/signing.key (LoadCredential=); then DIR holds only
 * signing.pub, written from it.
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
#include <stdint.h>

/* True when dir holds a database. */
bool datadir_initialised(const char *dir);

/* Creates what is missing in dir and a first admin token whose text is
 * written to admin_token.  Fails (409) when dir is already initialised. */
int datadir_init(const char *dir, const char *actor, int64_t now,
                 char admin_token[TOKEN_TEXT_LEN + 1], struct mp_error *err);

/* Opens an initialised dir: loads the token secret, checks the signing key,
 * opens the database (applying migrations). */
int datadir_open(const char *dir, struct mp_error *err);
void datadir_close(void);

/* (Re)loads the signing key and the public keys rotated out before it
 * (DIR/public-keys/KEYID.pub); SIGHUP calls it. */
int datadir_load_signing(const char *dir, struct mp_error *err);
/* Parses the signing key serve would use (the credential, else DIR's),
 * without keeping it: `serve --check-config`.  0 also when DIR is not
 * initialised yet (the key is made at the first start). */
int datadir_check_signing(const char *dir, struct mp_error *err);
/* A new secret key in minisign format at path (mode 0600, never replacing
 * a file): `meldpunt key generate`, for a systemd credential. */
int datadir_write_new_key(const char *path, struct mp_error *err);

/* Keeps the current public key in DIR/public-keys/, then replaces the key
 * pair with a new one.  Old documents still verify with the kept key. */
int datadir_rotate_key(const char *dir, char old_id[17], char new_id[17], struct mp_error *err);

/* Takes DIR/meldpunt.lock (flock, held until datadir_unlock() or exit):
 * `meldpunt serve` holds it while it runs, so a second server and a
 * restore are refused (409) instead of swapping the database under it.
 * Other commands work beside a running server and do not take it. */
int datadir_lock(const char *dir, struct mp_error *err);
void datadir_unlock(void);

/* What a backup holds, checked before it is restored. */
struct datadir_backup_check {
    int schema_version;
    int64_t audit_entries;
    char audit_head[65];
};

/* Opens file read-only and checks it: PRAGMA integrity_check is ok, it is a
 * meldpunt database with a schema this binary knows, and its audit chain
 * verifies from the first entry to the head. */
int datadir_check_backup(const char *file, struct datadir_backup_check *out, struct mp_error *err);

/* Puts a checked backup in place as DIR/meldpunt.db.  Needs the lock.  The
 * database there now is first copied to DIR/backups/ (its path in kept, or
 * "" when there was none); the old WAL is removed.  Migrations to this
 * binary's schema run at the next open, with their own backup first. */
int datadir_restore(const char *dir, const char *file, char *kept, size_t kept_size,
                    struct mp_error *err);

#endif
