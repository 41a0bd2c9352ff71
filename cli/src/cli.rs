//! Command-line definitions (clap derive). Each command's `--help` ends
//! with an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Issue and verify offline-verifiable disability-status attestations in QR codes.
#[derive(Parser, Debug)]
#[command(
    name = "attesta",
    version,
    about,
    long_about = "Issue and verify offline-verifiable disability-status attestations \
(INPS \"QR-Code invalidi civili\") in QR codes: signed (COSE/Ed25519), sealed under the \
holder's codice fiscale, checked against signed trust and revocation lists without a network.",
    after_help = "Start with:  attesta demo --dir /tmp/attesta-demo\n\n\
Exit codes: 0 success (verify: VALIDO), 1 not valid (NON VALIDO) or not decodable, 2 usage error, \
3 batch with rejected rows, 4 verify: cannot verify (NON VERIFICABILE)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Language of messages: it or en (default: from LC_ALL, LC_MESSAGES or
    /// LANG: Italian when it starts with "it" or names no language, as C,
    /// POSIX or unset do; English for any other language).
    #[arg(long, global = true, value_name = "it|en")]
    pub lang: Option<attesta_core::lang::Lang>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the whole flow with throwaway keys: issue, print, scan and verify a sample attestation.
    #[command(after_help = "Example:\n  attesta demo --dir /tmp/attesta-demo")]
    Demo {
        /// Where to write the demo files (default: a new temporary directory).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Generate a key pair: Ed25519 for issuers and roots (in a file, or inside an HSM with --pkcs11), X25519 with --operator.
    #[command(after_help = "Examples:\n  attesta keygen --out issuer.key\n  \
attesta keygen --out root.key                            # asks for a passphrase, twice\n  \
attesta keygen --out root.key --passphrase-file root.pass   # root.pass: mode 0600\n  \
attesta keygen --operator --out comune-bo.key\n  \
ATTESTA_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so \\\n      \
attesta keygen --pkcs11 'pkcs11:token=attesta;object=issuer-2026' --out issuer-2026.pub")]
    Keygen {
        /// Private key file to write (mode 0600); the public key goes to FILE.pub.
        /// With --pkcs11: the public key file to write (default OBJECT.pub).
        #[arg(long, value_name = "FILE", required_unless_present = "pkcs11")]
        out: Option<PathBuf>,
        /// Overwrite existing files.
        #[arg(long)]
        force: bool,
        /// Make an operator sealing key (X25519, for second-level tokens) instead of a signing key.
        #[arg(long, conflicts_with = "pkcs11")]
        operator: bool,
        /// Generate the key inside a PKCS#11 token (HSM), named by an RFC 7512 URI; the private
        /// key is sensitive and never extractable, only the public key is written. Module from
        /// ATTESTA_PKCS11_MODULE or module-path=, PIN from pin-source=, ATTESTA_PKCS11_PIN or a prompt.
        #[arg(long, value_name = "URI")]
        pkcs11: Option<String>,
        #[command(flatten)]
        pass: PassphraseArgs,
    },
    /// Inspect key files and keys in an HSM.
    #[command(
        subcommand,
        after_help = "Examples:\n  attesta key show issuer.key\n  attesta key show 'pkcs11:token=attesta;object=issuer-2026'"
    )]
    Key(KeyCommand),
    /// Create and update signed trust lists (issuers, operators, denied keys).
    #[command(
        subcommand,
        after_help = "Examples:\n  attesta trust add-issuer --root-key root.key --trust trust.cwt --issuer INPS --key issuer.key.pub\n  \
attesta trust add-issuer --root-key 'pkcs11:token=root;object=root-2026' --trust trust.cwt \\\n      \
--issuer INPS --key issuer-2026.pub\n  \
attesta trust show trust.cwt --root root.key.pub"
    )]
    Trust(TrustCommand),
    /// Revocation: Token Status Lists.
    #[command(
        subcommand,
        after_help = "Examples:\n  attesta status revoke --key issuer.key --list inps-1.cwt --credential holder.png\n  \
attesta status refresh --key 'pkcs11:token=attesta;object=issuer-2026' --list inps-1.cwt\n  \
attesta status show inps-1.cwt"
    )]
    Status(StatusCommand),
    /// Issue one attestation, or a batch from CSV/JSONL.
    #[command(
        after_help = "Examples:\n  attesta issue --key issuer.key --issuer INPS --cf RSSMRA85T10A562S \\\n      \
--invalidita 75 --handicap grave --deambulazione-ridotta --out holder.pdf\n  \
attesta issue --key issuer.key --issuer INPS --cf RSSMRA85T10A562S --invalidita 75 \\\n      \
--con-segreto --out holder.pdf   # also writes holder.pdf.segreto\n  \
attesta issue --key issuer.key --issuer INPS --batch rows.csv --out-dir out/ --format pdf\n  \
ATTESTA_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so attesta issue --issuer INPS \\\n      \
--key 'pkcs11:token=attesta;object=issuer-2026?pin-source=/run/secrets/pin' \\\n      \
--batch rows.csv --out-dir out/\n  \
attesta issue --level 2 --operator comune-bo --key issuer.key --issuer INPS --cf RSSMRA85T10A562S \\\n      \
--invalidita 75.5 --credential holder.txt --trust trust.cwt --root root.key.pub --out token.pdf"
    )]
    Issue(Box<IssueArgs>),
    /// Print what a code contains, without verifying (attesta codes and EU DCC \"HC1:\" codes).
    #[command(
        after_help = "Examples:\n  attesta decode holder.png\n  echo 'HC1:…' | attesta decode - --json"
    )]
    Decode {
        /// An image (PNG/JPEG), a text file, or - for text on stdin.
        input: String,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Verify a code offline: signature, trust, validity, revocation, then the codice fiscale.
    #[command(
        after_help = "Exit codes: 0 valid (VALIDO), 1 not valid (NON VALIDO: forged, altered, revoked, expired, \
not yet valid, untrusted or denied key, another codice fiscale), 4 cannot verify (NON VERIFICABILE: no readable code, \
not an attesta code, codice fiscale mistyped, holder's secret missing or mistyped, trust or status list too old or missing, \
file unreadable), 2 usage error.\n\n\
Examples:\n  attesta verify photo.jpg --cf RSSMRA85T10A562S --trust trust.cwt --root root.key.pub \\\n      \
--status-list inps-1.cwt\n  \
attesta verify photo.jpg --cf RSSMRA85T10A562S --segreto ABCD-EFGH-J --trust trust.cwt --root root.key.pub"
    )]
    Verify(Box<VerifyArgs>),
    /// Write the offline web verifier with the lists found in DIR, or serve it on 127.0.0.1.
    #[command(
        args_conflicts_with_subcommands = true,
        subcommand_negates_reqs = true,
        after_help = "The app must be built first: web/build.sh (in a clone of attesta).\n\n\
Examples:\n  attesta web --dir /tmp/attesta-demo            # writes /tmp/attesta-demo/web\n  \
attesta web serve --dir /tmp/attesta-demo      # then open http://127.0.0.1:8080/"
    )]
    Web(WebArgs),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  attesta completions bash > /etc/bash_completion.d/attesta")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write man pages.
    #[command(after_help = "Example:\n  attesta man --out-dir /usr/local/share/man/man1")]
    Man {
        /// Directory for the pages (default: print attesta.1 on stdout).
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct WebArgs {
    #[command(subcommand)]
    pub command: Option<WebCommand>,
    #[command(flatten)]
    pub site: Option<WebSite>,
}

#[derive(Subcommand, Debug)]
pub enum WebCommand {
    /// Write the app, then serve it on 127.0.0.1 to try it locally (Ctrl-C stops).
    #[command(after_help = "Example:\n  attesta web serve --dir /tmp/attesta-demo --port 8080")]
    Serve {
        #[command(flatten)]
        site: WebSite,
        /// Port on 127.0.0.1 (0: any free port).
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
}

#[derive(Args, Debug, Clone)]
pub struct WebSite {
    /// Directory with root.key.pub, the trust list and the status lists; the app goes to DIR/web.
    #[arg(long, value_name = "DIR", required = true)]
    pub dir: PathBuf,
    /// Where to write the app (default: DIR/web).
    #[arg(long, value_name = "OUT")]
    pub out: Option<PathBuf>,
    /// The built app (default: the output of web/build.sh in this source tree).
    #[arg(long, value_name = "APP", env = "ATTESTA_WEB_APP")]
    pub app: Option<PathBuf>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct PassphraseArgs {
    /// Read the key passphrase from this file (first line; mode 0600, like keys).
    #[arg(long, value_name = "F")]
    pub passphrase_file: Option<PathBuf>,
    /// Read private keys and passphrase files even if other users can read them.
    #[arg(long)]
    pub insecure_permissions: bool,
}

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Print algorithm, kid and public key (never private material).
    #[command(
        after_help = "Examples:\n  attesta key show issuer.key\n  attesta key show 'pkcs11:token=attesta;object=issuer-2026'"
    )]
    Show {
        /// A private or public key file, or a PKCS#11 URI (pkcs11:token=…;object=…).
        #[arg(value_name = "FILE|URI")]
        file: PathBuf,
        #[command(flatten)]
        pass: PassphraseArgs,
    },
}

#[derive(Args, Debug)]
pub struct TrustEdit {
    /// The root private key that signs the trust list: a file, or a PKCS#11 URI
    /// (pkcs11:token=…;object=…) for a root key in an HSM.
    #[arg(long, value_name = "ROOT|URI")]
    pub root_key: PathBuf,
    /// The trust list file (created if missing).
    #[arg(long, value_name = "FILE")]
    pub trust: PathBuf,
    /// Validity of the new list, in days.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub valid_days: u32,
    #[command(flatten)]
    pub pass: PassphraseArgs,
}

#[derive(Subcommand, Debug)]
pub enum TrustCommand {
    /// Add an issuer key (creates the list if missing; otherwise re-signs with a higher sequence).
    #[command(
        after_help = "Examples:\n  attesta trust add-issuer --root-key root.key --trust trust.cwt --issuer INPS --key issuer.key.pub\n  \
attesta trust add-issuer --root-key 'pkcs11:token=root;object=root-2026' --trust trust.cwt \\\n      \
--issuer INPS --key issuer-2026.pub"
    )]
    AddIssuer {
        #[command(flatten)]
        edit: TrustEdit,
        /// Issuer id.
        #[arg(long, value_name = "ID")]
        issuer: String,
        /// The issuer's public key (FILE.pub).
        #[arg(long, value_name = "ISSUER.pub")]
        key: PathBuf,
    },
    /// Retire an issuer key: codes it signed until now stay valid, later ones are refused.
    #[command(
        after_help = "Examples:\n  attesta trust retire-issuer --root-key root.key --trust trust.cwt --kid 1a2b3c4d\n  \
attesta trust retire-issuer --root-key 'pkcs11:token=root;object=root-2026' --trust trust.cwt \\\n      \
--kid 1a2b3c4d"
    )]
    RetireIssuer {
        #[command(flatten)]
        edit: TrustEdit,
        /// Kid of the key (see `attesta key show`).
        #[arg(long)]
        kid: String,
    },
    /// Revoke a key for ever: its codes are refused and it can never be trusted again.
    ///
    /// The denylist records the key's full fingerprint (SHA-256 of its public key),
    /// so a key that merely shares its 4-byte kid is not touched. Every entry removed
    /// is named; with --kid, more than one is removed only with --all-with-kid.
    #[command(
        after_help = "Examples:\n  attesta trust deny --root-key root.key --trust trust.cwt --kid 1a2b3c4d\n  \
attesta trust deny --root-key root.key --trust trust.cwt --key leaked.key.pub\n  \
attesta trust deny --root-key 'pkcs11:token=root;object=root-2026' --trust trust.cwt \\\n      \
--kid 1a2b3c4d"
    )]
    #[command(group(clap::ArgGroup::new("which").required(true).args(["kid", "key", "fingerprint"])))]
    Deny {
        #[command(flatten)]
        edit: TrustEdit,
        /// Kid of the listed key to deny (see `attesta trust show`).
        #[arg(long)]
        kid: Option<String>,
        /// The public key file of the key to deny (it need not be in the list).
        #[arg(long, value_name = "FILE.pub")]
        key: Option<PathBuf>,
        /// The full fingerprint of the key to deny (64 hex digits, `attesta key show`).
        #[arg(long, value_name = "HEX")]
        fingerprint: Option<String>,
        /// With --kid: deny every listed key with that kid (kids can collide).
        #[arg(long, requires = "kid")]
        all_with_kid: bool,
    },
    /// Accredit an operator for second-level tokens.
    #[command(
        after_help = "Examples:\n  attesta trust add-operator --root-key root.key --trust trust.cwt --operator comune-bo --key comune-bo.key.pub --name \"Comune di Bologna\"\n  \
attesta trust add-operator --root-key 'pkcs11:token=root;object=root-2026' --trust trust.cwt \\\n      \
--operator comune-bo --key comune-bo.key.pub"
    )]
    AddOperator {
        #[command(flatten)]
        edit: TrustEdit,
        /// Operator id.
        #[arg(long, value_name = "ID")]
        operator: String,
        /// The operator's public sealing key (FILE.pub from `keygen --operator`).
        #[arg(long, value_name = "OPERATOR.pub")]
        key: PathBuf,
        /// Display name (default: the id).
        #[arg(long)]
        name: Option<String>,
    },
    /// Withdraw an operator's accreditation.
    #[command(
        after_help = "Examples:\n  attesta trust remove-operator --root-key root.key --trust trust.cwt --operator comune-bo\n  \
attesta trust remove-operator --root-key 'pkcs11:token=root;object=root-2026' --trust trust.cwt \\\n      \
--operator comune-bo"
    )]
    RemoveOperator {
        #[command(flatten)]
        edit: TrustEdit,
        /// Operator id.
        #[arg(long, value_name = "ID")]
        operator: String,
    },
    /// Re-sign the list unchanged with a new sequence and validity (lists expire: run it regularly).
    #[command(
        after_help = "Examples:\n  attesta trust refresh --root-key root.key --trust trust.cwt --valid-days 30\n  \
attesta trust refresh --root-key 'pkcs11:token=root;object=root-2026' --trust trust.cwt \\\n      \
--valid-days 30"
    )]
    Refresh {
        #[command(flatten)]
        edit: TrustEdit,
    },
    /// Print a trust list (verified when --root is given).
    #[command(after_help = "Example:\n  attesta trust show trust.cwt --root root.key.pub --json")]
    Show {
        /// The trust list file.
        file: PathBuf,
        /// Root public key to check the signature with.
        #[arg(long, value_name = "ROOT.pub")]
        root: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum StatusCommand {
    /// Create an empty status list (`issue --status-list` also creates one when missing).
    #[command(
        after_help = "Examples:\n  attesta status create --key issuer.key --list inps-1.cwt --capacity 8388608\n  \
attesta status create --key 'pkcs11:token=attesta;object=issuer-2026' --list inps-1.cwt"
    )]
    Create {
        /// Issuer private key that signs the list: a file, or a PKCS#11 URI (pkcs11:token=…;object=…).
        #[arg(long, value_name = "ISSUER|URI")]
        key: PathBuf,
        /// The list file.
        #[arg(long, value_name = "FILE")]
        list: PathBuf,
        /// The list's short identifier, written into every code that uses it
        /// (default: the key's kid, so that two keys never share a uri).
        #[arg(long)]
        uri: Option<String>,
        /// Number of entries.
        #[arg(long, default_value_t = 1_048_576)]
        capacity: u64,
        /// Overwrite an existing list.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        pass: PassphraseArgs,
    },
    /// Revoke (or suspend) a credential and re-sign the list.
    #[command(
        after_help = "Examples:\n  attesta status revoke --key issuer.key --list inps-1.cwt --credential holder.png\n  \
attesta status revoke --key 'pkcs11:token=attesta;object=issuer-2026' --list inps-1.cwt \\\n      \
--credential holder.png"
    )]
    Revoke {
        /// Issuer private key that signs the list: a file, or a PKCS#11 URI (pkcs11:token=…;object=…).
        #[arg(long, value_name = "ISSUER|URI")]
        key: PathBuf,
        /// The list file.
        #[arg(long, value_name = "FILE")]
        list: PathBuf,
        /// The credential: an image, a text file, or - for stdin.
        #[arg(long, value_name = "INPUT")]
        credential: String,
        #[command(flatten)]
        pass: PassphraseArgs,
    },
    /// Re-sign a status list unchanged (verifiers refuse lists older than 30 days: run it daily).
    #[command(
        after_help = "Examples:\n  attesta status refresh --key issuer.key --list inps-1.cwt\n  \
attesta status refresh --key 'pkcs11:token=attesta;object=issuer-2026' --list inps-1.cwt"
    )]
    Refresh {
        /// Issuer private key that signs the list: a file, or a PKCS#11 URI (pkcs11:token=…;object=…).
        #[arg(long, value_name = "ISSUER|URI")]
        key: PathBuf,
        /// The list file.
        #[arg(long, value_name = "FILE")]
        list: PathBuf,
        #[command(flatten)]
        pass: PassphraseArgs,
    },
    /// Print a status list.
    #[command(after_help = "Example:\n  attesta status show inps-1.cwt --json")]
    Show {
        /// The list file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Output format of batch issuance.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    /// Printable PDF.
    Pdf,
    /// PNG image of the QR code.
    Png,
    /// SVG image of the QR code.
    Svg,
    /// The QR text.
    Txt,
}

impl OutFormat {
    pub fn ext(self) -> &'static str {
        match self {
            OutFormat::Pdf => "pdf",
            OutFormat::Png => "png",
            OutFormat::Svg => "svg",
            OutFormat::Txt => "txt",
        }
    }
}

/// The first-level fields, as flags (single issue) or columns (batch).
#[derive(Args, Debug, Clone, Default)]
pub struct FieldArgs {
    /// Holder's codice fiscale.
    #[arg(long)]
    pub cf: Option<String>,
    /// Civil-invalidity percentage (e.g. 75 or 33.34); the benefit thresholds follow from it.
    #[arg(long, value_name = "PERCENT")]
    pub invalidita: Option<String>,
    /// Minor with persistent difficulties (instead of a percentage).
    #[arg(long, conflicts_with_all = ["invalidita", "over65"])]
    pub minore: bool,
    /// Over 65 with persistent difficulties (instead of a percentage).
    #[arg(long, conflicts_with = "invalidita")]
    pub over65: bool,
    /// Civil blindness, with its class.
    #[arg(long, value_name = "assoluta|ventesimista|decimista")]
    pub cecita: Option<String>,
    /// Civil deafness.
    #[arg(long)]
    pub sordita: bool,
    /// Handicap L. 104/92: grave (art. 3 c. 3) or non-grave (art. 3 c. 1).
    #[arg(long, value_name = "grave|non-grave")]
    pub handicap: Option<String>,
    /// Disability for targeted employment (L. 68/99).
    #[arg(long)]
    pub disabilita: bool,
    /// Indennità di accompagnamento.
    #[arg(long)]
    pub accompagnamento: bool,
    /// Capacità deambulatorie sensibilmente ridotte.
    #[arg(long)]
    pub deambulazione_ridotta: bool,
    /// Vehicle tax-benefit requirements stated in the verbale (D.L. 5/2012 art. 4):
    /// con-adattamento (L. 449/97 art. 8) or senza-adattamento (L. 388/2000 art. 30 c. 7).
    #[arg(long, value_name = "con-adattamento|senza-adattamento")]
    pub auto: Option<String>,
    /// What the code shows: benefici (statuses with the invalidity band and the
    /// blindness class, the default) or stati (statuses only; same code length).
    #[arg(long, value_name = "stati|benefici")]
    pub mostra: Option<String>,
    /// Revision date (DD/MM/YYYY or YYYY-MM-DD); rights persist after it until INPS reassesses.
    #[arg(long, value_name = "DATE")]
    pub rivedibile: Option<String>,
    /// Last day of validity (DD/MM/YYYY or YYYY-MM-DD).
    #[arg(long, value_name = "DATE", conflicts_with = "valid_days")]
    pub valid_until: Option<String>,
    /// Validity in days from now (default 365).
    #[arg(long, value_name = "N")]
    pub valid_days: Option<u32>,
}

#[derive(Args, Debug)]
pub struct IssueArgs {
    /// Issuer private key: a file, or a PKCS#11 URI for a key in an HSM
    /// (pkcs11:token=…;object=…; module from ATTESTA_PKCS11_MODULE or module-path=,
    /// PIN from pin-source=, ATTESTA_PKCS11_PIN or a prompt).
    #[arg(long, value_name = "FILE|URI")]
    pub key: PathBuf,
    /// Issuer id (printed on documents; put in the code with --include-iss).
    #[arg(long, value_name = "ID")]
    pub issuer: String,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Output: .pdf, .png, .svg or .txt by extension, or - for the QR text on stdout.
    #[arg(
        long,
        value_name = "OUT",
        required_unless_present = "batch",
        conflicts_with = "batch"
    )]
    pub out: Option<String>,
    /// Rows to issue: a .csv (header naming the columns cf, invalidita, handicap, …; others
    /// ignored) or .jsonl file. Outputs and errors.csv are named by the line where each record
    /// starts, as a text editor numbers it.
    #[arg(
        long,
        value_name = "ROWS",
        requires = "out_dir",
        conflicts_with_all = [
            "cf", "invalidita", "minore", "over65", "cecita", "sordita", "handicap",
            "disabilita", "accompagnamento", "deambulazione_ridotta", "rivedibile",
            "valid_until", "valid_days", "auto", "mostra",
        ]
    )]
    pub batch: Option<PathBuf>,
    /// Directory for batch outputs, errors.csv and manifest.csv.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Refuse a CSV with columns attesta does not know (default: ignore them with one warning).
    #[arg(long, requires = "batch")]
    pub strict_columns: bool,
    /// Text encoding of the batch file: utf-8 or windows-1252 (default: detected).
    #[arg(long, requires = "batch", value_name = "utf-8|windows-1252")]
    pub encoding: Option<String>,
    /// Batch output format.
    #[arg(long, value_enum, default_value = "pdf")]
    pub format: OutFormat,
    /// Issue only shard I of N (1-based): rows whose line number modulo N is I-1.
    /// Run N shards on N machines (e.g. a Kubernetes Indexed Job or a Slurm array),
    /// each with its own --out-dir and its own --status-list.
    #[arg(long, value_name = "I/N", requires = "batch", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Continue an interrupted batch: rows already in manifest.csv are skipped.
    #[arg(long)]
    pub resume: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Worker threads for batches (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Give new credentials an index in this status list (created if missing).
    #[arg(long, value_name = "FILE")]
    pub status_list: Option<PathBuf>,
    /// Second level (2) needs --operator and the details; first level (1) is the default.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub level: u8,
    /// Level 2: the accredited operator (id in the trust list) the token is sealed to.
    #[arg(long, value_name = "ID")]
    pub operator: Option<String>,
    /// Level 2: the holder's first-level code (image, text file or -) the token belongs to.
    #[arg(long, value_name = "INPUT")]
    pub credential: Option<String>,
    /// Level 2: trust list with the operator's sealing key.
    #[arg(long, value_name = "FILE", env = "ATTESTA_TRUST")]
    pub trust: Option<PathBuf>,
    /// Level 2: root public key the trust list is signed with.
    #[arg(long, value_name = "ROOT.pub", env = "ATTESTA_ROOT")]
    pub root: Option<PathBuf>,
    /// Level 2: L. 68/99 disability percentage.
    #[arg(long, value_name = "PERCENT")]
    pub l68_percent: Option<String>,
    /// Level 2: the judgement wording of the reduced verbale (never a diagnosis).
    #[arg(long, value_name = "TEXT")]
    pub giudizio: Option<String>,
    /// Wrap the code in this web verifier address (https://…/#AT1:…), so that any phone
    /// camera opens the verifier with the code filled in; the code travels in the URL
    /// fragment, which is never sent to the server.
    #[arg(long, value_name = "URL")]
    pub verify_url: Option<String>,
    /// Put the issuer id in the code (`iss`); costs bytes, off by default.
    #[arg(long)]
    pub include_iss: bool,
    /// Print the statuses in clear on the PDF (the holder's choice; off by default).
    #[arg(long)]
    pub pdf_show_details: bool,
    /// Give the holder a secret (40 bits, e.g. ABCD-EFGH-J) that the code opens with,
    /// together with the codice fiscale: written to OUT.segreto (mode 0600) beside the
    /// output and printed on the PDF apart from the QR code. In batches every row gets
    /// one, beside its output (or set a `con-segreto` column per row).
    #[arg(long)]
    pub con_segreto: bool,
    /// Level 2: the holder's secret of the first-level code (--credential), when it has one.
    #[arg(long, value_name = "CODE")]
    pub segreto: Option<String>,
    /// Write outputs readable by group and others (0644) even when they carry statuses
    /// in clear or the holder's secret (default 0600 for those). OUT.segreto stays 0600.
    #[arg(long)]
    pub readable_outputs: bool,
    /// Argon2id memory in MiB (default 19).
    #[arg(long, hide = true, default_value_t = 19)]
    pub kdf_memory_mib: u32,
    /// Argon2id passes (default 2).
    #[arg(long, hide = true, default_value_t = 2)]
    pub kdf_iterations: u32,
    #[command(flatten)]
    pub pass: PassphraseArgs,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// An image (PNG/JPEG), a text file, or - for text on stdin.
    pub input: String,
    /// The holder's codice fiscale, as typed.
    #[arg(long)]
    pub cf: Option<String>,
    /// The holder's secret, for codes issued with one (printed apart from the QR code).
    #[arg(long, value_name = "CODE")]
    pub segreto: Option<String>,
    /// Trust list file.
    #[arg(long, value_name = "FILE")]
    pub trust: PathBuf,
    /// Root public key the trust list must be signed with.
    #[arg(long, value_name = "ROOT.pub")]
    pub root: PathBuf,
    /// Status lists for revocation (repeatable).
    #[arg(long, value_name = "FILE")]
    pub status_list: Vec<PathBuf>,
    /// Verify as of this time (RFC 3339), for audits; not before the
    /// newest trust list accepted (see --state).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Refuse codes whose revocation cannot be checked.
    #[arg(long)]
    pub require_revocation: bool,
    /// Verifier state (accepted trust-list sequence, denied keys), kept between runs.
    /// Default: $ATTESTA_STATE_DIR, $XDG_STATE_HOME/attesta or ~/.local/state/attesta;
    /// when none is set, give --state FILE or --no-state.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Verify without a state: rollback and denylist protection across runs is off
    /// (a warning says so). For one-off checks where no state can be kept.
    #[arg(long, conflicts_with = "state")]
    pub no_state: bool,
    /// Operator private key, to open second-level tokens.
    #[arg(long, value_name = "FILE")]
    pub operator_key: Option<PathBuf>,
    /// Least Argon2id memory accepted, in MiB (default 19, the issuing
    /// default). Lower it only to verify codes issued for tests.
    #[arg(long, hide = true, default_value_t = 19)]
    pub min_kdf_memory_mib: u32,
    /// Fewest Argon2id passes accepted (default 2).
    #[arg(long, hide = true, default_value_t = 2)]
    pub min_kdf_iterations: u32,
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("'{s}' is not a shard I/N with 1 <= I <= N, e.g. 3/8");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if i == 0 || n == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}
