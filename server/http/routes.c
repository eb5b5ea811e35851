/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * routes.c - every route, its handler and the roles allowed on it.
 *
 * This table is the one place that says who may do what.  A route with
 * roles 0 is public (no authentication); every /api/v1/ route names its
 * roles, and the end-to-end tests walk this table.  Keep docs/API.md in
 * step with it.  `writes` marks routes that change data: they run on the
 * worker pool, so the event threads never wait for a disk commit.  `tlp`
 * says what the route does for a principal limited to some TLP levels
 * (router.h; every route names one, a unit test checks), and
 * `during_password_change` which routes answer while a password change is
 * due.  The second factor's flags (core/mfa.h): `mfa_step` routes answer a
 * session whose second step is owed, `mfa_enrol` ones a session that must
 * set up a required factor first, and `step_up` ones (signing a
 * notification, users, tokens, the reminder policy, the organisation
 * profile the reporting rules read) need a second-factor check within
 * [auth] step_up_window from a person who has a factor.
 */
#include "router.h"

#define ALL_ROLES (ROLES_READ | ROLE_BIT(ROLE_INGEST))
/* analysts and up work incidents; ingest tools may only create them */
#define INCIDENT_WORK   (ROLE_BIT(ROLE_ANALYST) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_ADMIN))
#define INCIDENT_CREATE (INCIDENT_WORK | ROLE_BIT(ROLE_INGEST))
/* managers decide about reporting: waive a report, "not notifiable" */
#define INCIDENT_DECIDE (ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_ADMIN))
/* approving signs the document an authority receives: a person's act, which
 * a token (a program) cannot perform on anyone's behalf */
#define SIGNER_ONLY                                                                                \
    "only a person signs: an API token cannot approve or sign a notification; a manager or admin " \
    "signs in and approves it"
/* the list of one's sessions is a person's: a token has none */
#define OWN_SESSIONS "sessions belong to people who sign in: an API token has none"
/* analysts and up prepare: assessments, the risk register, measures */
#define PREP_WORK INCIDENT_WORK

/* One line a route: the table reads as what it is. */
/* clang-format off */
const struct route http_routes[] = {
    {.method = "GET", .pattern = "/healthz", .handler = api_health, .roles = 0, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/readyz", .handler = api_ready, .roles = 0, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/metrics", .kind = ROUTE_METRICS, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},
    {.method = "POST", .pattern = "/bench/echo", .handler = api_bench_echo, .roles = 0, .bench_only = true, .tlp = ROUTE_TLP_FREE},
#ifdef MP_TEST_BUILD
    /* the end-to-end tests move time instead of sleeping (core/testclock.h) */
    {.method = "GET", .pattern = "/api/v1/test/clock", .handler = api_test_clock_get, .roles = ROLES_ADMIN, .tlp = ROUTE_TLP_FREE},
    {.method = "POST", .pattern = "/api/v1/test/clock", .handler = api_test_clock_set, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE},
#endif

    {.method = "GET", .pattern = "/api/v1/me", .handler = api_me, .roles = ALL_ROLES, .tlp = ROUTE_TLP_FREE},
    /* schema/openapi.yaml: every route in this table is described there */
    {.method = "GET", .pattern = "/api/v1/openapi.json", .handler = api_openapi, .roles = ALL_ROLES, .tlp = ROUTE_TLP_FREE},
    /* the vocabularies the front end reads instead of keeping copies */
    {.method = "GET", .pattern = "/api/v1/schema", .handler = api_schema, .roles = ALL_ROLES, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/signing-key", .handler = api_signing_key, .roles = ALL_ROLES, .tlp = ROUTE_TLP_FREE},

    /* Signing in is the one /api/ route open to all; the others here work
     * on the caller's own session (404 for an API token).  While a user's
     * password change is due, only /api/v1/session routes answer. */
    {.method = "POST", .pattern = "/api/v1/session", .handler = api_session_create, .roles = 0, .writes = true, .tlp = ROUTE_TLP_FREE, .during_password_change = true},
    {.method = "GET", .pattern = "/api/v1/session", .handler = api_session_get, .roles = ALL_ROLES, .tlp = ROUTE_TLP_FREE, .during_password_change = true, .mfa_step = true, .mfa_enrol = true},
    {.method = "PATCH", .pattern = "/api/v1/session", .handler = api_session_patch, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE, .during_password_change = true, .mfa_enrol = true},
    {.method = "DELETE", .pattern = "/api/v1/session", .handler = api_session_delete, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE, .during_password_change = true, .mfa_step = true, .mfa_enrol = true},
    /* signing in through an OpenID provider (api/oidc.c): open to all, like POST /api/v1/session;
     * start and callback wait for the provider, so they run on the worker pool (writes) */
    {.method = "GET", .pattern = "/api/v1/auth/oidc", .handler = api_oidc_info, .roles = 0, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/auth/oidc/start", .handler = api_oidc_start, .roles = 0, .writes = true, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/auth/oidc/callback", .handler = api_oidc_callback, .roles = 0, .writes = true, .tlp = ROUTE_TLP_FREE},
    {.method = "POST", .pattern = "/api/v1/session/password", .handler = api_session_password, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE, .during_password_change = true, .mfa_enrol = true},
    /* the second factor (core/mfa.h): the sign-in's second step and step-up, then a person's
     * own factor, which a required one is set up with before anything else */
    {.method = "POST", .pattern = "/api/v1/session/mfa", .handler = api_session_mfa, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE, .during_password_change = true, .mfa_step = true, .mfa_enrol = true},
    {.method = "GET", .pattern = "/api/v1/me/mfa", .handler = api_mfa_get, .roles = ALL_ROLES, .tlp = ROUTE_TLP_FREE, .mfa_enrol = true},
    {.method = "POST", .pattern = "/api/v1/me/mfa/totp", .handler = api_mfa_enrol_start, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE, .mfa_enrol = true},
    {.method = "POST", .pattern = "/api/v1/me/mfa/totp/confirm", .handler = api_mfa_enrol_confirm, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE, .mfa_enrol = true},
    {.method = "POST", .pattern = "/api/v1/me/mfa/disable", .handler = api_mfa_disable, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE},
    {.method = "POST", .pattern = "/api/v1/me/mfa/recovery-codes", .handler = api_mfa_recovery_renew, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE},
    /* passkeys (core/webauthn.h): options for the second step or step-up, then a person's own
     * passkeys (adding or removing one when a factor is set up already needs a fresh check, asked
     * by core/webauthn.c for every role: a stolen session cannot plant its own), then signing in
     * with a passkey alone, open to all like a password */
    {.method = "POST", .pattern = "/api/v1/session/mfa/options", .handler = api_session_mfa_options, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE, .during_password_change = true, .mfa_step = true, .mfa_enrol = true},
    {.method = "GET", .pattern = "/api/v1/me/mfa/passkeys", .handler = api_passkey_list, .roles = ALL_ROLES, .tlp = ROUTE_TLP_FREE, .mfa_enrol = true},
    {.method = "POST", .pattern = "/api/v1/me/mfa/passkeys/options", .handler = api_passkey_options, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE, .mfa_enrol = true},
    {.method = "POST", .pattern = "/api/v1/me/mfa/passkeys", .handler = api_passkey_register, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE, .mfa_enrol = true},
    {.method = "PATCH", .pattern = "/api/v1/me/mfa/passkeys/{id}", .handler = api_passkey_patch, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE},
    {.method = "DELETE", .pattern = "/api/v1/me/mfa/passkeys/{id}", .handler = api_passkey_delete, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE},
    {.method = "POST", .pattern = "/api/v1/session/passkey/options", .handler = api_session_passkey_options, .roles = 0, .writes = true, .tlp = ROUTE_TLP_FREE, .during_password_change = true},
    {.method = "POST", .pattern = "/api/v1/session/passkey", .handler = api_session_passkey, .roles = 0, .writes = true, .tlp = ROUTE_TLP_FREE, .during_password_change = true},
    /* break-glass sign-ins, shown to every admin until one acknowledges them */
    {.method = "GET", .pattern = "/api/v1/break-glass", .handler = api_break_glass_list, .roles = ROLES_ADMIN, .tlp = ROUTE_TLP_FREE},
    {.method = "POST", .pattern = "/api/v1/break-glass/{id}/acknowledge", .handler = api_break_glass_ack, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE},
    /* a person's calendar feed of the deadlines: its address, and the feed itself, which the
     * token in its address authenticates (calendar programs send no credentials) */
    {.method = "GET", .pattern = "/api/v1/me/calendar", .handler = api_calendar_get, .roles = ALL_ROLES, .tlp = ROUTE_TLP_FREE},
    {.method = "POST", .pattern = "/api/v1/me/calendar", .handler = api_calendar_create, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE},
    {.method = "DELETE", .pattern = "/api/v1/me/calendar", .handler = api_calendar_delete, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/calendar/{feed}", .handler = api_calendar_feed, .roles = 0, .tlp = ROUTE_TLP_FREE},

    /* a person's own sessions (core/sessions.h): the list, sign out one, or everywhere
     * (?keep_current=true: all but this one), also while a password change is due;
     * an admin sees and ends a user's */
    {.method = "GET", .pattern = "/api/v1/sessions", .handler = api_sessions_list, .roles = ALL_ROLES, .tlp = ROUTE_TLP_FREE, .person_only = OWN_SESSIONS, .during_password_change = true},
    {.method = "DELETE", .pattern = "/api/v1/sessions", .handler = api_sessions_end_all, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE, .person_only = OWN_SESSIONS, .during_password_change = true},
    {.method = "DELETE", .pattern = "/api/v1/sessions/{sid}", .handler = api_sessions_end, .roles = ALL_ROLES, .writes = true, .tlp = ROUTE_TLP_FREE, .person_only = OWN_SESSIONS, .during_password_change = true},
    {.method = "GET", .pattern = "/api/v1/users/{name}/sessions", .handler = api_user_sessions_list, .roles = ROLES_ADMIN, .tlp = ROUTE_TLP_FREE},
    {.method = "DELETE", .pattern = "/api/v1/users/{name}/sessions", .handler = api_user_sessions_end, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE},
    {.method = "DELETE", .pattern = "/api/v1/users/{name}/sessions/{sid}", .handler = api_user_sessions_end, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE},

    {.method = "GET", .pattern = "/api/v1/users", .handler = api_users_list, .roles = ROLES_ADMIN, .tlp = ROUTE_TLP_FREE},
    {.method = "POST", .pattern = "/api/v1/users", .handler = api_users_create, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE, .step_up = true},
    {.method = "GET", .pattern = "/api/v1/users/{name}", .handler = api_users_get, .roles = ROLES_ADMIN, .tlp = ROUTE_TLP_FREE},
    {.method = "PATCH", .pattern = "/api/v1/users/{name}", .handler = api_users_patch, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE, .step_up = true},
    {.method = "POST", .pattern = "/api/v1/users/{name}/password", .handler = api_users_password, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE, .step_up = true},

    {.method = "GET", .pattern = "/api/v1/tokens", .handler = api_tokens_list, .roles = ROLES_ADMIN, .tlp = ROUTE_TLP_FREE},
    {.method = "POST", .pattern = "/api/v1/tokens", .handler = api_tokens_create, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE, .step_up = true},
    {.method = "DELETE", .pattern = "/api/v1/tokens/{name}", .handler = api_tokens_revoke, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE, .step_up = true},

    {.method = "POST", .pattern = "/api/v1/incidents", .handler = api_incidents_create, .roles = INCIDENT_CREATE, .writes = true, .tlp = ROUTE_TLP_FILTERED},
    {.method = "GET", .pattern = "/api/v1/incidents", .handler = api_incidents_list, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},
    /* the dashboard's counts by state and severity, kept in step (no list to count from) */
    {.method = "GET", .pattern = "/api/v1/dashboard", .handler = api_dashboard, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},
    {.method = "GET", .pattern = "/api/v1/incidents/{id}", .handler = api_incidents_get, .roles = ROLES_READ, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "PATCH", .pattern = "/api/v1/incidents/{id}", .handler = api_incidents_patch, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "POST", .pattern = "/api/v1/incidents/{id}/transitions", .handler = api_incidents_transition, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "POST", .pattern = "/api/v1/incidents/{id}/notes", .handler = api_incidents_note, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "GET", .pattern = "/api/v1/incidents/{id}/timeline", .handler = api_incidents_timeline, .roles = ROLES_READ, .tlp = ROUTE_TLP_INCIDENT},

    {.method = "GET", .pattern = "/api/v1/incidents/{id}/classification", .handler = api_incidents_classification, .roles = ROLES_READ, .tlp = ROUTE_TLP_INCIDENT},

    {.method = "GET", .pattern = "/api/v1/incidents/{id}/classification/history", .handler = api_incidents_classification_history, .roles = ROLES_READ, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "GET", .pattern = "/api/v1/incidents/{id}/obligations", .handler = api_incidents_obligations, .roles = ROLES_READ, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "POST", .pattern = "/api/v1/incidents/{id}/obligations/{oid}/waive", .handler = api_obligations_waive, .roles = INCIDENT_DECIDE, .writes = true, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "POST", .pattern = "/api/v1/incidents/{id}/decisions", .handler = api_incidents_decisions, .roles = INCIDENT_DECIDE, .writes = true, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "POST", .pattern = "/api/v1/incidents/{id}/notifications", .handler = api_notifications_create, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "GET", .pattern = "/api/v1/incidents/{id}/notifications", .handler = api_notifications_list, .roles = ROLES_READ, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "GET", .pattern = "/api/v1/notifications/{nid}", .handler = api_notifications_get, .roles = ROLES_READ, .tlp = ROUTE_TLP_NOTIFICATION},
    {.method = "PATCH", .pattern = "/api/v1/notifications/{nid}", .handler = api_notifications_patch, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_NOTIFICATION},
    {.method = "POST", .pattern = "/api/v1/notifications/{nid}/approve", .handler = api_notifications_approve, .roles = INCIDENT_DECIDE, .writes = true, .tlp = ROUTE_TLP_NOTIFICATION, .person_only = SIGNER_ONLY, .step_up = true},
    {.method = "POST", .pattern = "/api/v1/notifications/{nid}/submit", .handler = api_notifications_submit, .roles = INCIDENT_DECIDE, .writes = true, .tlp = ROUTE_TLP_NOTIFICATION},
    {.method = "POST", .pattern = "/api/v1/notifications/{nid}/corrections", .handler = api_notifications_correct, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_NOTIFICATION},
    {.method = "GET", .pattern = "/api/v1/notifications/{nid}/document.json", .handler = api_notifications_document, .roles = ROLES_READ, .tlp = ROUTE_TLP_NOTIFICATION},
    {.method = "GET", .pattern = "/api/v1/notifications/{nid}/document.json.minisig", .handler = api_notifications_signature, .roles = ROLES_READ, .tlp = ROUTE_TLP_NOTIFICATION},
    {.method = "GET", .pattern = "/api/v1/notifications/{nid}/document.html", .handler = api_notifications_html, .roles = ROLES_READ, .tlp = ROUTE_TLP_NOTIFICATION},
    {.method = "GET", .pattern = "/api/v1/notifications/{nid}/bundle", .handler = api_notifications_bundle, .roles = ROLES_READ, .tlp = ROUTE_TLP_NOTIFICATION},
    {.method = "GET", .pattern = "/api/v1/notifications/{nid}/export", .handler = api_notifications_export, .roles = ROLES_READ, .tlp = ROUTE_TLP_NOTIFICATION},
    {.method = "GET", .pattern = "/api/v1/formats", .handler = api_formats_list, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/deadlines", .handler = api_deadlines, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},

    /* exercises (issue 22, docs/EXERCISES.md): managers start and steer a run;
     * a run whose incident is above a principal's TLP limit is left out (404) */
    {.method = "GET", .pattern = "/api/v1/exercises/scenarios", .handler = api_exercise_scenarios, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/exercises", .handler = api_exercises_list, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},
    {.method = "POST", .pattern = "/api/v1/exercises", .handler = api_exercises_start, .roles = INCIDENT_DECIDE, .writes = true, .tlp = ROUTE_TLP_FILTERED},
    {.method = "GET", .pattern = "/api/v1/exercises/{xid}", .handler = api_exercises_get, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},
    {.method = "POST", .pattern = "/api/v1/exercises/{xid}/clock", .handler = api_exercises_clock, .roles = INCIDENT_DECIDE, .writes = true, .tlp = ROUTE_TLP_FILTERED},
    {.method = "GET", .pattern = "/api/v1/exercises/{xid}/report", .handler = api_exercises_report, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},

    /* alerts: SOC tools post (ingest may do nothing else); analysts work
     * the inbox and the suppressions */
    {.method = "POST", .pattern = "/api/v1/alerts", .handler = api_alerts_create, .roles = INCIDENT_CREATE, .writes = true, .tlp = ROUTE_TLP_FILTERED},
    {.method = "POST", .pattern = "/api/v1/alerts/alertmanager", .handler = api_alerts_alertmanager, .roles = INCIDENT_CREATE, .writes = true, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/alerts", .handler = api_alerts_list, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},
    {.method = "GET", .pattern = "/api/v1/alerts/{aid}", .handler = api_alerts_get, .roles = ROLES_READ, .tlp = ROUTE_TLP_ALERT},
    {.method = "POST", .pattern = "/api/v1/alerts/{aid}/acknowledge", .handler = api_alerts_acknowledge, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_ALERT},
    {.method = "POST", .pattern = "/api/v1/alerts/{aid}/dismiss", .handler = api_alerts_dismiss, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_ALERT},
    {.method = "POST", .pattern = "/api/v1/alerts/{aid}/promote", .handler = api_alerts_promote, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_ALERT},
    {.method = "POST", .pattern = "/api/v1/alerts/{aid}/attach", .handler = api_alerts_attach, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_ALERT},
    {.method = "GET", .pattern = "/api/v1/detection-rules", .handler = api_detection_rules, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/suppressions", .handler = api_suppressions_list, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "POST", .pattern = "/api/v1/suppressions", .handler = api_suppressions_create, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/suppressions/{sid}", .handler = api_suppressions_get, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "DELETE", .pattern = "/api/v1/suppressions/{sid}", .handler = api_suppressions_delete, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_FREE},

    {.method = "GET", .pattern = "/api/v1/services", .handler = api_services_list, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/services/{name}", .handler = api_services_get, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "PUT", .pattern = "/api/v1/services/{name}", .handler = api_services_put, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE},
    {.method = "DELETE", .pattern = "/api/v1/services/{name}", .handler = api_services_delete, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE},

    /* reminders and escalation (core/reminders.h): the policy */
    {.method = "GET", .pattern = "/api/v1/reminders/policy", .handler = api_reminders_policy_get, .roles = ROLES_ADMIN, .tlp = ROUTE_TLP_FREE},
    {.method = "PUT", .pattern = "/api/v1/reminders/policy", .handler = api_reminders_policy_put, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE, .step_up = true},
    /* a test message on a channel, from Settings */
    {.method = "POST", .pattern = "/api/v1/reminders/test", .handler = api_reminders_test, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE},
    /* channels whose last delivery failed: the dashboard's warning */
    {.method = "GET", .pattern = "/api/v1/reminders/status", .handler = api_reminders_status, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/incidents/{id}/reminders", .handler = api_incidents_reminders, .roles = ROLES_READ, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "POST", .pattern = "/api/v1/incidents/{id}/reminders/{job}/ack", .handler = api_incidents_reminder_ack, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_INCIDENT},
    /* the link in a reminder: its signed, single-use token authenticates (in the body, never in a logged path) */
    {.method = "POST", .pattern = "/api/v1/reminders/ack", .handler = api_reminders_ack, .roles = 0, .writes = true, .tlp = ROUTE_TLP_FREE},

    {.method = "GET", .pattern = "/api/v1/organisation", .handler = api_organisation_get, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "PUT", .pattern = "/api/v1/organisation", .handler = api_organisation_put, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE, .step_up = true},
    {.method = "GET", .pattern = "/api/v1/rules", .handler = api_rules_list, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    /* statistics (issue 22): counts of the incidents the caller may see */
    {.method = "GET", .pattern = "/api/v1/statistics", .handler = api_statistics, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},

    {.method = "GET", .pattern = "/api/v1/assessment/questions", .handler = api_assessment_questions, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "POST", .pattern = "/api/v1/assessment", .handler = api_assessment_create, .roles = PREP_WORK, .writes = true, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/assessment", .handler = api_assessment_list, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/assessment/{id}", .handler = api_assessment_get, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "GET", .pattern = "/api/v1/assessment/{id}/export", .handler = api_assessment_export, .roles = ROLES_READ, .tlp = ROUTE_TLP_FREE},
    {.method = "POST", .pattern = "/api/v1/assessment/{id}/apply", .handler = api_assessment_apply, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_FREE},

    {.method = "GET", .pattern = "/api/v1/register/export", .handler = api_register_export, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},
    {.method = "GET", .pattern = "/api/v1/register/{kind}", .handler = api_register_list, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},
    {.method = "POST", .pattern = "/api/v1/register/{kind}", .handler = api_register_create, .roles = PREP_WORK, .writes = true, .tlp = ROUTE_TLP_FILTERED},
    {.method = "GET", .pattern = "/api/v1/register/{kind}/{id}", .handler = api_register_get, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},
    {.method = "PUT", .pattern = "/api/v1/register/{kind}/{id}", .handler = api_register_put, .roles = PREP_WORK, .writes = true, .tlp = ROUTE_TLP_FILTERED},
    {.method = "DELETE", .pattern = "/api/v1/register/{kind}/{id}", .handler = api_register_delete, .roles = PREP_WORK, .writes = true, .tlp = ROUTE_TLP_FILTERED},
    {.method = "GET", .pattern = "/api/v1/risk-matrix", .handler = api_risk_matrix, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},
    {.method = "GET", .pattern = "/api/v1/preparedness/attention", .handler = api_preparedness_attention, .roles = ROLES_READ, .tlp = ROUTE_TLP_FILTERED},
    {.method = "GET", .pattern = "/api/v1/incidents/{id}/preparedness", .handler = api_incident_preparedness, .roles = ROLES_READ, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "POST", .pattern = "/api/v1/incidents/{id}/links", .handler = api_incident_links_create, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "DELETE", .pattern = "/api/v1/incidents/{id}/links/{relation}/{item}", .handler = api_incident_links_delete, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_INCIDENT},

    /* issue 22, threat intelligence out: an incident's indicators of
     * compromise (each with its own TLP: a reader sees those up to its
     * limit), the incident as a MISP event or a STIX 2.1 bundle, and the
     * push of the event to the configured MISP instance: sharing outside
     * is a manager's decision */
    {.method = "GET", .pattern = "/api/v1/incidents/{id}/iocs", .handler = api_iocs_list, .roles = ROLES_READ, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "POST", .pattern = "/api/v1/incidents/{id}/iocs", .handler = api_iocs_add, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "DELETE", .pattern = "/api/v1/incidents/{id}/iocs/{ioc}", .handler = api_iocs_delete, .roles = INCIDENT_WORK, .writes = true, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "GET", .pattern = "/api/v1/incidents/{id}/export", .handler = api_incidents_export, .roles = ROLES_READ, .tlp = ROUTE_TLP_INCIDENT},
    {.method = "POST", .pattern = "/api/v1/incidents/{id}/misp", .handler = api_incidents_misp_push, .roles = INCIDENT_DECIDE, .writes = true, .tlp = ROUTE_TLP_INCIDENT},

    {.method = "GET", .pattern = "/api/v1/audit", .handler = api_audit_list, .roles = ROLES_ADMIN, .tlp = ROUTE_TLP_CLOSED},
    {.method = "GET", .pattern = "/api/v1/audit/verify", .handler = api_audit_verify, .roles = ROLES_ADMIN, .tlp = ROUTE_TLP_CLOSED},
    /* checkpoints hold no secret (a seq and a hash, signed): any reader may
     * fetch them to keep a copy away from this machine */
    {.method = "GET", .pattern = "/api/v1/audit/checkpoints", .handler = api_audit_checkpoints_list, .roles = ROLES_READ, .tlp = ROUTE_TLP_CLOSED},
    {.method = "POST", .pattern = "/api/v1/audit/checkpoints", .handler = api_audit_checkpoints_create, .roles = ROLES_ADMIN, .writes = true, .tlp = ROUTE_TLP_CLOSED},
};
/* clang-format on */

const size_t http_routes_count = sizeof(http_routes) / sizeof(http_routes[0]);
