//! `issue --verify-url` (codes wrapped in a web verifier's address) and
//! `attesta web` / `attesta web serve`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{CF, Env};

const URL: &str = "https://verifica.example.it/";

#[test]
fn verify_url_wraps_the_code_and_every_verifier_input_accepts_it() {
    let env = Env::new();
    env.setup();
    let r = env.issue("-", &["--verify-url", URL]);
    let wrapped = r.stdout.trim().to_owned();
    assert!(
        wrapped.starts_with("https://verifica.example.it/#AT1:"),
        "{wrapped}"
    );
    assert!(
        !wrapped.contains(' '),
        "spaces must be percent-encoded: {wrapped}"
    );
    // The cost, as printed.
    assert!(
        r.stderr.contains("for the address and the escaped spaces"),
        "{}",
        r.stderr
    );

    // As text, from a file and from stdin.
    env.write("wrapped.txt", &wrapped);
    let (code, v) = env.verify_json("wrapped.txt", &["--cf", CF]);
    assert_eq!(code, 0, "{v}");
    let r = env.run_stdin(
        &crate::common::verify_args("-", &["--cf", CF, "--json"]),
        wrapped.clone(),
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    // As a QR image (PNG): read back and verified.
    env.issue("wrapped.png", &["--verify-url", URL]);
    let (code, v) = env.verify_json("wrapped.png", &["--cf", CF]);
    assert_eq!(code, 0, "{v}");
    // decode shows the code inside.
    let d = env.run(&["decode", "wrapped.txt", "--json"]).ok().json();
    assert_eq!(d["prefix"], "AT1:");

    // A web link that holds no code is "not an attesta code".
    env.write("link.txt", "https://www.inps.it/#qualcosa");
    let (code, v) = env.verify_json("link.txt", &["--cf", CF]);
    assert_eq!(code, 4);
    assert_eq!(v["reason"], "bad_prefix");
    assert_eq!(v["verdict"], "cannot_verify");
}

#[test]
fn verify_url_must_be_https_without_a_fragment() {
    let env = Env::new();
    env.setup();
    for bad in [
        "http://verifica.example.it/",
        "verifica.example.it",
        "https://verifica.example.it/#x",
    ] {
        let r = env.run(&crate::common::issue_args(CF, "-", &["--verify-url", bad]));
        r.usage_error(&["--verify-url", "https://"]);
    }
    // Local addresses may be http, to try the app with `attesta web serve`.
    env.issue("-", &["--verify-url", "http://127.0.0.1:8080/"]);
}

#[test]
fn batch_outputs_are_wrapped_too() {
    let env = Env::new();
    env.setup();
    env.write("rows.csv", format!("cf,invalidita\n{CF},80\n"));
    let mut a = vec![
        "issue",
        "--key",
        "issuer.key",
        "--issuer",
        crate::common::ISSUER,
        "--batch",
        "rows.csv",
        "--out-dir",
        "out",
        "--format",
        "txt",
        "--verify-url",
        URL,
        "--quiet",
    ];
    a.extend(crate::common::FAST_KDF);
    env.run(&a).ok();
    let text = env.read_text("out/000000002.txt");
    assert!(
        text.starts_with("https://verifica.example.it/#AT1:"),
        "{text}"
    );
}

/// A fake built app, so that `attesta web` can be tested without the
/// WebAssembly build (the end-to-end tests in web/tests use the real one).
fn fake_app(env: &Env) -> std::path::PathBuf {
    let app = env.path("app");
    std::fs::create_dir_all(&app).unwrap();
    for f in [
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
    ] {
        std::fs::write(app.join(f), format!("/* {f} */")).unwrap();
    }
    app
}

#[test]
fn web_writes_the_app_with_an_index_of_the_public_lists_only() {
    let env = Env::new();
    env.setup();
    env.issue("holder.txt", &["--status-list", "status-1.cwt"]);
    let app = fake_app(&env);
    let app = app.to_str().unwrap();
    let dir = env.dir().to_str().unwrap();
    env.run(&["web", "--dir", dir, "--app", app])
        .ok()
        .stdout_has("trust list trust.cwt, 1 status list(s) (status-1.cwt)");
    let index: serde_json::Value =
        serde_json::from_slice(&env.read("web/lists/lists.json")).unwrap();
    assert_eq!(index["root"], "root.key.pub");
    assert_eq!(index["trust"], "trust.cwt");
    assert_eq!(index["status_lists"], serde_json::json!(["status-1.cwt"]));
    let config: serde_json::Value = serde_json::from_slice(&env.read("web/config.json")).unwrap();
    assert_eq!(config["lists"], "lists/");
    assert_eq!(env.read("web/lists/trust.cwt"), env.read("trust.cwt"));
    assert!(env.exists("web/index.html") && env.exists("web/attesta_wasm_bg.wasm"));
    // Nothing private is published.
    let mut published = Vec::new();
    for e in walk(&env.path("web")) {
        published.push(e.clone());
        let text = String::from_utf8_lossy(&std::fs::read(&e).unwrap()).into_owned();
        assert!(!text.contains("PRIVATE KEY"), "{e:?} holds a private key");
    }
    assert!(
        !published
            .iter()
            .any(|p| p.ends_with("issuer.key") || p.ends_with(".alloc"))
    );

    // No root key, or no app: clear errors.
    let empty = env.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    env.run(&["web", "--dir", empty.to_str().unwrap(), "--app", app])
        .usage_error(&["root.key.pub"]);
    env.run(&["web", "--dir", dir, "--app", empty.to_str().unwrap()])
        .usage_error(&["web/build.sh"]);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn get(port: u16, path: &str, extra: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra}\r\n").unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head[9..12].parse().unwrap();
    (status, head, buf[split + 4..].to_vec())
}

#[test]
fn web_serve_serves_the_app_and_lists_with_etags_and_nothing_else() {
    let env = Env::new();
    env.setup();
    let app = fake_app(&env);
    let mut child = Command::new(env!("CARGO_BIN_EXE_attesta"))
        .args(["web", "serve", "--port", "0", "--dir"])
        .arg(env.dir())
        .arg("--app")
        .arg(&app)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let port: u16 = loop {
        let mut b = [0u8; 256];
        let n = stdout.read(&mut b).unwrap();
        seen.push_str(&String::from_utf8_lossy(&b[..n]));
        if let Some(i) = seen.find("http://127.0.0.1:") {
            let rest = &seen[i + 17..];
            if let Some(end) = rest.find('/') {
                break rest[..end].parse().unwrap();
            }
        }
        assert!(Instant::now() < deadline && n > 0, "no address in {seen:?}");
    };
    let (status, head, body) = get(port, "/", "");
    assert_eq!(status, 200);
    assert!(head.contains("text/html"), "{head}");
    assert_eq!(body, b"/* index.html */");
    let (status, head, body) = get(port, "/lists/trust.cwt", "");
    assert_eq!(status, 200);
    assert_eq!(body, env.read("trust.cwt"));
    let etag = head
        .lines()
        .find_map(|l| l.strip_prefix("ETag: "))
        .unwrap()
        .to_owned();
    // A conditional request for an unchanged list costs a 304.
    let (status, _, body) = get(
        port,
        "/lists/trust.cwt",
        &format!("If-None-Match: {etag}\r\n"),
    );
    assert_eq!((status, body.len()), (304, 0));
    // Lists refreshed in DIR are served at once.
    env.run(&[
        "trust",
        "refresh",
        "--root-key",
        "root.key",
        "--trust",
        "trust.cwt",
    ])
    .ok();
    let (status, _, body) = get(
        port,
        "/lists/trust.cwt",
        &format!("If-None-Match: {etag}\r\n"),
    );
    assert_eq!(status, 200);
    assert_eq!(body, env.read("trust.cwt"));
    for private in [
        "/root.key",
        "/lists/root.key",
        "/../root.key",
        "/lists/issuer.key",
    ] {
        assert_eq!(get(port, private, "").0, 404, "{private}");
    }
    child.kill().ok();
    child.wait().ok();
}
