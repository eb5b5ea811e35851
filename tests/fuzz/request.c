/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * request.c - fuzz target: every API request that reads a body or path
 * parameters, decoded by its own handler (server/api/, server/core/) on a
 * real data directory: incidents (create, patch, transition, note),
 * alerts (generic, batches, Alertmanager), suppressions, notification
 * drafts, the organisation profile, services, the risk register and its
 * incident links, the applicability assessment, tokens and users.
 *
 * The input is a small HTTP request without the transport:
 *
 *     PATCH /api/v1/incidents/{incident}?q=1
 *     If-Match: "1"
 *
 *     {"severity": "high"}
 *
 * the request line, header lines ("Name: value") and, after an empty line,
 * the body (without the empty line, whatever follows the headers).  The
 * route table (http/routes.c) picks the handler, as the server does; the
 * principal is an admin who may see every TLP level (http/server.c checks
 * roles and the TLP gate before a handler runs, and is not fuzzed here).
 * {incident}, {notification}, {alert}, {suppression}, {asset} and
 * {assessment} in the path stand for objects made when the target starts,
 * so that a patch finds something to patch.
 *
 * Changes are written, through the writer thread, to a database on tmpfs;
 * every RESET_EVERY inputs the database goes back to the copy taken after
 * those objects were made, so it stays small and the state an input meets
 * stays close to the same.  (A crash that needs the state earlier inputs
 * left is reproduced by replaying the corpus that led there.)
 *
 * Left out: the routes that compute an Argon2id hash (64 MiB, tens of
 * milliseconds each): signing in, creating a user, changing a password.
 * Their decoding is the one every other handler uses (api/api.c).
 *
 * MP_FUZZ_VERBOSE=1 prints each input's status and detail (to check that
 * the seeds get past decoding: build/fuzz/request -runs=0 tests/fuzz/request).
 *
 * What holds whatever the input: the handler answers a status from 200 to
 * 599; a problem names at least one field or has a detail; a 2xx answer
 * with a JSON body is an object or an array; and an answer of 400 or more
 * changed nothing: the audit chain's head, which every change moves, is
 * where it was.
 */
#include "api/api.h"
#include "cli.h"
#include "core/alert.h"
#include "core/assessment.h"
#include "core/classify.h"
#include "core/detect.h"
#include "core/organisation.h"
#include "core/readiness.h"
#include "core/rules.h"
#include "core/token.h"
#include "core/user.h"
#include "datadir.h"
#include "fuzz.h"
#include "http/router.h"
#include "lib/file.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/writer.h"

#include <sodium.h>
#include <strings.h>

#define NOW         1780315200 /* 2026-06-01T12:00:00Z */
#define RESET_EVERY 1000
#define MAX_HEADERS 8

struct fuzz_request {
    const char *names[MAX_HEADERS];
    const char *values[MAX_HEADERS];
    int nheaders;
    const char *query; /* after '?', or NULL */
};

static const char *
header(void *ctx, const char *name)
{
    const struct fuzz_request *f = ctx;

    for (int i = 0; i < f->nheaders; i++) {
        if (strcasecmp(f->names[i], name) == 0)
            return f->values[i];
    }
    return NULL;
}

/* One query parameter's value, undecoded, in a buffer per call site
 * (handlers hold a few at once). */
static const char *
query(void *ctx, const char *name)
{
    static char values[8][256];
    static int next;
    const struct fuzz_request *f = ctx;
    size_t nlen = strlen(name);
    const char *p = f->query;

    while (p != NULL && *p != '\0') {
        size_t len = strcspn(p, "&");
        if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            char *v = values[next++ % 8];
            snprintf(v, sizeof(values[0]), "%.*s", (int)(len - nlen - 1), p + nlen + 1);
            return v;
        }
        if (len == nlen && strncmp(p, name, nlen) == 0)
            return "";
        p += len;
        if (*p == '&')
            p++;
    }
    return NULL;
}

static bool starting = true; /* making the objects: every route */

/* Routes not fuzzed (see the top of the file). */
static bool
left_out(api_handler h)
{
    return !starting && (h == api_session_create || h == api_session_password ||
                         h == api_users_create || h == api_users_password);
}

/* The objects made at start, by placeholder. */
static struct {
    const char *name;
    char id[64];
} objects[] = {
    {"{incident}", ""},    {"{notification}", ""}, {"{alert}", ""},
    {"{suppression}", ""}, {"{asset}", ""},        {"{assessment}", ""},
};

/* text with the placeholders replaced, into out. */
static bool
expand(const char *path, const char *end, char *out, size_t size)
{
    size_t len = 0;

    while (path < end) {
        const char *with = NULL;
        size_t skip = 1;

        for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
            size_t n = strlen(objects[i].name);
            if ((size_t)(end - path) >= n && memcmp(path, objects[i].name, n) == 0) {
                with = objects[i].id;
                skip = n;
                break;
            }
        }
        if (with == NULL) {
            if (len + 1 >= size)
                return false;
            out[len++] = *path;
        } else {
            size_t n = strlen(with);
            if (len + n >= size)
                return false;
            memcpy(out + len, with, n);
            len += n;
        }
        path += skip;
    }
    out[len] = '\0';
    return true;
}

static void
check_answer(const struct api_response *rs)
{
    FUZZ_ASSERT(rs->status >= 200 && rs->status <= 599);
    if (rs->status >= 400)
        FUZZ_ASSERT(rs->detail[0] != '\0' || json_array_size(rs->errors) > 0);
    if (rs->status < 300 && rs->body != NULL)
        FUZZ_ASSERT(json_is_object(rs->body) || json_is_array(rs->body));
}

/* The sequence number of the audit chain's head. */
static int64_t
audit_head(void)
{
    struct mp_error err;
    uint8_t hash[CHAIN_HASH_LEN];
    sqlite3 *db = db_reader(&err);
    int64_t seq = -1;

    FUZZ_ASSERT(db != NULL && store_audit_head(db, &seq, hash, &err) >= 0);
    return seq;
}

static char last_detail[sizeof(((struct api_response *)0)->detail)];

/* Runs one request (text: request line, headers, body); the answer's
 * status, and its JSON in *out when out is not NULL. */
static int
run(char *text, size_t size, json_t **out)
{
    static const struct principal admin = {
        .authenticated = true, .role = ROLE_ADMIN, .name = "fuzz", .tlp_max = TLP_RED};
    struct fuzz_request f = {.nheaders = 0};
    struct api_request rq = {.principal = &admin,
                             .header = header,
                             .query = query,
                             .ctx = &f,
                             .client = "127.0.0.1",
                             .now = NOW};
    struct api_response rs = {.status = 0};
    struct route_match m;
    char *line = text, *end = text + size, *nl, *sp, *q;
    char path[ROUTER_PATH_MAX];
    const struct route *r;
    int64_t before;

    /* the request line */
    nl = memchr(line, '\n', (size_t)(end - line));
    if (nl == NULL)
        nl = end;
    *nl = '\0';
    sp = strchr(line, ' ');
    if (sp == NULL)
        return 0;
    *sp = '\0';
    rq.method = line;
    if ((q = strchr(sp + 1, '?')) != NULL) {
        *q = '\0';
        f.query = q + 1;
    }
    if (strlen(sp + 1) >= sizeof(path))
        return 0;
    snprintf(path, sizeof(path), "%s", sp + 1);
    line = nl < end ? nl + 1 : end;
    /* headers, then an empty line */
    while (line < end && f.nheaders < MAX_HEADERS) {
        char *colon;

        nl = memchr(line, '\n', (size_t)(end - line));
        if (nl == NULL)
            break;
        if (nl == line) {
            line++;
            break;
        }
        colon = memchr(line, ':', (size_t)(nl - line));
        if (colon == NULL || colon == line || memchr(line, ' ', (size_t)(colon - line)) != NULL)
            break;
        *colon = '\0';
        *nl = '\0';
        f.names[f.nheaders] = line;
        f.values[f.nheaders++] = colon[1] == ' ' ? colon + 2 : colon + 1;
        line = nl + 1;
    }
    rq.body = line;
    rq.body_len = (size_t)(end - line);

    if (router_match(http_routes, http_routes_count, rq.method, path, false, &m) != ROUTER_FOUND)
        return 0;
    r = &http_routes[m.index];
    if (r->kind != ROUTE_API || r->handler == NULL || left_out(r->handler))
        return 0;
    rq.path = path;
    rq.nparams = m.nparams;
    for (int i = 0; i < m.nparams; i++)
        rq.params[i] = m.params[i];
    before = audit_head();
    r->handler(&rq, &rs);
    check_answer(&rs);
    /* bad input changes nothing, and every change is audited: a refusal
     * leaves the audit chain where it was */
    if (rs.status >= 400 && audit_head() != before) {
        fprintf(stderr, "fuzz: %d (%s) moved the audit chain\n", rs.status, rs.detail);
        abort();
    }
    snprintf(last_detail, sizeof(last_detail), "%s", rs.detail);
    if (out != NULL)
        *out = rs.body ? json_incref(rs.body) : json_loadb(rs.raw, rs.raw_len, 0, NULL);
    api_response_free(&rs);
    return rs.status;
}

/* A request at start, which must succeed: a seed that stopped working
 * would leave the target fuzzing 404s.  Its answer's "id" into id (when
 * not NULL); the answer in *out (when not NULL). */
static void
make(const char *request, char *id, size_t id_size, json_t **out)
{
    char *text = malloc(8 * strlen(request) + 1);
    json_t *answer = NULL;
    int status;

    FUZZ_ASSERT(text != NULL &&
                expand(request, request + strlen(request), text, 8 * strlen(request) + 1));
    status = run(text, strlen(text), &answer);
    if (id != NULL) {
        const char *s = json_string_value(json_object_get(answer, "id"));
        snprintf(id, id_size, "%s", s ? s : "");
    }
    if (out != NULL)
        *out = json_incref(answer);
    json_decref(answer);
    if (status < 200 || status > 299) {
        fprintf(stderr, "fuzz: request at start answered %d (%s): %s\n", status, last_detail,
                request);
        abort();
    }
    free(text);
}

static char dir[PATH_MAX], db_file[PATH_MAX], pristine[PATH_MAX];

static void
copy_file(const char *from, const char *to)
{
    size_t len;
    struct mp_error err;
    char *data = file_read(from, (size_t)1 << 30, &len, &err);

    FUZZ_ASSERT(data != NULL);
    fuzz_write_file(to, data, len);
    free(data);
}

static void
data_open(void)
{
    struct mp_error err = {0};

    if (datadir_open(dir, &err) != 0 || store_writer_start(64, &err) != 0) {
        fprintf(stderr, "fuzz: %s\n", err.message);
        abort();
    }
}

static void
data_close(void)
{
    char p[PATH_MAX + 8];

    store_writer_stop();
    datadir_close();
    snprintf(p, sizeof(p), "%s-wal", db_file);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", db_file);
    unlink(p);
}

static void
stop(void)
{
    data_close();
    rules_install(NULL);
    detect_install(NULL);
    assessment_install(NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char token[TOKEN_TEXT_LEN + 1], incident[600], note[700], put[8192], *body;
    json_t *org;
    struct mp_error err = {0};
    struct config cfg;

    (void)argc;
    (void)argv;
    fuzz_quiet();
    if (sodium_init() < 0)
        abort();
    fuzz_path(dir, "data");
    fuzz_path(pristine, "pristine.db");
    snprintf(db_file, sizeof(db_file), "%s/meldpunt.db", dir);
    config_defaults(&cfg);
    if (datadir_init(dir, "fuzz", NOW, token, &err) != 0 || cli_load_rules("", &err) != 0 ||
        cli_load_detection("", &err) != 0 || cli_load_assessment("", &err) != 0) {
        fprintf(stderr, "fuzz: %s\n", err.message);
        abort();
    }
    alert_configure(cfg.alert_batch_max, cfg.alert_payload_limit);
    user_configure(&(struct auth_settings){
        .session_idle = cfg.session_idle,
        .session_max = cfg.session_max,
        .password_min = cfg.password_min_length,
        .lockout_after = cfg.lockout_after,
        .lockout_time = cfg.lockout_time,
    });
    /* what serve sets up at start (main.c: serve_start) */
    incident_on_change(&classify_incident_hooks);
    organisation_on_change(classify_refresh_open);
    data_open();
    if (readiness_init(dir, 0, &err) != 0) {
        fprintf(stderr, "fuzz: %s\n", err.message);
        abort();
    }

    /* the profile as GET gives it, with the facts the rules ask */
    make("GET /api/v1/organisation", NULL, 0, &org);
    json_object_del(org, "version");
    json_object_del(org, "updated_at");
    json_object_set_new(org, "name", json_string("Waterbedrijf"));
    json_object_set_new(org, "sector", json_string("drinking_water"));
    json_object_set_new(org, "nis2_class", json_string("essential"));
    json_object_set_new(org, "annual_turnover_eur", json_integer(20000000));
    body = json_dumps(org, 0);
    snprintf(put, sizeof(put), "PUT /api/v1/organisation\n\n%s", body);
    free(body);
    json_decref(org);
    make(put, NULL, 0, NULL);
    make("POST /api/v1/incidents\n\n{\"title\": \"Chlorine dosing sabotage\", \"description\": "
         "\"Dosing set to 10x by an unknown party\", \"aware_at\": \"2026-06-01T11:00:00Z\", "
         "\"impact\": {\"persons_health_damaged\": 3, \"suspected_malicious\": true, "
         "\"cross_border\": false}}",
         objects[0].id, sizeof(objects[0].id), NULL);
    snprintf(incident, sizeof(incident),
             "POST /api/v1/incidents/%s/notifications\n\n{\"regime\": \"nis2\", \"stage\": "
             "\"early_warning\"}",
             objects[0].id);
    make(incident, objects[1].id, sizeof(objects[1].id), NULL);
    make("POST /api/v1/alerts\n\n{\"source\": \"siem\", \"title\": \"Brute force on VPN\", "
         "\"severity\": \"high\", \"labels\": {\"host\": \"vpn1\"}}",
         objects[2].id, sizeof(objects[2].id), NULL);
    make("POST /api/v1/suppressions\n\n{\"match\": {\"source\": \"noisy\", \"labels\": "
         "{\"check\": {\"glob\": \"ping-*\"}}}, \"reason\": \"Known flapping ping checks\", "
         "\"expires_at\": \"2026-06-02T12:00:00Z\"}",
         objects[3].id, sizeof(objects[3].id), NULL);
    make("POST /api/v1/register/assets\n\n{\"name\": \"Payments\", \"type\": \"service\", "
         "\"importance\": 5, \"crown_jewel\": true, \"owner\": \"CFO\"}",
         objects[4].id, sizeof(objects[4].id), NULL);
    make("POST /api/v1/assessment\n\n{\"answers\": {\"eu_services\": true, \"sector\": "
         "\"digital_infrastructure\", \"subsector\": \"dns\", \"headcount\": 30}, "
         "\"language\": \"en\"}",
         objects[5].id, sizeof(objects[5].id), NULL);
    snprintf(note, sizeof(note),
             "POST /api/v1/incidents/%s/links\n\n{\"relation\": \"affects\", \"item\": \"%s\"}",
             objects[0].id, objects[4].id);
    make(note, NULL, 0, NULL);
    make("PUT /api/v1/services/drinking-water\n\n{\"description\": \"Drinking water supply\"}",
         NULL, 0, NULL);
    make("POST /api/v1/tokens\n\n{\"name\": \"siem\", \"role\": \"ingest\"}", NULL, 0, NULL);
    make("POST /api/v1/users\n\n{\"name\": \"jansen\", \"role\": \"analyst\"}", NULL, 0, NULL);
    for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
        FUZZ_ASSERT(objects[i].id[0] != '\0');
    starting = false;

    data_close();
    copy_file(db_file, pristine);
    data_open();
    atexit(stop);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned runs;
    static int verbose = -1;
    json_t *answer = NULL;
    char *text;
    int status;

    if (verbose < 0)
        verbose = getenv("MP_FUZZ_VERBOSE") != NULL;
    if (++runs % RESET_EVERY == 0) {
        data_close();
        copy_file(pristine, db_file);
        data_open();
    }
    /* the ids are longer than their placeholders, but not 8 times */
    text = malloc(8 * size + 1);
    FUZZ_ASSERT(text != NULL &&
                expand((const char *)data, (const char *)data + size, text, 8 * size + 1));
    status = run(text, strlen(text), verbose ? &answer : NULL);
    if (verbose) {
        char *a = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
        fprintf(stderr, "fuzz: %d %s %.*s\n  %.4000s\n", status, last_detail,
                (int)strcspn(text, "\n"), text, a ? a : "");
        free(a);
        json_decref(answer);
    }
    free(text);
    return 0;
}
