// SPDX-License-Identifier: EUPL-1.2
// session.js - who is signed in, and what their role lets them do.  The
// server decides every request; these checks only keep buttons that would
// be refused off the page.
import { setCsrf } from './api.js';

let current = null;
const rank = { viewer: 1, analyst: 2, manager: 3, admin: 4 };

export function setSession(s) {
    current = s;
    setCsrf(s?.csrf_token ?? null);
}

export const session = () => current;
export const user = () => current?.user ?? null;

/** True when the signed-in user's role is role or above. */
export const atLeast = (role) => !!current && (rank[current.user.role] ?? 0) >= rank[role];
