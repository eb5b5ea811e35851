// SPDX-License-Identifier: EUPL-1.2
// i18n_passkeys.js - the passkeys' words (WebAuthn, issue 21), Dutch and
// English: the list on the Sign-in security page, the "Use a passkey"
// buttons and signing in with a passkey alone, joined into i18n.js's
// dictionaries through extend() when this module loads.
import { extend } from './i18n.js';

export const en = {
    pk_title: 'Passkeys',
    pk_text:
        'A passkey is kept by your device (a laptop’s or phone’s screen lock, or a security key) and works only on this site, so a look-alike site cannot use it. It counts as your second factor, and lets you sign in without your password.',
    pk_none: 'No passkeys yet.',
    pk_name: 'Name of the passkey',
    pk_name_hint: 'So you know which device it is, e.g. “Work laptop”.',
    pk_default_name: 'My passkey',
    pk_add: 'Add a passkey',
    pk_rename: 'Rename',
    pk_remove: 'Remove',
    pk_added: 'Added',
    pk_last_used: 'last used',
    pk_use: 'Use a passkey',
    pk_cancelled: 'No passkey was used: the request was cancelled or timed out.',
    pk_exists: 'This device holds a passkey for this account already.',
    pk_unsupported: 'This browser cannot use passkeys.',
    pk_or: 'or',
    err_passkey_last: 'This is your last second factor and your role requires one: add another first.',
    err_passkey_replayed: 'This passkey answer was used already or came too late: try again.',
    err_passkey_cloned: 'This passkey’s counter went back: it may have been copied. It was refused and reported.',
    err_passkey_refused: 'The passkey’s answer was not accepted here.',
    err_passkey_unknown: 'This passkey is not known here.',
};

export const nl = {
    pk_title: 'Passkeys',
    pk_text:
        'Een passkey wordt bewaard door uw apparaat (de schermvergrendeling van een laptop of telefoon, of een beveiligingssleutel) en werkt alleen op deze site, zodat een nagemaakte site er niets mee kan. Hij telt als uw tweede factor en laat u aanmelden zonder wachtwoord.',
    pk_none: 'Nog geen passkeys.',
    pk_name: 'Naam van de passkey',
    pk_name_hint: 'Zodat u weet welk apparaat het is, bijv. ‘Werklaptop’.',
    pk_default_name: 'Mijn passkey',
    pk_add: 'Een passkey toevoegen',
    pk_rename: 'Hernoemen',
    pk_remove: 'Verwijderen',
    pk_added: 'Toegevoegd',
    pk_last_used: 'laatst gebruikt',
    pk_use: 'Een passkey gebruiken',
    pk_cancelled: 'Er is geen passkey gebruikt: het verzoek is afgebroken of verlopen.',
    pk_exists: 'Dit apparaat heeft al een passkey voor dit account.',
    pk_unsupported: 'Deze browser kan geen passkeys gebruiken.',
    pk_or: 'of',
    err_passkey_last: 'Dit is uw laatste tweede factor en uw rol vereist er een: voeg eerst een andere toe.',
    err_passkey_replayed: 'Dit passkey-antwoord is al gebruikt of kwam te laat: probeer het opnieuw.',
    err_passkey_cloned: 'De teller van deze passkey ging terug: hij is mogelijk gekopieerd. Geweigerd en gemeld.',
    err_passkey_refused: 'Het antwoord van de passkey is hier niet aanvaard.',
    err_passkey_unknown: 'Deze passkey is hier niet bekend.',
};

extend({ en, nl });
