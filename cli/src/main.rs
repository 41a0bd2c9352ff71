//! The `attesta` command: a thin shell over attesta-core, attesta-verify
//! and attesta-pdf. Exit codes: 0 success (verify: valid), 1 not valid /
//! not decodable, 2 usage or I/O error, 3 batch with rejected rows.
#![forbid(unsafe_code)]

mod cli;
mod cmd;
mod files;
mod output;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::{Cli, Command, KeyCommand};

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo { dir } => cmd::demo::run(dir),
        Command::Keygen {
            out,
            force,
            operator,
            pass,
        } => cmd::keys::keygen(&out, force, operator, &pass).map(|_| ExitCode::SUCCESS),
        Command::Key(KeyCommand::Show { file, pass }) => {
            cmd::keys::show(&file, &pass).map(|_| ExitCode::SUCCESS)
        }
        Command::Trust(t) => cmd::trust::run(&t).map(|_| ExitCode::SUCCESS),
        Command::Status(s) => cmd::status::run(&s).map(|_| ExitCode::SUCCESS),
        Command::Issue(a) => cmd::issue::run(&a),
        Command::Decode { input, json } => cmd::decode::run(&input, json),
        Command::Verify(a) => cmd::verify::run(&a),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "attesta",
                &mut std::io::stdout(),
            );
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
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
