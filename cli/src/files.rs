//! Files and terminals: atomic writes, key files with safe permissions,
//! passphrases, and reading a code from an image, a text file or stdin.

use std::fs::{self, File, OpenOptions};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use attesta_core::keys::{PublicKey, SigningKey};
use attesta_core::text::unwrap_verify_url;
use zeroize::Zeroizing;

use crate::cli::PassphraseArgs;

/// Environment variable holding a key passphrase.
pub const PASSPHRASE_ENV: &str = "ATTESTA_PASSPHRASE";

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, flushed to disk, then renamed over the target. A crash leaves
/// either the old file or the new one, never half of one.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    atomic_write_mode(path, bytes, None)
}

/// The temporary name `atomic_write` uses for `path`: `.NAME.<12 hex>.tmp`
/// beside it (see [`remove_stale_tmp`]).
pub fn tmp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut r = [0u8; 6];
    // Uniqueness, not secrecy: fall back to the pid if the RNG fails.
    if getrandom::fill(&mut r).is_err() {
        r[..4].copy_from_slice(&std::process::id().to_le_bytes());
    }
    path.with_file_name(format!(".{name}.{}.tmp", hex::encode(r)))
}

fn is_tmp_name(name: &str) -> bool {
    let Some(stem) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    stem.rsplit_once('.').is_some_and(|(base, r)| {
        !base.is_empty() && r.len() == 12 && r.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Deletes the temporary files that killed `atomic_write`s left in `dir`;
/// returns how many. Only for directories no other process is writing to.
pub fn remove_stale_tmp(dir: &Path) -> Result<usize> {
    let mut n = 0;
    for e in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let e = e.with_context(|| format!("cannot read {}", dir.display()))?;
        if e.file_name().to_str().is_some_and(is_tmp_name) {
            fs::remove_file(e.path())
                .with_context(|| format!("cannot remove {}", e.path().display()))?;
            n += 1;
        }
    }
    Ok(n)
}

fn atomic_write_mode(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<()> {
    let tmp = tmp_name(path);
    let result = (|| -> std::io::Result<()> {
        let mut f = open_new(&tmp, mode)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(unix)]
fn open_new(p: &Path, mode: Option<u32>) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    if let Some(m) = mode {
        o.mode(m);
    }
    o.open(p)
}

#[cfg(not(unix))]
fn open_new(p: &Path, _mode: Option<u32>) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(p)
}

/// Writes an issued output atomically: mode 0600 when it carries
/// something private (statuses in clear, the holder's secret) unless the
/// issuer asked for readable outputs, else the default mode (0644 under
/// the usual umask).
pub fn write_output(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    atomic_write_mode(path, bytes, private.then_some(0o600))
}

/// Refuses `path` if it is a symbolic link (or cannot be examined for
/// another reason than not existing): a link planted in an output
/// directory would make attesta write, or append, somewhere else.
pub fn refuse_symlink(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => bail!(
            "{} is a symbolic link; attesta does not follow links where it writes (one could send its output elsewhere): remove it, or choose another directory",
            path.display()
        ),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot examine {}", path.display())),
    }
}

/// Opens a file with `opts` without following a symbolic link at `path`
/// (`O_NOFOLLOW`), creating it with mode 0600: for the files a batch
/// appends to. The check and the open are one system call, so a link
/// planted in between is refused too.
pub fn open_no_follow(path: &Path, opts: &mut OpenOptions) -> Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW).mode(0o600);
    }
    opts.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return anyhow::anyhow!(
                "{} is a symbolic link; attesta does not follow links where it writes (one could send its output elsewhere): remove it, or choose another directory",
                path.display()
            );
        }
        anyhow::Error::new(e).context(format!("cannot open {}", path.display()))
    })
}

/// Creates `dir` (and its parents) with mode 0700 if it does not exist:
/// outputs may carry statuses in clear or holders' secrets.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

/// Writes a private key file with mode 0600, atomically.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    atomic_write_mode(path, bytes, Some(0o600))
}

/// Writes a new key pair: the private PEM to `out` (0600) and the public
/// PEM to `FILE.pub`, replacing existing files only when `force`.
pub fn write_key_pair(out: &Path, force: bool, private: &[u8], public: &[u8]) -> Result<()> {
    let pubp = pub_path(out);
    if force {
        let _ = fs::remove_file(out);
        let _ = fs::remove_file(&pubp);
    }
    write_private(out, private)?;
    atomic_write(&pubp, public)
}

/// `FILE.pub`, appended as ssh-keygen does.
pub fn pub_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// The largest file (or standard input) attesta reads. A phone photo is
/// tens of MiB at most, a status list of 2^27 entries 32 MiB before
/// compression; anything larger is the wrong file, and reading it whole
/// would only exhaust memory.
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a file with a message that names it, refusing files larger than
/// [`MAX_INPUT_BYTES`] before reading them.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    let open = || -> std::io::Result<(File, u64)> {
        let f = File::open(path)?;
        let len = f.metadata()?.len();
        Ok((f, len))
    };
    let (f, len) = open().with_context(|| match fs::metadata(path) {
        Err(_) => format!("{} does not exist; check the path", path.display()),
        Ok(_) => format!("cannot read {}; check its permissions", path.display()),
    })?;
    let name = path.display().to_string();
    if len > MAX_INPUT_BYTES {
        return Err(too_large(&name));
    }
    read_capped(f, &name)
}

/// Reads at most [`MAX_INPUT_BYTES`] (pipes and special files have no
/// length to check beforehand).
fn read_capped(r: impl Read, source: &str) -> Result<Vec<u8>> {
    let mut b = Vec::new();
    r.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut b)
        .with_context(|| format!("cannot read {source}"))?;
    if b.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large(source));
    }
    Ok(b)
}

/// An I/O error, like a missing file: the wrong file was given, which is a
/// usage error (exit 2), not an unreadable code.
fn too_large(source: &str) -> anyhow::Error {
    std::io::Error::new(
        std::io::ErrorKind::FileTooLarge,
        format!(
            "{source} is larger than {} MiB, more than any code, photo, trust list or status list; check that it is the right file",
            MAX_INPUT_BYTES >> 20
        ),
    )
    .into()
}

/// Reads a text file.
pub fn read_text(path: &Path) -> Result<String> {
    String::from_utf8(read(path)?).with_context(|| format!("{} is not a text file", path.display()))
}

#[cfg(unix)]
pub fn check_private_permissions(path: &Path, pass: &PassphraseArgs) -> Result<()> {
    check_secret_file_permissions(path, "private key", pass)
}

#[cfg(not(unix))]
pub fn check_private_permissions(_: &Path, _: &PassphraseArgs) -> Result<()> {
    Ok(())
}

/// Refuses a file holding a secret (`what`: a private key, a passphrase)
/// that group or other users can access, unless `--insecure-permissions`.
#[cfg(unix)]
fn check_secret_file_permissions(path: &Path, what: &str, pass: &PassphraseArgs) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .with_context(|| format!("{} does not exist; check the path", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 && !pass.insecure_permissions {
        bail!(
            "{what} {} can be read by other users (mode {:o}); run `chmod 600 {}` (or pass --insecure-permissions)",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_secret_file_permissions(_: &Path, _: &str, _: &PassphraseArgs) -> Result<()> {
    Ok(())
}

/// The passphrase from --passphrase-file, the environment, or (on a
/// terminal, when `prompt` is set) a prompt.
pub fn passphrase(
    pass: &PassphraseArgs,
    prompt: Option<&str>,
) -> Result<Option<Zeroizing<String>>> {
    if let Some(f) = &pass.passphrase_file {
        // A passphrase file others can read protects nothing: refused like a key.
        check_secret_file_permissions(f, "passphrase file", pass)?;
        let s = Zeroizing::new(read_text(f)?);
        let line = s.lines().next().unwrap_or("").to_owned();
        if line.is_empty() {
            bail!("passphrase file {} is empty", f.display());
        }
        return Ok(Some(Zeroizing::new(line)));
    }
    if let Ok(p) = std::env::var(PASSPHRASE_ENV)
        && !p.is_empty()
    {
        return Ok(Some(Zeroizing::new(p)));
    }
    if let Some(msg) = prompt
        && std::io::stdin().is_terminal()
    {
        let p =
            Zeroizing::new(rpassword::prompt_password(msg).context("cannot read the passphrase")?);
        return Ok((!p.is_empty()).then_some(p));
    }
    Ok(None)
}

/// The passphrase for a new key: as [`passphrase`], but a passphrase typed
/// at the prompt is asked for twice, so that a typo does not lock the key
/// for ever. `None` (no passphrase) when the answer is empty.
pub fn new_passphrase(pass: &PassphraseArgs) -> Result<Option<Zeroizing<String>>> {
    if pass.passphrase_file.is_some() || std::env::var(PASSPHRASE_ENV).is_ok_and(|p| !p.is_empty())
    {
        return passphrase(pass, None);
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    confirmed(|msg| rpassword::prompt_password(msg).map(Zeroizing::new))
}

/// Asks with `ask` twice and returns the answer if both agree (`None` for
/// an empty one).
fn confirmed(
    mut ask: impl FnMut(&str) -> std::io::Result<Zeroizing<String>>,
) -> Result<Option<Zeroizing<String>>> {
    let first = ask("Passphrase to protect the key (empty for none): ")
        .context("cannot read the passphrase")?;
    if first.is_empty() {
        return Ok(None);
    }
    let again = ask("The same passphrase again: ").context("cannot read the passphrase")?;
    if *first != *again {
        bail!("the two passphrases differ; nothing was written: run the command again");
    }
    Ok(Some(first))
}

/// Reads a private key file of either kind after checking its mode, with
/// its passphrase when the PEM is encrypted (asked for on a terminal).
pub fn read_private_pem(
    path: &Path,
    pass: &PassphraseArgs,
) -> Result<(Zeroizing<String>, Option<Zeroizing<String>>)> {
    // What kind of file it is comes first: a public key given for a private
    // one is the likelier mistake, and its permissions do not matter.
    let pem = Zeroizing::new(
        String::from_utf8(read(path)?)
            .map_err(|_| anyhow::anyhow!("{} is not a private key file (PEM text); give the private key written by `attesta keygen`", path.display()))?,
    );
    if pem.contains("PUBLIC KEY-----") {
        bail!(
            "{} is a public key; give the private key (the file without .pub, written by `attesta keygen`)",
            path.display()
        );
    }
    check_private_permissions(path, pass)?;
    let p = if pem.contains("ENCRYPTED PRIVATE KEY") {
        let p = passphrase(pass, Some(&format!("Passphrase for {}: ", path.display())))?;
        if p.is_none() {
            bail!(
                "the private key {} is passphrase-protected; give the passphrase with --passphrase-file or ATTESTA_PASSPHRASE, or run on a terminal to be asked for it",
                path.display()
            );
        }
        p
    } else {
        None
    };
    Ok((pem, p))
}

/// Reads an Ed25519 private key, asking for the passphrase when needed.
pub fn read_signing_key(path: &Path, pass: &PassphraseArgs) -> Result<SigningKey> {
    let (pem, p) = read_private_pem(path, pass)?;
    SigningKey::from_pkcs8_pem(&pem, p.as_ref().map(|s| s.as_bytes()))
        .with_context(|| format!("cannot use the key {}", path.display()))
}

/// Reads the root public key for `verify`, telling a swapped --trust and
/// --root apart from a plain wrong file.
pub fn read_root_key(root: &Path, trust: &Path) -> Result<PublicKey> {
    let bytes = read(root)?;
    let is_pem = |b: &[u8]| b.starts_with(b"-----BEGIN");
    // A COSE_Sign1 document (tag 18) is a trust or status list.
    let is_cose = |b: &[u8]| b.first() == Some(&0xd2);
    if !is_pem(&bytes) {
        let trust_is_pem = fs::read(trust).is_ok_and(|t| is_pem(&t));
        if is_cose(&bytes) && trust_is_pem {
            bail!(
                "--root {} is a trust list and --trust {} is a key: the two are swapped; give the root public key (ROOT.pub) with --root and the trust list with --trust",
                root.display(),
                trust.display()
            );
        }
        if is_cose(&bytes) {
            bail!(
                "--root {} is a signed list, not a key; give the root public key (ROOT.pub) with --root",
                root.display()
            );
        }
        bail!(
            "--root {} is not a public key file (PEM); give the root public key (ROOT.pub)",
            root.display()
        );
    }
    if fs::read(trust).is_ok_and(|t| is_pem(&t)) {
        bail!(
            "--trust {} is a key, not a trust list; give the trust list file (e.g. trust.cwt) with --trust",
            trust.display()
        );
    }
    let text = String::from_utf8(bytes)
        .with_context(|| format!("{} is not a text file", root.display()))?;
    PublicKey::from_pem(&text)
        .with_context(|| format!("cannot use the public key {}", root.display()))
}

/// Reads an Ed25519 public key.
pub fn read_public_key(path: &Path) -> Result<PublicKey> {
    PublicKey::from_pem(&read_text(path)?)
        .with_context(|| format!("cannot use the public key {}", path.display()))
}

/// A code read from the user's input.
pub struct InputCode {
    /// The QR text.
    pub text: String,
    /// Where it came from, for messages.
    pub source: String,
}

fn is_image(b: &[u8]) -> bool {
    b.starts_with(b"\x89PNG") || b.starts_with(&[0xff, 0xd8, 0xff]) || b.starts_with(b"RIFF")
}

/// Why no code text could be read from the user's input. The kinds stay
/// apart so that a command can tell "cannot read the file" (the
/// operator's problem: exit 4, `input_unreadable`) from "no code in it"
/// (`no_readable_code`) without guessing from a message.
#[derive(Debug)]
pub enum ReadCodeError {
    /// The file or standard input could not be read.
    Unreadable(anyhow::Error),
    /// The input is empty.
    Empty { input: String },
    /// An image in which no code of ours could be read.
    Scan {
        input: String,
        error: attesta_qr::scan::ScanError,
    },
    /// Neither an image nor text.
    NotText { input: String },
}

impl std::fmt::Display for ReadCodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadCodeError::Unreadable(e) => write!(f, "{e:#}"),
            ReadCodeError::Empty { input } => {
                write!(f, "{input} is empty; give an image of the code or its text")
            }
            ReadCodeError::Scan { input, error } => write!(f, "{input}: {error}"),
            ReadCodeError::NotText { input } => {
                write!(f, "{input} is neither a PNG/JPEG image nor a text file")
            }
        }
    }
}

impl std::error::Error for ReadCodeError {}

/// Reads a code from an image file, a text file, or `-` (stdin).
pub fn read_code(input: &str) -> std::result::Result<InputCode, ReadCodeError> {
    let (bytes, source) = if input == "-" {
        let source = "standard input".to_owned();
        let bytes =
            read_capped(std::io::stdin().lock(), &source).map_err(ReadCodeError::Unreadable)?;
        (bytes, source)
    } else {
        let bytes = read(Path::new(input)).map_err(ReadCodeError::Unreadable)?;
        (bytes, input.to_owned())
    };
    if bytes.is_empty() {
        return Err(ReadCodeError::Empty { input: source });
    }
    if is_image(&bytes) {
        let scan = |error| ReadCodeError::Scan {
            input: source.clone(),
            error,
        };
        let codes = attesta_qr::scan::scan_image_bytes(&bytes).map_err(scan)?;
        // A code wrapped in a verifier address counts as the code itself.
        let codes: Vec<String> = codes
            .iter()
            .map(|c| unwrap_verify_url(c).into_owned())
            .collect();
        // The attestation's code among others (a link, a payment code); a
        // lone code of another kind is passed on, for the verifier to say
        // what it is not.
        let lone = codes.len() == 1;
        let ours = |c: &str| lone || c.starts_with("AT") || c.starts_with("AD");
        let text = attesta_qr::scan::pick_code(codes, ours).map_err(scan)?;
        return Ok(InputCode { text, source });
    }
    let text = String::from_utf8(bytes).map_err(|_| ReadCodeError::NotText {
        input: source.clone(),
    })?;
    // The code as written, around it what docs/format.md §2.2 trims
    // (space, tab, CR, LF, U+FEFF), exactly as every decoder does: another
    // character, an inner line break included, is part of the text and
    // makes the code invalid, as it would in the web verifier. A code in
    // a verifier's address is unwrapped (§2.2.1).
    let text = unwrap_verify_url(&text).into_owned();
    Ok(InputCode { text, source })
}

/// Refuses to overwrite unless `force`.
pub fn ensure_absent(path: &Path, force: bool) -> Result<()> {
    if !force && path.exists() {
        bail!(
            "{} already exists; choose another name or pass --force to overwrite",
            path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(a: &[&str]) -> impl FnMut(&str) -> std::io::Result<Zeroizing<String>> {
        let mut it: Vec<String> = a.iter().map(|s| (*s).to_owned()).collect();
        it.reverse();
        move |_| Ok(Zeroizing::new(it.pop().expect("asked once too often")))
    }

    #[test]
    fn a_new_passphrase_is_asked_twice() {
        assert_eq!(
            confirmed(answers(&["s3cret", "s3cret"]))
                .unwrap()
                .as_deref()
                .map(|s| s.as_str()),
            Some("s3cret")
        );
        let e = confirmed(answers(&["s3cret", "s3cre"])).unwrap_err();
        assert!(e.to_string().contains("differ"), "{e}");
        // Empty: no passphrase, and no second question.
        assert!(confirmed(answers(&[""])).unwrap().is_none());
    }
}
