// SPDX-License-Identifier: EUPL-1.2
// cards.js - tables that become stacked cards at phone width.  Each body
// cell gets data-label, the text of its column's header, which the CSS
// shows before the cell once the table is laid out as cards (style.css,
// "phone width").  Pages draw and redraw their tables freely; one observer
// on the main element labels every table that appears, so no page has to
// remember to.  The risk matrix (class "matrix") keeps its grid: its
// meaning is the grid.

/** The header texts of a table's columns, by column index (colspans counted). */
function headers(table) {
    const row = table.tHead?.rows[0];
    if (!row) return null;
    const out = [];
    for (const th of row.cells) {
        const text = th.textContent.trim();
        for (let i = 0; i < (th.colSpan || 1); i++) out.push(text);
    }
    return out;
}

/** Sets data-label on every body cell of the table from its column's header. */
export function labelTable(table) {
    if (table.classList.contains('matrix')) return;
    const cols = headers(table);
    if (!cols) return;
    for (const body of table.tBodies) {
        for (const tr of body.rows) {
            let col = 0;
            for (const cell of tr.cells) {
                const label = cols[col] ?? '';
                if (label) cell.setAttribute('data-label', label);
                else cell.removeAttribute('data-label');
                col += cell.colSpan || 1;
            }
        }
    }
    table.classList.add('cards');
}

/** Labels the tables under root now and every table or row added later. */
export function watchTables(root) {
    for (const table of root.querySelectorAll('table')) labelTable(table);
    new MutationObserver((records) => {
        const tables = new Set();
        for (const r of records) {
            for (const n of r.addedNodes) {
                if (n.nodeType !== Node.ELEMENT_NODE) continue;
                const own = n.closest('table');
                if (own) tables.add(own);
                for (const t of n.querySelectorAll('table')) tables.add(t);
            }
        }
        for (const table of tables) labelTable(table);
    }).observe(root, { childList: true, subtree: true });
}
