//! §2: the text layer (prefix, base45, address forms) and §2.3
//! compression.

use ciborium::Value;

use crate::craft::{at1, body, cose_of, filler, std_cose, zlib, zlib_at};
use crate::cred::{Cred, cred, deaf, status};
use crate::vector::V;
use crate::world::World;

pub(crate) fn exact_text_layer(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    {
        let c = cred("trim-listed-characters", deaf());
        let text = c.issue(&w.inps);
        let mut v = V::positive(
            w,
            "trim-listed-characters",
            "A genuine code with U+FEFF, space, tab, CR and LF before it and CR, LF, tab, space \
             and U+FEFF after it: exactly the five characters a decoder trims at both ends \
             (what scanners, text files and clipboards add).",
            c,
        );
        v.qr_text = format!("\u{feff} \t\r\n{text}\r\n\t \u{feff}");
        v.text_variant = Some("the reference text with the five trimmed characters around it");
        out.push(v);
    }
    let c = cred("trailing-no-break-space", deaf());
    let text = c.issue(&w.inps);
    out.push(V::altered(
        w,
        "trailing-no-break-space",
        "A genuine code followed by a no-break space (U+00A0): Unicode white space, but not one \
         of the five characters trimmed, so it is part of the body, where base45 has no such \
         character.",
        &c,
        format!("{text}\u{a0}"),
        "bad_base45",
        "check",
    ));
    let c = cred("leading-ideographic-space", deaf());
    let text = c.issue(&w.inps);
    out.push(V::altered(
        w,
        "leading-ideographic-space",
        "A genuine code preceded by an ideographic space (U+3000): not trimmed, so the text \
         does not start with a prefix.",
        &c,
        format!("\u{3000}{text}"),
        "bad_prefix",
        "check",
    ));
    let c = cred("inner-line-break", deaf());
    let text = c.issue(&w.inps);
    out.push(V::altered(
        w,
        "inner-line-break",
        "A genuine code with a line feed after its 100th character (a copy wrapped by a mail \
         program): trimming is at the ends only, and base45 has no line feed.",
        &c,
        format!("{}\n{}", &text[..100], &text[100..]),
        "bad_base45",
        "check",
    ));
    {
        // A final base45 pair is worth at most 255; 256 more decodes to the
        // same byte modulo 256 in lenient decoders.
        let c = cred("base45-final-pair-overflow", deaf());
        let text = c.issue(&w.inps);
        assert_eq!(
            cose_of(&text).len() % 2,
            1,
            "an odd COSE length ends in a pair"
        );
        const B45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        let (head, pair) = text.split_at(text.len() - 2);
        let val = |ch: u8| B45.iter().position(|x| *x == ch).expect("base45");
        let p = pair.as_bytes();
        let v = val(p[0]) + 45 * val(p[1]) + 256;
        let bumped = format!("{head}{}{}", B45[v % 45] as char, B45[v / 45] as char);
        out.push(V::altered(
            w,
            "base45-final-pair-overflow",
            "A genuine code whose final base45 pair is replaced by one worth 256 more (over \
             255): a decoder that keeps the value modulo 256 reads the same COSE bytes, but \
             a pair above 255 is not base45 (RFC 9285), and one code has one text.",
            &c,
            bumped,
            "bad_base45",
            "check",
        ));
    }
    {
        // 4296 characters = "AT1:" + 4292 of base45 = 2861 bytes of COSE.
        let sized = |name: &str, cose_len: usize| sized_code(w, name, cose_len);
        let (c, text) = sized("text-at-max-length", 2861);
        assert_eq!(text.len(), 4296);
        out.push(V::crafted_valid(
            w,
            "text-at-max-length",
            "A code of 4296 characters, the most a QR code holds: the credential's claims with \
             an unknown claim 99 of 2700-odd filler bytes, signed by INPS (2861 bytes of COSE, \
             not compressed). At the limit, so accepted; unknown claims are ignored.",
            text,
            c,
        ));
        let (_, text) = sized("text-one-past-max-length", 2862);
        assert_eq!(text.len(), 4297);
        out.push(V::negative(
            w,
            "text-one-past-max-length",
            "The same kind of code one byte of COSE longer: 4297 characters, one past the \
             limit, refused before decoding although its signature is genuine.",
            text,
            "text_too_long",
            "check",
        ));
    }
    out
}

/// A code signed by INPS of exactly `cose_len` bytes of COSE: the
/// credential's claims and an unknown claim 99 of filler bytes.
pub(crate) fn sized_code(w: &World, name: &str, cose_len: usize) -> (Cred, String) {
    let c = cred(name, deaf());
    let base = c.claims();
    let mut fill = cose_len.saturating_sub(std_cose(&w.inps, base.to_vec()).len() + 8);
    loop {
        let mut claims = base.clone();
        claims.set(99, Value::Bytes(filler(name, fill)));
        let cose = std_cose(&w.inps, claims.to_vec());
        match cose.len().cmp(&cose_len) {
            std::cmp::Ordering::Equal => return (c, at1(&cose)),
            std::cmp::Ordering::Less => fill += 1,
            std::cmp::Ordering::Greater => panic!("{name}: cannot reach {cose_len} bytes"),
        }
    }
}

// --- §2.3 Compression ---------------------------------------------------------

pub(crate) fn exact_compression(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    // Codes made longer by a status uri: a run of one letter compresses well.
    let with_uri = |name: &'static str, uri: String| {
        let mut c = cred(name, deaf());
        c.status = status(17, &uri);
        c
    };
    let sized = |name: &'static str, cose_len: usize| {
        for n in 1..5000 {
            let c = with_uri(name, "A".repeat(n));
            let cose = std_cose(&w.inps, c.claims().to_vec());
            if cose.len() == cose_len {
                return c;
            }
            assert!(cose.len() < cose_len, "{name}: {cose_len} bytes skipped");
        }
        panic!("{name}: no uri length gives {cose_len} bytes")
    };
    {
        let c = sized("compressed-smallest", 257);
        let text = c.issue(&w.inps);
        assert_eq!(
            base45::decode(body(&text)).expect("base45")[0],
            0x78,
            "compressed"
        );
        out.push(V::positive(
            w,
            "compressed-smallest",
            "The smallest code the reference encoder compresses: 257 bytes of COSE (a status \
             uri of repeated letters), deflated at level 9 into a much shorter zlib stream. \
             Decoders must inflate a body whose first byte is 0x78.",
            c,
        ));
    }
    {
        let c = sized("not-compressed-at-256", 256);
        let text = c.issue(&w.inps);
        assert_ne!(base45::decode(body(&text)).expect("base45")[0], 0x78, "raw");
        out.push(V::positive(
            w,
            "not-compressed-at-256",
            "A code of 256 bytes of COSE that would compress: the reference encoder tries zlib \
             only above 256 bytes, so it is sent raw. Both forms are valid; the COSE bytes are \
             the identity of a code.",
            c,
        ));
    }
    {
        // zlib at level 9 exactly one byte shorter than the COSE, and exactly
        // as long: a random uri (no gain) ending in a run (a fixed gain).
        // Printable ASCII at random (no repeats for LZ77, too many symbols
        // for a Huffman table to pay for itself) and a run of one letter;
        // zlib's choice of block kind makes the size jump, so the search
        // walks lengths and runs.
        let random: String = filler("compression edge", 300)
            .iter()
            .map(|b| char::from(0x21 + b % 94))
            .collect();
        let saving = |name: &'static str, saved: usize| {
            (150..300)
                .flat_map(|len| (0..40).map(move |run| (len, run)))
                .map(|(len, run)| with_uri(name, format!("{}{}", &random[..len], "A".repeat(run))))
                .find_map(|c| {
                    let cose = std_cose(&w.inps, c.claims().to_vec());
                    (cose.len() > 256 && zlib(&cose).len() + saved == cose.len())
                        .then_some((c, cose))
                })
                .unwrap_or_else(|| panic!("{name}: no uri where zlib saves {saved} bytes"))
        };
        let (shorter, _) = saving("compressed-one-byte-shorter", 1);
        out.push(V::positive(
            w,
            "compressed-one-byte-shorter",
            "A code whose zlib stream (level 9) is exactly one byte shorter than its COSE \
             bytes: compressed by the reference encoder, and accepted, since it is strictly \
             shorter.",
            shorter,
        ));
        let (c, cose) = saving("compressed-as-long-as-raw", 0);
        out.push(V::altered(
            w,
            "compressed-as-long-as-raw",
            "A genuine code sent in a zlib stream exactly as long as its COSE bytes (the \
             reference encoder sends it raw): compression that does not make the code strictly \
             shorter gives one code a second text, and is refused.",
            &c,
            format!("AT1:{}", base45::encode(zlib(&cose))),
            "bad_compression",
            "check",
        ));
    }
    {
        let c = sized("compressed-other-level", 300);
        let cose = cose_of(&c.issue(&w.inps));
        let level1 = zlib_at(&cose, 1);
        assert!(level1.len() < cose.len() && level1 != zlib(&cose));
        let mut v = V::positive(
            w,
            "compressed-other-level",
            "A code compressed at zlib level 1 instead of the reference encoder's level 9: \
             another stream, still shorter than the COSE bytes, so accepted. A decoder must \
             not expect one particular deflate output.",
            c,
        );
        v.qr_text = format!("AT1:{}", base45::encode(level1));
        v.text_variant = Some("compressed at zlib level 1 instead of level 9");
        out.push(v);
    }
    {
        let c = sized("zlib-trailing-bytes-shorter", 300);
        let cose = cose_of(&c.issue(&w.inps));
        let mut z = zlib(&cose);
        z.extend_from_slice(b"JUNK");
        assert!(z.len() < cose.len());
        out.push(V::altered(
            w,
            "zlib-trailing-bytes-shorter",
            "A compressible genuine code (300 bytes of COSE) whose zlib stream is followed by 4 \
             bytes (JUNK), still much shorter than the COSE bytes: bytes after the stream are \
             refused on their own.",
            &c,
            format!("AT1:{}", base45::encode(z)),
            "bad_compression",
            "check",
        ));
    }
    {
        let c = cred("compressed-stored", deaf());
        let cose = cose_of(&c.issue(&w.inps));
        let stored = zlib_at(&cose, 0);
        assert!(stored.len() > cose.len());
        out.push(V::altered(
            w,
            "compressed-stored",
            "A genuine code re-wrapped in a zlib stream of stored (uncompressed) blocks, 11 \
             bytes longer than its COSE bytes: refused, it is not compression.",
            &c,
            format!("AT1:{}", base45::encode(stored)),
            "bad_compression",
            "check",
        ));
    }
    {
        let c = sized("compressed-at-cap", 4096);
        out.push(V::positive(
            w,
            "compressed-at-cap",
            "A code that inflates to exactly 4096 bytes of COSE (a status uri of 3900-odd \
             repeated letters), the cap of attesta codes: accepted.",
            c,
        ));
        let c = sized("compressed-one-past-cap", 4097);
        out.push(V::negative_issued(
            w,
            "compressed-one-past-cap",
            "The same kind of code inflating to 4097 bytes, one past the cap: refused while \
             inflating, although its signature is genuine.",
            c,
            "decompressed_too_large",
            "check",
        ));
    }
    out
}
