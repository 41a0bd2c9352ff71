//! `attesta decode`: what a code says about itself, unverified.

use std::process::ExitCode;

use anyhow::Result;
use attesta_core::inspect::inspect;
use serde_json::json;

use crate::files::{self, ReadCodeError};

pub fn run(input: &str, as_json: bool) -> Result<ExitCode> {
    let code = match files::read_code(input) {
        Ok(c) => c,
        Err(ReadCodeError::Unreadable(e)) => return Err(e),
        Err(e) => {
            if as_json {
                println!(
                    "{}",
                    json!({"decoded": false, "reason": "no_readable_code", "message": format!("{e:#}")})
                );
            } else {
                eprintln!("error: {e:#}");
            }
            return Ok(ExitCode::from(1));
        }
    };
    match inspect(&code.text) {
        Ok(i) => {
            if as_json {
                let mut v = serde_json::to_value(&i)?;
                v["decoded"] = json!(true);
                v["verified"] = json!(false);
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!(
                    "NOT VERIFIED: this shows what the code claims; use `attesta verify` to check it."
                );
                println!("prefix:      {} ({})", i.prefix, i.family);
                println!(
                    "payload:     {} bytes of COSE{}, tags {:?}, {} characters of text",
                    i.cose_len,
                    if i.compressed {
                        " (zlib-compressed)"
                    } else {
                        ""
                    },
                    i.tags,
                    code.text.len()
                );
                println!("protected:   {}", i.protected);
                println!("unprotected: {}", i.unprotected);
                println!(
                    "claims:\n{}",
                    serde_json::to_string_pretty(&i.claims)?
                        .lines()
                        .map(|l| format!("  {l}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                );
                println!("signature:   {}", i.signature);
                if i.prefix == "AT1:" {
                    // The envelope's fifth member says a holder's secret
                    // went into the key (docs/format.md §6.1).
                    let with_secret = i.claims["attesta_envelope (-65537)"]
                        .as_array()
                        .is_some_and(|a| a.len() == 5);
                    if with_secret {
                        println!(
                            "note: the attestation itself is sealed under the holder's codice fiscale and the holder's secret (the envelope's last member, 1); `attesta verify --cf … --segreto …` opens it."
                        );
                    } else {
                        println!(
                            "note: the attestation itself is sealed under the holder's codice fiscale; `attesta verify --cf` opens it."
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            // The core's message for a bad prefix points to `attesta decode`,
            // which is where we are.
            let message = if e.code() == "bad_prefix" {
                "it does not start with a code prefix such as AT1: or HC1:; give the text read from a QR code, or an image of the code".to_owned()
            } else {
                e.to_string()
            };
            if as_json {
                println!(
                    "{}",
                    json!({"decoded": false, "reason": e.code(), "message": message})
                );
            } else {
                eprintln!("error: {} is not a decodable code: {message}", code.source);
            }
            Ok(ExitCode::from(1))
        }
    }
}
