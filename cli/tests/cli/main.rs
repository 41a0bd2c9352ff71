//! Integration tests of the `attesta` command: every command, every exit
//! code of the contract (issue 4), and the messages users see.
//!
//! Exit codes: 0 success / valid, 1 not valid / not decodable, 2 usage or
//! I/O error (3, batch with rejected rows, is covered in `batch`).
//!
//! Each test runs in its own temporary directory with the verifier state
//! inside it (see `common`), and issues with cheap KDF parameters except
//! `issue_with_default_kdf_parameters_verifies`.
//!
//! One test binary, one module per command (and the cross-cutting
//! checks: `security_review`, `architecture`), so that the suite links once.

mod architecture;
mod batch;
mod common;
mod counter;
mod decode;
mod demo;
mod help;
mod issue;
mod keys;
mod pkcs11;
mod second_level;
mod security_review;
mod status;
mod trust;
mod verify;
mod web;
