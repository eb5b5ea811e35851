// SPDX-License-Identifier: EUPL-1.2
// webauthn.mjs - a software passkey, as a browser and an authenticator
// together answer navigator.credentials.create() and .get(): a real P-256
// key made by node's crypto, a CBOR attestationObject ("none"), and
// assertions signed over authenticatorData || SHA-256(clientDataJSON).  The
// server checks them with libfido2; nothing here is a stand-in for it.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (b) => createHash('sha256').update(b).digest();

/** The little CBOR (RFC 8949) an attestationObject needs. */
function cbor(v) {
    const head = (major, n) => {
        if (n < 24) return Buffer.from([(major << 5) | n]);
        if (n < 256) return Buffer.from([(major << 5) | 24, n]);
        if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
        const b = Buffer.alloc(5);
        b[0] = (major << 5) | 26;
        b.writeUInt32BE(n, 1);
        return b;
    };
    if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
    if (typeof v === 'string') {
        const b = Buffer.from(v, 'utf8');
        return Buffer.concat([head(3, b.length), b]);
    }
    if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
    if (v instanceof Map) {
        const parts = [head(5, v.size)];
        for (const [k, x] of v) parts.push(cbor(k), cbor(x));
        return Buffer.concat(parts);
    }
    throw new Error(`cbor: ${typeof v}`);
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export class Passkey {
    constructor({ origin, rpId }) {
        this.origin = origin;
        this.rpId = rpId;
        const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        this.key = privateKey;
        this.jwk = publicKey.export({ format: 'jwk' });
        this.id = randomBytes(32);
        this.count = 0;
        this.userHandle = null;
    }

    authData(flags, count, rpId = this.rpId) {
        const head = Buffer.alloc(37);
        sha256(rpId).copy(head, 0);
        head[32] = flags;
        head.writeUInt32BE(count, 33);
        if (!(flags & FLAG_AT)) return head;
        const cose = cbor(
            new Map([
                [1, 2],
                [3, -7],
                [-1, 1],
                [-2, Buffer.from(this.jwk.x, 'base64url')],
                [-3, Buffer.from(this.jwk.y, 'base64url')],
            ]),
        );
        const len = Buffer.from([this.id.length >> 8, this.id.length & 255]);
        return Buffer.concat([head, Buffer.alloc(16), len, this.id, cose]);
    }

    clientData(type, challenge, origin = this.origin) {
        return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
    }

    /** The answer to registration options (POST /api/v1/me/mfa/passkeys). */
    create(options, { name = 'Test key', origin } = {}) {
        this.userHandle = options.user.id;
        const cd = this.clientData('webauthn.create', options.challenge, origin);
        const ad = this.authData(FLAG_UP | FLAG_UV | FLAG_AT, this.count);
        const att = cbor(
            new Map([
                ['fmt', 'none'],
                ['attStmt', new Map()],
                ['authData', ad],
            ]),
        );
        return { name, clientDataJSON: b64u(cd), attestationObject: b64u(att), transports: ['internal'] };
    }

    /** The answer to request options: {passkey: ...} for POST /api/v1/session/mfa. */
    get(options, { origin, rpId, uv = true, up = true, count, sigFlip = false, challenge } = {}) {
        this.count = count ?? this.count + 1;
        const cd = this.clientData('webauthn.get', challenge ?? options.challenge, origin);
        const ad = this.authData((up ? FLAG_UP : 0) | (uv ? FLAG_UV : 0), this.count, rpId);
        const sig = sign('sha256', Buffer.concat([ad, sha256(cd)]), { key: this.key, dsaEncoding: 'der' });
        if (sigFlip) sig[sig.length - 2] ^= 0x10;
        const out = {
            id: b64u(this.id),
            clientDataJSON: b64u(cd),
            authenticatorData: b64u(ad),
            signature: b64u(sig),
        };
        if (this.userHandle) out.userHandle = this.userHandle;
        return out;
    }
}
