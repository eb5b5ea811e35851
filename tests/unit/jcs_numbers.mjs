// SPDX-License-Identifier: EUPL-1.2
// jcs_numbers.mjs - the oracle for test_jcs.c: prints doubles and the form
// ECMAScript gives them (String(x), which RFC 8785 adopts), one per line as
// "<16 hex digits of the IEEE 754 bits> <String(x)>".
//   node tests/unit/jcs_numbers.mjs [RANDOM] [SEED]
// What it prints, in this order:
//   - every power of two a double holds, 2^-1074 .. 2^1023, and its negative
//     (4,196 lines), built from their bits;
//   - when RANDOM > 0: the doubles on either side of each power of two
//     and two away (16,778 lines: both ends of the narrow and the wide gap);
//   - RANDOM (default 1,000,000) bit patterns from a seeded PRNG (NaN and
//     the infinities skipped): every exponent equally likely;
//   - RANDOM / 10 short decimals (1 to 17 random digits, a random exponent
//     from -30 to 30) read by Number(), which reach the exponent-form
//     boundaries (1e21, 1e-7) and short digit strings often.
// The same arguments print the same lines.
const random = Number(process.argv[2] ?? 1000000);
const seed = Number(process.argv[3] ?? 20261203) >>> 0;

// mulberry32: small, seeded, 32 bits a step
let state = seed;
function next32() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
}

const view = new DataView(new ArrayBuffer(8));
const out = [];
let pending = 0;
function flush(force) {
    if (force || pending >= 8192) {
        process.stdout.write(out.join(''));
        out.length = 0;
        pending = 0;
    }
}
function emit() {
    const hex = view.getUint32(0).toString(16).padStart(8, '0') + view.getUint32(4).toString(16).padStart(8, '0');
    out.push(`${hex} ${String(view.getFloat64(0))}\n`);
    pending++;
    flush(false);
}
function fromDouble(x) {
    view.setFloat64(0, x);
    emit();
}

// powers of two from their bits: subnormals are one fraction bit,
// normals a biased exponent and no fraction
for (const sign of [0, 0x80000000]) {
    for (let i = 0; i < 52; i++) {
        const bit = 2n ** BigInt(i);
        view.setUint32(0, (sign | Number(bit >> 32n)) >>> 0);
        view.setUint32(4, Number(bit & 0xffffffffn));
        emit();
    }
    for (let e = 1; e <= 2046; e++) {
        view.setUint32(0, (sign | (e << 20)) >>> 0);
        view.setUint32(4, 0);
        emit();
    }
}

if (random > 0) {
    for (const sign of [0n, 1n << 63n]) {
        for (let e = 0n; e < 2098n; e++) {
            // 2^-1074 .. 2^-1023 are fraction bits, then exponents 1 .. 2046
            const bits = sign | (e < 52n ? 1n << e : (e - 51n) << 52n);
            for (const b of [bits - 1n, bits + 1n, bits + 2n, bits - 2n]) {
                if ((b & ~(1n << 63n)) === 0n || ((b >> 52n) & 0x7ffn) === 0x7ffn) continue;
                view.setBigUint64(0, b);
                emit();
            }
        }
    }
}

for (let i = 0; i < random; ) {
    const hi = next32();
    if (((hi >>> 20) & 0x7ff) === 0x7ff) continue; // NaN and the infinities
    view.setUint32(0, hi);
    view.setUint32(4, next32());
    emit();
    i++;
}

for (let i = 0; i < random / 10; i++) {
    const n = 1 + (next32() % 17);
    let digits = '';
    for (let j = 0; j < n; j++) digits += String(next32() % 10);
    const exp = (next32() % 61) - 30;
    fromDouble(Number(`${next32() % 2 ? '-' : ''}${digits}e${exp}`));
}
flush(true);
