//! The `leadmail` binary: parse the command line, load the config, dispatch.

use clap::Parser;
use leadmail::cli::{Cli, Command};
use leadmail::{app, config::Settings, telemetry};
use std::process::ExitCode;

fn main() -> ExitCode {
    leadmail::memory::tune_allocator();
    let cli = Cli::parse();
    let level = if matches!(cli.command, Command::Run { .. } | Command::Serve) {
        "info"
    } else {
        "warn"
    };
    telemetry::init(cli.log_format, level);
    if let Command::Eval {
        corpus,
        fixtures,
        misses,
    } = &cli.command
    {
        // Needs no configuration: it scores the pure pipeline on files.
        return finish(app::evaluate(corpus, fixtures, *misses));
    }
    if let Err(error) = leadmail::clock::check_override() {
        eprintln!("leadmail: {error}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("leadmail: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let command = match cli.command {
        // Needs no configuration: both databases are named on the command line.
        Command::Db(command) => return finish(runtime.block_on(app::database(command))),
        command => command,
    };
    let settings = match Settings::load(&cli.config) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("leadmail: {error}");
            return ExitCode::from(2);
        }
    };
    finish(runtime.block_on(app::dispatch(command, settings)))
}

/// The exit code for a command's result, printing the error.
fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if app::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            // An error can quote a mail (a step name, a reason): escaped.
            let text = telemetry::error_text(&error);
            eprintln!("leadmail: {}", telemetry::LogText(&text));
            ExitCode::from(app::exit_code(&error))
        }
    }
}
