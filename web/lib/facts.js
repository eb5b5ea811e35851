// facts.js - the incident's impact facts and their kinds (the table in
// docs/INCIDENTS.md), and the form controls for a value of each kind:
// absent means unknown, which is not the same as 0 or "no".
import { fromLocalInput, h, select, toLocalInput } from './dom.js';
import { t } from './i18n.js';

const K = {
    COUNT: 'count',
    NUMBER: 'number',
    BOOL: 'bool',
    COUNTRIES: 'list',
    TEXT: 'text',
    TIME: 'time',
};
const spec = `users_affected:COUNT users_total:COUNT duration_minutes:COUNT financial_loss_eur:NUMBER
member_states:COUNTRIES cross_border:BOOL suspected_malicious:BOOL unauthorised_access:BOOL
severe_disruption_possible:BOOL trade_secrets_exfiltrated:BOOL deaths:COUNT persons_health_damaged:COUNT
physical_damage:BOOL scheduled_maintenance:BOOL unavailable_minutes:COUNT limited_availability_minutes:COUNT
users_limited:COUNT users_unavailable:COUNT avg_response_seconds:NUMBER slow_response_minutes:COUNT
unavailable_minutes_week:COUNT data_integrity_compromised:BOOL data_confidentiality_compromised:BOOL
data_authenticity_compromised:BOOL data_compromise_malicious:BOOL users_data_compromised:COUNT
domains_affected:COUNT domains_managed:COUNT misconfiguration:BOOL physical_access_compromised:BOOL
critical_service_affected:BOOL geographic_area:TEXT geographically_isolated:BOOL personal_data_breach:BOOL
data_subjects_affected:COUNT breach_risk_unlikely:BOOL breach_high_risk:BOOL clients_affected:COUNT
clients_total:COUNT counterparts_affected_share:NUMBER transactions_affected:COUNT
transactions_daily_average:COUNT transaction_value_affected_eur:NUMBER
transaction_value_daily_average_eur:NUMBER relevant_clients_affected:BOOL
critical_service_downtime_minutes:COUNT reputational_impact:BOOL data_loss_cia:BOOL classified_major_at:TIME`;

/** [[fact, kind]…] in the documented order. */
export const FACTS = spec
    .split(/\s+/)
    .filter(Boolean)
    .map((p) => {
        const [name, kind] = p.split(':');
        return [name, K[kind]];
    });
export const factKind = (name) => FACTS.find(([n]) => n === name)?.[1];

/** A control named name for a value of kind. */
export function control(name, kind, value, disabled) {
    const common = { name, disabled };
    switch (kind) {
        case 'bool':
            return select(
                name,
                [
                    ['', t('unknown')],
                    ['true', t('yes')],
                    ['false', t('no')],
                ],
                value === true ? 'true' : value === false ? 'false' : '',
                { disabled },
            );
        case 'count':
        case 'number':
            // text, not type=number: a wrong entry reaches the API, which names it
            return h('input', { ...common, inputmode: kind === 'count' ? 'numeric' : 'decimal', value: value ?? '' });
        case 'list':
            return h('input', { ...common, value: Array.isArray(value) ? value.join(', ') : (value ?? '') });
        case 'time':
            return h('input', { ...common, type: 'datetime-local', value: toLocalInput(value) });
        case 'longtext':
            return h('textarea', { ...common, rows: 3 }, value ?? '');
        default:
            return h('input', { ...common, value: value ?? '' });
    }
}

/** The value a control holds; undefined for "unknown" (empty). */
export function readControl(el, kind) {
    const v = el.value.trim();
    if (v === '') return kind === 'list' && el.dataset.wasList ? [] : undefined;
    switch (kind) {
        case 'bool':
            return v === 'true';
        case 'count':
        case 'number':
            return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v; // not a number: let the API say so
        case 'list':
            return v
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean);
        case 'time':
            return fromLocalInput(v);
        default:
            return v;
    }
}

export const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
