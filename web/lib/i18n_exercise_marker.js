// SPDX-License-Identifier: EUPL-1.2
// i18n_exercise_marker.js - the few words of exercises (issue 22) the first
// load needs: the EXERCISE / OEFENING marker and the navigation; the pages'
// words are in i18n_exercises.js, loaded with them.
import { extend } from './i18n.js';

extend({
    en: {
        ex_marker: 'EXERCISE',
        ex_marker_title: 'This incident is an exercise: it is not counted with real incidents.',
        nav_exercises: 'Exercises',
    },
    nl: {
        ex_marker: 'OEFENING',
        ex_marker_title: 'Dit incident is een oefening: het telt niet mee met echte incidenten.',
        nav_exercises: 'Oefeningen',
    },
});
