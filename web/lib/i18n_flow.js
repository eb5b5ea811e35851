// SPDX-License-Identifier: EUPL-1.2
// i18n_flow.js - the words of the workflow (issue 17) on the first load:
// what is saved, what cannot be done now and why, confirmations.  i18n.js
// merges them into its two dictionaries.  The modules loaded only when
// needed (lib/conflict.js, pages/setup.js) carry their own {en, nl} words.

export const flowEn = {
    saved: 'Saved',
    incident_not_found: 'Incident not found',
    password_rules:
        'At least 12 characters, without your user name in it. A sentence of a few words is easiest to remember.',
    cannot_close_open_reports:
        'Cannot close yet: {n} report(s) neither submitted nor waived: {list}. Submit or waive them first.',
    cannot_dismiss_without_reason: 'Dismissing needs the reason: write it in the note above.',
    cannot_approve_missing: 'Cannot approve yet: fill in {list}.',
    next_deadline: 'Next deadline',
    no_open_reports: 'none',
};

export const flowNl = {
    saved: 'Opgeslagen',
    incident_not_found: 'Incident niet gevonden',
    password_rules:
        'Minstens 12 tekens, zonder uw gebruikersnaam erin. Een zin van een paar woorden onthoudt u het makkelijkst.',
    cannot_close_open_reports:
        'Nog niet te sluiten: {n} melding(en) niet ingediend en niet afgezien: {list}. Dien ze eerst in of zie af van melden.',
    cannot_dismiss_without_reason: 'Afwijzen vraagt de reden: schrijf die in de toelichting hierboven.',
    cannot_approve_missing: 'Nog niet goed te keuren: vul {list} in.',
    next_deadline: 'Eerstvolgende termijn',
    no_open_reports: 'geen',
};
