//! `attesta issue`'s flags checked together, before anything runs
//! (ripgrep's low-level → high-level arguments): which way of issuing,
//! where its output goes, and the settings every way shares. Each way of
//! issuing takes its plan; the combinations of flags are judged here
//! only, so a mistake is reported before a key is opened or a list
//! touched.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use attesta_core::envelope::KdfParams;
use attesta_core::secret::HolderSecret;
use attesta_core::text::VerifyUrl;

use crate::cli::{IssueArgs, OutFormat};
use crate::output::{format_of, secret_path};

/// Where one output goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// The code's text on stdout (`--out -`).
    Stdout,
    /// A new file, in the format its name ends with.
    File { path: PathBuf, format: OutFormat },
}

impl Output {
    /// `--out`: required, a known format, never overwriting.
    fn parse(out: Option<&str>) -> Result<Output> {
        let out = out.context("--out is required")?;
        if out == "-" {
            return Ok(Output::Stdout);
        }
        let format = format_of(out)?;
        if Path::new(out).exists() {
            bail!("{out} already exists; choose another --out (outputs are never overwritten)");
        }
        Ok(Output::File {
            path: PathBuf::from(out),
            format,
        })
    }

    /// The file, if not stdout.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Output::Stdout => None,
            Output::File { path, .. } => Some(path),
        }
    }
}

/// What every way of issuing shares.
#[derive(Clone, Debug)]
pub struct Shared {
    /// Argon2id parameters of the envelope.
    pub kdf: KdfParams,
    /// `--verify-url`: the code goes in this address's fragment.
    pub verify_url: Option<VerifyUrl>,
}

/// A second-level token's inputs, all present.
#[derive(Debug)]
pub struct SecondLevelPlan {
    pub out: Output,
    pub operator: String,
    pub trust: PathBuf,
    pub root: PathBuf,
    pub credential: String,
    /// `--segreto`, checked: the first-level code's holder secret.
    pub secret: Option<HolderSecret>,
}

/// What `attesta issue` was asked to do.
#[derive(Debug)]
pub enum IssuePlan {
    /// One first-level code from flags.
    Single {
        out: Output,
        /// `--con-segreto`: a new holder's secret, written to `OUT.segreto`.
        with_secret: bool,
        shared: Shared,
    },
    /// Every row of a CSV.
    Batch {
        input: PathBuf,
        out_dir: PathBuf,
        shared: Shared,
    },
    /// Second-level details for a first-level code.
    SecondLevel(SecondLevelPlan, Shared),
}

impl IssuePlan {
    /// Checks the flags together and says which way of issuing they ask for.
    pub fn from_args(args: &IssueArgs) -> Result<IssuePlan> {
        if args.level == 2 {
            return second_level(args);
        }
        if args.segreto.is_some() {
            bail!(
                "--segreto gives the secret of a first-level code to `issue --level 2`; to give a new code a holder's secret, use --con-segreto"
            );
        }
        if let Some(input) = &args.batch {
            let out_dir = args.out_dir.clone().context("--batch needs --out-dir")?;
            return Ok(IssuePlan::Batch {
                input: input.clone(),
                out_dir,
                shared: shared(args)?,
            });
        }
        if args.con_segreto && args.out.as_deref() == Some("-") {
            bail!(
                "--con-segreto writes the holder's secret to OUT.segreto beside the output; give a file with --out (e.g. holder.pdf), not -"
            );
        }
        if args.con_segreto
            && let Some(out) = args.out.as_deref()
            && secret_path(Path::new(out)).exists()
        {
            bail!(
                "{} already exists; choose another --out (outputs are never overwritten)",
                secret_path(Path::new(out)).display()
            );
        }
        Ok(IssuePlan::Single {
            out: Output::parse(args.out.as_deref())?,
            with_secret: args.con_segreto,
            shared: shared(args)?,
        })
    }
}

fn second_level(args: &IssueArgs) -> Result<IssuePlan> {
    if args.batch.is_some() {
        bail!("batches of second-level tokens are not supported yet; issue them one at a time");
    }
    if args.con_segreto {
        bail!(
            "--con-segreto is for first-level codes; a second-level token is sealed to the operator's key and the holder's codice fiscale"
        );
    }
    let operator = args
        .operator
        .clone()
        .context("--level 2 needs --operator ID: the accredited operator the details are for")?;
    let out = Output::parse(args.out.as_deref())?;
    let shared = shared(args)?;
    let (Some(trust), Some(root)) = (&args.trust, &args.root) else {
        bail!(
            "--level 2 needs --trust FILE and --root ROOT.pub (or ATTESTA_TRUST/ATTESTA_ROOT): the operator's sealing key is taken from the signed trust list"
        );
    };
    let credential = args.credential.clone().context(
        "--level 2 needs --credential INPUT: the holder's first-level code the details belong to",
    )?;
    let secret = args
        .segreto
        .as_deref()
        .map(|s| HolderSecret::parse(s).context("--segreto"))
        .transpose()?;
    Ok(IssuePlan::SecondLevel(
        SecondLevelPlan {
            out,
            operator,
            trust: trust.clone(),
            root: root.clone(),
            credential,
            secret,
        },
        shared,
    ))
}

fn shared(args: &IssueArgs) -> Result<Shared> {
    let verify_url = args
        .verify_url
        .as_deref()
        .map(|u| VerifyUrl::parse(u).with_context(|| format!("--verify-url '{u}'")))
        .transpose()?;
    let kdf = KdfParams::new(args.kdf_memory_mib, args.kdf_iterations, 1)
        .context("invalid --kdf-memory-mib/--kdf-iterations")?;
    Ok(Shared { kdf, verify_url })
}
