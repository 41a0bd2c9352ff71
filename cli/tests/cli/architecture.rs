//! The house has one direction: within each crate of the workspace, no two
//! modules import each other, directly or around a circle. A circle means
//! two modules that cannot be understood, tested or moved apart; ARCHITECTURE.md
//! says which way the arrows run.
//!
//! The graph is read from the source text, as a reader sees it: a file's
//! `crate::a::b` paths (in `use` lines and inline, not in comments) and
//! `super::x` paths are its arrows, resolved to the longest module path that is a file of the
//! crate. Test modules at the end of a file (`#[cfg(test)]`) are left out:
//! their `use super::*` points at their own file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (e.g. `["cmd", "issue", "batch"]`) → file, for one crate.
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap();
            let mut segs: Vec<String> = rel
                .with_extension("")
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect();
            match segs.last().map(String::as_str) {
                // The crate root and directory modules are named by their
                // directory.
                Some("lib" | "main") if segs.len() == 1 => segs.clear(),
                Some("mod") => {
                    segs.pop();
                }
                _ => {}
            }
            out.insert(segs, p);
        }
    }
    out
}

/// The identifiers of a path starting at `text` (`a::b::c` → [a, b, c]).
fn path_segments(text: &str) -> Vec<String> {
    let mut segs = Vec::new();
    let mut rest = text;
    loop {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        segs.push(rest[..end].to_owned());
        match rest[end..].strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    segs
}

/// The modules a file's code refers to.
fn arrows(
    me: &[String],
    code: &str,
    known: &BTreeMap<Vec<String>, PathBuf>,
) -> BTreeSet<Vec<String>> {
    let code = code.split("#[cfg(test)]").next().unwrap_or("");
    // Comments (doc links included) name modules without importing them.
    let code: String = code
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    // A file `a/b.rs` is module [a, b]; `super` is [a].
    let parent = &me[..me.len().saturating_sub(1)];
    for (anchor, base) in [("crate::", &[][..]), ("super::", parent)] {
        for (i, _) in code.match_indices(anchor) {
            // Not the tail of another path (`attesta_core::crate::…` does
            // not occur, but `x.super::` would not either).
            if code[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let mut path = base.to_vec();
            path.extend(path_segments(&code[i + anchor.len()..]));
            while !path.is_empty() && !known.contains_key(&path) {
                path.pop();
            }
            if !path.is_empty() && path != me {
                out.insert(path);
            }
        }
    }
    out
}

/// Every circle of the graph, each as the list of its modules.
fn circles(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<Vec<String>>> {
    // Tarjan's strongly connected components; a component of more than one
    // module is a circle.
    struct State<'g> {
        graph: &'g BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'g Vec<String>, usize>,
        low: BTreeMap<&'g Vec<String>, usize>,
        stack: Vec<&'g Vec<String>>,
        on_stack: BTreeSet<&'g Vec<String>>,
        found: Vec<Vec<Vec<String>>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g Vec<String>) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let Some((w, _)) = s.graph.get_key_value(w) else {
                continue;
            };
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.found
}

fn graph_of(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let known = modules(src);
    known
        .iter()
        .map(|(m, file)| {
            let code = std::fs::read_to_string(file).unwrap();
            (m.clone(), arrows(m, &code, &known))
        })
        .collect()
}

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "(crate root)".to_owned()
    } else {
        m.join("::")
    }
}

#[test]
fn no_crate_has_an_import_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut srcs = vec![root.join("cli/src")];
    for e in std::fs::read_dir(root.join("crates")).unwrap() {
        let src = e.unwrap().path().join("src");
        if src.is_dir() {
            srcs.push(src);
        }
    }
    assert!(srcs.len() >= 5, "the crates were not found under {root:?}");
    let mut problems = Vec::new();
    for src in &srcs {
        for c in circles(&graph_of(src)) {
            problems.push(format!(
                "{}: {}",
                src.display(),
                c.iter().map(|m| name(m)).collect::<Vec<_>>().join(" <-> ")
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "modules that import each other:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_finds_a_circle_and_reads_paths_as_rust_does() {
    // The checker itself must not be blind: a circle it is shown is found.
    let known: BTreeMap<Vec<String>, PathBuf> = [
        (vec![], PathBuf::new()),
        (vec!["a".to_owned()], PathBuf::new()),
        (vec!["b".to_owned()], PathBuf::new()),
        (vec!["cmd".to_owned(), "x".to_owned()], PathBuf::new()),
    ]
    .into();
    let a = vec!["a".to_owned()];
    let b = vec!["b".to_owned()];
    let x = vec!["cmd".to_owned(), "x".to_owned()];
    assert_eq!(
        arrows(
            &a,
            "use crate::b::Thing;\nfn f() { crate::cmd::x::go() }",
            &known
        ),
        [b.clone(), x.clone()].into()
    );
    // `super::` from cmd/x.rs is cmd (not a file here): nothing; tests are
    // left out.
    assert!(
        arrows(
            &x,
            "use super::y;\n#[cfg(test)]\nmod t { use crate::a; }",
            &known
        )
        .is_empty()
    );
    let graph: BTreeMap<_, _> = [
        (a.clone(), [b.clone()].into()),
        (b.clone(), [x.clone()].into()),
        (x.clone(), [a.clone()].into()),
    ]
    .into();
    assert_eq!(circles(&graph), vec![vec![a.clone(), b.clone(), x.clone()]]);
    let line: BTreeMap<_, _> = [(a.clone(), [b.clone()].into()), (b, BTreeSet::new())].into();
    assert!(circles(&line).is_empty());
}
