//! Verifier costs against their hardware limits: the pipeline up to the
//! signature and validity checks against a bare `verify_strict`, envelope
//! opening against a bare Argon2id call, status-list load and lookup.
//!
//! `cargo bench -p attesta-verify --bench verify`

use argon2_bare::bare_argon2;
use attesta_core::cf::CodiceFiscale;
use attesta_core::claims::StatusRef;
use attesta_core::credential::{
    Cti, FirstLevelCode, FirstLevelRequest, issue_first_level_with_cti,
};
use attesta_core::envelope::KdfParams;
use attesta_core::keys::SigningKey;
use attesta_core::model::{Attestation, HandicapGrade, InvalidityAssessment};
use attesta_core::status_list::{CredentialStatus, StatusBits, StatusList, StatusListToken};
use attesta_core::trust_list::TrustList;
use attesta_verify::trust::TrustState;
use attesta_verify::{Policy, Verifier};
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use std::hint::black_box;

mod argon2_bare {
    /// Argon2id at the same parameters through the argon2 crate directly,
    /// as the envelope's reference cost.
    pub fn bare_argon2(pwd: &[u8], salt: &[u8], m_kib: u32, t: u32) -> [u8; 32] {
        let a = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(m_kib, t, 1, Some(32)).unwrap(),
        );
        let mut out = [0u8; 32];
        a.hash_password_into(pwd, salt, &mut out).unwrap();
        out
    }
}

fn bench(c: &mut Criterion) {
    let root = SigningKey::from_seed(&[1; 32]);
    let issuer = SigningKey::from_seed(&[2; 32]);
    let now = Timestamp::from_second(1_795_000_000).unwrap();
    let mut list = TrustList::default();
    list.add_issuer("INPS", issuer.public_key(), None).unwrap();
    let trust = list.sign(&root, now, now + SignedDuration::from_hours(24 * 30));
    let verifier = Verifier::new(
        &trust,
        &root.public_key(),
        &mut TrustState::default(),
        Policy::default(),
        now,
    )
    .unwrap();
    let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
    let req = FirstLevelRequest {
        attestation: Attestation::builder()
            .invalidity(InvalidityAssessment::From74)
            .handicap(HandicapGrade::Comma3Grave)
            .reduced_walking(true)
            .build()
            .unwrap(),
        issued_at: now,
        not_before: None,
        expires_at: now + SignedDuration::from_hours(24 * 365),
        status: Some(StatusRef {
            idx: 4_123_456,
            uri: "1".into(),
        }),
        issuer: None,
        kdf: KdfParams::DEFAULT,
    };
    let cti = Cti::from_bytes([9; 8]);
    let text = issue_first_level_with_cti(&issuer, &cf, &req, cti)
        .unwrap()
        .text()
        .to_owned();
    let code = FirstLevelCode::parse(&text).unwrap();
    let (tbs, sig) = (
        code.sign1().signed_bytes().to_vec(),
        code.sign1().signature().to_vec(),
    );
    let pk = issuer.public_key();

    let mut g = c.benchmark_group("verify");
    g.bench_function("check_without_cf", |b| {
        b.iter(|| verifier.check(black_box(&text), now).unwrap())
    });
    g.bench_function("bare_verify_strict", |b| {
        b.iter(|| assert!(pk.verify_strict(black_box(&tbs), &sig)))
    });
    g.finish();

    // Second level: the same Argon2id plus one HPKE open.
    let op = attesta_core::operator_key::OperatorSecretKey::generate();
    let mut l2list = TrustList::default();
    l2list
        .add_issuer("INPS", issuer.public_key(), None)
        .unwrap();
    l2list
        .add_operator(attesta_core::trust_list::OperatorEntry {
            id: "comune-bo".into(),
            name: "Comune di Bologna".into(),
            sealing_key: op.public_key().to_bytes(),
            valid_from: None,
            valid_until: None,
        })
        .unwrap();
    let l2trust = l2list.sign(&root, now, now + SignedDuration::from_hours(24 * 30));
    let l2v = Verifier::new(
        &l2trust,
        &root.public_key(),
        &mut TrustState::default(),
        Policy::default(),
        now,
    )
    .unwrap();
    let token = attesta_core::second_level::issue_second_level(
        &issuer,
        &cf,
        &attesta_core::second_level::SecondLevelRequest {
            details: attesta_core::model::SecondLevelDetails {
                invalidity_percent: Some("75.5".parse().unwrap()),
                ..Default::default()
            },
            audience: "comune-bo".into(),
            operator_key: op.public_key(),
            first_level_cti: cti,
            status: None,
            issued_at: now,
            expires_at: now + SignedDuration::from_hours(24 * 30),
            kdf: KdfParams::DEFAULT,
        },
    )
    .unwrap();
    let l2checked = l2v.check_second_level(token.text(), &op, now).unwrap();

    let checked = verifier.check(&text, now).unwrap();
    // The same code with a holder's secret (docs/format.md §6.1): what the
    // secret costs the operator's device.
    let secret = attesta_core::secret::HolderSecret::from_bytes([1, 2, 3, 4, 5]);
    let secret_text = secret.to_text();
    let with_secret = attesta_core::credential::issue_first_level_with_cti_and_secret(
        &issuer,
        &cf,
        Some(&secret),
        &req,
        cti,
    )
    .unwrap();
    let checked_secret = verifier.check(with_secret.text(), now).unwrap();
    let mut salt = b"attesta/v1/level-1".to_vec();
    salt.extend_from_slice(cti.as_bytes());
    let mut g = c.benchmark_group("open_default_kdf");
    g.sample_size(20);
    g.bench_function("open_envelope", |b| {
        b.iter(|| checked.open(black_box(&cf)).unwrap())
    });
    g.bench_function("open_envelope_with_holder_secret", |b| {
        b.iter(|| {
            checked_secret
                .open_with_secret_str(black_box(cf.as_str()), Some(&secret_text))
                .unwrap()
        })
    });
    g.bench_function("open_second_level", |b| {
        b.iter(|| l2checked.open_str(&op, black_box(cf.as_str())).unwrap())
    });
    g.bench_function("bare_argon2id", |b| {
        b.iter(|| bare_argon2(black_box(cf.as_str().as_bytes()), &salt, 19 * 1024, 2))
    });
    g.finish();

    // A national-scale list: 5,000,000 entries, 1 % revoked at random positions.
    let mut sl = StatusList::new(5_000_000, StatusBits::One).unwrap();
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for _ in 0..50_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        sl.set(x % 5_000_000, CredentialStatus::Revoked).unwrap();
    }
    let token = StatusListToken::new("1", now, sl).sign(&issuer);
    println!(
        "status list of 5,000,000 entries, 1 % revoked: {} bytes signed",
        token.len()
    );
    let mut v2 = Verifier::new(
        &trust,
        &root.public_key(),
        &mut TrustState::default(),
        Policy::default(),
        now,
    )
    .unwrap();
    v2.add_status_list(&token, now).unwrap();
    let parsed = {
        let u = StatusListToken::parse_unverified(&token).unwrap();
        StatusListToken::from_verified(&u.verify(&pk).unwrap()).unwrap()
    };
    let mut g = c.benchmark_group("status_list_5M");
    g.sample_size(20);
    g.bench_function("load_and_verify", |b| {
        b.iter(|| {
            let u = StatusListToken::parse_unverified(black_box(&token)).unwrap();
            StatusListToken::from_verified(&u.verify(&pk).unwrap()).unwrap()
        })
    });
    let mut i = 0u64;
    g.bench_function("lookup", |b| {
        b.iter(|| {
            i = (i + 7_919) % 5_000_000;
            parsed.list.get(black_box(i))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
