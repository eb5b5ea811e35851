/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * config.h - settings from the INI file and the command line.
 *
 * Precedence: built-in defaults, then the file (--config), then flags.  The
 * defaults here are the ones documented in config/meldpunt.conf; a unit test
 * parses that file and checks it states exactly these defaults, so the two
 * cannot drift apart.  Any unknown section, key or bad value stops start-up
 * with "FILE:LINE: reason".
 */
#ifndef MP_CONFIG_H
#define MP_CONFIG_H

#include "lib/error.h"
#include "lib/log.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config {
    /* [server] */
    char listen[128];
    char web_root[PATH_MAX];
    unsigned threads;
    unsigned workers;
    unsigned connection_limit;
    unsigned per_ip_connection_limit;
    unsigned connection_timeout; /* seconds */
    unsigned header_timeout;     /* seconds for the request line and headers */
    unsigned body_min_rate;      /* bytes per second; 0: no bound */
    size_t connection_memory_limit;
    size_t body_limit;
    unsigned large_bodies;     /* bodies over 64K read or answered at once */
    unsigned shutdown_timeout; /* seconds */
    bool bench_endpoints;
    char tls_cert[PATH_MAX]; /* PEM files; both empty: plain HTTP */
    char tls_key[PATH_MAX];
    char trusted_proxies[512];
    unsigned rate_limit; /* requests per second per client address, 0: none */
    unsigned rate_burst;
    /* [auth] */
    unsigned session_idle; /* seconds */
    unsigned session_max;  /* seconds */
    unsigned password_min_length;
    unsigned lockout_after;
    unsigned lockout_time; /* seconds */
    /* [auth], the second factor (core/mfa.h) */
    char require_mfa[64];     /* roles, "manager, admin"; "": none */
    unsigned step_up_window;  /* seconds a second-factor check counts for step-up */
    char local_passwords[24]; /* "all" or "break-glass-only" */
    /* passkeys (core/webauthn.h): empty: from the OpenID redirect URI or
     * http://localhost and the listen port */
    char webauthn_rp_id[256];
    char webauthn_origin[256];
    /* [storage] */
    char data_dir[PATH_MAX];
    unsigned write_batch;
    size_t min_free_space; /* /readyz floor for the data directory */
    /* [audit] */
    unsigned checkpoint_interval; /* seconds; 0: only on demand */
    unsigned integrity_interval;  /* seconds; 0: only before a backup */
    /* [rules] */
    char rules_dir[PATH_MAX]; /* empty: the rules built into the binary */
    unsigned sweep_interval;  /* seconds between obligation sweeps */
    /* [detection] */
    char detection_dir[PATH_MAX]; /* empty: the detection rules built in */
    /* [alerts] */
    unsigned alert_batch_max;
    size_t alert_payload_limit;
    /* [assessment] */
    char assessment_dir[PATH_MAX]; /* empty: config/assessment built into the binary */
    /* [reminders] */
    char reminders_file[PATH_MAX];    /* empty: config/reminders.json built in */
    unsigned reminder_interval;       /* seconds between passes of the send loop */
    char reminders_ca_file[PATH_MAX]; /* empty: the system's CA certificates */
    /* [log] */
    enum log_level log_level;
    /* [oidc] OpenID Connect sign-in (core/oidc.h); issuer empty: off */
    char oidc_issuer[512];
    char oidc_client_id[256];
    char oidc_client_secret_file[PATH_MAX]; /* relative: in the data directory */
    char oidc_redirect_uri[512];
    char oidc_scopes[256];
    char oidc_label[64]; /* "Sign in with <label>" */
    char oidc_username_claim[64];
    char oidc_name_claim[64];
    char oidc_groups_claim[64];
    char oidc_role_map[1024]; /* "group=role, ..." */
    char oidc_tlp_map[1024];  /* "group=tlp, ..." */
    char oidc_disabled_group[256];
    char oidc_ca_file[PATH_MAX]; /* empty: the system's CA certificates */
    /* [misp] the MISP instance an incident's event is pushed to (core/misp.h);
     * url empty: off */
    char misp_url[512];
    char misp_key_file[PATH_MAX]; /* relative: in the data directory */
    char misp_ca_file[PATH_MAX];  /* empty: the system's CA certificates */
};

void config_defaults(struct config *cfg);
/* Reads path over cfg.  On error err->message is "path:line: reason". */
int config_load(const char *path, struct config *cfg, struct mp_error *err);

/* "1048576", "64K", "1M", "1G" (binary units). */
int config_parse_size(const char *s, size_t *out);

#endif
