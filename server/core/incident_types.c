/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incident_types.c - see incident_types.h.
 */
#include "incident_types.h"

#include <stdlib.h>
#include <string.h>

const char *const incident_state_names[STATE_COUNT] = {
    "detected", "triage", "confirmed", "contained", "resolved", "closed", "dismissed"};
const char *const incident_category_names[CATEGORY_COUNT] = {"cyber", "physical", "other"};
const char *const incident_cause_names[CAUSE_COUNT] = {"malicious", "accidental",  "system_failure",
                                                       "natural",   "third_party", "unknown"};
const char *const incident_severity_names[SEVERITY_COUNT] = {"low", "medium", "high", "critical"};
const char *const incident_tlp_names[TLP_COUNT] = {"clear", "green", "amber", "amber+strict",
                                                   "red"};

const char *const incident_kind_names[KIND_COUNT] = {"incident", "near_miss", "cyber_threat"};
const char *const incident_root_cause_names[ROOT_CAUSE_COUNT] = {
    "malicious_action",    "human_error",        "system_failure", "process_failure",
    "third_party_failure", "natural_phenomenon", "other"};
const char *const incident_root_cause_labels[ROOT_CAUSE_COUNT][2] = {
    {"Malicious action", "Kwaadwillig handelen"},
    {"Human error", "Menselijke fout"},
    {"System failure or malfunction", "Systeemfout of storing"},
    {"Process failure", "Procesfout"},
    {"Third-party failure", "Falen van een derde partij"},
    {"Natural phenomenon", "Natuurverschijnsel"},
    {"Other", "Anders"},
};

int
incident_enum_parse(const char *const names[], int n, const char *s)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], s) == 0)
            return i;
    }
    return -1;
}

void
incident_free(struct incident *inc)
{
    free(inc->title);
    free(inc->description);
    free(inc->assignee);
    free(inc->root_cause);
    inc->root_cause = NULL;
    json_decref(inc->services);
    json_decref(inc->impact);
    inc->title = inc->description = inc->assignee = NULL;
    inc->services = inc->impact = NULL;
}
