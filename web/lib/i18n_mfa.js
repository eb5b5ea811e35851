// SPDX-License-Identifier: EUPL-1.2
// i18n_mfa.js - the second factor's words (issue 21), Dutch and English: the
// Sign-in security page, the sign-in's second step, the step-up dialog, the
// break-glass notice and the error codes of the second factor, joined into
// i18n.js's dictionaries through extend() when this module loads.
import { extend } from './i18n.js';

export const en = {
    mfa_title: 'Sign-in security',
    mfa_text:
        'A second factor: besides your password, a six-digit code from an authenticator app on your phone (TOTP). Someone who learns your password cannot sign in without it.',
    mfa_on: 'On since',
    mfa_off: 'Off: you sign in with your password alone.',
    mfa_required:
        'Your role or account requires a second factor. Set it up now: nothing else is possible until you do.',
    mfa_break_glass: 'This is a break-glass account: each sign-in is shown to every admin.',
    mfa_setup: 'Set up an authenticator app',
    mfa_scan: 'Scan this code with your authenticator app, or type the key into it by hand.',
    mfa_qr_label: 'QR code of the key for your authenticator app',
    mfa_secret: 'Key',
    mfa_code: 'Code from the app',
    mfa_code_hint: 'Six digits.',
    mfa_confirm: 'Confirm',
    mfa_codes_title: 'Your recovery codes',
    mfa_codes_text:
        'Each of these codes signs you in once when your phone is not at hand. Keep them somewhere safe now: they are not shown again.',
    mfa_codes_left: 'Recovery codes left: {n}.',
    mfa_codes_new: 'New recovery codes',
    mfa_disable: 'Turn off',
    mfa_disable_text: 'Give a code from the app or a recovery code to turn the second factor off.',
    mfa_recovery: 'Recovery code',
    mfa_use_recovery: 'Use a recovery code instead',
    mfa_use_code: 'Use a code from the app instead',
    mfa_step_title: 'Second step',
    mfa_step_text: 'Give the six-digit code from your authenticator app.',
    mfa_verify: 'Verify',
    mfa_stepup_title: 'Confirm with your second factor',
    mfa_stepup_text: 'This action needs a fresh check of your second factor. Give a code from your authenticator app.',
    mfa_bg_title: 'Break-glass sign-ins',
    mfa_bg_text: 'An emergency account was used to sign in. Check that this was expected, then acknowledge it.',
    mfa_bg_item: '{u} signed in from {a} at',
    mfa_bg_ack: 'Acknowledge',
    err_wrong_code: 'This code is wrong or was used already.',
    err_step_up_required: 'This needs a fresh check of your second factor.',
};

export const nl = {
    mfa_title: 'Aanmeldbeveiliging',
    mfa_text:
        'Een tweede factor: naast uw wachtwoord een code van zes cijfers uit een authenticator-app op uw telefoon (TOTP). Wie uw wachtwoord kent, kan zonder die code niet aanmelden.',
    mfa_on: 'Aan sinds',
    mfa_off: 'Uit: u meldt zich aan met alleen uw wachtwoord.',
    mfa_required: 'Uw rol of account vereist een tweede factor. Stel die nu in: tot dan kan er niets anders.',
    mfa_break_glass: 'Dit is een noodaccount: elke aanmelding wordt aan alle beheerders getoond.',
    mfa_setup: 'Een authenticator-app instellen',
    mfa_scan: 'Scan deze code met uw authenticator-app, of typ de sleutel er met de hand in.',
    mfa_qr_label: 'QR-code van de sleutel voor uw authenticator-app',
    mfa_secret: 'Sleutel',
    mfa_code: 'Code uit de app',
    mfa_code_hint: 'Zes cijfers.',
    mfa_confirm: 'Bevestigen',
    mfa_codes_title: 'Uw herstelcodes',
    mfa_codes_text:
        'Met elk van deze codes meldt u zich één keer aan als uw telefoon niet bij de hand is. Bewaar ze nu op een veilige plek: ze worden niet opnieuw getoond.',
    mfa_codes_left: 'Resterende herstelcodes: {n}.',
    mfa_codes_new: 'Nieuwe herstelcodes',
    mfa_disable: 'Uitschakelen',
    mfa_disable_text: 'Geef een code uit de app of een herstelcode om de tweede factor uit te schakelen.',
    mfa_recovery: 'Herstelcode',
    mfa_use_recovery: 'Een herstelcode gebruiken',
    mfa_use_code: 'Een code uit de app gebruiken',
    mfa_step_title: 'Tweede stap',
    mfa_step_text: 'Geef de code van zes cijfers uit uw authenticator-app.',
    mfa_verify: 'Controleren',
    mfa_stepup_title: 'Bevestigen met uw tweede factor',
    mfa_stepup_text:
        'Voor deze handeling is een nieuwe controle van uw tweede factor nodig. Geef een code uit uw authenticator-app.',
    mfa_bg_title: 'Aanmeldingen met een noodaccount',
    mfa_bg_text: 'Er is aangemeld met een noodaccount. Ga na of dat verwacht was en bevestig het daarna.',
    mfa_bg_item: '{u} meldde zich aan vanaf {a} op',
    mfa_bg_ack: 'Gezien',
    err_wrong_code: 'Deze code klopt niet of is al gebruikt.',
    err_step_up_required: 'Hiervoor is een nieuwe controle van uw tweede factor nodig.',
};

extend({ en, nl });
