//! `attesta web`: the offline web verifier (built by web/build.sh) with a
//! config pointing at the lists found in a directory, and a small server on
//! 127.0.0.1 to try it (service workers need http://localhost).
//!
//! Layout written under OUT (default DIR/web), all static files:
//!
//! ```text
//! index.html, app.js, …, attesta_wasm_bg.wasm, sw.js   the app
//! config.json          {"lists": "lists/"}: where the app looks for the lists
//! lists/lists.json     {"root": …, "trust": …, "status_lists": [...]}
//! lists/root.key.pub, lists/trust.cwt, lists/<status lists>
//! ```
//!
//! Only public material is copied: the root's public key, the signed trust
//! list and the signed status lists. `serve` publishes OUT alone, and
//! answers `lists/` from DIR, so lists refreshed in DIR are served at once.

use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use attesta_core::status_list::StatusListToken;
use attesta_core::trust_list::TrustList;
use serde_json::json;

use crate::cli::{WebArgs, WebCommand, WebSite};
use crate::files;

/// The files of a built app; `attesta web` refuses an app directory
/// without them.
const APP_FILES: &[&str] = &[
    "index.html",
    "app.js",
    "camera.js",
    "engine.js",
    "i18n.js",
    "lists.js",
    "store.js",
    "sw.js",
    "style.css",
    "icon.svg",
    "manifest.webmanifest",
    "attesta_wasm.js",
    "attesta_wasm_bg.wasm",
];

pub fn run(args: &WebArgs) -> Result<ExitCode> {
    match (&args.command, &args.site) {
        (Some(WebCommand::Serve { site, port }), _) => {
            let site = write(site)?;
            serve(&site, *port)
        }
        (None, Some(site)) => {
            let written = write(site)?;
            println!(
                "Put {} on any static web server (https), or try it here: attesta web serve --dir {}",
                written.out.display(),
                site.dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        (None, None) => bail!("give --dir DIR (see attesta web --help)"),
    }
}

/// The built app: `--app`/`ATTESTA_WEB_APP`, or web/build.sh's output in
/// this source tree.
fn app_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    let candidates: Vec<PathBuf> = match explicit {
        Some(p) => vec![p.to_owned()],
        None => {
            let mut c = Vec::new();
            if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
                c.push(PathBuf::from(t).join("web/app"));
            }
            c.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/web/app"));
            c
        }
    };
    for c in &candidates {
        if APP_FILES.iter().all(|f| c.join(f).is_file()) {
            return Ok(c.clone());
        }
    }
    match explicit {
        Some(p) => bail!(
            "{} is not a built web app (it lacks index.html, sw.js or attesta_wasm_bg.wasm); build it with web/build.sh OUT and pass --app OUT",
            p.display()
        ),
        None => bail!(
            "the web app is not built yet: run web/build.sh in the attesta source tree (it needs the wasm32-unknown-unknown target and installs wasm-bindgen-cli), or pass --app DIR"
        ),
    }
}

/// What was found in DIR and written to OUT.
#[derive(Clone)]
pub struct Site {
    pub dir: PathBuf,
    pub out: PathBuf,
    /// File names in DIR served under lists/.
    pub lists: Vec<String>,
}

fn write(site: &WebSite) -> Result<Site> {
    let dir = &site.dir;
    let app = app_dir(site.app.as_deref())?;
    let root_path = dir.join("root.key.pub");
    if !root_path.is_file() {
        bail!(
            "{} has no root.key.pub: give the directory where the issuer's public lists are (root.key.pub, trust.cwt, status lists)",
            dir.display()
        );
    }
    let root = files::read_public_key(&root_path)?;
    let mut trust: Option<String> = None;
    let mut status = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".cwt"))
        .collect();
    // trust.cwt first, so that it wins over other trust lists in DIR.
    names.sort_by_key(|n| (n != "trust.cwt", n.clone()));
    for name in names {
        let bytes = files::read(&dir.join(&name))?;
        if TrustList::verify_signature(&bytes, &root).is_ok() {
            if trust.is_none() {
                trust = Some(name);
            }
        } else if StatusListToken::parse_unverified(&bytes)
            .ok()
            .and_then(|s| StatusListToken::from_unverified_payload(s.payload_unverified()).ok())
            .is_some()
        {
            status.push(name);
        }
    }
    let Some(trust) = trust else {
        bail!(
            "{} has no trust list signed by root.key.pub (kid {}); create one with `attesta trust add-issuer`",
            dir.display(),
            root.kid()
        );
    };
    let out = site.out.clone().unwrap_or_else(|| dir.join("web"));
    let lists_dir = out.join("lists");
    std::fs::create_dir_all(&lists_dir)
        .with_context(|| format!("cannot create {}", lists_dir.display()))?;
    for f in APP_FILES {
        files::atomic_write(&out.join(f), &files::read(&app.join(f))?)?;
    }
    let mut served = vec!["root.key.pub".to_owned(), trust.clone()];
    served.extend(status.iter().cloned());
    for name in &served {
        files::atomic_write(&lists_dir.join(name), &files::read(&dir.join(name))?)?;
    }
    let index = json!({
        "version": 1,
        "root": "root.key.pub",
        "root_kid": root.kid().to_string(),
        "trust": trust,
        "status_lists": status,
    });
    files::atomic_write(
        &lists_dir.join("lists.json"),
        serde_json::to_string_pretty(&index)?.as_bytes(),
    )?;
    files::atomic_write(
        &out.join("config.json"),
        serde_json::to_string_pretty(&json!({"lists": "lists/"}))?.as_bytes(),
    )?;
    println!(
        "wrote the web verifier to {}: root key {}, trust list {trust}, {} status list(s){}",
        out.display(),
        root.kid(),
        status.len(),
        if status.is_empty() {
            String::new()
        } else {
            format!(" ({})", status.join(", "))
        }
    );
    Ok(Site {
        dir: dir.clone(),
        out,
        lists: served,
    })
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "wasm" => "application/wasm",
        "pub" => "application/x-pem-file",
        _ => "application/octet-stream",
    }
}

/// The file a request path names, or `None`: only plain relative paths
/// under OUT, and lists/ names taken from DIR.
fn resolve(site: &Site, url_path: &str) -> Option<PathBuf> {
    let path = url_path.split(['?', '#']).next().unwrap_or("");
    let rel = path.trim_start_matches('/');
    let rel = if rel.is_empty() { "index.html" } else { rel };
    if let Some(name) = rel.strip_prefix("lists/")
        && site.lists.iter().any(|l| l == name)
    {
        return Some(site.dir.join(name));
    }
    let p = Path::new(rel);
    let plain = p.components().all(|c| matches!(c, Component::Normal(_)))
        && !rel.split('/').any(|seg| seg.starts_with('.'));
    plain.then(|| site.out.join(p)).filter(|f| f.is_file())
}

fn serve(site: &Site, port: u16) -> Result<ExitCode> {
    let listener = TcpListener::bind(("127.0.0.1", port)).with_context(|| {
        format!("cannot listen on 127.0.0.1:{port}; choose another --port (0 picks a free one)")
    })?;
    let addr = listener.local_addr()?;
    println!("Serving the web verifier at http://{addr}/ (only to this computer; Ctrl-C stops it)");
    println!(
        "Open it in a browser, allow the camera, and scan the code; the app works offline after the first visit."
    );
    std::io::stdout().flush().ok();
    let site = Arc::new(site.clone());
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        // A thread per connection, each answering one request: a client
        // that stops reading holds up no one else.
        let site = Arc::clone(&site);
        std::thread::spawn(move || handle(&site, stream));
    }
    Ok(ExitCode::SUCCESS)
}

/// The request head: method, target, and the If-None-Match value.
struct Request {
    method: String,
    target: String,
    if_none_match: Option<String>,
}

/// Reads a request head (at most 16 KiB); `None` for anything else.
fn read_request(stream: &mut TcpStream) -> Option<Request> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 || head.len() + n > 16 * 1024 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
    let if_none_match = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("if-none-match"))
        .map(|(_, v)| v.trim().to_owned());
    Some(Request {
        method,
        target,
        if_none_match,
    })
}

fn handle(site: &Site, mut stream: TcpStream) {
    let Some(req) = read_request(&mut stream) else {
        return;
    };
    let (status, headers, body) = respond(site, &req);
    // One line per request, for the operator (and the privacy test): the
    // path and query only; browsers never send the #fragment.
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{} {} {status}", req.method, req.target);
        let _ = out.flush();
    }
    let reason = match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n");
    for (k, v) in &headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let send_body = (status == 200 && req.method == "GET") || status >= 400;
    let len = if status == 304 { 0 } else { body.len() };
    head.push_str(&format!("Content-Length: {len}\r\n\r\n"));
    stream.set_write_timeout(Some(Duration::from_secs(30))).ok();
    let _ = stream.write_all(head.as_bytes());
    if send_body {
        let _ = stream.write_all(&body);
    }
    let _ = stream.flush();
}

type Headers = Vec<(&'static str, String)>;

fn respond(site: &Site, req: &Request) -> (u16, Headers, Vec<u8>) {
    let plain = |status: u16, text: &str| {
        (
            status,
            vec![("Content-Type", "text/plain; charset=utf-8".to_owned())],
            text.as_bytes().to_vec(),
        )
    };
    if req.method != "GET" && req.method != "HEAD" {
        return plain(405, "method not allowed");
    }
    let Some(path) = resolve(site, &req.target) else {
        return plain(404, "not found");
    };
    let Ok(body) = std::fs::read(&path) else {
        return plain(404, "not found");
    };
    let mut h = DefaultHasher::new();
    h.write(&body);
    let etag = format!("\"{:016x}\"", h.finish());
    let headers: Headers = vec![
        ("Content-Type", content_type(&path).to_owned()),
        ("ETag", etag.clone()),
        // Always revalidate: lists change, and a conditional request costs
        // a 304 when they have not.
        ("Cache-Control", "no-cache".to_owned()),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        ("Referrer-Policy", "no-referrer".to_owned()),
        ("Permissions-Policy", "camera=(self)".to_owned()),
    ];
    let unchanged = req
        .if_none_match
        .as_deref()
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    (if unchanged { 304 } else { 200 }, headers, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_and_listed_lists_resolve() {
        let tmp = std::env::temp_dir().join(format!("attesta-web-resolve-{}", std::process::id()));
        let out = tmp.join("web");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("index.html"), "x").unwrap();
        std::fs::write(tmp.join("trust.cwt"), "t").unwrap();
        std::fs::write(tmp.join("root.key"), "secret").unwrap();
        let site = Site {
            dir: tmp.clone(),
            out: out.clone(),
            lists: vec!["trust.cwt".into()],
        };
        assert_eq!(resolve(&site, "/"), Some(out.join("index.html")));
        assert_eq!(resolve(&site, "/?lists=x"), Some(out.join("index.html")));
        assert_eq!(
            resolve(&site, "/lists/trust.cwt"),
            Some(tmp.join("trust.cwt"))
        );
        for bad in [
            "/lists/root.key",
            "/../root.key",
            "/%2e%2e/root.key",
            "/.git/config",
            "//etc/passwd",
        ] {
            assert_eq!(resolve(&site, bad), None, "{bad}");
        }
        std::fs::remove_dir_all(&tmp).ok();
    }
}
