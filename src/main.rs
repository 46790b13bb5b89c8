use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("MJDESK_LOG"))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(code) = mjdesk::appimage::handle(&args) {
        return code;
    }
    let cli = mjdesk::cli::Cli::parse();
    match cli.command {
        None => match cli.image.clone() {
            // a mistyped command is not a file to open
            Some(image) if !image.exists() => {
                eprintln!("mjdesk: no such command or file: {} (see mjdesk --help)", image.display());
                ExitCode::from(2)
            }
            image => mjdesk::app::run(mjdesk::cli::window_target(&cli), image),
        },
        Some(cmd) => mjdesk::cli::run(cmd),
    }
}
