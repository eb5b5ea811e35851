// i18n.js - Dutch and English.  The language is the user's (remembered by
// the server, PATCH /api/v1/session) and, before signing in, this
// browser's choice (localStorage) or its preferred language.
// t('time_left', {d: '01:00:00'}) fills {d}; a missing key shows the key.

const en = {
    nav_alerts: 'Alerts', acknowledge: 'Acknowledge', promote: 'Open an incident', dismiss: 'Dismiss', attach: 'Attach to an incident',
    incident_ref: 'Incident (ref)', inbox_state: 'In the inbox', source: 'Source', alert: 'Alert', last_seen: 'Last seen',
    no_alerts: 'No alerts here.', astate_new: 'new', astate_acknowledged: 'acknowledged', astate_incident: 'on an incident',
    astate_dismissed: 'dismissed', astate_muted: 'muted', astatus_firing: 'firing', astatus_resolved: 'resolved',
    asev_info: 'info', asev_low: 'low', asev_medium: 'medium', asev_high: 'high', asev_critical: 'critical',
    loading: 'Loading…', not_found: 'Not found', not_found_text: 'There is no such page.', error_title: 'Something went wrong',
    error_network: 'The server did not answer. Check the connection and try again.', error_status: 'The server answered {status}.',
    error_403: 'Your role may not do this.', error_429: 'Too many attempts. Wait a moment and try again.',
    error_429_retry: 'Too many attempts. Try again in {s} seconds.',
    nav_label: 'Main', nav_dashboard: 'Dashboard', nav_incidents: 'Incidents', nav_settings: 'Settings',
    language: 'Language', sign_in: 'Sign in', sign_out: 'Sign out', user_name: 'Name', password: 'Password',
    wrong_password: 'Wrong name or password.', session_lost: 'Your session has ended',
    session_lost_text: 'Sign in again to continue; what you typed on the page is kept and your last action is retried.',
    change_password: 'Change password', change_password_text: 'Choose a new password before you continue.',
    current_password: 'Current password', new_password: 'New password', password_hint: 'At least 12 characters.',
    role_viewer: 'viewer', role_analyst: 'analyst', role_manager: 'manager', role_admin: 'admin', role_ingest: 'ingest tool',
    days_short: 'd', time_left: '{d} left', overdue_by: 'overdue by {d}',
    open_incidents: 'Open incidents', open_by_state: 'Open incidents by state and severity', state: 'State', total: 'Total',
    deadlines: 'Reports due', undetermined: 'Needs facts',
    undetermined_text: 'Open incidents where a regime applies but whether they must be reported is undetermined until these facts are known.',
    none_undetermined: 'No open incident is waiting for facts.', and_more: '…and {n} more (the 40 most recent open incidents are checked).', needs_facts: 'needs', unknown: 'unknown',
    incident: 'Incident', report: 'Report', recipient: 'Recipient', due: 'Due', time_remaining: 'Time remaining',
    no_deadline_yet: 'no deadline yet', no_deadlines: 'No reports are owed.',
    ob_pending: 'pending', ob_submitted: 'submitted', ob_missed: 'missed', ob_waived: 'waived',
    state_detected: 'detected', state_triage: 'triage', state_confirmed: 'confirmed', state_contained: 'contained',
    state_resolved: 'resolved', state_closed: 'closed', state_dismissed: 'dismissed',
    sev_low: 'low', sev_medium: 'medium', sev_high: 'high', sev_critical: 'critical',
    cat_cyber: 'cyber', cat_physical: 'physical', cat_other: 'other',
    cause_malicious: 'malicious', cause_accidental: 'accidental', cause_system_failure: 'system failure',
    cause_natural: 'natural', cause_third_party: 'third party', cause_unknown: 'unknown',
    any: 'any', search: 'Search title and description', apply_filters: 'Filter', paging: 'Pages',
    first_page: '« First page', next_page: 'Next page »', no_incidents: 'No incidents match.',
    ref: 'Ref', title: 'Title', severity: 'Severity', category: 'Category', cause: 'Cause', tlp: 'TLP',
    description: 'Description', assignee: 'Assignee', services: 'Affected services', comma_list: 'Separate with commas.',
    detected_at: 'Detected', aware_at: 'Aware (known to be significant)', started_at: 'Disruption started', ended_at: 'Disruption ended',
    local_time: 'Your local time.', new_incident: 'New incident', create: 'Create', save: 'Save',
    on_this_page: 'On this page', sec_facts: 'Facts and impact', sec_classification: 'Classification',
    sec_obligations: 'Reports owed', sec_drafts: 'Notification drafts', sec_timeline: 'Timeline and notes', sec_transitions: 'State',
    state_now: 'The incident is {s}.', no_transitions: 'This incident is closed: no further changes of state.',
    transition_note: 'Note with the change of state', transition_note_hint: 'Required when dismissing: say why.',
    move_to: 'Move to {s}', impact_facts: 'Impact facts',
    impact_hint: 'Leave a fact empty while it is unknown: unknown is not the same as 0 or no.',
    missing_facts: 'Facts that would decide it:', more_facts: 'All other impact facts',
    tri_yes: 'yes', tri_no: 'no', tri_undetermined: 'undetermined', now: 'now', evaluated_at: 'Evaluated',
    applies: 'Applies', significant: 'Must be reported', effective: 'after decisions', criteria_met: 'Why: the criteria met',
    criteria_open: 'Criteria not yet decided ({n})', rules_version: 'rules version',
    reason_yes: 'This incident must be reported: {n} criterion/criteria met.',
    reason_no: 'No reporting criterion is met.', reason_undetermined: 'Not yet decided: some facts that the criteria need are unknown.',
    not_applicable: 'Does not apply to this organisation:', decision: 'Decision',
    decision_not_notifiable: 'Decided not notifiable by {by}:', decide_not_notifiable: 'Decide: not notifiable',
    decide_notifiable: 'Lift the "not notifiable" decision', reason: 'Reason',
    waive: 'Waive', waive_report: 'Waive {r}',
    add_note: 'Add note', tl_created: 'created the incident', tl_transition: 'moved it from {a} to {b}',
    tl_changed: 'changed', tl_classification: 'classification', tl_note: 'added a note',
    no_drafts: 'No drafts yet.', nothing_owed: 'No report is owed now.', draft_language: 'Language', create_draft: 'Create draft',
    nstate_draft: 'draft', nstate_approved: 'approved and signed', nstate_submitted: 'submitted',
    supersedes: 'corrects an earlier version', signed_by: 'signed by {who} (key {key})', submitted_via: 'submitted via {ch}',
    save_draft: 'Save draft', approve_sign: 'Approve and sign', start_correction: 'Start a correction',
    dl_json: 'Signed document (JSON)', dl_sig: 'Signature (minisign)', dl_html: 'Printable page', dl_bundle: 'Bundle (ZIP)',
    channel: 'Sent via', channel_hint: 'For example MijnNCSC or e-mail.', authority_reference: 'Reference from the authority',
    mark_submitted: 'Mark as submitted',
    set_organisation: 'Organisation', set_services: 'Services', set_users: 'Users', set_tokens: 'API tokens',
    org_name: 'Name', org_country: 'Country (ISO code)', org_sector: 'Sector (NIS2 annex)', org_subsector: 'Subsector',
    org_nis2_class: 'NIS2 class', org_entity_types: 'Entity types (CIR 2024/2690)', org_annual_turnover_eur: 'Annual turnover (EUR)',
    org_cer_critical: 'Critical entity under CER', org_dora_financial: 'Financial entity under DORA', org_microenterprise: 'Microenterprise',
    org_recipients: 'Recipients of reports', org_hint: 'Saving re-judges every open incident against the new profile.',
    class_essential: 'essential', class_important: 'important', class_none: 'not in scope', contact: 'contact',
    rcp_csirt: 'CSIRT', rcp_supervisor: 'Supervisor', rcp_dpa: 'Data protection authority', rcp_cer_authority: 'CER authority',
    rcp_financial_supervisor: 'Financial supervisor',
    yes: 'yes', no: 'no', delete: 'Delete', revoke: 'Revoke', confirm_delete: 'Delete {x}?', confirm_revoke: 'Revoke token {x}? It stops working at once.',
    no_services: 'No services registered.', svc_add: 'Add or update a service', svc_users_total: 'Users in total',
    svc_critical: 'Critical', svc_member_states: 'Member states',
    role: 'Role', role_of: 'Role of {u}', tlp_max: 'Highest TLP', tlp_any: 'no limit', status: 'Status', last_sign_in: 'Last sign-in',
    enable: 'Enable', disable: 'Disable', disabled: 'disabled', must_change: 'must change password', active: 'active',
    user_add: 'Add a user', user_add_hint: 'A one-time password is generated and shown once; the user changes it at first sign-in.',
    one_time_password: 'One-time password for {u} (shown once):', no_tokens: 'No tokens.', token_add: 'Create a token',
    token_once: 'Token {n} (shown once; keep it now):', created: 'Created',
};

const nl = {
    nav_alerts: 'Alerts', acknowledge: 'In behandeling nemen', promote: 'Incident openen', dismiss: 'Afwijzen', attach: 'Aan een incident koppelen',
    incident_ref: 'Incident (kenmerk)', inbox_state: 'In de inbox', source: 'Bron', alert: 'Alert', last_seen: 'Laatst gezien',
    no_alerts: 'Geen alerts hier.', astate_new: 'nieuw', astate_acknowledged: 'in behandeling', astate_incident: 'bij een incident',
    astate_dismissed: 'afgewezen', astate_muted: 'gedempt', astatus_firing: 'actief', astatus_resolved: 'opgelost',
    asev_info: 'info', asev_low: 'laag', asev_medium: 'gemiddeld', asev_high: 'hoog', asev_critical: 'kritiek',
    loading: 'Laden…', not_found: 'Niet gevonden', not_found_text: 'Deze pagina bestaat niet.', error_title: 'Er ging iets mis',
    error_network: 'De server antwoordt niet. Controleer de verbinding en probeer het opnieuw.', error_status: 'De server antwoordde {status}.',
    error_403: 'Uw rol mag dit niet.', error_429: 'Te veel pogingen. Wacht even en probeer het opnieuw.',
    error_429_retry: 'Te veel pogingen. Probeer het over {s} seconden opnieuw.',
    nav_label: 'Hoofdmenu', nav_dashboard: 'Overzicht', nav_incidents: 'Incidenten', nav_settings: 'Instellingen',
    language: 'Taal', sign_in: 'Inloggen', sign_out: 'Uitloggen', user_name: 'Naam', password: 'Wachtwoord',
    wrong_password: 'Onjuiste naam of wachtwoord.', session_lost: 'Uw sessie is verlopen',
    session_lost_text: 'Log opnieuw in om verder te gaan; wat u op de pagina typte blijft staan en uw laatste actie wordt opnieuw geprobeerd.',
    change_password: 'Wachtwoord wijzigen', change_password_text: 'Kies een nieuw wachtwoord voordat u verdergaat.',
    current_password: 'Huidig wachtwoord', new_password: 'Nieuw wachtwoord', password_hint: 'Minstens 12 tekens.',
    role_viewer: 'lezer', role_analyst: 'analist', role_manager: 'manager', role_admin: 'beheerder', role_ingest: 'invoerkoppeling',
    days_short: 'd', time_left: 'nog {d}', overdue_by: '{d} te laat',
    open_incidents: 'Open incidenten', open_by_state: 'Open incidenten per status en ernst', state: 'Status', total: 'Totaal',
    deadlines: 'Te doen meldingen', undetermined: 'Feiten nodig',
    undetermined_text: 'Open incidenten waarvoor een regime geldt, maar waarvan de meldplicht onbepaald is tot deze feiten bekend zijn.',
    none_undetermined: 'Geen open incident wacht op feiten.', and_more: '…en nog {n} (de 40 recentste open incidenten worden bekeken).', needs_facts: 'nodig:', unknown: 'onbekend',
    incident: 'Incident', report: 'Melding', recipient: 'Ontvanger', due: 'Uiterlijk', time_remaining: 'Resterende tijd',
    no_deadline_yet: 'nog geen termijn', no_deadlines: 'Er zijn geen meldingen verschuldigd.',
    ob_pending: 'open', ob_submitted: 'ingediend', ob_missed: 'gemist', ob_waived: 'vervallen',
    state_detected: 'gedetecteerd', state_triage: 'triage', state_confirmed: 'bevestigd', state_contained: 'ingedamd',
    state_resolved: 'opgelost', state_closed: 'gesloten', state_dismissed: 'afgewezen',
    sev_low: 'laag', sev_medium: 'gemiddeld', sev_high: 'hoog', sev_critical: 'kritiek',
    cat_cyber: 'cyber', cat_physical: 'fysiek', cat_other: 'overig',
    cause_malicious: 'kwaadwillig', cause_accidental: 'per ongeluk', cause_system_failure: 'systeemfout',
    cause_natural: 'natuurlijk', cause_third_party: 'derde partij', cause_unknown: 'onbekend',
    any: 'alle', search: 'Zoek in titel en beschrijving', apply_filters: 'Filteren', paging: 'Pagina’s',
    first_page: '« Eerste pagina', next_page: 'Volgende pagina »', no_incidents: 'Geen incidenten gevonden.',
    ref: 'Kenmerk', title: 'Titel', severity: 'Ernst', category: 'Categorie', cause: 'Oorzaak', tlp: 'TLP',
    description: 'Beschrijving', assignee: 'Behandelaar', services: 'Getroffen diensten', comma_list: 'Scheiden met komma’s.',
    detected_at: 'Gedetecteerd', aware_at: 'Bekend (als significant)', started_at: 'Verstoring begonnen', ended_at: 'Verstoring geëindigd',
    local_time: 'Uw lokale tijd.', new_incident: 'Nieuw incident', create: 'Aanmaken', save: 'Opslaan',
    on_this_page: 'Op deze pagina', sec_facts: 'Feiten en impact', sec_classification: 'Classificatie',
    sec_obligations: 'Verschuldigde meldingen', sec_drafts: 'Conceptmeldingen', sec_timeline: 'Tijdlijn en notities', sec_transitions: 'Status',
    state_now: 'Het incident is {s}.', no_transitions: 'Dit incident is gesloten: geen verdere statuswijzigingen.',
    transition_note: 'Notitie bij de statuswijziging', transition_note_hint: 'Verplicht bij afwijzen: geef de reden.',
    move_to: 'Naar {s}', impact_facts: 'Impactfeiten',
    impact_hint: 'Laat een feit leeg zolang het onbekend is: onbekend is niet hetzelfde als 0 of nee.',
    missing_facts: 'Feiten die het beslissen:', more_facts: 'Alle andere impactfeiten',
    tri_yes: 'ja', tri_no: 'nee', tri_undetermined: 'onbepaald', now: 'nu', evaluated_at: 'Beoordeeld',
    applies: 'Van toepassing', significant: 'Meldplichtig', effective: 'na besluiten', criteria_met: 'Waarom: de vervulde criteria',
    criteria_open: 'Nog niet besliste criteria ({n})', rules_version: 'regelversie',
    reason_yes: 'Dit incident moet gemeld worden: {n} criterium/criteria vervuld.',
    reason_no: 'Geen meldcriterium is vervuld.', reason_undetermined: 'Nog niet beslist: feiten die de criteria nodig hebben zijn onbekend.',
    not_applicable: 'Niet van toepassing op deze organisatie:', decision: 'Besluit',
    decision_not_notifiable: 'Besloten: niet meldplichtig, door {by}:', decide_not_notifiable: 'Besluit: niet meldplichtig',
    decide_notifiable: 'Besluit "niet meldplichtig" intrekken', reason: 'Reden',
    waive: 'Laten vervallen', waive_report: '{r} laten vervallen',
    add_note: 'Notitie toevoegen', tl_created: 'maakte het incident aan', tl_transition: 'zette het van {a} naar {b}',
    tl_changed: 'wijzigde', tl_classification: 'classificatie', tl_note: 'voegde een notitie toe',
    no_drafts: 'Nog geen concepten.', nothing_owed: 'Er is nu geen melding verschuldigd.', draft_language: 'Taal', create_draft: 'Concept maken',
    nstate_draft: 'concept', nstate_approved: 'goedgekeurd en ondertekend', nstate_submitted: 'ingediend',
    supersedes: 'corrigeert een eerdere versie', signed_by: 'ondertekend door {who} (sleutel {key})', submitted_via: 'ingediend via {ch}',
    save_draft: 'Concept opslaan', approve_sign: 'Goedkeuren en ondertekenen', start_correction: 'Correctie starten',
    dl_json: 'Ondertekend document (JSON)', dl_sig: 'Handtekening (minisign)', dl_html: 'Afdrukbare pagina', dl_bundle: 'Bundel (ZIP)',
    channel: 'Verstuurd via', channel_hint: 'Bijvoorbeeld MijnNCSC of e-mail.', authority_reference: 'Kenmerk van de autoriteit',
    mark_submitted: 'Markeren als ingediend',
    set_organisation: 'Organisatie', set_services: 'Diensten', set_users: 'Gebruikers', set_tokens: 'API-tokens',
    org_name: 'Naam', org_country: 'Land (ISO-code)', org_sector: 'Sector (NIS2-bijlage)', org_subsector: 'Subsector',
    org_nis2_class: 'NIS2-klasse', org_entity_types: 'Soorten entiteit (CIR 2024/2690)', org_annual_turnover_eur: 'Jaaromzet (EUR)',
    org_cer_critical: 'Kritieke entiteit (CER)', org_dora_financial: 'Financiële entiteit (DORA)', org_microenterprise: 'Micro-onderneming',
    org_recipients: 'Ontvangers van meldingen', org_hint: 'Opslaan beoordeelt elk open incident opnieuw met het nieuwe profiel.',
    class_essential: 'essentieel', class_important: 'belangrijk', class_none: 'niet onder NIS2', contact: 'contact',
    rcp_csirt: 'CSIRT', rcp_supervisor: 'Toezichthouder', rcp_dpa: 'Autoriteit Persoonsgegevens', rcp_cer_authority: 'CER-autoriteit',
    rcp_financial_supervisor: 'Financieel toezichthouder',
    yes: 'ja', no: 'nee', delete: 'Verwijderen', revoke: 'Intrekken', confirm_delete: '{x} verwijderen?', confirm_revoke: 'Token {x} intrekken? Het werkt dan meteen niet meer.',
    no_services: 'Geen diensten geregistreerd.', svc_add: 'Dienst toevoegen of bijwerken', svc_users_total: 'Gebruikers in totaal',
    svc_critical: 'Kritiek', svc_member_states: 'Lidstaten',
    role: 'Rol', role_of: 'Rol van {u}', tlp_max: 'Hoogste TLP', tlp_any: 'geen grens', status: 'Status', last_sign_in: 'Laatst ingelogd',
    enable: 'Inschakelen', disable: 'Uitschakelen', disabled: 'uitgeschakeld', must_change: 'moet wachtwoord wijzigen', active: 'actief',
    user_add: 'Gebruiker toevoegen', user_add_hint: 'Er wordt een eenmalig wachtwoord gemaakt en één keer getoond; de gebruiker wijzigt het bij de eerste keer inloggen.',
    one_time_password: 'Eenmalig wachtwoord voor {u} (één keer getoond):', no_tokens: 'Geen tokens.', token_add: 'Token aanmaken',
    token_once: 'Token {n} (één keer getoond; bewaar het nu):', created: 'Aangemaakt',
};

const dicts = { en, nl };
let current = 'en';

export const lang = () => current;

export function setLang(l) {
    current = dicts[l] ? l : 'en';
    document.documentElement.lang = current;
    try {
        localStorage.setItem('meldpunt.lang', current);
    } catch {
        /* storage off: the choice lasts this page */
    }
}

export function initialLang() {
    let stored = null;
    try {
        stored = localStorage.getItem('meldpunt.lang');
    } catch {
        /* storage off */
    }
    if (stored && dicts[stored]) return stored;
    return (navigator.language || '').toLowerCase().startsWith('nl') ? 'nl' : 'en';
}

export function t(key, vars = {}) {
    const s = dicts[current][key] ?? en[key] ?? key;
    return s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
}

/** The text for the page's language from {en, nl}. */
export const pick = (o) => (o && typeof o === 'object' ? o[current] ?? o.en ?? '' : o ?? '');

/** Keys each language has (for the tests). */
export const keys = () => ({ en: Object.keys(en), nl: Object.keys(nl) });
