// SPDX-License-Identifier: EUPL-1.2
// i18n_formats.js - the words of the reports in the authorities' formats
// (issue 22), Dutch and English, joined to i18n.js through extend().

export const en = {
    fmt_heading: 'In the authority’s format',
    fmt_json: '{f}: JSON',
    fmt_csv: '{f}: CSV (spreadsheet)',
    fmt_unconfirmed: 'field list not confirmed: check before use',
    fmt_hint:
        'Filled from this report, the incident and the organisation profile. Fields it cannot fill are listed in the file with the reason.',
};

export const nl = {
    fmt_heading: 'In het formaat van de autoriteit',
    fmt_json: '{f}: JSON',
    fmt_csv: '{f}: CSV (spreadsheet)',
    fmt_unconfirmed: 'veldenlijst niet bevestigd: controleer vóór gebruik',
    fmt_hint:
        'Gevuld uit deze melding, het incident en het organisatieprofiel. Velden die niet te vullen zijn, staan in het bestand met de reden.',
};
