/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * jsonscan.c - see jsonscan.h.
 *
 * One pass, one frame per open array or object.  A frame counts its
 * elements: the first value (or key) after the bracket makes it one, each
 * comma one more.  Strings are skipped as a unit (a bracket or comma inside
 * one is text), and an object's key is kept for the error's field.  The pass
 * never refuses what is not well-formed: it stops, says OK, and jansson
 * reports the error with its line and column.
 */
#include "jsonscan.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys are kept for the first NAMED levels only: enough for a field path. */
#define NAMED   8
#define KEY_MAX 40

struct frame {
    unsigned count; /* elements so far */
    unsigned index; /* this container's index in its parent, when an array */
    bool object;
    bool expect_key; /* an object's next string is a key */
};

struct scan {
    struct frame *stack;
    unsigned depth; /* open containers */
    unsigned values;
    unsigned containers;
    char keys[NAMED][KEY_MAX];  /* keys[d]: the last key read at depth d+1 */
    char names[NAMED][KEY_MAX]; /* names[d]: the key of the container at depth d+1 */
};

/* Copies the string token at s (n bytes, quotes excluded) as a key: plain
 * printable ASCII only, else "?". */
static void
copy_key(char *dst, const char *s, size_t n)
{
    if (n >= KEY_MAX) {
        snprintf(dst, KEY_MAX, "?");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '\\' || s[i] == '"') {
            snprintf(dst, KEY_MAX, "?");
            return;
        }
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* The path of the container open at depth d (1: the text itself). */
static void
path_of(const struct scan *sc, unsigned d, char *field, size_t size)
{
    size_t used = 0;

    field[0] = '\0';
    for (unsigned i = 2; i <= d && used < size; i++) {
        const struct frame *parent = &sc->stack[i - 2];
        int n;

        if (parent->object)
            n = snprintf(field + used, size - used, "%s%s", used ? "." : "",
                         i - 1 <= NAMED ? sc->names[i - 2] : "?");
        else
            n = snprintf(field + used, size - used, "[%u]", sc->stack[i - 1].index);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* A value (or key) begins in the innermost container: counts it. */
static enum jsonscan_result
element(struct scan *sc)
{
    struct frame *f;

    if (sc->depth == 0)
        return JSONSCAN_OK;
    f = &sc->stack[sc->depth - 1];
    if (f->count == 0) {
        f->count = 1;
        if (++sc->values > JSONSCAN_VALUES_MAX)
            return JSONSCAN_MANY;
    }
    return JSONSCAN_OK;
}

static enum jsonscan_result
open_container(struct scan *sc, bool object)
{
    struct frame *f;
    enum jsonscan_result r = element(sc);

    if (r != JSONSCAN_OK)
        return r;
    if (sc->depth >= JSONSCAN_DEPTH_MAX)
        return JSONSCAN_DEEP;
    f = &sc->stack[sc->depth];
    f->count = 0;
    f->index = sc->depth > 0 ? sc->stack[sc->depth - 1].count - 1 : 0;
    f->object = object;
    f->expect_key = object;
    if (sc->depth > 0 && sc->depth <= NAMED)
        memcpy(sc->names[sc->depth - 1], sc->keys[sc->depth - 1], KEY_MAX);
    sc->depth++;
    sc->containers++;
    if (sc->depth == 1 && ++sc->values > JSONSCAN_VALUES_MAX)
        return JSONSCAN_MANY;
    return JSONSCAN_OK;
}

/* A comma: one more element in the innermost container. */
static enum jsonscan_result
comma(struct scan *sc)
{
    struct frame *f;

    if (sc->depth == 0)
        return JSONSCAN_OK;
    f = &sc->stack[sc->depth - 1];
    f->count++;
    if (f->object)
        f->expect_key = true;
    if (f->count > JSONSCAN_ELEMENTS_MAX)
        return JSONSCAN_LONG;
    if (++sc->values > JSONSCAN_VALUES_MAX)
        return JSONSCAN_MANY;
    return JSONSCAN_OK;
}

/* Skips the string that starts at text[*i] (a quote); false when it is
 * not closed. */
static bool
skip_string(struct scan *sc, const char *text, size_t len, size_t *i)
{
    size_t start = *i + 1, j = start;

    while (j < len && text[j] != '"')
        j += text[j] == '\\' ? 2 : 1;
    if (j >= len)
        return false;
    if (sc->depth > 0 && sc->stack[sc->depth - 1].expect_key) {
        sc->stack[sc->depth - 1].expect_key = false;
        if (sc->depth <= NAMED)
            copy_key(sc->keys[sc->depth - 1], text + start, j - start);
    }
    *i = j;
    return true;
}

static enum jsonscan_result
walk(struct scan *sc, const char *text, size_t len)
{
    enum jsonscan_result r = JSONSCAN_OK;

    for (size_t i = 0; i < len && r == JSONSCAN_OK; i++) {
        switch (text[i]) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
        case ':':
            break;
        case '[':
        case '{':
            r = open_container(sc, text[i] == '{');
            break;
        case ']':
        case '}':
            if (sc->depth == 0)
                return JSONSCAN_OK; /* not well-formed: jansson's to say */
            sc->depth--;
            break;
        case ',':
            r = comma(sc);
            break;
        case '"':
            r = element(sc);
            if (r == JSONSCAN_OK && !skip_string(sc, text, len, &i))
                return JSONSCAN_OK;
            break;
        default: /* a number or literal: only its first byte counts */
            r = element(sc);
            break;
        }
    }
    return r;
}

enum jsonscan_result
jsonscan_check(const char *text, size_t len, char *field, size_t size, size_t *cost)
{
    struct scan sc;
    enum jsonscan_result r;

    if (size > 0)
        field[0] = '\0';
    memset(&sc, 0, sizeof(sc));
    sc.stack = calloc(JSONSCAN_DEPTH_MAX, sizeof(*sc.stack));
    if (sc.stack == NULL)
        return JSONSCAN_NO_MEMORY;
    r = walk(&sc, text, len);
    if (r == JSONSCAN_LONG && size > 0)
        path_of(&sc, sc.depth, field, size);
    if (cost != NULL)
        *cost = len + (size_t)sc.containers * JSONSCAN_CONTAINER_BYTES +
                (size_t)(sc.values > sc.containers ? sc.values - sc.containers : 0) *
                    JSONSCAN_VALUE_BYTES;
    free(sc.stack);
    return r;
}
