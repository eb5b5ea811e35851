/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * config.c - fuzz target: the config file parser (config.c, libinih).
 *
 * The input is written to a file and read over the defaults, as `serve
 * --config FILE` reads it.  Refused or not, the error names the file, and
 * every string setting stays NUL-terminated within its field.
 */
#include "config.h"
#include "fuzz.h"

#define TERMINATED(field) FUZZ_ASSERT(memchr((field), '\0', sizeof(field)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[PATH_MAX];
    struct config cfg;
    struct mp_error err = {0};

    if (path[0] == '\0') {
        fuzz_quiet();
        fuzz_path(path, "meldpunt.conf");
    }
    fuzz_write_file(path, data, size);
    config_defaults(&cfg);
    if (config_load(path, &cfg, &err) != 0)
        FUZZ_ASSERT(strstr(err.message, path) != NULL);
    TERMINATED(cfg.listen);
    TERMINATED(cfg.web_root);
    TERMINATED(cfg.tls_cert);
    TERMINATED(cfg.tls_key);
    TERMINATED(cfg.trusted_proxies);
    TERMINATED(cfg.data_dir);
    TERMINATED(cfg.rules_dir);
    TERMINATED(cfg.detection_dir);
    TERMINATED(cfg.assessment_dir);
    return 0;
}
