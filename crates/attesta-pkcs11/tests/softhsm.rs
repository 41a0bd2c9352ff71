//! The PKCS#11 key against a real token: SoftHSM2 in a temporary
//! directory. SoftHSM2 reads `SOFTHSM2_CONF` once per process, so this test
//! has its own `main` (harness = false) that sets it before any thread
//! starts and runs the cases in order.

use std::sync::Arc;

use attesta_core::cf::CodiceFiscale;
use attesta_core::claims::StatusRef;
use attesta_core::credential::{Cti, FirstLevelRequest, issue_first_level_with_cti};
use attesta_core::envelope::KdfParams;
use attesta_core::keys::SigningKey;
use attesta_core::model::{Attestation, HandicapGrade, SecondLevelDetails};
use attesta_core::operator_key::OperatorSecretKey;
use attesta_core::second_level::{SecondLevelRequest, issue_second_level_deterministic};
use attesta_core::signer::Signer;
use attesta_core::status_list::{StatusBits, StatusList, StatusListToken};
use attesta_core::trust_list::TrustList;
use attesta_pkcs11::testing::{self, P256_PKCS8_PEM, SoftHsm};
use attesta_pkcs11::{Pin, Pkcs11Error, Pkcs11Key, Pkcs11Uri, TriesLeft, generate};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, KeyType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use jiff::{SignedDuration, Timestamp};

const PIN: &str = "123456";
/// The seed of the "known key" imported into the token and kept in a file.
const SEED: [u8; 32] = [0x5a; 32];

fn pin() -> Option<Pin> {
    Some(Pin::new(PIN.to_owned().into()))
}

fn uri(s: &str) -> Pkcs11Uri {
    s.parse().unwrap()
}

fn main() {
    if !testing::available("attesta-pkcs11 softhsm tests") {
        return;
    }
    let hsm = SoftHsm::new();
    // Safety: single-threaded here; nothing else reads the environment yet.
    unsafe {
        std::env::set_var("SOFTHSM2_CONF", hsm.conf());
        std::env::set_var(attesta_pkcs11::MODULE_ENV, hsm.module());
    }
    // Every token this process uses exists before the module is first
    // initialised (SoftHSM2 scans its token directory then).
    for t in ["gen", "known", "errors", "threads", "pinchange"] {
        hsm.init_token(t, PIN);
    }
    hsm.import_pem("errors", PIN, "p256", "0a", P256_PKCS8_PEM);
    import_known_key(&hsm);
    hsm.import_ed25519_seed("known", PIN, "issuer-pem", "02", &SEED);

    let cases: &[(&str, fn())] = &[
        ("keygen_makes_a_non_extractable_key_that_signs", keygen),
        (
            "token_and_file_sign_byte_identical_documents",
            byte_identical,
        ),
        ("errors_say_what_is_wrong", errors),
        ("threads_survive_a_lost_login", threads_and_lost_sessions),
        (
            "a_pin_refused_on_relogin_is_never_tried_again",
            pin_refused_on_relogin,
        ),
    ];
    let mut failed = 0;
    for (name, f) in cases {
        match std::panic::catch_unwind(f) {
            Ok(()) => eprintln!("test {name} ... ok"),
            Err(_) => {
                eprintln!("test {name} ... FAILED");
                failed += 1;
            }
        }
    }
    println!("{} passed, {failed} failed", cases.len() - failed);
    // exit() skips destructors: remove the token directory first.
    drop(hsm);
    if failed > 0 {
        std::process::exit(1);
    }
}

/// Imports the known key with C_CreateObject: a private key holding the
/// seed and a public key object with its point.
fn import_known_key(hsm: &SoftHsm) {
    let ctx = Pkcs11::new(hsm.module()).unwrap();
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let slot = ctx
        .get_slots_with_initialized_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label() == "known")
        .unwrap();
    let session = ctx.open_rw_session(slot).unwrap();
    session
        .login(UserType::User, Some(&AuthPin::from(PIN)))
        .unwrap();
    let key = SigningKey::from_seed(&SEED);
    let params = vec![0x06, 0x03, 0x2b, 0x65, 0x70];
    let common = [
        Attribute::Token(true),
        Attribute::KeyType(KeyType::EC_EDWARDS),
        Attribute::Label(b"issuer-2026".to_vec()),
        Attribute::Id(vec![1]),
        Attribute::EcParams(params),
    ];
    let mut private = common.to_vec();
    private.extend([
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Sign(true),
        Attribute::Value(SEED.to_vec()),
    ]);
    let mut point = vec![0x04, 0x20];
    point.extend_from_slice(&key.public_key().to_bytes());
    let mut public = common.to_vec();
    public.extend([
        Attribute::Class(ObjectClass::PUBLIC_KEY),
        Attribute::Verify(true),
        Attribute::EcPoint(point),
    ]);
    session.create_object(&private).unwrap();
    session.create_object(&public).unwrap();
    // The context stays initialised for the process: the key under test
    // loads the same module and shares it.
    std::mem::forget(ctx);
}

fn keygen() {
    let u = uri("pkcs11:token=gen;object=root-2026");
    let g = generate(&u, pin()).unwrap();
    assert!(
        g.non_extractable,
        "the private key must be sensitive and never extractable"
    );
    assert_eq!((g.token.as_str(), g.object.as_str()), ("gen", "root-2026"));
    let key = Pkcs11Key::open(&u, pin()).unwrap();
    assert_eq!(key.public_key(), g.public);
    assert_eq!(key.kid(), g.public.kid());
    let sig = key.sign(b"hello").unwrap();
    assert!(g.public.verify_strict(b"hello", sig.as_bytes()));
    // CKA_ID is the kid, so the key is also found by id.
    let by_id = Pkcs11Key::open(
        &uri(&format!(
            "pkcs11:token=gen;id={}",
            g.public
                .kid()
                .as_bytes()
                .iter()
                .map(|b| format!("%{b:02x}"))
                .collect::<String>()
        )),
        pin(),
    )
    .unwrap();
    assert_eq!(by_id.kid(), key.kid());
    assert_eq!(by_id.object_label(), "root-2026");
    // Never overwritten.
    assert!(matches!(
        generate(&u, pin()),
        Err(Pkcs11Error::ObjectExists { .. })
    ));
    assert_eq!(
        generate(&uri("pkcs11:token=gen"), pin()).unwrap_err(),
        Pkcs11Error::NoObjectLabel
    );
}

fn byte_identical() {
    // The same key twice in the token: created with C_CreateObject, and
    // imported from its PKCS#8 file with softhsm2-util.
    for object in ["issuer-2026", "issuer-pem"] {
        let hsm =
            Pkcs11Key::open(&uri(&format!("pkcs11:token=known;object={object}")), pin()).unwrap();
        same_documents(&hsm);
    }
}

fn same_documents(hsm: &Pkcs11Key) {
    let file = SigningKey::from_seed(&SEED);
    assert_eq!(hsm.kid(), file.kid());

    let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let req = FirstLevelRequest {
        attestation: Attestation::builder()
            .handicap(HandicapGrade::Comma3Grave)
            .build()
            .unwrap(),
        issued_at: now,
        not_before: None,
        expires_at: now + SignedDuration::from_hours(24 * 365),
        status: Some(StatusRef {
            idx: 42,
            uri: "1".into(),
        }),
        issuer: None,
        kdf: KdfParams::DEFAULT,
    };
    let cti = Cti::from_bytes([7; 8]);
    let a = issue_first_level_with_cti(&file, &cf, &req, cti).unwrap();
    let b = issue_first_level_with_cti(hsm, &cf, &req, cti).unwrap();
    assert_eq!(a.text(), b.text(), "first-level code");

    let l2 = SecondLevelRequest {
        details: SecondLevelDetails {
            invalidity_percent: Some("75.5".parse().unwrap()),
            blindness_class: None,
            deafness: false,
            handicap: Some(HandicapGrade::Comma3Grave),
            l68_percent: None,
            judgement: None,
        },
        audience: "comune-bo".into(),
        operator_key: OperatorSecretKey::generate().public_key(),
        first_level_cti: cti,
        status: None,
        issued_at: now,
        expires_at: now + SignedDuration::from_hours(24 * 30),
        kdf: KdfParams::DEFAULT,
    };
    let token_cti = Cti::from_bytes([8; 8]);
    let a = issue_second_level_deterministic(&file, &cf, &l2, token_cti, [9; 32]).unwrap();
    let b = issue_second_level_deterministic(hsm, &cf, &l2, token_cti, [9; 32]).unwrap();
    assert_eq!(a.text(), b.text(), "second-level token");

    let mut list = TrustList::default();
    list.add_issuer("INPS", file.public_key(), Some(now))
        .unwrap();
    list.next_version();
    let exp = now + SignedDuration::from_hours(24 * 30);
    assert_eq!(
        list.sign(&file, now, exp),
        list.sign_with(hsm, now, exp).unwrap(),
        "trust list"
    );

    let mut sl = StatusList::new(1024, StatusBits::One).unwrap();
    sl.set(42, attesta_core::status_list::CredentialStatus::Revoked)
        .unwrap();
    let token = StatusListToken::new("1", now, sl);
    assert_eq!(
        token.sign(&file),
        token.sign_with(&hsm).unwrap(),
        "status list"
    );
}

fn errors() {
    let err = |s: &str| Pkcs11Key::open(&uri(s), pin()).unwrap_err();

    match err("pkcs11:token=nope;object=k") {
        Pkcs11Error::TokenNotFound { seen, .. } => {
            assert!(seen.iter().any(|t| t.starts_with("\"errors\"")), "{seen:?}");
        }
        e => panic!("{e}"),
    }
    match err("pkcs11:token=errors;object=missing") {
        e @ Pkcs11Error::ObjectNotFound { .. } => {
            assert!(e.to_string().contains("\"p256\""), "{e}");
        }
        e => panic!("{e}"),
    }
    match err("pkcs11:token=errors;object=p256") {
        e @ Pkcs11Error::NotEd25519 { .. } => {
            assert!(e.to_string().contains("ECDSA"), "{e}");
            assert_eq!(e.code(), "pkcs11_not_ed25519");
        }
        e => panic!("{e}"),
    }
    let wrong = Pkcs11Key::open(
        &uri("pkcs11:token=errors;object=p256"),
        Some(Pin::new("000000".to_owned().into())),
    )
    .unwrap_err();
    assert!(
        matches!(
            wrong,
            Pkcs11Error::WrongPin {
                tries: TriesLeft::Unknown | TriesLeft::Low | TriesLeft::FinalTry,
                ..
            }
        ),
        "{wrong}"
    );
    assert!(matches!(
        Pkcs11Key::open(&uri("pkcs11:token=errors;object=p256"), None).unwrap_err(),
        Pkcs11Error::PinNeeded { .. }
    ));
    assert!(matches!(
        err("pkcs11:token=errors;object=k?module-path=/nonexistent/libpkcs11.so"),
        Pkcs11Error::ModuleNotFound { .. }
    ));
    assert!(matches!(
        err("pkcs11:token=errors;object=k?module-path=/etc/hostname"),
        Pkcs11Error::ModuleLoad { .. }
    ));
    assert!(matches!(
        err("pkcs11:token=errors;object=p256;type=public"),
        Pkcs11Error::NotPrivateKeyType { .. }
    ));
}

fn threads_and_lost_sessions() {
    let u = uri("pkcs11:token=threads;object=issuer");
    generate(&u, pin()).unwrap();
    let mut key = Pkcs11Key::open(&u, pin()).unwrap();
    key.inject_logout_every(25);
    let key = Arc::new(key);
    let public = key.public_key();
    let handles: Vec<_> = (0..4u8)
        .map(|t| {
            let key = Arc::clone(&key);
            std::thread::spawn(move || {
                (0..40u8).all(|i| {
                    let msg = [t, i];
                    let sig = key.sign(&msg).expect("signature after reopening");
                    public.verify_strict(&msg, sig.as_bytes())
                })
            })
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap(), "every signature verifies");
    }
    assert!(
        key.sessions_reopened() > 0,
        "the injected logouts were recovered from"
    );
}

/// The PIN is changed while a key is in use, then the token logs the
/// process out: the first re-login is refused, and no later signature
/// tries the PIN again (each try would count towards locking the token).
fn pin_refused_on_relogin() {
    let u = uri("pkcs11:token=pinchange;object=issuer");
    generate(&u, pin()).unwrap();
    let mut key = Pkcs11Key::open(&u, pin()).unwrap();
    key.sign(b"before").unwrap();

    let ctx = Pkcs11::new(testing::require_module()).unwrap();
    let _ = ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = ctx
        .get_slots_with_initialized_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label() == "pinchange")
        .unwrap();
    let admin = ctx.open_rw_session(slot).unwrap();
    admin
        .set_pin(&AuthPin::from(PIN), &AuthPin::from("654321"))
        .unwrap();
    // Every signature now starts by losing its login (the test hook).
    key.inject_logout_every(1);
    let before = key.login_checks();
    for _ in 0..3 {
        let e = key.sign(b"after").unwrap_err();
        assert_eq!(e.code(), "pkcs11_wrong_pin", "{e}");
        assert!(!e.is_transient());
    }
    assert_eq!(
        key.login_checks() - before,
        1,
        "the refused PIN was tried once, not once per signature"
    );
    std::mem::forget(ctx);
}
