// SPDX-License-Identifier: EUPL-1.2
// numbers.test.mjs - web/lib/numbers.js, the one parser of numbers and
// amounts as people type them: Dutch and English notation, grouping in
// threes, and what reads two ways or not at all refused with a message in
// the user's language, never guessed.  Runs in node (no browser needed);
// the browser tests drive the same parser through the forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

const WEB = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../web');
globalThis.document = { documentElement: {} };
globalThis.localStorage = { getItem: () => null, setItem: () => {} };
globalThis.navigator = { language: 'nl-NL' };
const { setLang } = await import(path.join(WEB, 'lib/i18n.js'));
const { parseNumber, formatNumber } = await import(path.join(WEB, 'lib/numbers.js'));

const READ = [
    // [language, kind, text, value]
    ['nl', 'count', '5.000', 5000],
    ['nl', 'count', '5000', 5000],
    ['nl', 'count', '1.234.567', 1234567],
    ['nl', 'count', '5 000', 5000],
    ['nl', 'count', '5\u00a0000', 5000],
    ['nl', 'number', '2,5', 2.5],
    ['nl', 'number', '1.234,5', 1234.5],
    ['nl', 'number', '1.234,567', 1234.567],
    ['nl', 'number', '0,125', 0.125],
    ['nl', 'number', '-2,5', -2.5],
    ['nl', 'money', '€ 1.250,50', 1250.5],
    ['nl', 'money', '20.000.000 EUR', 20000000],
    ['nl', 'count', '  ', undefined],
    ['en', 'count', '5,000', 5000],
    ['en', 'number', '2.5', 2.5],
    ['en', 'number', '1,234.5', 1234.5],
    ['en', 'money', '€1,250.50', 1250.5],
    ['en', 'number', '0.125', 0.125],
    ['en', 'count', '0', 0],
];

for (const [l, kind, text, value] of READ)
    test(`${l} ${kind}: "${text}" reads as ${value}`, () => {
        setLang(l);
        assert.deepEqual(parseNumber(text, kind, l), { value });
    });

const REFUSED = [
    // [language, kind, text, what the message says]
    ['nl', 'count', '5,000', /kan 5 of 5000 betekenen/],
    ['en', 'count', '5.000', /could mean 5 or 5000/],
    ['nl', 'number', '1,250', /kan 1,25 of 1250 betekenen/],
    ['en', 'number', '1.250', /could mean 1.25 or 1250/],
    ['nl', 'number', '2.5', /geen getal/], // an English decimal in the Dutch interface
    ['en', 'number', '2,5', /not a number/],
    ['nl', 'number', '1,234.5', /geen getal/], // English notation in Dutch
    ['en', 'number', '1.234,5', /not a number/],
    ['nl', 'count', '5.00.0', /geen getal/], // not grouped in threes
    ['nl', 'count', '12.34', /geen getal/],
    ['en', 'count', '1e6', /not a number/],
    ['en', 'count', 'five', /not a number/],
    ['nl', 'count', '5.000 000', /geen getal/], // two kinds of grouping
    ['nl', 'count', '2,5', /geheel getal/],
    ['en', 'count', '2.5', /whole number/],
    ['nl', 'count', '-3', /0 of meer/],
    ['en', 'money', '-3', /0 or more/],
    ['en', 'money', '12.3456', /two decimals/],
    ['nl', 'money', '12,3456', /twee decimalen/],
];

for (const [l, kind, text, message] of REFUSED)
    test(`${l} ${kind}: "${text}" is refused, never guessed`, () => {
        setLang(l);
        const r = parseNumber(text, kind, l);
        assert.equal(r.value, undefined);
        assert.match(r.error, message);
    });

test('what is shown reads back as the same number in both languages', () => {
    for (const l of ['nl', 'en']) {
        setLang(l);
        for (const v of [0, 7, 5000, 250000, 1234567, 2.5, 1234.56, 0.125])
            assert.equal(parseNumber(formatNumber(v, l), 'number', l).value, v, `${l} ${v}`);
    }
    assert.equal(formatNumber(250000, 'nl'), '250.000');
    assert.equal(formatNumber(250000, 'en'), '250,000');
    assert.equal(formatNumber(2.5, 'nl'), '2,5');
});
