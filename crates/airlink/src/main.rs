//! `airlink`: JIT GPU kernels on Apple Metal that keep the async-copy engine.
//!
//! Each subcommand lives in its own module with a clap `Opts` struct and a
//! `run` function; the work itself is done by the library crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod assemble;
mod demo;
mod doctor;
mod fmt;
mod inspect;
mod io;
mod limits;
mod out;
mod run;
mod seed;
mod shell;

/// Top-level command line.
#[derive(Parser, Debug)]
#[command(
    name = "airlink",
    version,
    about = "Tools for AIR, the LLVM dialect of Apple's Metal GPU compiler",
    after_help = "Exit status: 0 on success, 1 when the input has errors, 2 on a usage error,\n\
                  3 when a library's HASH does not match its module."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands, in the order of the work: AIR text (check it, build a
/// library, look inside one), shells from specs, running kernels on the
/// CPU, then the end-to-end demo and the check of a Mac.
#[derive(Subcommand, Debug)]
enum Command {
    /// Parse, verify and print an AIR module (text, bitcode or .metallib) as canonical text.
    Fmt(fmt::Opts),
    /// Assemble AIR text into a .metallib (Apple's link step, one module per entry).
    Assemble(assemble::Opts),
    /// Describe a .metallib: header, functions, hashes; --dump, --extract, --ir.
    Inspect(inspect::Opts),
    /// Generate a reverse-linking kernel shell from a TOML spec.
    Shell(shell::Opts),
    /// Run a kernel (spec or .ll) on the CPU reference executor; print or check buffers.
    Run(run::Opts),
    /// Build the three reverse-linking shells and run the seed's tests on them.
    Demo(demo::Opts),
    /// Check this Mac: device, linking, reverse-linking tests, probes, timings.
    Doctor(doctor::Opts),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    let result = match &cli.command {
        Command::Fmt(opts) => opts.run(),
        Command::Assemble(opts) => opts.run(),
        Command::Inspect(opts) => opts.run(),
        Command::Shell(opts) => opts.run(),
        Command::Run(opts) => opts.run(),
        Command::Demo(opts) => opts.run(),
        Command::Doctor(opts) => opts.run(),
    };
    match result.and_then(|()| out::flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => ExitCode::from(report(&err)),
    }
}

/// Prints `err` (see [`out`] for the scheme) and gives the exit status:
/// nothing for a closed standard output (status 1), the status an
/// [`out::Exit`] carries, else 1.
fn report(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<out::StdoutClosed>().is_some() {
        return 1;
    }
    out::eprint_line(&out::error_text(err));
    err.downcast_ref::<out::Exit>().map_or(1, |e| e.code)
}

/// A usage error (clap's message on standard error, status 2), or `--help`
/// / `--version` on standard output, whose write errors count as any
/// other (clap would ignore them and exit 0). A usage error quotes the
/// argument it rejects, so it is shown as any message is: plain text,
/// control characters escaped, long lines shortened.
fn clap_exit(e: &clap::Error) -> ExitCode {
    if e.use_stderr() {
        let text = e.render().to_string();
        out::eprint_line(text.trim_end_matches('\n'));
        return ExitCode::from(2);
    }
    match e
        .print()
        .map_err(out::stdout_error)
        .and_then(|()| out::flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => ExitCode::from(report(&err)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
