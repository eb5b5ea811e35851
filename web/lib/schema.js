// SPDX-License-Identifier: EUPL-1.2
// schema.js - the server's vocabularies (GET /api/v1/schema): the incident's
// states and their transitions, severities, categories, causes, TLP levels
// and impact facts with their kinds, and the alert's states and severities.
// Loaded once after sign-in, before the first page is drawn; the pages read
// these live bindings and keep no copies of their own that could drift.
import { get } from './api.js';

export let STATES = [];
export let OPEN_STATES = [];
export let TRANSITIONS = {};
export let SEVERITIES = [];
export let CATEGORIES = [];
export let CAUSES = [];
export let TLPS = [];
/** What was recorded: incident, near_miss, cyber_threat (NIS2 art. 6). */
export let KINDS = [];
/** [{name, label: {en, nl}}…]: the apparent root cause's categories. */
export let ROOT_CAUSES = [];
/** [[fact, kind]…] in the server's (documented) order. */
export let FACTS = [];
export let ALERT_STATES = [];
export let ALERT_SEVERITIES = [];

let loaded = null;

/** Loads the vocabularies once; later calls wait for the same load. */
export function loadSchema() {
    loaded ??= get('/schema').then(
        (s) => {
            const inc = s.incident;
            STATES = inc.states;
            TRANSITIONS = inc.transitions;
            // open: a state something can still happen to
            OPEN_STATES = inc.states.filter((st) => (inc.transitions[st] ?? []).length > 0);
            SEVERITIES = inc.severities;
            CATEGORIES = inc.categories;
            CAUSES = inc.causes;
            TLPS = inc.tlp;
            KINDS = inc.kinds ?? ['incident'];
            ROOT_CAUSES = inc.root_cause_categories ?? [];
            FACTS = inc.facts.map((f) => [f.name, f.kind]);
            ALERT_STATES = s.alert.states;
            ALERT_SEVERITIES = s.alert.severities;
        },
        (e) => {
            loaded = null; // try again at the next page
            throw e;
        },
    );
    return loaded;
}

/** An obligation still owed now: pending, or missed and not yet submitted (late, still owed). */
export const owedNow = (o) => o.status === 'pending' || (o.status === 'missed' && !o.submitted_at);
