/*
 * routes.c - every route, its handler and the roles allowed on it.
 *
 * This table is the one place that says who may do what.  A route with
 * roles 0 is public (no authentication); every /api/v1/ route names its
 * roles, and the end-to-end tests walk this table.  Keep docs/API.md in
 * step with it.  `writes` marks routes that change data: they run on the
 * worker pool, so the event threads never wait for a disk commit.
 */
#include "router.h"

#define ALL_ROLES (ROLES_READ | ROLE_BIT(ROLE_INGEST))
/* analysts and up work incidents; ingest tools may only create them */
#define INCIDENT_WORK   (ROLE_BIT(ROLE_ANALYST) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_ADMIN))
#define INCIDENT_CREATE (INCIDENT_WORK | ROLE_BIT(ROLE_INGEST))
/* managers decide about reporting: waive a report, "not notifiable" */
#define INCIDENT_DECIDE (ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_ADMIN))
/* analysts and up prepare: assessments, the risk register, measures */
#define PREP_WORK INCIDENT_WORK
#define R         false /* reads only */
#define W         true  /* writes */

const struct route http_routes[] = {
    {"GET", "/healthz", ROUTE_API, api_health, 0, R, false},
    {"GET", "/readyz", ROUTE_API, api_ready, 0, R, false},
    {"GET", "/metrics", ROUTE_METRICS, NULL, ROLES_READ, R, false},
    {"POST", "/bench/echo", ROUTE_API, api_bench_echo, 0, R, true},
#ifdef MP_TEST_BUILD
    /* the end-to-end tests move time instead of sleeping (core/testclock.h) */
    {"GET", "/api/v1/test/clock", ROUTE_API, api_test_clock_get, ROLES_ADMIN, R, false},
    {"POST", "/api/v1/test/clock", ROUTE_API, api_test_clock_set, ROLES_ADMIN, W, false},
#endif

    {"GET", "/api/v1/me", ROUTE_API, api_me, ALL_ROLES, R, false},
    /* schema/openapi.yaml: every route in this table is described there */
    {"GET", "/api/v1/openapi.json", ROUTE_API, api_openapi, ALL_ROLES, R, false},
    /* the vocabularies the front end reads instead of keeping copies */
    {"GET", "/api/v1/schema", ROUTE_API, api_schema, ALL_ROLES, R, false},
    {"GET", "/api/v1/signing-key", ROUTE_API, api_signing_key, ALL_ROLES, R, false},

    /* Signing in is the one /api/ route open to all; the others here work
     * on the caller's own session (404 for an API token).  While a user's
     * password change is due, only /api/v1/session routes answer. */
    {"POST", "/api/v1/session", ROUTE_API, api_session_create, 0, W, false},
    {"GET", "/api/v1/session", ROUTE_API, api_session_get, ALL_ROLES, R, false},
    {"PATCH", "/api/v1/session", ROUTE_API, api_session_patch, ALL_ROLES, W, false},
    {"DELETE", "/api/v1/session", ROUTE_API, api_session_delete, ALL_ROLES, W, false},
    {"POST", "/api/v1/session/password", ROUTE_API, api_session_password, ALL_ROLES, W, false},

    {"GET", "/api/v1/users", ROUTE_API, api_users_list, ROLES_ADMIN, R, false},
    {"POST", "/api/v1/users", ROUTE_API, api_users_create, ROLES_ADMIN, W, false},
    {"GET", "/api/v1/users/{name}", ROUTE_API, api_users_get, ROLES_ADMIN, R, false},
    {"PATCH", "/api/v1/users/{name}", ROUTE_API, api_users_patch, ROLES_ADMIN, W, false},
    {"POST", "/api/v1/users/{name}/password", ROUTE_API, api_users_password, ROLES_ADMIN, W, false},

    {"GET", "/api/v1/tokens", ROUTE_API, api_tokens_list, ROLES_ADMIN, R, false},
    {"POST", "/api/v1/tokens", ROUTE_API, api_tokens_create, ROLES_ADMIN, W, false},
    {"DELETE", "/api/v1/tokens/{name}", ROUTE_API, api_tokens_revoke, ROLES_ADMIN, W, false},

    {"POST", "/api/v1/incidents", ROUTE_API, api_incidents_create, INCIDENT_CREATE, W, false},
    {"GET", "/api/v1/incidents", ROUTE_API, api_incidents_list, ROLES_READ, R, false},
    {"GET", "/api/v1/incidents/{id}", ROUTE_API, api_incidents_get, ROLES_READ, R, false},
    {"PATCH", "/api/v1/incidents/{id}", ROUTE_API, api_incidents_patch, INCIDENT_WORK, W, false},
    {"POST", "/api/v1/incidents/{id}/transitions", ROUTE_API, api_incidents_transition,
     INCIDENT_WORK, W, false},
    {"POST", "/api/v1/incidents/{id}/notes", ROUTE_API, api_incidents_note, INCIDENT_WORK, W,
     false},
    {"GET", "/api/v1/incidents/{id}/timeline", ROUTE_API, api_incidents_timeline, ROLES_READ, R,
     false},

    {"GET", "/api/v1/incidents/{id}/classification", ROUTE_API, api_incidents_classification,
     ROLES_READ, R, false},

    {"GET", "/api/v1/incidents/{id}/classification/history", ROUTE_API,
     api_incidents_classification_history, ROLES_READ, R, false},
    {"GET", "/api/v1/incidents/{id}/obligations", ROUTE_API, api_incidents_obligations, ROLES_READ,
     R, false},
    {"POST", "/api/v1/incidents/{id}/obligations/{oid}/waive", ROUTE_API, api_obligations_waive,
     INCIDENT_DECIDE, W, false},
    {"POST", "/api/v1/incidents/{id}/decisions", ROUTE_API, api_incidents_decisions,
     INCIDENT_DECIDE, W, false},
    {"POST", "/api/v1/incidents/{id}/notifications", ROUTE_API, api_notifications_create,
     INCIDENT_WORK, W, false},
    {"GET", "/api/v1/incidents/{id}/notifications", ROUTE_API, api_notifications_list, ROLES_READ,
     R, false},
    {"GET", "/api/v1/notifications/{nid}", ROUTE_API, api_notifications_get, ROLES_READ, R, false},
    {"PATCH", "/api/v1/notifications/{nid}", ROUTE_API, api_notifications_patch, INCIDENT_WORK, W,
     false},
    {"POST", "/api/v1/notifications/{nid}/approve", ROUTE_API, api_notifications_approve,
     INCIDENT_DECIDE, W, false},
    {"POST", "/api/v1/notifications/{nid}/submit", ROUTE_API, api_notifications_submit,
     INCIDENT_DECIDE, W, false},
    {"POST", "/api/v1/notifications/{nid}/corrections", ROUTE_API, api_notifications_correct,
     INCIDENT_WORK, W, false},
    {"GET", "/api/v1/notifications/{nid}/document.json", ROUTE_API, api_notifications_document,
     ROLES_READ, R, false},
    {"GET", "/api/v1/notifications/{nid}/document.json.minisig", ROUTE_API,
     api_notifications_signature, ROLES_READ, R, false},
    {"GET", "/api/v1/notifications/{nid}/document.html", ROUTE_API, api_notifications_html,
     ROLES_READ, R, false},
    {"GET", "/api/v1/notifications/{nid}/bundle", ROUTE_API, api_notifications_bundle, ROLES_READ,
     R, false},
    {"GET", "/api/v1/deadlines", ROUTE_API, api_deadlines, ROLES_READ, R, false},

    /* alerts: SOC tools post (ingest may do nothing else); analysts work
     * the inbox and the suppressions */
    {"POST", "/api/v1/alerts", ROUTE_API, api_alerts_create, INCIDENT_CREATE, W, false},
    {"POST", "/api/v1/alerts/alertmanager", ROUTE_API, api_alerts_alertmanager, INCIDENT_CREATE, W,
     false},
    {"GET", "/api/v1/alerts", ROUTE_API, api_alerts_list, ROLES_READ, R, false},
    {"GET", "/api/v1/alerts/{aid}", ROUTE_API, api_alerts_get, ROLES_READ, R, false},
    {"POST", "/api/v1/alerts/{aid}/acknowledge", ROUTE_API, api_alerts_acknowledge, INCIDENT_WORK,
     W, false},
    {"POST", "/api/v1/alerts/{aid}/dismiss", ROUTE_API, api_alerts_dismiss, INCIDENT_WORK, W,
     false},
    {"POST", "/api/v1/alerts/{aid}/promote", ROUTE_API, api_alerts_promote, INCIDENT_WORK, W,
     false},
    {"POST", "/api/v1/alerts/{aid}/attach", ROUTE_API, api_alerts_attach, INCIDENT_WORK, W, false},
    {"GET", "/api/v1/detection-rules", ROUTE_API, api_detection_rules, ROLES_READ, R, false},
    {"GET", "/api/v1/suppressions", ROUTE_API, api_suppressions_list, ROLES_READ, R, false},
    {"POST", "/api/v1/suppressions", ROUTE_API, api_suppressions_create, INCIDENT_WORK, W, false},
    {"GET", "/api/v1/suppressions/{sid}", ROUTE_API, api_suppressions_get, ROLES_READ, R, false},
    {"DELETE", "/api/v1/suppressions/{sid}", ROUTE_API, api_suppressions_delete, INCIDENT_WORK, W,
     false},

    {"GET", "/api/v1/services", ROUTE_API, api_services_list, ROLES_READ, R, false},
    {"GET", "/api/v1/services/{name}", ROUTE_API, api_services_get, ROLES_READ, R, false},
    {"PUT", "/api/v1/services/{name}", ROUTE_API, api_services_put, ROLES_ADMIN, W, false},
    {"DELETE", "/api/v1/services/{name}", ROUTE_API, api_services_delete, ROLES_ADMIN, W, false},

    {"GET", "/api/v1/organisation", ROUTE_API, api_organisation_get, ROLES_READ, R, false},
    {"PUT", "/api/v1/organisation", ROUTE_API, api_organisation_put, ROLES_ADMIN, W, false},
    {"GET", "/api/v1/rules", ROUTE_API, api_rules_list, ROLES_READ, R, false},

    {"GET", "/api/v1/assessment/questions", ROUTE_API, api_assessment_questions, ROLES_READ, R,
     false},
    {"POST", "/api/v1/assessment", ROUTE_API, api_assessment_create, PREP_WORK, W, false},
    {"GET", "/api/v1/assessment", ROUTE_API, api_assessment_list, ROLES_READ, R, false},
    {"GET", "/api/v1/assessment/{id}", ROUTE_API, api_assessment_get, ROLES_READ, R, false},
    {"GET", "/api/v1/assessment/{id}/export", ROUTE_API, api_assessment_export, ROLES_READ, R,
     false},
    {"POST", "/api/v1/assessment/{id}/apply", ROUTE_API, api_assessment_apply, ROLES_ADMIN, W,
     false},

    {"GET", "/api/v1/register/export", ROUTE_API, api_register_export, ROLES_READ, R, false},
    {"GET", "/api/v1/register/{kind}", ROUTE_API, api_register_list, ROLES_READ, R, false},
    {"POST", "/api/v1/register/{kind}", ROUTE_API, api_register_create, PREP_WORK, W, false},
    {"GET", "/api/v1/register/{kind}/{id}", ROUTE_API, api_register_get, ROLES_READ, R, false},
    {"PUT", "/api/v1/register/{kind}/{id}", ROUTE_API, api_register_put, PREP_WORK, W, false},
    {"DELETE", "/api/v1/register/{kind}/{id}", ROUTE_API, api_register_delete, PREP_WORK, W, false},
    {"GET", "/api/v1/risk-matrix", ROUTE_API, api_risk_matrix, ROLES_READ, R, false},
    {"GET", "/api/v1/preparedness/attention", ROUTE_API, api_preparedness_attention, ROLES_READ, R,
     false},
    {"GET", "/api/v1/incidents/{id}/preparedness", ROUTE_API, api_incident_preparedness, ROLES_READ,
     R, false},
    {"POST", "/api/v1/incidents/{id}/links", ROUTE_API, api_incident_links_create, INCIDENT_WORK, W,
     false},
    {"DELETE", "/api/v1/incidents/{id}/links/{relation}/{item}", ROUTE_API,
     api_incident_links_delete, INCIDENT_WORK, W, false},

    {"GET", "/api/v1/audit", ROUTE_API, api_audit_list, ROLES_ADMIN, R, false},
    {"GET", "/api/v1/audit/verify", ROUTE_API, api_audit_verify, ROLES_ADMIN, R, false},
    /* checkpoints hold no secret (a seq and a hash, signed): any reader may
     * fetch them to keep a copy away from this machine */
    {"GET", "/api/v1/audit/checkpoints", ROUTE_API, api_audit_checkpoints_list, ROLES_READ, R,
     false},
    {"POST", "/api/v1/audit/checkpoints", ROUTE_API, api_audit_checkpoints_create, ROLES_ADMIN, W,
     false},
};

const size_t http_routes_count = sizeof(http_routes) / sizeof(http_routes[0]);
