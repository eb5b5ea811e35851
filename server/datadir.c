/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * datadir.c - see datadir.h.
 */
#include "datadir.h"
#include "core/signing.h"
#include "lib/buf.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/minisign.h"
#include "store/audit.h"
#include "store/db.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int
path_in(char *out, size_t size, const char *dir, const char *name, struct mp_error *err)
{
    if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size)
        return mp_error_set(err, 0, "data", "path too long: %s/%s", dir, name);
    return 0;
}

/* The signing key comes from systemd's credential when the service passes
 * one (LoadCredential=signing.key:...), else from the data directory.  The
 * credential keeps the secret out of the state directory and its backups. */
static int
secret_key_path(const char *dir, char *out, size_t size, bool *credential, struct mp_error *err)
{
    const char *creds = getenv("CREDENTIALS_DIRECTORY");

    *credential = false;
    if (creds != NULL && creds[0] != '\0') {
        if ((size_t)snprintf(out, size, "%s/signing.key", creds) >= size)
            return mp_error_set(err, 0, "", "path too long: %s/signing.key", creds);
        if (access(out, F_OK) == 0) {
            *credential = true;
            return 0;
        }
    }
    return path_in(out, size, dir, "signing.key", err);
}

bool
datadir_initialised(const char *dir)
{
    char p[PATH_MAX];

    if (path_in(p, sizeof(p), dir, "meldpunt.db", NULL) != 0)
        return false;
    return access(p, F_OK) == 0;
}

/* Writes data to path with the given mode, refusing to replace a file. */
static int
write_new_file(const char *path, const void *data, size_t len, mode_t mode, struct mp_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    ssize_t n;

    if (fd < 0)
        return mp_error_set(err, 0, "", "cannot create %s: %s", path, strerror(errno));
    n = write(fd, data, len);
    if (n != (ssize_t)len || fsync(fd) != 0) {
        close(fd);
        unlink(path);
        return mp_error_set(err, 0, "", "cannot write %s: %s", path, strerror(errno));
    }
    close(fd);
    return 0;
}

static int
create_keys(const char *dir, struct mp_error *err)
{
    char p[PATH_MAX], *text;
    uint8_t secret[TOKEN_SECRET_LEN];
    struct minisign_key key;
    struct buf b = BUF_INIT;
    const char *why = "";
    bool credential;
    size_t len;
    int rc = -1;

    if (path_in(p, sizeof(p), dir, "token.secret", err) != 0)
        return -1;
    if (access(p, F_OK) != 0) {
        randombytes_buf(secret, sizeof(secret));
        rc = write_new_file(p, secret, sizeof(secret), 0600, err);
        sodium_memzero(secret, sizeof(secret));
        if (rc != 0)
            return -1;
    }
    if (secret_key_path(dir, p, sizeof(p), &credential, err) != 0)
        return -1;
    if (credential) {
        /* no key of our own: only the credential's public half, for
         * `meldpunt verify` and whoever reads the data directory */
        text = file_read(p, 4096, &len, err);
        if (text == NULL)
            return -1;
        rc = minisign_parse_secret(text, &key, &why);
        sodium_memzero(text, len);
        free(text);
        if (rc != 0)
            return mp_error_set(err, 0, "", "%s: %s", p, why);
        minisign_format_public(&key, &b);
        sodium_memzero(&key, sizeof(key));
        rc = path_in(p, sizeof(p), dir, "signing.pub", err);
        if (rc == 0 && access(p, F_OK) != 0)
            rc = write_new_file(p, b.data, b.len, 0644, err);
        buf_free(&b);
        return rc;
    }
    if (access(p, F_OK) == 0)
        return 0;
    minisign_key_generate(&key);
    minisign_format_secret(&key, &b);
    rc = buf_failed(&b) ? mp_error_set(err, 0, "", "out of memory")
                        : write_new_file(p, b.data, b.len, 0600, err);
    sodium_memzero(b.data, b.len);
    buf_reset(&b);
    if (rc == 0) {
        minisign_format_public(&key, &b);
        rc = path_in(p, sizeof(p), dir, "signing.pub", err);
        if (rc == 0)
            rc = write_new_file(p, b.data, b.len, 0644, err);
    }
    sodium_memzero(&key, sizeof(key));
    buf_free(&b);
    return rc;
}

int
datadir_init(const char *dir, const char *actor, int64_t now, char admin_token[TOKEN_TEXT_LEN + 1],
             struct mp_error *err)
{
    char p[PATH_MAX];
    struct stat st;

    if (datadir_initialised(dir))
        return mp_error_set(err, 409, "data", "%s is already initialised", dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return mp_error_set(err, 0, "data", "cannot create %s: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return mp_error_set(err, 0, "data", "%s is not a directory", dir);
    if (create_keys(dir, err) != 0)
        return -1;
    if (path_in(p, sizeof(p), dir, "meldpunt.db", err) != 0)
        return -1;
    if (db_open(p, true, err) != 0)
        return -1;
    if (datadir_open(dir, err) != 0)
        return -1;
    return token_create(actor, now, "admin", "admin", NULL, 0, NULL, 0, admin_token, NULL, err);
}

int
datadir_open(const char *dir, struct mp_error *err)
{
    char p[PATH_MAX], *text;
    size_t len;

    if (path_in(p, sizeof(p), dir, "token.secret", err) != 0)
        return -1;
    text = file_read(p, 64, &len, err);
    if (text == NULL)
        return -1;
    if (len != TOKEN_SECRET_LEN) {
        free(text);
        return mp_error_set(err, 0, "", "%s must hold exactly %d bytes", p, TOKEN_SECRET_LEN);
    }
    token_set_secret((const uint8_t *)text);
    sodium_memzero(text, len);
    free(text);

    if (datadir_load_signing(dir, err) != 0)
        return -1;

    if (path_in(p, sizeof(p), dir, "meldpunt.db", err) != 0)
        return -1;
    return db_open(p, false, err);
}

static int replace_file(const char *path, const void *data, size_t len, mode_t mode,
                        struct mp_error *err);

/* With the key in a credential, rotating it means replacing the credential
 * file and restarting.  Here the data directory follows: the public key it
 * held until now is kept in DIR/public-keys/KEYID.pub (still served, still
 * verifying what it signed) and signing.pub becomes the credential's. */
static int
follow_credential(const char *dir, const struct minisign_key *key, struct mp_error *err)
{
    char p[PATH_MAX], keep[PATH_MAX + 64], id[17], *old_text;
    struct minisign_key old;
    struct buf pub = BUF_INIT;
    const char *why;
    bool parsed;
    size_t n;
    int rc = -1;

    minisign_format_public(key, &pub);
    if (buf_failed(&pub) || path_in(p, sizeof(p), dir, "signing.pub", err) != 0)
        goto out;
    old_text = file_read(p, 4096, &n, NULL);
    parsed = old_text != NULL && minisign_parse_public(old_text, &old, &why) == 0;
    if (parsed && memcmp(old.keyid, key->keyid, sizeof(old.keyid)) == 0) {
        rc = 0; /* already the credential's */
        free(old_text);
        goto out;
    }
    if (parsed) {
        minisign_keyid_hex(old.keyid, id);
        snprintf(keep, sizeof(keep), "%s/public-keys", dir);
        if (mkdir(keep, 0755) != 0 && errno != EEXIST) {
            mp_error_set(err, 0, "", "cannot create %s: %s", keep, strerror(errno));
            free(old_text);
            goto out;
        }
        snprintf(keep, sizeof(keep), "%s/public-keys/%s.pub", dir, id);
        if (access(keep, F_OK) != 0 && write_new_file(keep, old_text, n, 0644, err) != 0) {
            free(old_text);
            goto out;
        }
        log_notice("signing key changed in the credential old=%s kept=\"%s\"", id, keep);
    }
    free(old_text);
    rc = replace_file(p, pub.data, pub.len, 0644, err);
out:
    buf_free(&pub);
    return rc;
}

int
datadir_load_signing(const char *dir, struct mp_error *err)
{
    char p[PATH_MAX], *text;
    struct minisign_key key;
    const char *why = "";
    json_t *previous = json_array();
    struct dirent *de;
    bool credential;
    size_t len;
    DIR *d;

    if (secret_key_path(dir, p, sizeof(p), &credential, err) != 0)
        goto fail;
    text = file_read(p, 4096, &len, err);
    if (text == NULL)
        goto fail;
    if (minisign_parse_secret(text, &key, &why) != 0 || signing_load(text, err) != 0) {
        sodium_memzero(text, len);
        free(text);
        mp_error_set(err, 0, "", "%s: %s", p, why);
        goto fail;
    }
    sodium_memzero(text, len);
    free(text);
    if (credential) {
        log_notice("signing key from the credential file=\"%s\"", p);
        if (follow_credential(dir, &key, err) != 0) {
            sodium_memzero(&key, sizeof(key));
            goto fail;
        }
    }
    sodium_memzero(&key, sizeof(key));
    /* keys rotated out: their public halves still check old documents */
    if (path_in(p, sizeof(p), dir, "public-keys", err) == 0 && (d = opendir(p)) != NULL) {
        while ((de = readdir(d)) != NULL) {
            char q[PATH_MAX + 300];
            struct minisign_key old;
            char id[17], *pub;
            size_t n;

            if (strlen(de->d_name) < 5 || strcmp(de->d_name + strlen(de->d_name) - 4, ".pub") != 0)
                continue;
            snprintf(q, sizeof(q), "%s/%s", p, de->d_name);
            pub = file_read(q, 4096, &n, NULL);
            if (pub != NULL && minisign_parse_public(pub, &old, &why) == 0) {
                minisign_keyid_hex(old.keyid, id);
                json_array_append_new(previous,
                                      json_pack("{s:s, s:s}", "key_id", id, "public_key", pub));
            }
            free(pub);
        }
        closedir(d);
    }
    signing_set_previous(previous);
    return 0;
fail:
    json_decref(previous);
    return -1;
}

int
datadir_check_signing(const char *dir, struct mp_error *err)
{
    char p[PATH_MAX], *text;
    struct minisign_key key;
    const char *why = "";
    bool credential;
    size_t len;
    int rc;

    if (secret_key_path(dir, p, sizeof(p), &credential, err) != 0)
        return -1;
    if (!credential && access(p, F_OK) != 0 && !datadir_initialised(dir))
        return 0; /* made at the first start */
    text = file_read(p, 4096, &len, err);
    if (text == NULL)
        return -1;
    rc = minisign_parse_secret(text, &key, &why);
    sodium_memzero(text, len);
    sodium_memzero(&key, sizeof(key));
    free(text);
    return rc == 0 ? 0 : mp_error_set(err, 0, "", "%s: %s", p, why);
}

int
datadir_write_new_key(const char *path, struct mp_error *err)
{
    struct minisign_key key;
    struct buf b = BUF_INIT;
    int rc;

    minisign_key_generate(&key);
    minisign_format_secret(&key, &b);
    rc = buf_failed(&b) ? mp_error_set(err, 0, "", "out of memory")
                        : write_new_file(path, b.data, b.len, 0600, err);
    sodium_memzero(b.data, b.len);
    sodium_memzero(&key, sizeof(key));
    buf_free(&b);
    return rc;
}

/* Writes data to path through a temporary file and a rename, so readers
 * see the old or the new file, never half of one. */
static int
replace_file(const char *path, const void *data, size_t len, mode_t mode, struct mp_error *err)
{
    char tmp[PATH_MAX + 8];

    snprintf(tmp, sizeof(tmp), "%s.new", path);
    unlink(tmp);
    if (write_new_file(tmp, data, len, mode, err) != 0)
        return -1;
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return mp_error_set(err, 0, "", "cannot replace %s: %s", path, strerror(errno));
    }
    return 0;
}

int
datadir_rotate_key(const char *dir, char old_id[17], char new_id[17], struct mp_error *err)
{
    char p[PATH_MAX], keep[PATH_MAX + 64], *text;
    struct minisign_key key, old;
    struct buf b = BUF_INIT;
    const char *why;
    bool credential;
    size_t len;
    int rc = -1;

    if (secret_key_path(dir, p, sizeof(p), &credential, err) != 0)
        return -1;
    if (credential)
        return mp_error_set(err, 409, "",
                            "the signing key is a systemd credential (%s): replace that file "
                            "with `meldpunt key generate` and restart; the data directory then "
                            "keeps the old public key",
                            p);
    if (path_in(p, sizeof(p), dir, "signing.pub", err) != 0)
        return -1;
    text = file_read(p, 4096, &len, err);
    if (text == NULL)
        return -1;
    if (minisign_parse_public(text, &old, &why) != 0) {
        free(text);
        return mp_error_set(err, 0, "", "%s: %s", p, why);
    }
    minisign_keyid_hex(old.keyid, old_id);
    if (path_in(p, sizeof(p), dir, "public-keys", err) != 0 ||
        (mkdir(p, 0755) != 0 && errno != EEXIST)) {
        free(text);
        return mp_error_set(err, 0, "", "cannot create %s/public-keys", dir);
    }
    snprintf(keep, sizeof(keep), "%s/%s.pub", p, old_id);
    if (access(keep, F_OK) != 0 && write_new_file(keep, text, len, 0644, err) != 0) {
        free(text);
        return -1;
    }
    free(text);
    minisign_key_generate(&key);
    minisign_keyid_hex(key.keyid, new_id);
    minisign_format_secret(&key, &b);
    if (path_in(p, sizeof(p), dir, "signing.key", err) == 0 &&
        replace_file(p, b.data, b.len, 0600, err) == 0) {
        sodium_memzero(b.data, b.len);
        buf_reset(&b);
        minisign_format_public(&key, &b);
        if (path_in(p, sizeof(p), dir, "signing.pub", err) == 0 &&
            replace_file(p, b.data, b.len, 0644, err) == 0)
            rc = 0;
    }
    sodium_memzero(&key, sizeof(key));
    if (b.data)
        sodium_memzero(b.data, b.len);
    buf_free(&b);
    return rc;
}

void
datadir_close(void)
{
    signing_forget();
    db_close();
}

/* ---- the lock of a running server, restore ---- */

static int lock_fd = -1;

int
datadir_lock(const char *dir, struct mp_error *err)
{
    char p[PATH_MAX];
    int fd;

    if (lock_fd >= 0)
        return 0;
    if (path_in(p, sizeof(p), dir, "meldpunt.lock", err) != 0)
        return -1;
    fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return mp_error_set(err, 0, "", "cannot open %s: %s", p, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return mp_error_set(err, 409, "",
                                "%s is in use by a running meldpunt serve (%s is locked)", dir, p);
        return mp_error_set(err, 0, "", "cannot lock %s: %s", p, strerror(e));
    }
    lock_fd = fd;
    return 0;
}

void
datadir_unlock(void)
{
    if (lock_fd >= 0)
        close(lock_fd); /* closing drops the flock */
    lock_fd = -1;
}

int
datadir_check_backup(const char *file, struct datadir_backup_check *out, struct mp_error *err)
{
    struct audit_verify_result r;
    char why[160];
    sqlite3 *db = NULL;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (access(file, R_OK) != 0)
        return mp_error_set(err, 0, "", "cannot read %s: %s", file, strerror(errno));
    if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        mp_error_set(err, 0, "", "%s: cannot open: %s", file, db ? sqlite3_errmsg(db) : "?");
        goto out;
    }
    if (db_check(db, true, why, sizeof(why)) != 0) {
        mp_error_set(err, 0, "", "%s: integrity check failed: %s", file, why);
        goto out;
    }
    out->schema_version = db_schema_version(db);
    if (out->schema_version <= 0) {
        mp_error_set(err, 0, "", "%s: not a meldpunt database (no schema_migrations)", file);
        goto out;
    }
    if (out->schema_version > db_known_version()) {
        mp_error_set(err, 0, "",
                     "%s has schema version %d but this meldpunt knows only up to %d: use a "
                     "newer meldpunt",
                     file, out->schema_version, db_known_version());
        goto out;
    }
    if (store_audit_verify(db, &r, err) != 0)
        goto out;
    if (!r.ok) {
        mp_error_set(err, 0, "", "%s: the audit chain is broken at entry %lld: %s", file,
                     (long long)r.bad_seq, r.reason);
        goto out;
    }
    out->audit_entries = r.entries;
    sodium_bin2hex(out->audit_head, sizeof(out->audit_head), r.head_hash, CHAIN_HASH_LEN);
    rc = 0;
out:
    db_release(db);
    sqlite3_close_v2(db);
    return rc;
}

static void
fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int
datadir_restore(const char *dir, const char *file, char *kept, size_t kept_size,
                struct mp_error *err)
{
    char db[PATH_MAX], tmp[PATH_MAX + 16], side[PATH_MAX + 16];

    kept[0] = '\0';
    if (lock_fd < 0)
        return mp_error_set(err, 0, "", "restore needs the data directory's lock");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return mp_error_set(err, 0, "", "cannot create %s: %s", dir, strerror(errno));
    if (path_in(db, sizeof(db), dir, "meldpunt.db", err) != 0)
        return -1;
    snprintf(tmp, sizeof(tmp), "%s.restoring", db);
    unlink(tmp);
    if (db_copy_file(file, tmp, err) != 0)
        return -1;
    /* what is there now is kept, never overwritten */
    if (access(db, F_OK) == 0) {
        if (db_backups_path(db, "before-restore", kept, kept_size, err) != 0 ||
            db_copy_file(db, kept, err) != 0) {
            unlink(tmp);
            kept[0] = '\0';
            return -1;
        }
    }
    /* the old WAL belongs to the old file: it must not be replayed into
     * the restored one */
    snprintf(side, sizeof(side), "%s-wal", db);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", db);
    unlink(side);
    if (rename(tmp, db) != 0) {
        int e = errno;
        unlink(tmp);
        return mp_error_set(err, 0, "", "cannot put %s in place: %s", db, strerror(e));
    }
    fsync_dir(dir);
    return 0;
}
