// SPDX-License-Identifier: EUPL-1.2
// i18n_statistics_nav.js - the navigation's word for the statistics page
// (issue 22), loaded with app.js; the page's own words come with the page
// (i18n_statistics.js), outside the first load.
import { extend } from './i18n.js';

extend({ en: { nav_statistics: 'Statistics' }, nl: { nav_statistics: 'Statistieken' } });
