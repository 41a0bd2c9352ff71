pub fn run(_a: &crate::cli::IssueArgs) -> anyhow::Result<std::process::ExitCode> { anyhow::bail!("todo") }
