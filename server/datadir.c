/*
 * datadir.c - see datadir.h.
 */
#include "datadir.h"
#include "core/signing.h"
#include "lib/buf.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/minisign.h"
#include "store/db.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
path_in(char *out, size_t size, const char *dir, const char *name, struct mp_error *err)
{
    if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size)
        return mp_error_set(err, 0, "data", "path too long: %s/%s", dir, name);
    return 0;
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
    char p[PATH_MAX];
    uint8_t secret[TOKEN_SECRET_LEN];
    struct minisign_key key;
    struct buf b = BUF_INIT;
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
    if (path_in(p, sizeof(p), dir, "signing.key", err) != 0)
        return -1;
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
datadir_init(const char *dir, const char *actor, char admin_token[TOKEN_TEXT_LEN + 1],
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
    return token_create(actor, "admin", "admin", NULL, admin_token, NULL, err);
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

int
datadir_load_signing(const char *dir, struct mp_error *err)
{
    char p[PATH_MAX], *text;
    struct minisign_key key;
    const char *why = "";
    json_t *previous = json_array();
    struct dirent *de;
    size_t len;
    DIR *d;

    if (path_in(p, sizeof(p), dir, "signing.key", err) != 0)
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
    sodium_memzero(&key, sizeof(key));
    free(text);
    /* keys rotated out: their public halves still check old documents */
    if (path_in(p, sizeof(p), dir, "public-keys", err) == 0 && (d = opendir(p)) != NULL) {
        while ((de = readdir(d)) != NULL) {
            char q[PATH_MAX + 300];
            struct minisign_key old;
            char id[17], *pub;
            size_t n;

            if (strlen(de->d_name) < 5 || strcmp(de->d_name + strlen(de->d_name) - 4, ".pub"))
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
    size_t len;
    int rc = -1;

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
