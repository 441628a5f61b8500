//! Prior's documented exit codes (`docs/exit-codes.md`). Every command ends through here.

use std::process::ExitCode;

/// No violation, or the command succeeded.
pub const OK: u8 = 0;
/// Violations found (with a baseline: new ones).
pub const VIOLATIONS: u8 = 1;
/// Usage or input error (arguments, scenario, bundle, manifest mismatch).
pub const INPUT: u8 = 2;
/// Device or environment error.
pub const DEVICE: u8 = 3;
/// The run is incomplete and found no violation.
pub const INCOMPLETE: u8 = 4;

/// Converts a code to the process exit code.
pub fn code(c: u8) -> ExitCode {
    ExitCode::from(c)
}
