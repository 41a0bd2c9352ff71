//! Issue 16: the rules docs/format.md makes exact, one module per section
//! of the format. Every vector pins one rule of test-vectors/README.md's
//! table: the mutation check (test-vectors/mutate.sh) breaks the rule in
//! the verifier and requires the vector to fail.

mod cbor;
mod cf;
mod details;
mod ed25519;
mod lists;
mod text;

use crate::craft::{at1, sign1_items, tagged};
use crate::cred::{cred, deaf};
use crate::exact::cbor::{exact_cbor, exact_protected_header};
use crate::exact::cf::exact_cf;
use crate::exact::details::exact_details;
use crate::exact::ed25519::exact_ed25519;
use crate::exact::lists::{exact_dates, exact_lists, exact_status_ties};
use crate::exact::text::{exact_compression, exact_text_layer, sized_code};
use crate::vector::V;
use crate::world::World;

pub(crate) fn exact_format(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    out.extend(exact_text_layer(w));
    out.extend(exact_compression(w));
    out.extend(exact_cbor(w));
    out.extend(exact_protected_header(w));
    out.extend(exact_ed25519(w));
    out.extend(exact_dates(w));
    out.extend(exact_status_ties(w));
    out.extend(exact_lists(w));
    out.extend(exact_details(w));
    out.extend(exact_cf(w));
    out.extend(exact_header_values(w));
    out.extend(exact_verify_url(w));
    out
}

/// Codes inside a web verifier's address (docs/format.md §2.2.1), added
/// with the web verifier (issue 15): unwrapped after the whole text is
/// trimmed, nothing trimmed inside the fragment.
pub(crate) fn exact_verify_url(w: &World) -> Vec<V> {
    use attesta_core::text::VerifyUrl;
    let url = VerifyUrl::parse("https://verifica.example.it/").expect("a verifier address");
    let mut out = Vec::new();
    {
        let c = cred("url-wrapped", deaf());
        let wrapped = url.wrap(&c.issue(&w.inps));
        assert!(
            wrapped.contains("%20") || wrapped.contains("%25"),
            "escapes to decode"
        );
        let mut v = V::positive(
            w,
            "url-wrapped",
            "A genuine code in the fragment of a web verifier's address, its spaces written \
             %20 and its % written %25 (what `attesta issue --verify-url` prints): unwrapped, \
             valid.",
            c,
        );
        v.qr_text = wrapped;
        v.text_variant = Some("in the fragment of https://verifica.example.it/");
        out.push(v);
    }
    {
        let c = cred("url-wrapped-trimmed", deaf());
        let wrapped = url.wrap(&c.issue(&w.inps)).replacen("https", "HTTPS", 1);
        let mut v = V::positive(
            w,
            "url-wrapped-trimmed",
            "The same with U+FEFF and a space before the address, CR and LF after it, and the \
             scheme in capitals: the whole text is trimmed, then unwrapped.",
            c,
        );
        v.qr_text = format!("\u{feff} {wrapped}\r\n");
        v.text_variant =
            Some("in the fragment of HTTPS://verifica.example.it/, with trimmed characters around");
        out.push(v);
    }
    let c = cred("url-fragment-leading-space", deaf());
    let text = c.issue(&w.inps);
    out.push(V::altered(
        w,
        "url-fragment-leading-space",
        "A genuine code in a verifier's address with %20 (a space) before it in the \
         fragment: nothing is trimmed inside the fragment, so it is not a code, and the \
         address itself is decoded: no prefix.",
        &c,
        url.wrap(&format!(" {text}")),
        "bad_prefix",
        "check",
    ));
    let c = cred("url-fragment-lowercase-prefix", deaf());
    let text = c.issue(&w.inps);
    out.push(V::altered(
        w,
        "url-fragment-lowercase-prefix",
        "A genuine code in a verifier's address with its prefix in lowercase (at1:): only \
         AT1:, AD1: or a later version's prefix is unwrapped, so the address itself is \
         decoded (bad_prefix, not lowercase_text).",
        &c,
        url.wrap(&text.replacen("AT1:", "at1:", 1)),
        "bad_prefix",
        "check",
    ));
    let c = cred("url-fragment-bad-escape", deaf());
    let wrapped = url.wrap(&c.issue(&w.inps));
    let bad = wrapped.replacen("%20", "%2G", 1);
    assert_ne!(bad, wrapped);
    out.push(V::altered(
        w,
        "url-fragment-bad-escape",
        "A genuine code in a verifier's address with its first escape %20 changed to %2G: \
         every % must be followed by two hexadecimal digits, so the fragment is not \
         decoded, and the address itself has no prefix.",
        &c,
        bad,
        "bad_prefix",
        "check",
    ));
    {
        let (_, text) = sized_code(w, "url-wrapped-too-long", 2862);
        assert_eq!(text.len(), 4297);
        out.push(V::negative(
            w,
            "url-wrapped-too-long",
            "A signed code of 4297 characters (2862 bytes of COSE) in a verifier's address: \
             the length limit applies to the unwrapped code.",
            url.wrap(&text),
            "text_too_long",
            "check",
        ));
    }
    out
}

/// Header values of a type the rules name by their code alone (appended
/// last, so that the numbers above stay).
pub(crate) fn exact_header_values(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let k = w.inps.kid();
    let k = k.as_bytes();
    let signed = |name: &str, prot: Vec<u8>| {
        let c = cred(name, deaf());
        at1(&tagged(sign1_items(
            &w.inps,
            prot,
            vec![],
            c.claims().to_vec(),
        )))
    };
    for (name, prot, desc, code) in [
        (
            "kid-empty",
            vec![0xa2, 0x01, 0x27, 0x04, 0x40],
            "A code whose protected header has an empty kid (4: h''), signed by INPS over \
             those bytes: a kid is exactly 4 bytes, anything else is missing_kid, whatever \
             its length or type.",
            "missing_kid",
        ),
        (
            "kid-text",
            [&[0xa2, 0x01, 0x27, 0x04, 0x64][..], b"abcd"].concat(),
            "A code whose protected header has a text kid (4: \"abcd\"), signed by INPS over \
             those bytes.",
            "missing_kid",
        ),
        (
            "alg-byte-string",
            [&[0xa2, 0x01, 0x41, 0xf8, 0x04, 0x44][..], k].concat(),
            "A code whose protected header has alg as a byte string (1: h'f8'), signed by INPS \
             over those bytes: any alg other than the integer -8 is unsupported_alg.",
            "unsupported_alg",
        ),
        (
            "protected-header-not-a-map",
            [&[0x82, 0x27, 0x44][..], k].concat(),
            "A code whose protected header is the array [-8, kid] instead of a map, signed by \
             INPS over those bytes.",
            "malformed_cose",
        ),
    ] {
        out.push(V::negative(
            w,
            name,
            desc,
            signed(name, prot),
            code,
            "check",
        ));
    }
    out
}
