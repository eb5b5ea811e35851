/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * reminders.h - the reminder policy: when to remind before each due time,
 * whom, and on which channels (issue 20; docs/REMINDERS.md).
 *
 * The policy is data, like the reporting rules: a JSON document
 * (config/reminders.json, built into the binary; [reminders] file names
 * another) checked in full when loaded and held by a snapshot, so SIGHUP
 * swaps it whole and a reader keeps the one it took for a whole pass.  An
 * admin may replace it through the API (reminders_policy_put): that copy is
 * stored in the database, audited, and is in force from then on instead of
 * the file, across restarts and reloads.
 *
 * A ladder holds the steps for a regime and stage ("*" matches any; the
 * most specific ladder wins).  A step's `at` is "awareness" (when the
 * report became owed), "due", or a signed ISO 8601 duration from the due
 * time ("-PT4H" before it, "PT1H" after); the last step may `repeat` while
 * the report is overdue.  `to` names whom, in order: "assignee", "on_duty",
 * "managers", "person:NAME"; `channels` (default: all) the channels by name.
 * A channel's target must be on the `allow` list; its secret is a file name
 * in DATA/secrets/ or a systemd credential, never part of the document.
 */
#ifndef MP_REMINDERS_H
#define MP_REMINDERS_H

#include "core/token.h"
#include "lib/error.h"

#include <jansson.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/* Checks a whole policy document, one error per field at fault (named as
 * a dotted path: "channels.ops.url", "ladders.0.steps.2.at"). */
void reminders_validate(const json_t *doc, struct field_errors *errs);

/* Helpers the policy check and the sender share. */
/* scheme and host of url (no credentials allowed in it); 0 or -1. */
int reminders_url_host(const char *url, char *scheme, size_t scheme_len, char *host,
                       size_t host_len);
/* host is on the policy's allow list (exactly, ignoring case). */
bool reminders_allowed(const json_t *policy, const char *host);
/* A step's `at`: seconds from the due time, or *awareness; 0 or -1. */
int reminders_offset(const char *at, int64_t *offset, bool *awareness);
/* 0 when every {placeholder} in t is known and the braces pair up; else
 * -1 with the reason in bad. */
int reminders_template_check(const char *t, char *bad, size_t bad_len);

/* The words of an obligation (a classify_obligations() item), shared by
 * the messages and the calendar feed (calendar.c). */
/* The text of a {"en", "nl"} object in lang, else in the other one (English
 * for any other lang), else fallback. */
const char *reminders_text_in_lang(const json_t *texts, const char *lang, const char *fallback);
/* Whom the report goes to, "the CSIRT and the supervisor": the name the
 * profile gives each recipient, else its role's label in lang. */
struct buf;
void reminders_recipients_text(struct buf *b, const json_t *recipients, const char *lang);

/* Loads and checks the file (NULL or "": the built-in copy); *out is the
 * document with a reference for the caller. */
int reminders_load_file(const char *file, json_t **out, struct mp_error *err);
/* What is in force at start and on SIGHUP: the policy set through the API
 * when there is one, else the file.  Installs it; 0 or -1 (the policy in
 * force is kept). */
int reminders_load(const char *file, struct mp_error *err);

/* The policy in force, with a reference (json_decref it); the built-in one
 * when none was installed.  NULL only when even that cannot be read. */
json_t *reminders_acquire(void);

/* Goes up by one with every policy installed (start, SIGHUP, PUT). */
uint64_t reminders_generation(void);

/* GET /api/v1/reminders/policy: {policy, source ("file" | "api"),
 * version (0 from the file), updated_at}. */
int reminders_policy_get(json_t **out, struct mp_error *err);
/* PUT: validates doc, stores it with an audit entry and installs it.
 * if_match (-1: none) must be the current version. */
int reminders_policy_put(const struct principal *p, int64_t now, json_t *doc, int64_t if_match,
                         int64_t *version, struct field_errors *errs);

/* ---- planning and sending (reminders_plan.c, reminders_send.c) ---- */

#include <sqlite3.h>

/* Inside a change that judged incident_id's obligations: plans, moves or
 * cancels its reminder jobs.  The classifier's hook (main.c). */
int reminders_plan(sqlite3 *db, const char *incident_id, int64_t now, struct mp_error *err);
/* After a new policy is installed: every open report planned again from
 * its new ladder, in pages (a change each); *obligations: how many have a
 * ladder planned (-1: nothing done, only_if_due and none was due). */
int reminders_replan(int64_t now, bool only_if_due, int *obligations, struct mp_error *err);
/* A policy was installed since the last re-planning (at start: always;
 * after a SIGHUP): the send loop re-plans before it sends, so incidents
 * imported beside the server, and a changed file, are planned too. */
bool reminders_replan_due(void);
/* Where secrets are read (DIR/secrets/NAME, or $CREDENTIALS_DIRECTORY),
 * and the CA certificates targets are checked against (NULL or "": the
 * system's). */
void reminders_configure(const char *data_dir, const char *ca_file);
/* One pass of the send loop at now. */
int reminders_send_pass(int64_t now, struct mp_error *err);
void reminders_sender_start(unsigned interval_seconds);
void reminders_sender_stop(void);
/* {failing: {channel: {since, reason}}, failures_total, channels}: channels
 * whose last delivery failed, for the dashboard, and how many channels the
 * policy in force has (0: reminders are off, nothing is planned). */
json_t *reminders_channel_status(void);
/* GET /api/v1/incidents/{id}/reminders: {jobs, deliveries} (the delivery
 * log, oldest first). */
int reminders_incident(const char *id_or_ref, json_t **out, struct mp_error *err);
/* Acknowledgement (reminders_ack.c): the token of a link for who to
 * acknowledge job; out gets base64url text (size >= 260). */
void reminders_ack_token(int64_t job_id, const char *who, int64_t now, char *out, size_t size);
/* POST /api/v1/reminders/ack {token}: 404 not ours, 410 expired, 409 used. */
int reminders_ack(const char *token, int64_t now, json_t **out, struct mp_error *err);
/* From the incident page: job of incident id_or_ref, by p. */
int reminders_ack_job(const struct principal *p, int64_t now, const char *id_or_ref, int64_t job,
                      json_t **out, struct mp_error *err);
/* POST /api/v1/reminders/test {channel, to}: a test message now, on the
 * channel (an e-mail channel to `to`, one of people); {channel, status:
 * sent | failed, reason}.  422 naming channel or to. */
int reminders_test_send(const struct principal *p, int64_t now, const char *channel, const char *to,
                        json_t **out, struct field_errors *errs);
/* Deliveries that failed since start, for /metrics. */
long reminders_failures_total(void);

#endif
