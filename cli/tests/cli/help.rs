//! What every command says about itself: help with examples, completions, man page, usage errors.

use crate::common::*;

#[test]
fn completions_and_man_page() {
    let env = Env::new();
    let r = env.run(&["completions", "bash"]).ok();
    assert!(r.stdout.len() > 1000, "{}", r.stdout);
    assert!(r.stdout.contains("attesta"));
    for shell in ["zsh", "fish"] {
        let r = env.run(&["completions", shell]).ok();
        assert!(!r.stdout.is_empty());
    }
    env.run(&["completions", "cmd.exe"]).code(2);
    let r = env.run(&["man"]).ok();
    assert!(
        r.stdout.contains(".TH"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    assert!(r.stdout.contains("attesta"));
    env.run(&["man", "--out-dir", "man"]).ok();
    assert!(env.exists("man/attesta.1"));
    assert!(env.exists("man/attesta-verify.1"));
}

/// The subcommand names listed under "Commands:" in a help text.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_help_shows_an_example() {
    let env = Env::new();
    let top = env.run(&["--help"]).ok();
    let mut queue: Vec<Vec<String>> = subcommands(&top.stdout)
        .into_iter()
        .map(|c| vec![c])
        .collect();
    assert!(queue.len() >= 10, "{}", top.stdout);
    let mut seen = 0;
    let mut missing = Vec::new();
    while let Some(path) = queue.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let r = env.run(&args).ok();
        if !r.stdout.contains("Example") {
            missing.push(path.join(" "));
        }
        for sub in subcommands(&r.stdout) {
            let mut p = path.clone();
            p.push(sub);
            queue.push(p);
        }
        seen += 1;
    }
    assert!(seen >= 20, "only {seen} commands found");
    assert!(missing.is_empty(), "--help without an example: {missing:?}");
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    env.run(&[]).code(2);
    env.run(&["frobnicate"]).code(2);
    env.run(&["verify"]).code(2);
    env.run(&["--version"]).ok().stdout_has("attesta");
}

// ---------------------------------------------------------------- PDF render and scan
