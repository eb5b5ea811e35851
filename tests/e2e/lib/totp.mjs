// SPDX-License-Identifier: EUPL-1.2
// totp.mjs - the client side of RFC 6238, as an authenticator app computes
// it (SHA-1, 6 digits, 30-second steps) with node's HMAC, from the base32
// key the server shows: the e2e and browser tests type these codes.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

export function base32(text) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = '';
    for (const c of text.replace(/=+$/, '').toUpperCase()) {
        const v = alphabet.indexOf(c);
        assert.ok(v >= 0, `not base32: ${text}`);
        bits += v.toString(2).padStart(5, '0');
    }
    const out = [];
    for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
    return Buffer.from(out);
}

/** RFC 6238 (SHA-1, 6 digits, 30 s) at unix seconds t. */
export function totp(secret, t) {
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
    const mac = crypto.createHmac('sha1', base32(secret)).update(msg).digest();
    const off = mac[mac.length - 1] & 0x0f;
    const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1e6;
    return String(n).padStart(6, '0');
}
