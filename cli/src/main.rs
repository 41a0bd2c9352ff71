//! The `attesta` command: a thin shell over attesta-core, attesta-verify
//! and attesta-pdf. Exit codes: 0 success (verify: valid), 1 not valid /
//! not decodable, 2 usage or I/O error, 3 batch with rejected rows, 4 verify:
//! cannot verify.
#![forbid(unsafe_code)]

mod cli;
mod cmd;
mod files;
mod issuer_list;
mod output;
mod report;
mod signing;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::{Cli, Command, KeyCommand};

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let lang = cli.lang;
    match cli.command {
        Command::Demo { dir } => cmd::demo::run(dir, report::language(lang)),
        Command::Keygen {
            out,
            force,
            operator,
            pkcs11,
            pass,
        } => match pkcs11 {
            Some(uri) => signing::keygen(&uri, out.as_deref(), force, &pass),
            None => match out {
                Some(out) => cmd::keys::keygen(&out, force, operator, &pass),
                None => Err(anyhow::anyhow!("--out FILE is required")),
            },
        }
        .map(|_| ExitCode::SUCCESS),
        Command::Key(KeyCommand::Show { file, pass }) => {
            cmd::keys::show(&file, &pass).map(|_| ExitCode::SUCCESS)
        }
        Command::Trust(t) => cmd::trust::run(&t).map(|_| ExitCode::SUCCESS),
        Command::Status(s) => cmd::status::run(&s).map(|_| ExitCode::SUCCESS),
        Command::Issue(a) => cmd::issue::run(&a, report::language(lang)),
        Command::Decode { input, json } => cmd::decode::run(&input, json),
        Command::Verify(a) => cmd::verify::run(&a, report::language(lang)),
        Command::Web(a) => cmd::web::run(&a),
        Command::Completions { shell } => {
            // Into a buffer first: clap_complete panics when the pipe closes.
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "attesta", &mut buf);
            std::io::Write::write_all(&mut std::io::stdout().lock(), &buf)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { out_dir } => {
            let cmd = Cli::command();
            match out_dir {
                Some(d) => {
                    std::fs::create_dir_all(&d)?;
                    clap_mangen::generate_to(cmd, &d)?;
                    eprintln!("wrote man pages to {}", d.display());
                }
                None => clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `println!` panics when the reader of a pipe goes away (`attesta … |
/// head -1`); that is the reader's choice, not an error: leave quietly.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") || msg.contains("os error 32") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    let outcome = run(cli);
    // Every key is dropped by now: let the HSM modules clean up while
    // nothing else runs, rather than in their exit-time destructors.
    attesta_pkcs11::finalize_modules();
    match outcome {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`attesta decode x | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
