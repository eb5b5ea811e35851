/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * yaml2json.c - build-time generator: a YAML document -> compact JSON.
 *
 * Usage: yaml2json FILE.yaml > FILE.json
 * schema/openapi.yaml is written in YAML for people and served as JSON
 * (GET /api/v1/openapi.json), so the build converts it once with libyaml
 * (events) and jansson (the tree).  Only what an OpenAPI description uses is
 * supported: mappings with scalar keys, sequences, and scalars resolved as
 * in YAML's core schema (null, true/false, integers, floats; quoted scalars
 * are always strings).  Anchors, aliases and tags are refused, so what is
 * served is exactly what the file says.  Duplicate keys are an error.
 */
#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static const char *path;

static void
die(const yaml_event_t *ev, const char *why)
{
    fprintf(stderr, "yaml2json: %s:%zu: %s\n", path, ev ? ev->start_mark.line + 1 : 0, why);
    exit(1);
}

static bool
matches(const char *pattern, const char *s)
{
    regex_t re;
    bool ok;

    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

/* YAML 1.2 core schema for a plain scalar. */
static json_t *
scalar(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;

    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return json_string(v);
    if (v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
        strcmp(v, "NULL") == 0)
        return json_null();
    if (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 || strcmp(v, "TRUE") == 0)
        return json_true();
    if (strcmp(v, "false") == 0 || strcmp(v, "False") == 0 || strcmp(v, "FALSE") == 0)
        return json_false();
    if (matches("^[-+]?[0-9]+$", v))
        return json_integer(strtoll(v, NULL, 10));
    if (matches("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$", v))
        return json_real(strtod(v, NULL));
    return json_string(v);
}

static json_t *node(yaml_parser_t *p, yaml_event_t *ev);

static void
next(yaml_parser_t *p, yaml_event_t *ev)
{
    if (!yaml_parser_parse(p, ev)) {
        fprintf(stderr, "yaml2json: %s:%zu: %s\n", path, p->problem_mark.line + 1,
                p->problem ? p->problem : "parse error");
        exit(1);
    }
}

/* Builds the node that starts with ev (consumed). */
static json_t *
node(yaml_parser_t *p, yaml_event_t *ev)
{
    yaml_event_t e;
    json_t *out;

    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (ev->data.scalar.anchor || (ev->data.scalar.tag && ev->data.scalar.plain_implicit == 0 &&
                                       ev->data.scalar.quoted_implicit == 0))
            die(ev, "anchors and tags are not supported");
        out = scalar(ev);
        yaml_event_delete(ev);
        return out;
    case YAML_SEQUENCE_START_EVENT:
        if (ev->data.sequence_start.anchor)
            die(ev, "anchors are not supported");
        yaml_event_delete(ev);
        out = json_array();
        for (;;) {
            next(p, &e);
            if (e.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&e);
                return out;
            }
            json_array_append_new(out, node(p, &e));
        }
    case YAML_MAPPING_START_EVENT:
        if (ev->data.mapping_start.anchor)
            die(ev, "anchors are not supported");
        yaml_event_delete(ev);
        out = json_object();
        for (;;) {
            char *key;
            next(p, &e);
            if (e.type == YAML_MAPPING_END_EVENT) {
                yaml_event_delete(&e);
                return out;
            }
            if (e.type != YAML_SCALAR_EVENT)
                die(&e, "mapping keys must be scalars");
            key = strdup((const char *)e.data.scalar.value);
            if (json_object_get(out, key) != NULL)
                die(&e, "duplicate key");
            yaml_event_delete(&e);
            next(p, &e);
            json_object_set_new(out, key, node(p, &e));
            free(key);
        }
    case YAML_ALIAS_EVENT:
        die(ev, "aliases are not supported");
        return NULL;
    default:
        die(ev, "unexpected event");
        return NULL;
    }
}

int
main(int argc, char **argv)
{
    yaml_parser_t p;
    yaml_event_t ev;
    json_t *doc = NULL;
    FILE *f;

    if (argc != 2) {
        fprintf(stderr, "usage: yaml2json FILE.yaml > FILE.json\n");
        return 2;
    }
    path = argv[1];
    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "yaml2json: %s: %s\n", path, strerror(errno));
        return 1;
    }
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, f);
    for (;;) {
        next(&p, &ev);
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT ||
            ev.type == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (doc != NULL)
            die(&ev, "one document only");
        doc = node(&p, &ev);
    }
    yaml_parser_delete(&p);
    fclose(f);
    if (doc == NULL) {
        fprintf(stderr, "yaml2json: %s: empty\n", path);
        return 1;
    }
    if (json_dumpf(doc, stdout, JSON_COMPACT | JSON_SORT_KEYS) != 0)
        return 1;
    putchar('\n');
    json_decref(doc);
    return 0;
}
