// SPDX-License-Identifier: EUPL-1.2
// exercise_marker.js - the EXERCISE / OEFENING marker (issue 22) that the
// incident list, the incident page and the dashboard put beside an
// exercise incident's title; nothing for a real incident.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import '../lib/i18n_exercise_marker.js';

export const exerciseMarker = (inc) =>
    inc?.exercise ? h('span', { class: 'badge exercise-marker', title: t('ex_marker_title') }, t('ex_marker')) : null;
