/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz/ share.
 *
 * Each tests/fuzz/NAME.c is one target (build/fuzz/NAME, built by clang
 * with ASan and UBSan over the server's own objects) and tests/fuzz/NAME/
 * its seed corpus: small real inputs taken from config/ and the tests.
 * tests/fuzz/run.sh runs them (make fuzz, make fuzz-long, and briefly in
 * make test).
 *
 * A target feeds its input to the server code that takes such input from
 * outside, as that code would get it, and checks what must hold whatever
 * the input (an answer, a round trip); a broken promise is an abort(), which
 * libFuzzer reports like a crash.  Code that reads files is given the input
 * in a file under a private temporary directory: on tmpfs (/dev/shm) when
 * there is one, so fsync costs nothing, else under $TMPDIR; removed at exit.
 */
#ifndef MP_FUZZ_H
#define MP_FUZZ_H

#include "lib/log.h"

#include <jansson.h>

#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The target's input, which libFuzzer does not end with a NUL. */
static inline char *
fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (s == NULL)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* The input as JSON, parsed as the API parses a body (api_parse_json):
 * NULL when it is not JSON the server would take. */
static inline json_t *
fuzz_json(const uint8_t *data, size_t size)
{
    return json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
}

static char fuzz_base[PATH_MAX];

/* Removes path and, when it is a directory, everything below it. */
static inline void
fuzz_rmrf(const char *path)
{
    struct dirent *e;
    struct stat sb;
    DIR *d;

    if (lstat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode) && (d = opendir(path)) != NULL) {
        while ((e = readdir(d)) != NULL) {
            char child[PATH_MAX];

            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            if ((size_t)snprintf(child, sizeof(child), "%s/%s", path, e->d_name) < sizeof(child))
                fuzz_rmrf(child);
        }
        closedir(d);
    }
    remove(path);
}

static inline void
fuzz_cleanup(void)
{
    if (fuzz_base[0] != '\0')
        fuzz_rmrf(fuzz_base);
    fuzz_base[0] = '\0';
}

/* The target's private directory, made on first use. */
static inline const char *
fuzz_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    struct stat sb;

    if (fuzz_base[0] != '\0')
        return fuzz_base;
    if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0)
        tmp = "/dev/shm";
    else if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    snprintf(fuzz_base, sizeof(fuzz_base), "%s/mp-fuzz-XXXXXX", tmp);
    if (mkdtemp(fuzz_base) == NULL) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(fuzz_cleanup);
    return fuzz_base;
}

/* dir/name, under fuzz_dir(). */
static inline void
fuzz_path(char out[PATH_MAX], const char *name)
{
    if ((size_t)snprintf(out, PATH_MAX, "%s/%s", fuzz_dir(), name) >= PATH_MAX)
        abort();
}

/* Writes data to path, replacing what was there. */
static inline void
fuzz_write_file(const char *path, const void *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size) || close(fd) != 0) {
        perror(path);
        abort();
    }
}

/* Server code logs what it refuses; a fuzzer would print that millions of
 * times. */
static inline void
fuzz_quiet(void)
{
    log_set_level(LOG_ERROR);
}

/* A broken promise: said once, then libFuzzer's crash report. */
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz: %s:%d: %s does not hold\n", __FILE__, __LINE__, #cond);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
