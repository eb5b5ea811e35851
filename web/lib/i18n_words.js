// SPDX-License-Identifier: EUPL-1.2
// i18n_words.js - issue 17's first-load words; the rest load later
// (i18n_errors.js, i18n_incident.js).  Terms: docs/TERMINOLOGY.md.
import { pick, t } from './i18n.js'; // a cycle, used only when called

// a report's name when the answer lacks the rule file's (stage_name): an
// obligation of a rule set no longer loaded; the names as the rule files have them
const en = {
    stage_early_warning: 'Early warning',
    stage_notification: 'Incident notification',
    stage_intermediate: 'Intermediate report',
    stage_final: 'Final report',
    stage_progress: 'Progress report',
    stage_initial: 'Initial notification',
    stage_detailed: 'Detailed report',
    stage_communication_data_subjects: 'Communication to data subjects',
    stage_voluntary_notification: 'Voluntary notification',
    stage_other: 'Report',
};

const nl = {
    stage_early_warning: 'Vroegtijdige waarschuwing',
    stage_notification: 'Incidentmelding',
    stage_intermediate: 'Tussentijds verslag',
    stage_final: 'Eindverslag',
    stage_progress: 'Voortgangsverslag',
    stage_initial: 'Eerste melding',
    stage_detailed: 'Gedetailleerd verslag',
    stage_communication_data_subjects: 'Mededeling aan betrokkenen',
    stage_voluntary_notification: 'Vrijwillige melding',
    stage_other: 'Melding',
};

export const words = { en, nl };

const REGIMES = {
    gdpr: { en: 'GDPR', nl: 'AVG' },
    cer: { en: 'CER', nl: 'CER (Wwke)' },
    eidas: { en: 'eIDAS', nl: 'eIDAS' },
    'nis2-cir': { en: 'NIS2', nl: 'NIS2' },
    'nis2-threat': { en: 'NIS2', nl: 'NIS2' },
};

/** A regime's short name (AVG for the GDPR in Dutch). */
export const regimeName = (r) => (REGIMES[r] ? pick(REGIMES[r]) : String(r ?? '').toUpperCase());

/** A report's name: the rule file's (stage_name), else the label of its kind; never its key. */
export function stageLabel(o) {
    if (o?.stage_name) return pick(o.stage_name);
    const key = `stage_${o?.stage}`;
    return t(key) !== key ? t(key) : t('stage_other');
}

/** "NIS2 · Early warning": a report by its regime and name, as lists show it. */
export const reportLabel = (o) => `${regimeName(o.regime)} · ${stageLabel(o)}`;
