/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * jsonscan.c - fuzz target: the shape pass before jansson (lib/jsonscan.c).
 *
 * The input is scanned, then parsed as the API parses a body.  When jansson
 * takes it, the pass must have counted exactly what jansson built: its cost
 * is the text plus 256 bytes for each array or object and 64 for each other
 * value (nothing for a scalar standing alone), so a string holding brackets
 * or commas, or an escaped quote, cannot hide elements from it.  A text it
 * refused as too long must hold an array or object over the limit, and one
 * refused as too many must hold more values than the limit.
 */
#include "fuzz.h"
#include "lib/jsonscan.h"

struct counts {
    size_t values, containers, longest;
};

static void
count(json_t *v, struct counts *c)
{
    const char *key;
    json_t *item;
    size_t i;

    c->values++;
    if (json_is_array(v)) {
        c->containers++;
        if (json_array_size(v) > c->longest)
            c->longest = json_array_size(v);
        json_array_foreach(v, i, item) count(item, c);
    } else if (json_is_object(v)) {
        c->containers++;
        if (json_object_size(v) > c->longest)
            c->longest = json_object_size(v);
        json_object_foreach(v, key, item) count(item, c);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char field[96];
    size_t cost = 0;
    struct counts c = {0, 0, 0};
    enum jsonscan_result r = jsonscan_check((const char *)data, size, field, sizeof(field), &cost);
    json_t *v =
        json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);

    if (strlen(field) >= sizeof(field))
        abort();
    if (v == NULL)
        return 0;
    count(v, &c);
    if (c.containers == 0)
        c.values = 0; /* a scalar alone is not counted */
    switch (r) {
    case JSONSCAN_OK:
        if (c.longest > JSONSCAN_ELEMENTS_MAX || c.values > JSONSCAN_VALUES_MAX)
            abort();
        if (cost != size + c.containers * JSONSCAN_CONTAINER_BYTES +
                        (c.values - c.containers) * JSONSCAN_VALUE_BYTES)
            abort();
        break;
    case JSONSCAN_LONG:
        if (c.longest <= JSONSCAN_ELEMENTS_MAX)
            abort();
        break;
    case JSONSCAN_MANY:
        if (c.values <= JSONSCAN_VALUES_MAX)
            abort();
        break;
    case JSONSCAN_DEEP: /* jansson refuses deeper than the pass allows */
    case JSONSCAN_NO_MEMORY:
        abort();
    }
    json_decref(v);
    return 0;
}
