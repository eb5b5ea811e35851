// SPDX-License-Identifier: EUPL-1.2
// i18n_sessions.js - the words of sessions and of API tokens' limits
// (issue 21), Dutch and English, kept apart from i18n.js and joined through
// extend() when this file is imported.
import { extend } from './i18n.js';

const en = {
    set_sessions: 'Sessions',
    sessions_title: 'My sessions',
    sessions_text:
        'Where you are signed in now. Sign out a session you do not recognise, or sign out everywhere, for example after losing a laptop.',
    sessions_none: 'No sessions.',
    sess_device: 'Device',
    sess_address: 'Address',
    sess_signed_in: 'Signed in',
    sess_last_seen: 'Last seen',
    sess_this: 'this session',
    sess_device_words: '{b} on {o}',
    sess_unknown_browser: 'Unknown browser',
    sess_unknown_os: 'an unknown system',
    sess_sign_out: 'Sign out',
    sess_sign_out_of: 'Sign out the session of {d} from {a}',
    sess_out_others: 'Sign out everywhere else',
    sess_out_all: 'Sign out everywhere',
    sess_out_all_confirm_title: 'Sign out everywhere?',
    sess_out_all_confirm: 'Every session of yours ends, this one too: you will have to sign in again.',
    sess_ended: '{n} session(s) signed out.',
    sess_user: 'Sessions',
    sess_user_of: 'Sessions of {u}',
    sess_user_end_all: 'End all sessions of {u}',
    sess_user_end_confirm_title: 'End all sessions?',
    sess_user_end_confirm: 'Every session of {u} ends at once; {u} has to sign in again.',
    sess_end: 'End',
    token_expires: 'Expires',
    token_expires_hint: 'Empty: the token works until it is revoked. In your time zone.',
    token_expired: 'expired',
    token_never: 'never',
    token_sources: 'Allowed addresses',
    token_sources_hint:
        'Addresses or blocks (CIDR) the token may be used from, one a line or separated by commas, such as 192.0.2.0/24 or 2001:db8::/32. Empty: from anywhere.',
    token_anywhere: 'anywhere',
};

const nl = {
    set_sessions: 'Sessies',
    sessions_title: 'Mijn sessies',
    sessions_text:
        'Waar u nu bent aangemeld. Meld een sessie af die u niet herkent, of meld overal af, bijvoorbeeld na het verlies van een laptop.',
    sessions_none: 'Geen sessies.',
    sess_device: 'Apparaat',
    sess_address: 'Adres',
    sess_signed_in: 'Aangemeld',
    sess_last_seen: 'Laatst gezien',
    sess_this: 'deze sessie',
    sess_device_words: '{b} op {o}',
    sess_unknown_browser: 'Onbekende browser',
    sess_unknown_os: 'een onbekend systeem',
    sess_sign_out: 'Afmelden',
    sess_sign_out_of: 'De sessie van {d} vanaf {a} afmelden',
    sess_out_others: 'Overal elders afmelden',
    sess_out_all: 'Overal afmelden',
    sess_out_all_confirm_title: 'Overal afmelden?',
    sess_out_all_confirm: 'Al uw sessies eindigen, ook deze: u moet zich opnieuw aanmelden.',
    sess_ended: '{n} sessie(s) afgemeld.',
    sess_user: 'Sessies',
    sess_user_of: 'Sessies van {u}',
    sess_user_end_all: 'Alle sessies van {u} beëindigen',
    sess_user_end_confirm_title: 'Alle sessies beëindigen?',
    sess_user_end_confirm: 'Alle sessies van {u} eindigen meteen; {u} moet zich opnieuw aanmelden.',
    sess_end: 'Beëindigen',
    token_expires: 'Verloopt',
    token_expires_hint: 'Leeg: het token werkt tot het wordt ingetrokken. In uw tijdzone.',
    token_expired: 'verlopen',
    token_never: 'nooit',
    token_sources: 'Toegestane adressen',
    token_sources_hint:
        'Adressen of blokken (CIDR) vanwaar het token mag worden gebruikt, één per regel of gescheiden door komma’s, zoals 192.0.2.0/24 of 2001:db8::/32. Leeg: vanaf overal.',
    token_anywhere: 'overal',
};

extend({ en, nl });
