//! No secret ever shows in `Debug` output or in an error message: not the
//! seed or secret key (hex, base64, in part), not the PKCS#8 body, not the
//! passphrase, whatever went wrong while reading a key file.

use attesta_core::keys::{KeyError, PublicKey, SigningKey};
use attesta_core::operator_key::{OperatorPublicKey, OperatorSecretKey};

const SEED: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];
const PASSPHRASE: &str = "correct horse battery staple";

/// Base64 (standard alphabet, with padding) without a dependency.
fn base64(b: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &x)| n | u32::from(x) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= c.len() {
                A[(n >> (18 - 6 * i)) as usize & 63] as char
            } else {
                '='
            });
        }
    }
    out
}

/// Every form in which `secret` or its key file could leak: hex of any
/// 6-byte window (either case), base64 of the whole secret and of any
/// 6-byte window at each alignment, and every base64 line of `pem`'s body.
fn leaks(secret: &[u8], pem: &str) -> Vec<String> {
    let mut needles = Vec::new();
    for w in secret.windows(6) {
        needles.push(hex::encode(w));
        needles.push(hex::encode_upper(w));
        // A 6-byte window is 8 base64 characters without padding.
        needles.push(base64(w));
    }
    needles.push(base64(secret));
    for line in pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 8)
    {
        needles.push(line.to_owned());
        // A line cut short still carries key bytes.
        needles.push(line[..line.len().min(16)].to_owned());
    }
    needles.push(PASSPHRASE.to_owned());
    needles
}

fn assert_clean(what: &str, text: &str, needles: &[String]) {
    for n in needles {
        assert!(
            !text.contains(n.as_str()),
            "{what} shows a secret ({n}): {text}"
        );
    }
}

/// Variants of a PEM file that are wrong in every way a reader can see:
/// truncated, a character changed in each line, lines dropped, the label
/// swapped, padding removed.
fn damaged(pem: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lines: Vec<&str> = pem.lines().collect();
    for cut in [pem.len() / 3, pem.len() / 2, pem.len() - 30] {
        out.push(pem[..cut].to_owned());
    }
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("-----") {
            continue;
        }
        for pos in [0, l.len() / 2, l.len() - 1] {
            let mut b = l.as_bytes().to_vec();
            b[pos] = if b[pos] == b'A' { b'B' } else { b'A' };
            let mut ls = lines.clone();
            let changed = String::from_utf8(b).unwrap();
            ls[i] = &changed;
            out.push(ls.join("\n"));
        }
        let mut ls = lines.clone();
        ls.remove(i);
        out.push(ls.join("\n"));
    }
    out.push(pem.replace("PRIVATE KEY", "PUBLIC KEY"));
    out.push(pem.replace("ENCRYPTED PRIVATE KEY", "PRIVATE KEY"));
    out.push(pem.replace(
        "-----BEGIN PRIVATE KEY-----",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----",
    ));
    out.push(pem.replace('=', ""));
    out
}

#[test]
fn signing_key_debug_never_shows_the_seed() {
    let k = SigningKey::from_seed(&SEED);
    let pem = k.to_pkcs8_pem(None).unwrap();
    let needles = leaks(&SEED, &pem);
    assert_clean("Debug", &format!("{k:?}"), &needles);
    assert_clean("Debug (alternate)", &format!("{k:#?}"), &needles);
    // The public half and the kid may show; they are public.
    assert!(format!("{k:?}").contains(&k.kid().to_string()));
}

#[test]
fn operator_key_debug_never_shows_the_secret() {
    let k = OperatorSecretKey::from_bytes(&SEED).unwrap();
    let pem = k.to_pkcs8_pem(None).unwrap();
    let needles = leaks(&SEED, &pem);
    assert_clean("Debug", &format!("{k:?}"), &needles);
    assert_clean("Debug (alternate)", &format!("{k:#?}"), &needles);
    let g = OperatorSecretKey::generate();
    assert!(format!("{g:?}").contains("private part hidden"));
}

fn check_errors<E: std::fmt::Debug + std::fmt::Display>(
    what: &str,
    results: Vec<Result<(), E>>,
    needles: &[String],
) -> usize {
    let mut n = 0;
    for e in results.into_iter().filter_map(Result::err) {
        assert_clean(what, &e.to_string(), needles);
        assert_clean(what, &format!("{e:?}"), needles);
        n += 1;
    }
    n
}

#[test]
fn key_file_errors_never_show_key_bytes_or_the_passphrase() {
    let sk = SigningKey::from_seed(&SEED);
    let ok = OperatorSecretKey::from_bytes(&SEED).unwrap();
    let pass = Some(PASSPHRASE.as_bytes());
    let files = [
        ("ed25519", sk.to_pkcs8_pem(None).unwrap()),
        ("ed25519 encrypted", sk.to_pkcs8_pem(pass).unwrap()),
        ("x25519", ok.to_pkcs8_pem(None).unwrap()),
        ("x25519 encrypted", ok.to_pkcs8_pem(pass).unwrap()),
    ];
    let mut errors = 0;
    for (name, pem) in &files {
        // The plain PEM's body is what must never show, whichever file
        // was read (an encrypted file's body is ciphertext, but checking
        // it costs nothing).
        let mut needles = leaks(&SEED, pem);
        needles.extend(leaks(&SEED, &sk.to_pkcs8_pem(None).unwrap()));
        needles.extend(leaks(&SEED, &ok.to_pkcs8_pem(None).unwrap()));
        let mut inputs = damaged(pem);
        inputs.push(pem.to_string());
        for (i, input) in inputs.iter().enumerate() {
            // scrypt makes each try of an encrypted file cost ~50 ms: the
            // wrong passphrase only on the intact file.
            let intact = i + 1 == inputs.len();
            let wrong = intact.then_some(&b"wrong"[..]);
            for p in [None, wrong, pass] {
                errors += check_errors(
                    name,
                    vec![
                        SigningKey::from_pkcs8_pem(input, p).map(drop),
                        OperatorSecretKey::from_pkcs8_pem(input, p).map(drop),
                    ],
                    &needles,
                );
            }
            errors += check_errors(
                name,
                vec![
                    PublicKey::from_pem(input).map(drop),
                    OperatorPublicKey::from_pem(input).map(drop),
                ],
                &needles,
            );
        }
    }
    // The damaged files gave plenty of errors to look at.
    assert!(errors > 100, "{errors}");
}

#[test]
fn wrong_passphrase_and_wrong_kind_are_named_without_details() {
    let sk = SigningKey::from_seed(&SEED);
    let enc = sk.to_pkcs8_pem(Some(PASSPHRASE.as_bytes())).unwrap();
    assert_eq!(
        SigningKey::from_pkcs8_pem(&enc, Some(b"wrong")).err(),
        Some(KeyError::WrongPassphrase)
    );
    assert_eq!(
        SigningKey::from_pkcs8_pem(&enc, None).err(),
        Some(KeyError::PassphraseNeeded)
    );
    // An X25519 file where an Ed25519 key is expected, and the reverse.
    let op = OperatorSecretKey::from_bytes(&SEED).unwrap();
    assert_eq!(
        SigningKey::from_pkcs8_pem(&op.to_pkcs8_pem(None).unwrap(), None).err(),
        Some(KeyError::NotEd25519)
    );
    assert_eq!(
        OperatorSecretKey::from_pkcs8_pem(&sk.to_pkcs8_pem(None).unwrap(), None).err(),
        Some(KeyError::NotX25519)
    );
    // A private key given as a public one is refused without echoing it.
    assert_eq!(
        PublicKey::from_pem(&sk.to_pkcs8_pem(None).unwrap()).err(),
        Some(KeyError::PrivateWherePublicExpected)
    );
    assert_eq!(
        OperatorPublicKey::from_pem(&op.to_pkcs8_pem(None).unwrap()).err(),
        Some(KeyError::PrivateWherePublicExpected)
    );
}

#[test]
fn private_keys_round_trip_through_encrypted_files() {
    let sk = SigningKey::from_seed(&SEED);
    let enc = sk.to_pkcs8_pem(Some(PASSPHRASE.as_bytes())).unwrap();
    assert!(enc.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    // The encrypted file holds no plain key bytes.
    assert_clean(
        "encrypted PEM",
        &enc,
        &leaks(&SEED, &sk.to_pkcs8_pem(None).unwrap()),
    );
    let back = SigningKey::from_pkcs8_pem(&enc, Some(PASSPHRASE.as_bytes())).unwrap();
    assert_eq!(back.public_key(), sk.public_key());

    let op = OperatorSecretKey::from_bytes(&SEED).unwrap();
    let enc = op.to_pkcs8_pem(Some(PASSPHRASE.as_bytes())).unwrap();
    assert!(enc.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    assert_clean(
        "encrypted PEM",
        &enc,
        &leaks(&SEED, &op.to_pkcs8_pem(None).unwrap()),
    );
    let back = OperatorSecretKey::from_pkcs8_pem(&enc, Some(PASSPHRASE.as_bytes())).unwrap();
    assert_eq!(back.public_key(), op.public_key());
}

/// An encrypted key file with its KDF parameters raised to `scrypt` N, r, p
/// or PBKDF2 iterations of the caller's choice (the ciphertext is left as it
/// was: the parameters must be refused before anything is decrypted).
fn with_kdf(pem: &str, n: u64, r: u16, par: u16, iterations: u32) -> String {
    use pkcs8::der::{Decode, Encode};
    use pkcs8::pkcs5::{EncryptionScheme, pbes2::Kdf};
    let (_, der) = pkcs8::der::pem::decode_vec(pem.as_bytes()).unwrap();
    let mut info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(&der).unwrap();
    let EncryptionScheme::Pbes2(p) = &mut info.encryption_algorithm else {
        panic!("PBES2 expected");
    };
    match &mut p.kdf {
        Kdf::Scrypt(s) => {
            s.cost_parameter = n;
            s.block_size = r;
            s.parallelization = par;
        }
        Kdf::Pbkdf2(k) => k.iteration_count = iterations,
        _ => panic!("scrypt or PBKDF2 expected"),
    }
    let der = info.to_der().unwrap();
    pkcs8::der::pem::encode_string(
        "ENCRYPTED PRIVATE KEY",
        pkcs8::der::pem::LineEnding::LF,
        &der,
    )
    .unwrap()
}

/// Regression: reading an encrypted key file ran the passphrase KDF with
/// whatever parameters the file named, so a 250-byte file with scrypt
/// N = 2^22, r = 255 made `attesta` allocate 128 GiB (the failed
/// allocation aborts the process), scrypt with p = 105 (found by the
/// key_files fuzz target) took five seconds per try, and PBKDF2 with 2^32
/// iterations ran for an hour. Such files are now refused before the KDF
/// runs.
#[test]
fn regression_costly_key_encryption_parameters() {
    use std::time::{Duration, Instant};
    let pass = PASSPHRASE.as_bytes();
    let sk = SigningKey::from_seed(&SEED);
    let op = OperatorSecretKey::from_bytes(&SEED).unwrap();
    let ed = sk.to_pkcs8_pem(Some(pass)).unwrap();
    let x = op.to_pkcs8_pem(Some(pass)).unwrap();
    // The last: p = 105 (found by the key_files fuzz target), 105× the
    // work of a genuine file, five seconds per try.
    for (n, r, p) in [
        (1 << 22, 255, 1),
        (1 << 40, 8, 1),
        (1 << 24, 8, 1),
        (1 << 14, 65_535, 1),
        (1 << 14, 8, 105),
    ] {
        let t0 = Instant::now();
        assert_eq!(
            SigningKey::from_pkcs8_pem(&with_kdf(&ed, n, r, p, 0), Some(pass)).err(),
            Some(KeyError::EncryptionTooCostly)
        );
        assert_eq!(
            OperatorSecretKey::from_pkcs8_pem(&with_kdf(&x, n, r, p, 0), Some(pass)).err(),
            Some(KeyError::EncryptionTooCostly)
        );
        assert!(
            t0.elapsed() < Duration::from_millis(100),
            "{:?}",
            t0.elapsed()
        );
    }
    // Within bounds the usual answer comes back: these parameters are not
    // the ones the file was encrypted with, so the passphrase "is wrong".
    assert_eq!(
        SigningKey::from_pkcs8_pem(&with_kdf(&ed, 1 << 10, 8, 1, 0), Some(pass)).err(),
        Some(KeyError::WrongPassphrase)
    );

    // PBKDF2, as OpenSSL writes encrypted keys.
    let der = sk.to_pkcs8_pem(None).unwrap();
    let (_, der) = pkcs8::der::pem::decode_vec(der.as_bytes()).unwrap();
    let info = pkcs8::PrivateKeyInfoRef::try_from(der.as_slice()).unwrap();
    let params =
        pkcs8::pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(2048, &[7; 16], [9; 16])
            .unwrap();
    let enc = info.encrypt_with_params(params, pass).unwrap();
    let pem = pkcs8::der::pem::encode_string(
        "ENCRYPTED PRIVATE KEY",
        pkcs8::der::pem::LineEnding::LF,
        enc.as_bytes(),
    )
    .unwrap();
    let back = SigningKey::from_pkcs8_pem(&pem, Some(pass)).unwrap();
    assert_eq!(back.public_key(), sk.public_key());
    let t0 = Instant::now();
    assert_eq!(
        SigningKey::from_pkcs8_pem(&with_kdf(&pem, 0, 0, 0, u32::MAX), Some(pass)).err(),
        Some(KeyError::EncryptionTooCostly)
    );
    assert!(t0.elapsed() < Duration::from_millis(100));
}
