/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * register_int.h - what the risk register's source files share (core/
 * register.c: the kinds, validation, reads and changes; register_report.c:
 * the matrix, what needs attention and the exports; register_links.c:
 * incidents and the register).  Not for other modules: register.h is the
 * register's interface.
 */
#ifndef MP_REGISTER_INT_H
#define MP_REGISTER_INT_H

#include "core/register.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

enum ftype { F_TEXT, F_ENUM, F_INT, F_BOOL, F_DATE, F_REF, F_REFS, F_THREAT, F_PEOPLE, F_RECOVERY };

struct field {
    const char *name;
    enum ftype type;
    bool required;
    int min, max;              /* F_INT range; F_TEXT max length */
    const char *const *values; /* F_ENUM */
    const char *ref;           /* F_REF, F_REFS: the kind named */
    const char *def;           /* JSON default when absent and not required */
};

/* A kind of item and its fields (the table in register.c). */
struct register_kind_def {
    const char *kind, *plural;
    const struct field *fields;
};

extern const struct register_kind_def register_kinds[];
extern const size_t register_kinds_count;

/* The kind named kind ("asset"), NULL when there is none. */
const struct register_kind_def *register_find_kind(const char *kind);
/* s is one of values (NULL-terminated). */
bool register_in_values(const char *const *values, const char *s);
/* Every item of the register on db, with the members derived at `now`
 * (overdue, lapsed training, scores). */
int register_load_all(sqlite3 *db, int64_t now, json_t **out, struct mp_error *err);
/* New arrays of the items of one kind (NULL: all), and the item with an id
 * (borrowed; NULL when none). */
json_t *register_of_kind(json_t *all, const char *kind);
json_t *register_by_id(json_t *all, const char *id);
/* {id, kind, name} of an item, for lists. */
json_t *register_brief(json_t *x);

#endif
