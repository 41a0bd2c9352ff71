//! `attesta issue --batch`: many credentials from a CSV or JSONL file.
//!
//! Rows stream through rayon's `par_bridge`, which pulls one row at a time,
//! so memory does not grow with the file. Each output gets a name derived
//! from its line (`000000042.pdf`), is written atomically, and only then is
//! recorded in `manifest.csv`: a run that dies can be continued with
//! `--resume`, which skips the recorded rows and so never issues a row twice.

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use attesta_core::claims::StatusRef;
use attesta_core::credential::{IssueError, issue_first_level_reusing};
use attesta_core::envelope::KdfMemory;
use attesta_core::envelope::KdfParams;
use attesta_core::secret::HolderSecret;
use attesta_core::signer::{SignError, Signer};
use attesta_core::status_list::IndexAllocator;
use indicatif::{ProgressBar, ProgressStyle};
use jiff::Timestamp;
use rayon::prelude::*;
use serde::Deserialize;

use super::batch_input::{Encoding, open_text};
use super::fields::{COLUMNS, Fields, Parsed};
use super::plan::Shared;
use super::request::{self as issue, DEFAULT_LIST_CAPACITY};
use crate::cli::IssueArgs;
use crate::files;
use crate::issuer_list::IssuerList;
use crate::output::Renderer;
use crate::signing::PrivateKey;
use attesta_core::lang::Lang;

const MANIFEST: &str = "manifest.csv";
const MANIFEST_HEADER: &str = "line,cti,file,status_idx";
const ERRORS: &str = "errors.csv";
/// Consecutive rows whose signature may fail before the batch stops.
const MAX_SIGN_FAILURES_IN_A_ROW: u64 = 8;
/// Status indices reserved, and persisted as taken, at a time.
const INDEX_BLOCK: usize = 1000;

/// One input row: its line number, its fields or why they are unreadable,
/// and the input offset after it (for the progress bar).
struct Row {
    line: u64,
    fields: Result<Fields, String>,
    end: u64,
}

type Rows = Box<dyn Iterator<Item = Result<Row>> + Send>;

/// How to read the batch file.
pub struct InputOptions {
    pub encoding: Option<Encoding>,
    pub strict_columns: bool,
}

fn open_rows(path: &Path, opts: &InputOptions) -> Result<(Rows, u64)> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata()?.len();
    if size == 0 {
        bail!(
            "{} is empty; give a header line and one row per credential",
            path.display()
        );
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let rows = match ext.as_str() {
        "csv" => csv_rows(path, opts)?,
        "jsonl" | "ndjson" => jsonl_rows(file),
        _ => bail!(
            "cannot tell the format of {}; name it .csv or .jsonl",
            path.display()
        ),
    };
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        bail!("{} has no rows to issue", path.display());
    }
    Ok((Box::new(rows), size))
}

fn csv_rows(path: &Path, opts: &InputOptions) -> Result<Rows> {
    let (mut input, index, encoding) = open_text(path, opts.encoding)?;
    if encoding == Encoding::Windows1252 && opts.encoding.is_none() {
        eprintln!(
            "note: {} is not UTF-8; reading it as Windows-1252 (what Excel writes). Use --encoding to say otherwise",
            path.display()
        );
    }
    // Spreadsheets set to Italian save CSV with semicolons.
    let first = input.fill_buf()?;
    let first = &first[..first
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(first.len())];
    let delimiter = if first.contains(&b';') && !first.contains(&b',') {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::Headers)
        .from_reader(input);
    let headers = rdr
        .headers()
        .with_context(|| format!("cannot read the header of {}", path.display()))?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect::<csv::StringRecord>();
    check_header(&headers).map_err(|e| {
        anyhow!(
            "{}: {e}; the first line must name the columns (cf,invalidita,handicap,…)",
            path.display()
        )
    })?;
    let unknown: Vec<&str> = headers
        .iter()
        .filter(|h| !h.is_empty() && !COLUMNS.contains(h))
        .collect();
    if !unknown.is_empty() {
        if opts.strict_columns {
            bail!(
                "{}: unknown columns {} (--strict-columns); remove them, or leave out --strict-columns to ignore them",
                path.display(),
                unknown.join(", ")
            );
        }
        eprintln!(
            "note: ignoring columns attesta does not use: {} (known: cf, invalidita, minore, over65, cecita, sordita, handicap, disabilita, accompagnamento, deambulazione-ridotta, auto, mostra, rivedibile, valid-until, valid-days)",
            unknown.join(", ")
        );
    }
    let mut rec = csv::StringRecord::new();
    Ok(Box::new(std::iter::from_fn(move || {
        let row = match rdr.read_record(&mut rec) {
            Ok(false) => return None,
            Ok(true) => Row {
                line: rec.position().map_or(0, |p| index.line_of(p.byte())),
                fields: csv_fields(&rec, &headers),
                end: rdr.position().byte(),
            },
            // A bad record is a bad row; only failing to read is fatal.
            Err(e) => match e.position() {
                Some(p) if !matches!(e.kind(), csv::ErrorKind::Io(_)) => Row {
                    line: index.line_of(p.byte()),
                    fields: Err(csv_reason(&e, &headers)),
                    end: rdr.position().byte(),
                },
                _ => return Some(Err(anyhow!(e).context("cannot read the batch file"))),
            },
        };
        Some(Ok(row))
    })))
}

fn check_header(h: &csv::StringRecord) -> Result<(), String> {
    if !h.iter().any(|c| c == "cf") {
        return Err(format!(
            "the header has no `cf` column (it has: {})",
            h.iter().collect::<Vec<_>>().join(", ")
        ));
    }
    // Deserializing a blank row finds unknown and repeated columns the same
    // way real rows are read.
    let blank: csv::StringRecord = h.iter().map(|_| "").collect();
    blank
        .deserialize::<Fields>(Some(h))
        .map(drop)
        .map_err(|e| format!("bad header: {}", csv_reason(&e, h)))
}

fn csv_fields(rec: &csv::StringRecord, headers: &csv::StringRecord) -> Result<Fields, String> {
    rec.deserialize(Some(headers)).map_err(|e| {
        let reason = csv_reason(&e, headers);
        // serde's own messages do not say which column they are about: find
        // the one that fails alone.
        let one = |s: &str| csv::StringRecord::from(vec![s]);
        let fails = |(h, v): &(&str, &str)| one(v).deserialize::<Fields>(Some(&one(h))).is_err();
        match headers.iter().zip(rec).find(fails) {
            Some((h, _)) if !reason.starts_with(&format!("{h}:")) => format!("{h}: {reason}"),
            _ => reason,
        }
    })
}

fn csv_reason(e: &csv::Error, headers: &csv::StringRecord) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            match err
                .field()
                .and_then(|i| headers.get(usize::try_from(i).ok()?))
            {
                Some(col) => format!("{col}: {}", err.kind()),
                None => err.kind().to_string(),
            }
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("malformed CSV record: {len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => {
            "not UTF-8 text; save the file as UTF-8 or give --encoding windows-1252".to_owned()
        }
        _ => e.to_string(),
    }
}

fn jsonl_rows(file: File) -> Rows {
    let mut input = BufReader::new(file);
    let (mut line, mut end, mut buf) = (0u64, 0u64, Vec::new());
    Box::new(std::iter::from_fn(move || {
        loop {
            buf.clear();
            match input.read_until(b'\n', &mut buf) {
                Ok(0) => return None,
                Ok(n) => (line, end) = (line + 1, end + n as u64),
                Err(e) => return Some(Err(anyhow!(e).context("cannot read the batch file"))),
            }
            // Windows editors start UTF-8 files with a byte-order mark.
            let text = match line {
                1 => buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&buf),
                _ => &buf,
            };
            if !text.trim_ascii().is_empty() {
                return Some(Ok(Row {
                    line,
                    fields: json_fields(text),
                    end,
                }));
            }
        }
    }))
}

fn json_fields(b: &[u8]) -> Result<Fields, String> {
    let mut v: serde_json::Value =
        serde_json::from_slice(b).map_err(|e| format!("invalid JSON: {e}"))?;
    let Some(m) = v.as_object_mut() else {
        return Err("not a JSON object".to_owned());
    };
    if let Some(k) = m.keys().find(|k| !COLUMNS.contains(&k.as_str())) {
        return Err(format!("{k}: unknown field"));
    }
    // Scripts write percentages and days as numbers; Fields reads text.
    for x in m.values_mut() {
        if let serde_json::Value::Number(n) = x {
            *x = serde_json::Value::String(n.to_string());
        }
    }
    Fields::deserialize(v).map_err(|e| e.to_string())
}

/// Input lines already issued, one bit each.
#[derive(Default)]
struct LineSet(Vec<u64>);

impl LineSet {
    fn insert(&mut self, line: u64) {
        let i = (line / 64) as usize;
        if i >= self.0.len() {
            self.0.resize(i + 1, 0);
        }
        self.0[i] |= 1 << (line % 64);
    }

    fn contains(&self, line: u64) -> bool {
        self.0
            .get((line / 64) as usize)
            .is_some_and(|w| w & (1 << (line % 64)) != 0)
    }
}

/// Reads a manifest, calling `entry(line, status_idx)` for each complete
/// record, and returns the length of the complete lines: a kill can leave
/// the last one torn, and it must be cut off before appending.
fn read_manifest(
    mut r: impl BufRead,
    mut entry: impl FnMut(u64, Option<u64>) -> Result<()>,
) -> Result<u64> {
    let (mut len, mut n, mut buf) = (0u64, 0u64, String::new());
    loop {
        buf.clear();
        if r.read_line(&mut buf)? == 0 || !buf.ends_with('\n') {
            return Ok(len);
        }
        n += 1;
        len += buf.len() as u64;
        let rec = buf.trim_end();
        if n == 1 {
            if rec != MANIFEST_HEADER {
                bail!(
                    "{MANIFEST} was not written by attesta (its header is not {MANIFEST_HEADER})"
                );
            }
            continue;
        }
        let bad = || anyhow!("{MANIFEST} line {n} is damaged: {rec}");
        let [line, _cti, _file, idx] = rec.split(',').collect::<Vec<_>>()[..] else {
            return Err(bad());
        };
        let idx = match idx {
            "" => None,
            i => Some(i.parse().map_err(|_| bad())?),
        };
        entry(line.parse().map_err(|_| bad())?, idx)?;
    }
}

/// Opens `DIR/manifest.csv` for appending, after collecting the rows it
/// already records and marking their status indices as taken.
fn open_manifest(
    dir: &Path,
    max_line: u64,
    mut list: Option<&mut IssuerList>,
) -> Result<(File, LineSet)> {
    let path = dir.join(MANIFEST);
    let mut done = LineSet::default();
    let mut len = 0;
    files::refuse_symlink(&path)?;
    if path.exists() {
        let f = files::open_no_follow(&path, OpenOptions::new().read(true))?;
        len = read_manifest(BufReader::new(f), |line, idx| {
            if line > max_line {
                bail!(
                    "{MANIFEST} names line {line}, beyond the end of the batch file; resume with the file it was made from"
                );
            }
            done.insert(line);
            if let (Some(l), Some(i)) = (list.as_deref_mut(), idx) {
                l.alloc.mark_taken(i).with_context(|| {
                    format!("{MANIFEST}: status index {i} does not fit {}; resume with the same --status-list", l.path.display())
                })?;
            }
            Ok(())
        })?;
    }
    // Appended to for the whole run: never through a symbolic link (security
    // review, finding 6: a link planted in --out-dir redirected the writes).
    let mut f = files::open_no_follow(&path, OpenOptions::new().create(true).append(true))?;
    f.set_len(len)?;
    if len == 0 {
        f.write_all(format!("{MANIFEST_HEADER}\n").as_bytes())?;
    }
    Ok((f, done))
}

/// Status indices handed out in blocks, each persisted as taken before any
/// code carries one of its indices: a crash then wastes at most a block and
/// never gives an index twice, whether or not the batch is resumed.
struct Indices {
    /// Its allocator also holds the reserved block.
    list: IssuerList,
    used: IndexAllocator,
    block: Vec<u64>,
}

impl Indices {
    fn next(&mut self, key: &dyn Signer) -> Result<StatusRef> {
        if self.block.is_empty() {
            while self.block.len() < INDEX_BLOCK {
                match self.list.alloc.allocate() {
                    Ok(i) => self.block.push(i),
                    Err(_) if !self.block.is_empty() => break,
                    Err(e) => {
                        return Err(e).with_context(|| {
                            format!("no status index left in {}", self.list.path.display())
                        });
                    }
                }
            }
            self.list.save(key)?;
        }
        let idx = self.block.pop().context("no status index reserved")?;
        self.used.mark_taken(idx)?;
        Ok(StatusRef {
            idx,
            uri: self.list.token.uri.clone(),
        })
    }

    /// Saves the indices actually used: the rest of the block goes back.
    fn finish(&mut self, key: &dyn Signer) -> Result<()> {
        self.list.alloc = self.used.clone();
        self.block.clear();
        self.list.save(key)
    }
}

/// `errors.csv`, written under a temporary name and renamed at the end so
/// that a failed run leaves the previous one in place.
struct ErrorLog {
    tmp: PathBuf,
    w: Mutex<csv::Writer<File>>,
}

impl ErrorLog {
    fn create(dir: &Path) -> Result<Self> {
        files::refuse_symlink(&dir.join(ERRORS))?;
        let tmp = files::tmp_name(&dir.join(ERRORS));
        // Reasons may quote what a row held (a mistyped codice fiscale): 0600.
        let f = files::open_no_follow(&tmp, OpenOptions::new().write(true).create_new(true))?;
        let mut w = csv::Writer::from_writer(f);
        w.write_record(["line", "reason"])?;
        Ok(ErrorLog {
            tmp,
            w: Mutex::new(w),
        })
    }

    fn add(&self, line: u64, reason: &str) -> Result<()> {
        let mut w = self.w.lock().unwrap();
        w.write_record([line.to_string().as_str(), reason])
            .context("cannot write errors.csv")
    }

    fn commit(&self, dir: &Path) -> Result<()> {
        let mut w = self.w.lock().unwrap();
        w.flush()?;
        w.get_ref().sync_all()?;
        // A link planted during the run is refused, not replaced silently.
        files::refuse_symlink(&dir.join(ERRORS))?;
        fs::rename(&self.tmp, dir.join(ERRORS)).context("cannot write errors.csv")
    }
}

impl Drop for ErrorLog {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

struct Batch<'a> {
    args: &'a IssueArgs,
    lang: Lang,
    dir: &'a Path,
    key: PrivateKey,
    now: Timestamp,
    kdf: KdfParams,
    url: Option<attesta_core::text::VerifyUrl>,
    renderer: Renderer,
    manifest: Mutex<File>,
    errors: ErrorLog,
    indices: Option<Mutex<Indices>>,
    issued: AtomicU64,
    skipped: AtomicU64,
    rejected: AtomicU64,
    /// Rows in a row whose signature failed (reset by each success).
    sign_failures: AtomicU64,
}

impl Batch<'_> {
    fn reject(&self, line: u64, reason: &str) -> Result<()> {
        self.rejected.fetch_add(1, Relaxed);
        self.errors.add(line, reason)
    }

    /// A row whose signature failed even after the signer's own retries
    /// (a PKCS#11 key reopens lost sessions first): it goes to errors.csv
    /// and is issued by the next run with --resume, since it is not in the
    /// manifest. Many in a row mean the key is gone, not the row: stop.
    fn not_signed(&self, line: u64, e: &SignError) -> Result<()> {
        let n = self.sign_failures.fetch_add(1, Relaxed) + 1;
        if n >= MAX_SIGN_FAILURES_IN_A_ROW {
            bail!(
                "the signing key failed {n} rows in a row, so the batch stops instead of rejecting every row: {e}. \
Rows issued so far are recorded in {MANIFEST}; fix the key or the HSM, then run the same command with --resume"
            );
        }
        self.reject(
            line,
            &format!(
                "not signed ({}): {e}; the row was not issued: run the batch again with --resume to issue it",
                e.code()
            ),
        )
    }

    fn issue(&self, line: u64, p: &Parsed) -> Result<()> {
        let status = match &self.indices {
            Some(i) => Some(i.lock().unwrap().next(&self.key)?),
            None => None,
        };
        let idx = status.as_ref().map_or(String::new(), |s| s.idx.to_string());
        let iss = self.args.include_iss.then(|| self.args.issuer.clone());
        let req = issue::request(p, self.now, status, iss, self.kdf);
        let format = self.args.format;
        let secret = (self.args.con_segreto || p.with_secret)
            .then(HolderSecret::generate)
            .transpose()?;
        thread_local! {
            // One Argon2id working area per worker: see KdfMemory.
            static KDF_MEMORY: std::cell::RefCell<KdfMemory> = std::cell::RefCell::default();
        }
        let issued = KDF_MEMORY.with_borrow_mut(|mem| {
            issue_first_level_reusing(&self.key, &p.cf, secret.as_ref(), &req, mem)
        });
        match &issued {
            Err(IssueError::Sign(e)) => return self.not_signed(line, e),
            Ok(_) => self.sign_failures.store(0, Relaxed),
            Err(_) => {}
        }
        let out = issued.map_err(|e| e.to_string()).and_then(|c| {
            let m = issue::meta(
                &self.args.issuer,
                &c,
                p,
                self.now,
                self.args.pdf_show_details,
                secret.as_ref(),
            );
            let text = issue::qr_text(c.text(), self.url.as_ref());
            let bytes = self.renderer.render(format, &text, &m);
            let private = m.is_private(format) && !self.args.readable_outputs;
            Ok((c, bytes.map_err(|e| format!("{e:#}"))?, private))
        });
        let (cred, bytes, private) = match out {
            Ok(x) => x,
            Err(reason) => return self.reject(line, &reason),
        };
        let name = format!("{line:09}.{}", format.ext());
        // The secret goes beside the output (NAME.segreto), written first:
        // a manifest line always names a complete output and its secret.
        issue::write_with_secret(&self.dir.join(&name), &bytes, private, secret.as_ref())?;
        // Recorded only once the file is in place: a manifest line always
        // names a complete output.
        let rec = format!("{line},{},{name},{idx}\n", cred.cti());
        self.manifest
            .lock()
            .unwrap()
            .write_all(rec.as_bytes())
            .context("cannot append to manifest.csv")?;
        self.issued.fetch_add(1, Relaxed);
        Ok(())
    }

    /// Issues every row not done yet. Rows are read and validated in input
    /// order, so errors.csv is in line order but for the rare row that fails
    /// only while issuing; then they are issued in parallel.
    fn run(&self, rows: Rows, done: &LineSet, pb: &ProgressBar) -> Result<()> {
        let work = rows.filter_map(|row| {
            let row = match row {
                Ok(r) => r,
                Err(e) => return Some(Err(e)),
            };
            pb.set_position(row.end);
            pb.set_message(format!(
                "{} issued, {} rejected",
                self.issued.load(Relaxed),
                self.rejected.load(Relaxed)
            ));
            if let Some((i, n)) = self.args.shard
                && row.line % n != i - 1
            {
                return None; // another shard's row
            }
            if done.contains(row.line) {
                self.skipped.fetch_add(1, Relaxed);
                return None;
            }
            match row.fields.and_then(|f| f.parse(self.now, self.lang)) {
                Ok(p) => Some(Ok((row.line, p))),
                Err(reason) => self.reject(row.line, &reason).err().map(Err),
            }
        });
        work.par_bridge().try_for_each(|w| {
            let (line, p) = w?;
            self.issue(line, &p)
        })
    }
}

pub fn run(
    args: &IssueArgs,
    input: &Path,
    dir: &Path,
    shared: &Shared,
    lang: Lang,
) -> Result<ExitCode> {
    let start = Instant::now();
    let opts = InputOptions {
        encoding: args.encoding.as_deref().map(str::parse).transpose()?,
        strict_columns: args.strict_columns,
    };
    let (rows, size) = open_rows(input, &opts)?;
    files::refuse_symlink(&dir.join(MANIFEST))?;
    if !args.resume && dir.join(MANIFEST).exists() {
        bail!(
            "{} already holds a batch ({MANIFEST}); use --resume to continue, or choose an empty directory",
            dir.display()
        );
    }
    let url = shared.verify_url.clone();
    let key = crate::signing::open(&args.key, &args.pass)?;
    let kdf = shared.kdf;
    let renderer = Renderer::new(args.format)?;
    let workers = Workers::start(args.jobs.unwrap_or(0))?;
    files::create_private_dir(dir)?;
    if args.resume {
        files::remove_stale_tmp(dir)?;
    }
    let mut list = match &args.status_list {
        Some(p) => Some(IssuerList::open_or_create(
            p,
            &key,
            &crate::issuer_list::default_list_uri(&key),
            DEFAULT_LIST_CAPACITY,
        )?),
        None => None,
    };
    // Line numbers never exceed the bytes in the file plus one.
    let (manifest, done) = open_manifest(dir, size + 1, list.as_mut())?;
    let batch = Batch {
        args,
        lang,
        dir,
        key,
        now: Timestamp::now(),
        kdf,
        url,
        renderer,
        manifest: Mutex::new(manifest),
        errors: ErrorLog::create(dir)?,
        indices: list.map(|list| {
            Mutex::new(Indices {
                used: list.alloc.clone(),
                list,
                block: Vec::new(),
            })
        }),
        issued: AtomicU64::new(0),
        skipped: AtomicU64::new(0),
        rejected: AtomicU64::new(0),
        sign_failures: AtomicU64::new(0),
    };

    let pb = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(size)
    };
    if let Ok(style) =
        ProgressStyle::with_template("[{elapsed_precise}] {wide_bar} {percent:>3}% eta {eta} {msg}")
    {
        pb.set_style(style);
    }
    let result = workers.run(|| batch.run(rows, &done, &pb));
    pb.finish_and_clear();
    // Also after a failure: the workers have stopped, so the indices they
    // used are all recorded.
    let saved = match &batch.indices {
        Some(i) => i.lock().unwrap().finish(&batch.key),
        None => Ok(()),
    };
    result?;
    saved?;
    batch.manifest.lock().unwrap().sync_all()?;
    batch.errors.commit(dir)?;

    let (issued, skipped, rejected) = (
        batch.issued.load(Relaxed),
        batch.skipped.load(Relaxed),
        batch.rejected.load(Relaxed),
    );
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "issued {issued}, skipped {skipped} already done, rejected {rejected}{} in {secs:.1} s ({:.1} rows/s); outputs in {}",
        if rejected > 0 {
            format!(" (see {})", dir.join(ERRORS).display())
        } else {
            String::new()
        },
        issued as f64 / secs.max(1e-9),
        dir.display()
    );
    if let Some(n) = batch.key.sessions_reopened() {
        eprintln!("signed in the HSM; lost sessions reopened: {n}");
    }
    Ok(if rejected > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// The batch's worker threads, joined when the batch ends rather than only
/// told to stop (what dropping a rayon pool does).
///
/// A worker that signed in an HSM has called into the PKCS#11 module, and
/// the module's libraries (SoftHSM2 and its OpenSSL) keep per-thread state
/// that is freed as the thread exits. If `main` returned while a worker was
/// still exiting, that cleanup raced the libraries' own exit-time cleanup:
/// a batch that had finished and reported success then died of "double
/// free or corruption" about one time in four. Joining every worker first
/// leaves nothing running when the process ends.
struct Workers {
    pool: rayon::ThreadPool,
    threads: Arc<Mutex<Vec<std::thread::JoinHandle<()>>>>,
}

impl Workers {
    /// `jobs` threads, or one per core when 0.
    fn start(jobs: usize) -> Result<Workers> {
        let threads = Arc::new(Mutex::new(Vec::new()));
        let spawned = Arc::clone(&threads);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .spawn_handler(move |worker| {
                let mut b = std::thread::Builder::new();
                if let Some(name) = worker.name() {
                    b = b.name(name.to_owned());
                }
                if let Some(size) = worker.stack_size() {
                    b = b.stack_size(size);
                }
                let handle = b.spawn(|| worker.run())?;
                spawned
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(handle);
                Ok(())
            })
            .build()
            .context("cannot start worker threads")?;
        Ok(Workers { pool, threads })
    }

    /// Runs `work` on the workers, then stops them and waits until every
    /// one of them has exited.
    fn run<R: Send>(self, work: impl FnOnce() -> R + Send) -> R {
        let result = self.pool.install(work);
        drop(self.pool);
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        for t in threads {
            // A worker that panicked has already had its panic reported
            // through `install`; nothing more to do with it here.
            let _ = t.join();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_torn_last_line_is_ignored() {
        let text =
            format!("{MANIFEST_HEADER}\n2,00aa,000000002.txt,17\n3,00bb,000000003.txt,\n4,00c");
        let mut seen = Vec::new();
        let len = read_manifest(text.as_bytes(), |l, i| {
            seen.push((l, i));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [(2, Some(17)), (3, None)]);
        assert_eq!(len as usize, text.rfind('\n').unwrap() + 1);
        // A torn header counts as an empty manifest.
        assert_eq!(read_manifest(&b"line,cti"[..], |_, _| Ok(())).unwrap(), 0);
        let damaged = format!("{MANIFEST_HEADER}\n2,00aa,000000002.txt\n");
        assert!(read_manifest(damaged.as_bytes(), |_, _| Ok(())).is_err());
        assert!(read_manifest(&b"cf,invalidita\n"[..], |_, _| Ok(())).is_err());
    }

    #[test]
    fn line_set() {
        let mut s = LineSet::default();
        s.insert(2);
        s.insert(130);
        assert!(s.contains(2) && s.contains(130));
        assert!(!s.contains(3) && !s.contains(1 << 40));
    }
}
