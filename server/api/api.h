/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * api.h - what a resource handler sees and answers.
 *
 * Handlers are thin: decode the request (JSON body, path parameters, query),
 * call one domain function, encode the answer.  They never see
 * libmicrohttpd (http/ adapts) and never run SQL (core/ and store/ do).
 *
 * A handler answers by filling struct api_response: a status and a JSON
 * body, or an error status with a detail and field errors, which http/
 * turns into an RFC 9457 problem.  Status conventions:
 *   400  the body is not JSON, or not the JSON object expected;
 *   422  valid JSON whose fields are wrong: wrong type, unknown field,
 *        value out of range (each named in `errors`);
 *   404  the object named in the path does not exist;
 *   409  the change conflicts with the current state.
 */
#ifndef MP_API_H
#define MP_API_H

#include "core/incident.h"
#include "core/token.h"
#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define API_MAX_PARAMS 4

struct api_request {
    const char *method;
    const char *path;
    const char *params[API_MAX_PARAMS];
    int nparams;
    const struct principal *principal;
    const char *body;
    size_t body_len;
    /* Header and query lookups (NULL when absent), through http/. */
    const char *(*header)(void *ctx, const char *name);
    const char *(*query)(void *ctx, const char *name);
    void *ctx;
    const char *client; /* the client's address (behind a trusted proxy: the
                         * address it forwarded for) */
    bool tls;           /* the connection is TLS */
    int64_t now;        /* the request's time, read once at its edge: pass
                         * it down, never read the clock (lib/clock.h) */
};

struct api_response {
    int status;
    json_t *body;   /* owned; a JSON answer */
    json_t *errors; /* owned; [{field, message}] for a problem */
    json_t *extra;  /* owned; more members for the problem object */
    char detail[320];
    char location[2048]; /* an OpenID provider's authorization address is long */
    char etag[80];
    char disposition[200];    /* Content-Disposition for downloads */
    char cookie[200];         /* Set-Cookie (a session's, secret: never logged) */
    int64_t retry_after;      /* Retry-After seconds with a 429 or 503; 0 none */
    bool heavy;               /* holds a decode slot (lib/admit.h) until freed */
    const char *content_type; /* non-JSON answers: raw bytes below */
    char *raw;                /* owned (malloc) */
    size_t raw_len;
};

typedef void (*api_handler)(const struct api_request *rq, struct api_response *rs);

void api_response_free(struct api_response *rs);

/* Answers status with body (stolen; NULL for no body). */
void api_ok(struct api_response *rs, int status, json_t *body);
/* Answers with an error from a domain function. */
void api_error(struct api_response *rs, const struct mp_error *err);
/* Answers status, adding a field error when field is not NULL. */
void api_fail(struct api_response *rs, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds one more field error to a failing response (keeps its status). */
void api_field_error(struct api_response *rs, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses the body as JSON of any shape; NULL with rs answered otherwise:
 * 400 when it is empty or not JSON (line and column, in our words), 422
 * for JSON refused (a duplicate key, named; \u0000; a number out of range).
 * Every handler that reads a body reads it through this. */
json_t *api_parse_json(const struct api_request *rq, struct api_response *rs);
/* As api_parse_json, and the body must be an object: 422 otherwise. */
json_t *api_parse_object(const struct api_request *rq, struct api_response *rs);
/* Every key of obj must be in allowed (NULL-terminated); each unknown key
 * becomes a field error (422).  Returns false when any was found. */
bool api_only_fields(json_t *obj, const char *const allowed[], struct api_response *rs);
/* Reads a string member.  Missing: *out = NULL, and a field error when
 * required.  Wrong type or longer than max characters: field error.
 * Returns false when it added an error. */
bool api_get_string(json_t *obj, const char *key, bool required, size_t max, const char **out,
                    struct api_response *rs);
/* Answers the errors a domain function collected: the one failure that is
 * not a validation error (404, 409, 412, 5xx) alone, or else every field
 * error in one 422. */
void api_field_errors(struct api_response *rs, const struct field_errors *errs);
/* If-Match as a version ETag ("3"), * for any; absent: *out = -1 (no
 * precondition).  Anything else answers 412 (it cannot match) and returns
 * false.  what names the object in the message ("incident"). */
bool api_if_match(const struct api_request *rq, const char *what, int64_t *out,
                  struct api_response *rs);
#define API_IDEMPOTENCY_KEY_MAX 255
/* The Idempotency-Key header (idem->key NULL when absent) and the hash of
 * the request it stands for.  A malformed key answers 400 and returns
 * false. */
bool api_idempotency(const struct api_request *rq, struct idempotency *idem,
                     struct api_response *rs);
/* Reads a query parameter that must be one of names[0..n): its index in
 * *out, -1 when absent or empty; otherwise answers 400 and returns false. */
bool api_query_enum(const struct api_request *rq, const char *name, const char *const names[],
                    int n, int *out, struct api_response *rs);
/* Reads an integer query parameter within [min, max], def when absent. */
bool api_query_int(const struct api_request *rq, const char *name, int64_t min, int64_t max,
                   int64_t def, int64_t *out, struct api_response *rs);

/* List cursors: a position in insertion order (seq), opaque to clients. */
void api_cursor_encode(int64_t seq, char out[32]);
bool api_cursor_decode(const char *s, int64_t *seq);

/* Handlers, one file per resource. */
void api_health(const struct api_request *rq, struct api_response *rs);
void api_ready(const struct api_request *rq, struct api_response *rs);
void api_me(const struct api_request *rq, struct api_response *rs);
void api_openapi(const struct api_request *rq, struct api_response *rs);
void api_schema(const struct api_request *rq, struct api_response *rs);
void api_signing_key(const struct api_request *rq, struct api_response *rs);
void api_notifications_create(const struct api_request *rq, struct api_response *rs);
void api_notifications_list(const struct api_request *rq, struct api_response *rs);
void api_notifications_get(const struct api_request *rq, struct api_response *rs);
void api_notifications_patch(const struct api_request *rq, struct api_response *rs);
void api_notifications_approve(const struct api_request *rq, struct api_response *rs);
void api_notifications_submit(const struct api_request *rq, struct api_response *rs);
void api_notifications_correct(const struct api_request *rq, struct api_response *rs);
void api_notifications_document(const struct api_request *rq, struct api_response *rs);
void api_notifications_signature(const struct api_request *rq, struct api_response *rs);
void api_notifications_html(const struct api_request *rq, struct api_response *rs);
void api_notifications_bundle(const struct api_request *rq, struct api_response *rs);
void api_notifications_export(const struct api_request *rq, struct api_response *rs);
void api_formats_list(const struct api_request *rq, struct api_response *rs);
/* issue 22: indicators of compromise and the threat-intelligence exports (iocs.c) */
void api_iocs_list(const struct api_request *rq, struct api_response *rs);
void api_iocs_add(const struct api_request *rq, struct api_response *rs);
void api_iocs_delete(const struct api_request *rq, struct api_response *rs);
void api_incidents_export(const struct api_request *rq, struct api_response *rs);
void api_incidents_misp_push(const struct api_request *rq, struct api_response *rs);
/* issue 22, exercises (api/exercises.c) */
void api_exercise_scenarios(const struct api_request *rq, struct api_response *rs);
void api_exercises_list(const struct api_request *rq, struct api_response *rs);
void api_exercises_start(const struct api_request *rq, struct api_response *rs);
void api_exercises_get(const struct api_request *rq, struct api_response *rs);
void api_exercises_clock(const struct api_request *rq, struct api_response *rs);
void api_exercises_report(const struct api_request *rq, struct api_response *rs);
void api_bench_echo(const struct api_request *rq, struct api_response *rs);
#ifdef MP_TEST_BUILD
void api_test_clock_get(const struct api_request *rq, struct api_response *rs);
void api_test_clock_set(const struct api_request *rq, struct api_response *rs);
#endif
void api_tokens_list(const struct api_request *rq, struct api_response *rs);
void api_tokens_create(const struct api_request *rq, struct api_response *rs);
void api_tokens_revoke(const struct api_request *rq, struct api_response *rs);
void api_users_list(const struct api_request *rq, struct api_response *rs);
void api_users_create(const struct api_request *rq, struct api_response *rs);
void api_users_get(const struct api_request *rq, struct api_response *rs);
void api_users_patch(const struct api_request *rq, struct api_response *rs);
void api_users_password(const struct api_request *rq, struct api_response *rs);
void api_session_create(const struct api_request *rq, struct api_response *rs);
void api_session_get(const struct api_request *rq, struct api_response *rs);
void api_session_patch(const struct api_request *rq, struct api_response *rs);
void api_session_delete(const struct api_request *rq, struct api_response *rs);
void api_session_password(const struct api_request *rq, struct api_response *rs);
/* Sets rs->cookie to remove the session cookie (its session has ended). */
void api_session_clear_cookie(const struct api_request *rq, struct api_response *rs);
/* api/sessions.c */
void api_sessions_list(const struct api_request *rq, struct api_response *rs);
void api_sessions_end_all(const struct api_request *rq, struct api_response *rs);
void api_sessions_end(const struct api_request *rq, struct api_response *rs);
void api_user_sessions_list(const struct api_request *rq, struct api_response *rs);
void api_user_sessions_end(const struct api_request *rq, struct api_response *rs);
/* api/mfa.c: the second factor; the session's "second_factor" member */
json_t *api_second_factor_json(bool pending, bool enrol);
/* A new session's answer: its cookie and 201 (users.c). */
struct sign_in;
void api_session_answer(const struct api_request *rq, struct api_response *rs, struct sign_in *si);
/* passkeys (core/webauthn.h) */
void api_session_mfa_options(const struct api_request *rq, struct api_response *rs);
void api_session_passkey_options(const struct api_request *rq, struct api_response *rs);
void api_session_passkey(const struct api_request *rq, struct api_response *rs);
void api_passkey_options(const struct api_request *rq, struct api_response *rs);
void api_passkey_register(const struct api_request *rq, struct api_response *rs);
void api_passkey_list(const struct api_request *rq, struct api_response *rs);
void api_passkey_patch(const struct api_request *rq, struct api_response *rs);
void api_passkey_delete(const struct api_request *rq, struct api_response *rs);
void api_session_mfa(const struct api_request *rq, struct api_response *rs);
void api_mfa_get(const struct api_request *rq, struct api_response *rs);
void api_mfa_enrol_start(const struct api_request *rq, struct api_response *rs);
void api_mfa_enrol_confirm(const struct api_request *rq, struct api_response *rs);
void api_mfa_disable(const struct api_request *rq, struct api_response *rs);
void api_mfa_recovery_renew(const struct api_request *rq, struct api_response *rs);
void api_break_glass_list(const struct api_request *rq, struct api_response *rs);
void api_break_glass_ack(const struct api_request *rq, struct api_response *rs);
/* api/reminders.c */
/* OpenID Connect sign-in (api/oidc.c) */
void api_oidc_info(const struct api_request *rq, struct api_response *rs);
void api_oidc_start(const struct api_request *rq, struct api_response *rs);
void api_oidc_callback(const struct api_request *rq, struct api_response *rs);
void api_reminders_policy_get(const struct api_request *rq, struct api_response *rs);
void api_reminders_policy_put(const struct api_request *rq, struct api_response *rs);
void api_reminders_status(const struct api_request *rq, struct api_response *rs);
void api_incidents_reminders(const struct api_request *rq, struct api_response *rs);
void api_incidents_reminder_ack(const struct api_request *rq, struct api_response *rs);
void api_reminders_ack(const struct api_request *rq, struct api_response *rs);
void api_reminders_test(const struct api_request *rq, struct api_response *rs);

/* api/statistics.c */
void api_statistics(const struct api_request *rq, struct api_response *rs);

/* api/calendar.c */
void api_calendar_get(const struct api_request *rq, struct api_response *rs);
void api_calendar_create(const struct api_request *rq, struct api_response *rs);
void api_calendar_delete(const struct api_request *rq, struct api_response *rs);
void api_calendar_feed(const struct api_request *rq, struct api_response *rs);
void api_audit_list(const struct api_request *rq, struct api_response *rs);
void api_audit_verify(const struct api_request *rq, struct api_response *rs);
void api_audit_checkpoints_list(const struct api_request *rq, struct api_response *rs);
void api_audit_checkpoints_create(const struct api_request *rq, struct api_response *rs);
void api_incidents_create(const struct api_request *rq, struct api_response *rs);
void api_incidents_list(const struct api_request *rq, struct api_response *rs);
void api_dashboard(const struct api_request *rq, struct api_response *rs);
void api_incidents_get(const struct api_request *rq, struct api_response *rs);
void api_incidents_patch(const struct api_request *rq, struct api_response *rs);
void api_incidents_transition(const struct api_request *rq, struct api_response *rs);
void api_incidents_note(const struct api_request *rq, struct api_response *rs);
void api_incidents_timeline(const struct api_request *rq, struct api_response *rs);
void api_incidents_classification(const struct api_request *rq, struct api_response *rs);
void api_organisation_get(const struct api_request *rq, struct api_response *rs);
void api_organisation_put(const struct api_request *rq, struct api_response *rs);
void api_rules_list(const struct api_request *rq, struct api_response *rs);
void api_incidents_classification_history(const struct api_request *rq, struct api_response *rs);
void api_incidents_obligations(const struct api_request *rq, struct api_response *rs);
void api_obligations_waive(const struct api_request *rq, struct api_response *rs);
void api_incidents_decisions(const struct api_request *rq, struct api_response *rs);
void api_deadlines(const struct api_request *rq, struct api_response *rs);
void api_services_list(const struct api_request *rq, struct api_response *rs);
void api_services_get(const struct api_request *rq, struct api_response *rs);
void api_services_put(const struct api_request *rq, struct api_response *rs);
void api_services_delete(const struct api_request *rq, struct api_response *rs);
void api_alerts_create(const struct api_request *rq, struct api_response *rs);
void api_alerts_alertmanager(const struct api_request *rq, struct api_response *rs);
void api_alerts_list(const struct api_request *rq, struct api_response *rs);
void api_alerts_get(const struct api_request *rq, struct api_response *rs);
void api_alerts_acknowledge(const struct api_request *rq, struct api_response *rs);
void api_alerts_dismiss(const struct api_request *rq, struct api_response *rs);
void api_alerts_promote(const struct api_request *rq, struct api_response *rs);
void api_alerts_attach(const struct api_request *rq, struct api_response *rs);
void api_detection_rules(const struct api_request *rq, struct api_response *rs);
void api_suppressions_list(const struct api_request *rq, struct api_response *rs);
void api_suppressions_create(const struct api_request *rq, struct api_response *rs);
void api_suppressions_get(const struct api_request *rq, struct api_response *rs);
void api_suppressions_delete(const struct api_request *rq, struct api_response *rs);
void api_assessment_questions(const struct api_request *rq, struct api_response *rs);
void api_assessment_create(const struct api_request *rq, struct api_response *rs);
void api_assessment_list(const struct api_request *rq, struct api_response *rs);
void api_assessment_get(const struct api_request *rq, struct api_response *rs);
void api_assessment_export(const struct api_request *rq, struct api_response *rs);
void api_assessment_apply(const struct api_request *rq, struct api_response *rs);
void api_register_list(const struct api_request *rq, struct api_response *rs);
void api_register_create(const struct api_request *rq, struct api_response *rs);
void api_register_get(const struct api_request *rq, struct api_response *rs);
void api_register_put(const struct api_request *rq, struct api_response *rs);
void api_register_delete(const struct api_request *rq, struct api_response *rs);
void api_register_export(const struct api_request *rq, struct api_response *rs);
void api_risk_matrix(const struct api_request *rq, struct api_response *rs);
void api_preparedness_attention(const struct api_request *rq, struct api_response *rs);
void api_incident_links_create(const struct api_request *rq, struct api_response *rs);
void api_incident_links_delete(const struct api_request *rq, struct api_response *rs);
void api_incident_preparedness(const struct api_request *rq, struct api_response *rs);

#endif
