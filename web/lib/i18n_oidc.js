// SPDX-License-Identifier: EUPL-1.2
// i18n_oidc.js - the words of signing in through an OpenID provider
// (issue 21), in Dutch and English, added to i18n.js's dictionaries when
// the sign-in page loads.  oidc_fail_* say why a sign-in there failed (the
// word the server puts in the address: /#/?oidc=WORD).
import { extend } from './i18n.js';

export const en = {
    pk_sign_in: 'Sign in with a passkey',
    oidc_sign_in_with: 'Sign in with {name}',
    oidc_or: 'or with a local account',
    oidc_fail_unavailable:
        'The sign-in service ({name}) does not answer. Try again in a moment. An administrator can sign in with a local emergency (break-glass) account below.',
    oidc_fail_state: 'This sign-in took too long or was started in another browser. Please start again.',
    oidc_fail_refused:
        'The sign-in service’s answer could not be accepted. Please try again; if it keeps happening, tell an administrator.',
    oidc_fail_no_role:
        'Your account has no access to meldpunt: you are in none of the groups that give a role. Ask an administrator.',
    oidc_fail_disabled: 'Your account is disabled. Ask an administrator.',
    oidc_fail_name: 'Your user name is already taken by a local account or cannot be used here. Ask an administrator.',
};

export const nl = {
    pk_sign_in: 'Aanmelden met een passkey',
    oidc_sign_in_with: 'Inloggen met {name}',
    oidc_or: 'of met een lokaal account',
    oidc_fail_unavailable:
        'De inlogdienst ({name}) antwoordt niet. Probeer het zo opnieuw. Een beheerder kan hieronder inloggen met een lokaal noodaccount (break-glass).',
    oidc_fail_state: 'Dit inloggen duurde te lang of is in een andere browser begonnen. Begin opnieuw.',
    oidc_fail_refused:
        'Het antwoord van de inlogdienst kon niet worden aanvaard. Probeer het opnieuw; blijft het gebeuren, meld het dan aan een beheerder.',
    oidc_fail_no_role:
        'Uw account heeft geen toegang tot meldpunt: u zit in geen van de groepen die een rol geven. Vraag het een beheerder.',
    oidc_fail_disabled: 'Uw account is uitgeschakeld. Vraag het een beheerder.',
    oidc_fail_name:
        'Uw gebruikersnaam is al in gebruik door een lokaal account of kan hier niet worden gebruikt. Vraag het een beheerder.',
};

extend({ en, nl });
