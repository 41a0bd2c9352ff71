use attesta_core::cf::CodiceFiscale;
use attesta_core::credential::*;
use attesta_core::envelope::KdfParams;
use attesta_core::keys::SigningKey;
use attesta_core::model::Attestation;
use attesta_verify::trust::*;
use attesta_verify::*;
use jiff::Timestamp;

fn ts(s: &str) -> Timestamp { s.parse().unwrap() }

#[test]
fn same_key_twice() {
    let root = SigningKey::from_seed(&[0x11; 32]);
    let k = SigningKey::from_seed(&[0x22; 32]);
    let mut list = TrustList::default();
    list.issuers.push(IssuerEntry { id: "OLD".into(), key: k.public_key(), valid_from: None, valid_until: Some(ts("2026-10-01T00:00:00Z")) });
    list.issuers.push(IssuerEntry { id: "NEW".into(), key: k.public_key(), valid_from: Some(ts("2026-10-01T00:00:00Z")), valid_until: None });
    let bytes = list.sign(&root, ts("2026-11-10T00:00:00Z"), ts("2026-12-10T00:00:00Z"));
    let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
    let code = issue_first_level_with_cti(&k, &cf, &FirstLevelRequest {
        attestation: Attestation::builder().deafness(true).build().unwrap(),
        issued_at: ts("2026-11-01T00:00:00Z"), not_before: None, expires_at: ts("2027-11-01T00:00:00Z"),
        status: None, issuer: None, kdf: KdfParams::INSECURE_TEST }, Cti::from_bytes([1;8])).unwrap();
    let mut st = TrustState::default();
    let v = Verifier::new(&bytes, &root.public_key(), &mut st, Policy::default(), ts("2026-11-15T00:00:00Z")).unwrap();
    println!("same key twice: {:?}", v.check(code.text(), ts("2026-11-15T00:00:00Z")).map(|c| c.issuer_id().to_owned()).map_err(|e| e.code()));
}

#[test]
fn kdf_overflow() {
    let r = std::panic::catch_unwind(|| KdfParams::new(4_194_304, 1, 1));
    println!("KdfParams::new(4194304,1,1): {:?}", r.map(|x| x.is_ok()));
}

#[test]
fn serde_bypass() {
    let a: Attestation = serde_json::from_value(serde_json::json!({"invalidity":"from46","blindness":false,"deafness":false,"disability_l68":false,"handicap":null,"accompaniment":true,"reduced_walking":false,"revision":null})).unwrap();
    let k = SigningKey::from_seed(&[0x22; 32]);
    let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
    let r = issue_first_level_with_cti(&k, &cf, &FirstLevelRequest {
        attestation: a, issued_at: ts("2026-11-01T00:00:00Z"), not_before: None, expires_at: ts("2027-11-01T00:00:00Z"),
        status: None, issuer: None, kdf: KdfParams::INSECURE_TEST }, Cti::from_bytes([1;8]));
    println!("impossible attestation via serde issued: {:?}", r.map(|c| c.text().len()));
    let none: Result<Attestation, _> = serde_json::from_value(serde_json::json!({"invalidity":null,"blindness":false,"deafness":false,"disability_l68":false,"handicap":null,"accompaniment":false,"reduced_walking":false,"revision":null}));
    println!("no-status attestation via serde: {:?}", none.is_ok());
}
