//! Claims and envelopes behind a valid signature: the fuzzed bytes are
//! signed by the trusted issuer key, so the verifier reads them as claims
//! (first byte even: a first-level code; odd: a second-level token) and,
//! when step 1 passes, opens the envelope with the fixed CF (and the
//! operator key). KDF limits are tiny, so no opening costs more than 1 MiB
//! of Argon2id; parameters above them must be refused before Argon2 runs.
//!
//! A second mode keeps a valid claims set and replaces only the envelope
//! (KDF parameters and ciphertext) with fuzzed values.
#![no_main]

use attesta_core::claims::{ATTESTA_ENVELOPE, CTI, ClaimSet, EXP, IAT};
use attesta_core::cose;
use attesta_core::text::{self, CodeKind};
use ciborium::Value;
use libfuzzer_sys::fuzz_target;

fn sign_and_verify(kind: CodeKind, claims: Vec<u8>) {
    let bytes = cose::sign(&attesta_fuzz::ISSUER, claims, None);
    attesta_fuzz::verify_all(&text::encode(kind.prefix(), &bytes));
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => sign_and_verify(CodeKind::FirstLevel, rest.to_vec()),
        1 => sign_and_verify(CodeKind::SecondLevel, rest.to_vec()),
        _ => {
            // [m, t, p] from three bytes, the rest as ciphertext.
            let Some((params, ct)) = rest.split_first_chunk::<3>() else {
                return;
            };
            let mut c = ClaimSet::new();
            c.set_time(IAT, "2026-11-01T00:00:00Z".parse().unwrap());
            c.set_time(EXP, "2027-11-01T00:00:00Z".parse().unwrap());
            c.set(CTI, Value::Bytes(vec![7; 8]));
            let n = |b: u8| Value::Integer(u64::from(b).into());
            c.set(
                ATTESTA_ENVELOPE,
                Value::Array(vec![
                    n(params[0]),
                    n(params[1]),
                    n(params[2]),
                    Value::Bytes(ct.to_vec()),
                ]),
            );
            sign_and_verify(CodeKind::FirstLevel, c.to_vec());
        }
    }
});
