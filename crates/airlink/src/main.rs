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
mod run;
mod seed;
mod shell;
mod strip;

/// Top-level command line.
#[derive(Parser, Debug)]
#[command(
    name = "airlink",
    version,
    about = "Tools for AIR, the LLVM dialect of Apple's Metal GPU compiler",
    after_help = "Exit status: 0 on success, 1 when the input has errors, 2 on a usage error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse, verify and print an AIR module (text, bitcode or .metallib) as canonical text.
    Fmt(fmt::Opts),
    /// Build the three reverse-linking shells and run the seed's tests on them.
    Demo(demo::Opts),
    /// Assemble AIR text into a .metallib (Apple's link step, one module per entry).
    Assemble(assemble::Opts),
    /// Describe a .metallib: header, functions, hashes; --dump, --extract, --ir.
    Inspect(inspect::Opts),
    /// Rewrite a .metallib without its embedded sources, reflection or debug info.
    Strip(strip::Opts),
    /// Generate a reverse-linking kernel shell from a TOML spec.
    Shell(shell::Opts),
    /// Run a kernel (spec or .ll) on the CPU reference executor; print or check buffers.
    Run(run::Opts),
    /// Check this Mac: device, linking, reverse-linking tests, probes, timings.
    Doctor(doctor::Opts),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Fmt(opts) => opts.run(),
        Command::Demo(opts) => opts.run(),
        Command::Assemble(opts) => opts.run(),
        Command::Inspect(opts) => opts.run(),
        Command::Strip(opts) => opts.run(),
        Command::Shell(opts) => opts.run(),
        Command::Run(opts) => opts.run(),
        Command::Doctor(opts) => opts.run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Diagnostics already carry their own position and context.
            eprintln!("{err:#}");
            ExitCode::from(1)
        }
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
