//! The `prior` binary: everything lives in `prior-cli`; this file only hands over.

fn main() -> std::process::ExitCode {
    prior_cli::main()
}
