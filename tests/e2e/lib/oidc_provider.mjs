// SPDX-License-Identifier: EUPL-1.2
// oidc_provider.mjs - a small OpenID provider on loopback for the tests:
// discovery, JWKS, the authorization endpoint (it signs in whoever the
// test names, without a form) and the token endpoint (authorization code
// with PKCE S256, client_secret_basic, each code once).  ID tokens are real
// JWTs signed with keys generated for this run (RS256 and ES256, node's
// crypto), so the server's verification is the real one.  Knobs let a test
// spoil one thing at a time: the audience, the expiry, the nonce, the key.
import crypto from 'node:crypto';
import http from 'node:http';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function newKey(alg, kid) {
    const { privateKey, publicKey } =
        alg === 'RS256'
            ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
            : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
    return { alg, kid, privateKey, publicKey, jwk };
}

/** Signs claims as a compact JWS with key (or the header given). */
export function signJwt(key, claims, header = {}) {
    const h = b64url(JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header }));
    const p = b64url(JSON.stringify(claims));
    const input = Buffer.from(`${h}.${p}`);
    const sig =
        key.alg === 'RS256'
            ? crypto.sign('sha256', input, key.privateKey)
            : crypto.sign('sha256', input, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${h}.${p}.${b64url(sig)}`;
}

export async function startProvider({ clientId = 'meldpunt', clientSecret = 'provider secret 1' } = {}) {
    let kidN = 0;
    const p = {
        clientId,
        clientSecret,
        keys: [newKey('RS256', `k${++kidN}`)],
        user: null, // {sub, preferred_username, name, groups}
        spoil: {}, // {aud, exp, nonce, header, shift (seconds), sign: key}
        forge: null, // (claims) => a token of the test's own making
        down: false,
        hits: { discovery: 0, jwks: 0, token: 0 },
        codes: new Map(),
        url: null,
    };
    /** A new signing key (alg) becomes the current one; the old is kept in the set unless drop. */
    p.rotate = (alg = 'RS256', { drop = true } = {}) => {
        const k = newKey(alg, `k${++kidN}`);
        p.keys = drop ? [k] : [k, ...p.keys];
        return k;
    };
    const server = http.createServer((req, res) => {
        if (p.down) {
            req.socket.destroy();
            return;
        }
        const u = new URL(req.url, p.url);
        const json = (status, body) => {
            res.writeHead(status, { 'content-type': 'application/json' });
            res.end(JSON.stringify(body));
        };
        if (u.pathname === '/.well-known/openid-configuration') {
            p.hits.discovery++;
            return json(200, {
                issuer: p.url,
                authorization_endpoint: `${p.url}/authorize`,
                token_endpoint: `${p.url}/token`,
                jwks_uri: `${p.url}/jwks`,
                response_types_supported: ['code'],
                subject_types_supported: ['public'],
                id_token_signing_alg_values_supported: ['RS256', 'ES256'],
                code_challenge_methods_supported: ['S256'],
            });
        }
        if (u.pathname === '/jwks') {
            p.hits.jwks++;
            return json(200, { keys: p.keys.map((k) => k.jwk) });
        }
        if (u.pathname === '/authorize') {
            const q = u.searchParams;
            if (
                q.get('client_id') !== clientId ||
                q.get('response_type') !== 'code' ||
                q.get('code_challenge_method') !== 'S256'
            )
                return json(400, { error: 'invalid_request' });
            if (!q.get('scope')?.split(' ').includes('openid')) return json(400, { error: 'invalid_scope' });
            const code = b64url(crypto.randomBytes(24));
            p.codes.set(code, {
                user: p.user,
                nonce: q.get('nonce'),
                challenge: q.get('code_challenge'),
                redirect: q.get('redirect_uri'),
                used: false,
            });
            const back = new URL(q.get('redirect_uri'));
            back.searchParams.set('code', code);
            back.searchParams.set('state', q.get('state'));
            res.writeHead(302, { location: back.toString() });
            return res.end();
        }
        if (u.pathname === '/token' && req.method === 'POST') {
            let body = '';
            req.on('data', (c) => (body += c));
            req.on('end', () => {
                p.hits.token++;
                const f = new URLSearchParams(body);
                const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
                const [id, secret] = auth
                    ? Buffer.from(auth[1], 'base64').toString().split(':').map(decodeURIComponent)
                    : [];
                if (id !== clientId || secret !== clientSecret) return json(401, { error: 'invalid_client' });
                const c = p.codes.get(f.get('code'));
                if (
                    !c ||
                    c.used ||
                    f.get('grant_type') !== 'authorization_code' ||
                    c.redirect !== f.get('redirect_uri')
                )
                    return json(400, { error: 'invalid_grant' });
                c.used = true; // a code works once (RFC 6749 section 4.1.2)
                const verifier = f.get('code_verifier') ?? '';
                if (b64url(crypto.createHash('sha256').update(verifier).digest()) !== c.challenge)
                    return json(400, { error: 'invalid_grant', error_description: 'PKCE' });
                const now = Math.floor(Date.now() / 1000) + (p.spoil.shift ?? 0);
                const claims = {
                    iss: p.url,
                    aud: p.spoil.aud ?? clientId,
                    exp: now + (p.spoil.exp ?? 300),
                    iat: now,
                    nonce: p.spoil.nonce ?? c.nonce,
                    ...c.user,
                };
                const key = p.spoil.sign ?? p.keys[0];
                return json(200, {
                    access_token: b64url(crypto.randomBytes(16)),
                    token_type: 'Bearer',
                    expires_in: 300,
                    id_token: p.forge ? p.forge(claims) : signJwt(key, claims, p.spoil.header ?? {}),
                });
            });
            return;
        }
        json(404, { error: 'not_found' });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    p.url = `http://127.0.0.1:${server.address().port}`;
    p.stop = () =>
        new Promise((r) => {
            server.closeAllConnections?.();
            server.close(r);
        });
    return p;
}
