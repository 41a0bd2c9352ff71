//! Second-level tokens (issue and verify). Not available in this build yet.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};
use jiff::Timestamp;

use crate::cli::{IssueArgs, PassphraseArgs, VerifyArgs};
use crate::cmd::verify::{Failure, Outcome};
use attesta_verify::Verifier;

const NOT_YET: &str = "second-level tokens (operator keys, --level 2, AD1: codes) are not available in this version of attesta yet";

pub struct SecondOutcome;

pub fn keygen_operator(_out: &Path, _force: bool, _pass: &PassphraseArgs) -> Result<()> {
    bail!(NOT_YET)
}
pub fn show_operator_public(file: &Path, _text: &str) -> Result<()> {
    bail!("{} is not an Ed25519 public key; {NOT_YET}", file.display())
}
pub fn show_operator_private(_file: &Path, _text: &str) -> Result<Option<()>> {
    Ok(None)
}
pub fn read_operator_public(_p: &Path) -> Result<[u8; 32]> {
    bail!(NOT_YET)
}
pub fn issue(_args: &IssueArgs) -> Result<ExitCode> {
    bail!(NOT_YET)
}
pub fn verify(
    _v: &Verifier,
    _text: &str,
    _args: &VerifyArgs,
    _at: Timestamp,
) -> Result<Result<Outcome, Failure>> {
    Ok(Err(Failure {
        code: "unsupported_version".into(),
        message: NOT_YET.into(),
    }))
}
pub fn report(_s: SecondOutcome, _json: bool) -> ExitCode {
    ExitCode::from(1)
}
