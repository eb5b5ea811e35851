/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * jsonscan.h - a cheap structural pass over a JSON text before it is built.
 *
 * jansson builds every value of a text as its own allocation: a 1 MiB body
 * of 500,000 numbers becomes 500,000 json_t and an array of 500,000
 * pointers, some 40 MiB.  No field of any resource holds more than a few
 * thousand elements, so api_parse_json first walks the raw bytes once,
 * building nothing, and refuses a text whose arrays or objects are longer
 * than JSONSCAN_ELEMENTS_MAX, with more than JSONSCAN_VALUES_MAX values in
 * all, or nested deeper than JSONSCAN_DEPTH_MAX (jansson's own limit).  What
 * is not well-formed is left to jansson, which says where.
 */
#ifndef MP_JSONSCAN_H
#define MP_JSONSCAN_H

#include <stddef.h>

/* The most elements (array items, object members) in one array or object:
 * the largest field is an alert batch, at most [alerts] batch_max (10,000). */
#define JSONSCAN_ELEMENTS_MAX 10000u
/* The most values in one text, containers included. */
#define JSONSCAN_VALUES_MAX 50000u
/* Nesting, as jansson's JSON_PARSER_MAX_DEPTH. */
#define JSONSCAN_DEPTH_MAX 2048u

enum jsonscan_result {
    JSONSCAN_OK,       /* within the limits, or not well-formed (jansson says where) */
    JSONSCAN_LONG,     /* an array or object with more than JSONSCAN_ELEMENTS_MAX */
    JSONSCAN_MANY,     /* more than JSONSCAN_VALUES_MAX values */
    JSONSCAN_DEEP,     /* nested deeper than JSONSCAN_DEPTH_MAX */
    JSONSCAN_NO_MEMORY /* the pass's own stack could not be allocated */
};

/* What jansson takes, as measured on glibc x86-64 and rounded up: an
 * array or object with its table, any other value, plus the text itself
 * (strings are copied). */
#define JSONSCAN_CONTAINER_BYTES 256u
#define JSONSCAN_VALUE_BYTES     64u

/* Walks text (len bytes).  For JSONSCAN_LONG, field receives the path of
 * the array or object at fault ("alerts", "alerts[3].labels"; "" for the
 * text itself), shortened to size bytes; keys that are not plain printable
 * ASCII are written as "?".  With JSONSCAN_OK, *cost (when not NULL) is the
 * memory jansson will take to build it, estimated from the counts above. */
enum jsonscan_result jsonscan_check(const char *text, size_t len, char *field, size_t size,
                                    size_t *cost);

#endif
