// SPDX-License-Identifier: EUPL-1.2
// i18n_words.js - issue 17's first-load words; the rest load later
// (i18n_errors.js, i18n_incident.js).  Terms: docs/TERMINOLOGY.md.
import { pick } from './i18n.js'; // a cycle, used only when called

const en = {};

const nl = {};

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
