// SPDX-License-Identifier: EUPL-1.2
// i18n_profile.js - the organisation profile's own words (issue 17: the
// subsector picked from the sector data, never typed), Dutch and English,
// joined to i18n.js's dictionaries through extend() when Settings loads.
import { extend } from './i18n.js';

const en = {
    org_subsector_none: 'This sector has no subsectors.',
    org_subsector_stored: '{v} (stored earlier; not a subsector of this sector)',
    org_subsector_refused: 'Choose a subsector of the sector chosen, or none.',
    class_undetermined: 'not determined yet',
};

const nl = {
    org_subsector_none: 'Deze sector heeft geen subsectoren.',
    org_subsector_stored: '{v} (eerder opgeslagen; geen subsector van deze sector)',
    org_subsector_refused: 'Kies een subsector van de gekozen sector, of geen.',
    class_undetermined: 'nog niet vastgesteld',
};

extend({ en, nl });
