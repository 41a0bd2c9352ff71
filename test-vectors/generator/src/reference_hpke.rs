//! RFC 9180 HPKE base mode (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
//! ChaCha20-Poly1305), used to seal second-level details that issuance
//! refuses.

use sha2::Sha256;

/// X25519(scalar, u) (RFC 7748), the scalar clamped.
pub(crate) fn x25519(scalar: [u8; 32], u: [u8; 32]) -> [u8; 32] {
    // Any Montgomery point will do as the vessel for `u`.
    let mut p = ed25519_dalek::SigningKey::from_bytes(&[0; 32])
        .verifying_key()
        .to_montgomery();
    p.0 = u;
    p.mul_clamped(scalar).0
}

pub(crate) const HPKE_KEM_SUITE: &[u8] = b"KEM\x00\x20";
pub(crate) const HPKE_SUITE: &[u8] = b"HPKE\x00\x20\x00\x01\x00\x03";

pub(crate) fn labeled_extract(suite: &[u8], salt: &[u8], label: &[u8], ikm: &[u8]) -> [u8; 32] {
    let ikm = [b"HPKE-v1".as_slice(), suite, label, ikm].concat();
    let (prk, _) = hkdf::Hkdf::<Sha256>::extract(Some(salt), &ikm);
    prk.as_slice().try_into().expect("32 bytes")
}

pub(crate) fn labeled_expand(
    suite: &[u8],
    prk: &[u8],
    label: &[u8],
    info: &[u8],
    len: usize,
) -> Vec<u8> {
    let len16 = u16::try_from(len).expect("short").to_be_bytes();
    let info = [len16.as_slice(), b"HPKE-v1", suite, label, info].concat();
    let mut out = vec![0; len];
    hkdf::Hkdf::<Sha256>::from_prk(prk)
        .expect("prk")
        .expand(&info, &mut out)
        .expect("hkdf length");
    out
}

/// RFC 9180 single-shot `Seal` in base mode, the sender's ephemeral key
/// `DeriveKeyPair(ikm_e)`: returns (enc, ciphertext).
pub(crate) fn hpke_seal(
    pk_r: &[u8; 32],
    ikm_e: &[u8; 32],
    info: &[u8],
    aad: &[u8],
    pt: &[u8],
) -> ([u8; 32], Vec<u8>) {
    let k = HPKE_KEM_SUITE;
    let dkp_prk = labeled_extract(k, b"", b"dkp_prk", ikm_e);
    let sk_e: [u8; 32] = labeled_expand(k, &dkp_prk, b"sk", b"", 32)
        .try_into()
        .expect("32 bytes");
    let mut base = [0u8; 32];
    base[0] = 9;
    let enc = x25519(sk_e, base);
    let dh = x25519(sk_e, *pk_r);
    let kem_context = [enc.as_slice(), pk_r].concat();
    let eae_prk = labeled_extract(k, b"", b"eae_prk", &dh);
    let shared = labeled_expand(k, &eae_prk, b"shared_secret", &kem_context, 32);
    let s = HPKE_SUITE;
    let psk_id_hash = labeled_extract(s, b"", b"psk_id_hash", b"");
    let info_hash = labeled_extract(s, b"", b"info_hash", info);
    let context = [[0u8].as_slice(), &psk_id_hash, &info_hash].concat();
    let secret = labeled_extract(s, &shared, b"secret", b"");
    let key = labeled_expand(s, &secret, b"key", &context, 32);
    let nonce = labeled_expand(s, &secret, b"base_nonce", &context, 12);
    let ct = chacha20poly1305_seal(
        &key.try_into().expect("32 bytes"),
        &nonce.try_into().expect("12 bytes"),
        aad,
        pt,
    );
    (enc, ct)
}

/// The ChaCha20 block function (RFC 8439, section 2.3).
pub(crate) fn chacha20_block(key: &[u8; 32], counter: u32, nonce: &[u8; 12]) -> [u8; 64] {
    let word = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes"));
    let mut s = [0u32; 16];
    s[..4].copy_from_slice(&[0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574]);
    for (si, k) in s[4..12].iter_mut().zip(key.chunks_exact(4)) {
        *si = word(k);
    }
    s[12] = counter;
    for (si, n) in s[13..].iter_mut().zip(nonce.chunks_exact(4)) {
        *si = word(n);
    }
    let mut x = s;
    let qr = |x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize| {
        x[a] = x[a].wrapping_add(x[b]);
        x[d] = (x[d] ^ x[a]).rotate_left(16);
        x[c] = x[c].wrapping_add(x[d]);
        x[b] = (x[b] ^ x[c]).rotate_left(12);
        x[a] = x[a].wrapping_add(x[b]);
        x[d] = (x[d] ^ x[a]).rotate_left(8);
        x[c] = x[c].wrapping_add(x[d]);
        x[b] = (x[b] ^ x[c]).rotate_left(7);
    };
    for _ in 0..10 {
        qr(&mut x, 0, 4, 8, 12);
        qr(&mut x, 1, 5, 9, 13);
        qr(&mut x, 2, 6, 10, 14);
        qr(&mut x, 3, 7, 11, 15);
        qr(&mut x, 0, 5, 10, 15);
        qr(&mut x, 1, 6, 11, 12);
        qr(&mut x, 2, 7, 8, 13);
        qr(&mut x, 3, 4, 9, 14);
    }
    let mut out = [0u8; 64];
    for (o, (xi, si)) in out.chunks_exact_mut(4).zip(x.iter().zip(s)) {
        o.copy_from_slice(&xi.wrapping_add(si).to_le_bytes());
    }
    out
}

/// Poly1305 (RFC 8439, section 2.5), in 26-bit limbs.
pub(crate) fn poly1305(key: &[u8; 32], msg: &[u8]) -> [u8; 16] {
    const M: u64 = 0x3ff_ffff;
    let le128 = |b: &[u8]| {
        let mut a = [0u8; 16];
        a[..b.len()].copy_from_slice(b);
        u128::from_le_bytes(a)
    };
    let r = le128(&key[..16]) & 0x0fff_fffc_0fff_fffc_0fff_fffc_0fff_ffff;
    let s = le128(&key[16..]);
    let limb = |x: u128, i: u32| u64::try_from((x >> (26 * i)) & u128::from(M)).expect("26 bits");
    let r = [limb(r, 0), limb(r, 1), limb(r, 2), limb(r, 3), limb(r, 4)];
    let s5 = [0, r[1] * 5, r[2] * 5, r[3] * 5, r[4] * 5];
    let mut h = [0u64; 5];
    for block in msg.chunks(16) {
        // The block with a 1 byte appended: bit 128 for a full block.
        let (n, top) = if block.len() == 16 {
            (le128(block), 1u64 << 24)
        } else {
            (le128(block) | (1u128 << (8 * block.len())), 0)
        };
        for (i, hi) in h.iter_mut().enumerate() {
            let i = u32::try_from(i).expect("small");
            *hi += if i < 4 { limb(n, i) } else { limb(n, 4) | top };
        }
        let d = [
            h[0] * r[0] + h[1] * s5[4] + h[2] * s5[3] + h[3] * s5[2] + h[4] * s5[1],
            h[0] * r[1] + h[1] * r[0] + h[2] * s5[4] + h[3] * s5[3] + h[4] * s5[2],
            h[0] * r[2] + h[1] * r[1] + h[2] * r[0] + h[3] * s5[4] + h[4] * s5[3],
            h[0] * r[3] + h[1] * r[2] + h[2] * r[1] + h[3] * r[0] + h[4] * s5[4],
            h[0] * r[4] + h[1] * r[3] + h[2] * r[2] + h[3] * r[1] + h[4] * r[0],
        ];
        let mut c = 0;
        for (hi, di) in h.iter_mut().zip(d) {
            let v = di + c;
            *hi = v & M;
            c = v >> 26;
        }
        h[0] += c * 5;
        h[1] += h[0] >> 26;
        h[0] &= M;
    }
    // Carried, then reduced modulo p = 2^130 - 5: h + 5 reaches 2^130
    // exactly when h >= p, and then h - p is h + 5 - 2^130.
    let mut c = 0;
    for hi in h.iter_mut().skip(1) {
        *hi += c;
        c = *hi >> 26;
        *hi &= M;
    }
    h[0] += c * 5;
    h[1] += h[0] >> 26;
    h[0] &= M;
    let mut g = [0u64; 5];
    let mut c = 5;
    for (gi, hi) in g.iter_mut().zip(h) {
        *gi = hi + c;
        c = *gi >> 26;
        *gi &= M;
    }
    let h = if c == 1 { g } else { h };
    let acc = h.iter().enumerate().fold(0u128, |a, (i, &x)| {
        a.wrapping_add(u128::from(x) << (26 * i))
    });
    acc.wrapping_add(s).to_le_bytes()
}

/// ChaCha20-Poly1305 (RFC 8439, section 2.8): ciphertext || tag.
pub(crate) fn chacha20poly1305_seal(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    pt: &[u8],
) -> Vec<u8> {
    let otk: [u8; 32] = chacha20_block(key, 0, nonce)[..32]
        .try_into()
        .expect("32 bytes");
    let mut ct = Vec::with_capacity(pt.len() + 16);
    for (i, chunk) in pt.chunks(64).enumerate() {
        let ks = chacha20_block(key, u32::try_from(i + 1).expect("short"), nonce);
        ct.extend(chunk.iter().zip(ks).map(|(p, k)| p ^ k));
    }
    let pad = |v: &mut Vec<u8>| v.resize(v.len().next_multiple_of(16), 0);
    let mut mac = aad.to_vec();
    pad(&mut mac);
    mac.extend_from_slice(&ct);
    pad(&mut mac);
    mac.extend_from_slice(&(aad.len() as u64).to_le_bytes());
    mac.extend_from_slice(&(ct.len() as u64).to_le_bytes());
    let tag = poly1305(&otk, &mac);
    ct.extend_from_slice(&tag);
    ct
}
