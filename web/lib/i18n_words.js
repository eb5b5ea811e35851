// SPDX-License-Identifier: EUPL-1.2
// i18n_words.js - the words of issue 17 in Dutch and English, merged into
// i18n.js's dictionaries: what each error code of the API means (err_CODE,
// the codes of ErrorCode in schema/openapi.yaml) and the short names of the
// regimes.  The words only the incident page needs (the impact facts'
// labels, the timeline's sentences) are in i18n_incident.js, loaded with
// that page, outside the first load.  Dutch follows the law's own words:
// docs/TERMINOLOGY.md.
import { lang, pick } from './i18n.js'; // a cycle, used only when called

const en = {
    err_required: 'This is required.',
    err_reason_required: 'Give the reason.',
    err_unknown_field: 'This field is not known here.',
    err_text: 'This must be text.',
    err_text_length: 'This text is too short or too long.',
    err_name_format: 'Use letters, digits, dots, hyphens and underscores only, starting with a letter or digit.',
    err_too_many: 'This is more than is allowed.',
    err_number: 'This must be a number in the range allowed.',
    err_boolean: 'Choose yes or no.',
    err_yes_no_unknown: 'Choose yes, no or unknown.',
    err_one_of: 'Choose one of the options.',
    err_country: 'Use country codes such as NL or DE.',
    err_date_time: 'This must be a date and time.',
    err_date: 'This must be a date.',
    err_duration: 'This must be a duration such as 4 hours (PT4H).',
    err_order: 'This time does not fit: check its order with the other times.',
    err_exists: 'This name is taken already.',
    err_duplicate: 'This value is listed twice.',
    err_already_done: 'This was done already.',
    err_not_found: 'This does not exist (any more).',
    err_not_allowed: 'This is not allowed.',
    err_transition: 'The incident cannot move to that state from where it is now.',
    err_reports_open: 'Reports are still owed: submit them, or waive them with the reason, first.',
    err_wrong_password: 'This is not your current password.',
    err_password_reused: 'Choose a password other than the current one.',
    err_changed: 'Someone else changed this first. Load the page again to see what changed.',
    err_malformed: 'The request could not be read.',
    err_unauthenticated: 'Sign in first.',
    err_forbidden: 'Your role may not do this.',
    err_conflict: 'This cannot be done in the present state.',
    err_too_large: 'This is too large.',
    err_rate_limited: 'Too many attempts. Wait a moment and try again.',
    err_server: 'The server could not do this now. Try again later.',
    err_invalid: 'This value cannot be used here.',
    err_fields: 'Check the marked fields.',
    who_token: '{n} (API token)',
    and: 'and',
    hours_short: '{n} h',
    minutes_short: '{n} min',
    unconfirmed_why:
        "Unconfirmed: not checked against the enacted text of the law; read it as meldpunt's reading and check it with your adviser.",
};

const nl = {
    err_required: 'Dit is verplicht.',
    err_reason_required: 'Geef de reden.',
    err_unknown_field: 'Dit veld is hier niet bekend.',
    err_text: 'Dit moet tekst zijn.',
    err_text_length: 'Deze tekst is te kort of te lang.',
    err_name_format:
        'Gebruik alleen letters, cijfers, punten, streepjes en liggende streepjes, en begin met een letter of cijfer.',
    err_too_many: 'Dit is meer dan is toegestaan.',
    err_number: 'Dit moet een getal binnen het toegestane bereik zijn.',
    err_boolean: 'Kies ja of nee.',
    err_yes_no_unknown: 'Kies ja, nee of onbekend.',
    err_one_of: 'Kies een van de mogelijkheden.',
    err_country: 'Gebruik landcodes zoals NL of DE.',
    err_date_time: 'Dit moet een datum met tijd zijn.',
    err_date: 'Dit moet een datum zijn.',
    err_duration: 'Dit moet een duur zijn, zoals 4 uur (PT4H).',
    err_order: 'Dit tijdstip klopt niet: controleer de volgorde met de andere tijdstippen.',
    err_exists: 'Deze naam is al in gebruik.',
    err_duplicate: 'Deze waarde staat er twee keer in.',
    err_already_done: 'Dit is al gebeurd.',
    err_not_found: 'Dit bestaat niet (meer).',
    err_not_allowed: 'Dit is niet toegestaan.',
    err_transition: 'Het incident kan vanuit de huidige status niet naar die status.',
    err_reports_open: 'Er staan nog meldingen open: dien ze eerst in, of zie er met reden van af.',
    err_wrong_password: 'Dit is niet uw huidige wachtwoord.',
    err_password_reused: 'Kies een ander wachtwoord dan het huidige.',
    err_changed: 'Iemand anders heeft dit eerder gewijzigd. Laad de pagina opnieuw om de wijziging te zien.',
    err_malformed: 'Het verzoek kon niet worden gelezen.',
    err_unauthenticated: 'Meld u eerst aan.',
    err_forbidden: 'Uw rol mag dit niet.',
    err_conflict: 'Dit kan in de huidige toestand niet.',
    err_too_large: 'Dit is te groot.',
    err_rate_limited: 'Te veel pogingen. Wacht even en probeer het opnieuw.',
    err_server: 'De server kon dit nu niet uitvoeren. Probeer het later opnieuw.',
    err_invalid: 'Deze waarde kan hier niet worden gebruikt.',
    err_fields: 'Controleer de gemarkeerde velden.',
    who_token: '{n} (API-token)',
    and: 'en',
    hours_short: '{n} u',
    minutes_short: '{n} min',
    unconfirmed_why:
        'Niet bevestigd: niet getoetst aan de vastgestelde wettekst; lees het als de uitleg van meldpunt en overleg met uw adviseur.',
};

export const words = { en, nl };

/** Short names of the regimes where the Dutch name differs (AVG for the GDPR). */
const REGIMES = {
    gdpr: { en: 'GDPR', nl: 'AVG' },
    cer: { en: 'CER', nl: 'CER (Wwke)' },
    eidas: { en: 'eIDAS', nl: 'eIDAS' },
    'nis2-cir': { en: 'NIS2', nl: 'NIS2' },
    'nis2-threat': { en: 'NIS2', nl: 'NIS2' },
};

/** A regime's short name in the page's language. */
export const regimeName = (r) => (REGIMES[r] ? pick(REGIMES[r]) : String(r ?? '').toUpperCase());

/** The names of acts in a legal reference, in Dutch as the Dutch texts write them. */
const LAW_NL = [
    [/\bImplementing Regulation\b/g, 'Uitvoeringsverordening'],
    [/\bDelegated Regulation\b/g, 'Gedelegeerde Verordening'],
    [/\bDelegated Reg\./g, 'Gedelegeerde Verordening'],
    [/\bRegulation\b/g, 'Verordening'],
    [/\bDirective\b/g, 'Richtlijn'],
    [/\bRecommendation\b|\bRec\./g, 'Aanbeveling'],
    [/\bCIR\b/g, 'Uitvoeringsverordening'],
    [/\/EC\b/g, '/EG'],
    [/\bNo (\d)/g, 'nr. $1'],
    [/\bAnnexes\b/g, 'bijlagen'],
    [/\bAnnex\b/g, 'bijlage'],
    [/\b[Aa]rts?\./g, 'art.'],
    [/\brecital\b/g, 'overweging'],
    [/ and /g, ' en '],
];

/** A legal reference ("Directive (EU) 2022/2555 art. 23(3)") in the page's language. */
export const lawRef = (s) => (lang() === 'nl' ? LAW_NL.reduce((x, [re, to]) => x.replace(re, to), s ?? '') : (s ?? ''));
