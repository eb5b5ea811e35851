// SPDX-License-Identifier: EUPL-1.2
// i18n_mfa_nav.js - the second factor's words the first load needs: the
// navigation's link and the refusals a sign-in or the routing can meet
// before the security page is loaded.  The rest comes with that page
// (i18n_mfa.js, imported by pages/security.js), outside the first load.
import { extend } from './i18n.js';

extend({
    en: {
        mfa_nav: 'Sign-in security',
        err_mfa_required: 'Give the code from your authenticator app first.',
        err_mfa_enrolment_required: 'Set up a second factor first (Sign-in security).',
        err_local_passwords_off: 'Passwords are turned off here: sign in with your organisation’s account.',
    },
    nl: {
        mfa_nav: 'Aanmeldbeveiliging',
        err_mfa_required: 'Geef eerst de code uit uw authenticator-app.',
        err_mfa_enrolment_required: 'Stel eerst een tweede factor in (Aanmeldbeveiliging).',
        err_local_passwords_off: 'Wachtwoorden zijn hier uitgeschakeld: meld u aan met het account van uw organisatie.',
    },
});
