// SPDX-License-Identifier: EUPL-1.2
// i18n_errors.js - what each error code of the API means (err_CODE, the
// codes of ErrorCode in schema/openapi.yaml), in Dutch and English, added to
// i18n.js's dictionaries when a form first fails (forms.js: submitting) or a
// page with forms loads, outside the first load.
import { extend } from './i18n.js';

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
    err_address_block:
        'Give an IP address or a block such as 192.0.2.0/24 or 2001:db8::/32, starting at its first address.',
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
    err_address_block:
        'Geef een IP-adres of een blok zoals 192.0.2.0/24 of 2001:db8::/32, beginnend bij het eerste adres.',
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
};

extend({ en, nl });
