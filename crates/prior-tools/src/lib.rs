//! Prior's external tools: **one** locator ([`Locator`]) and **one** runner ([`run_tool`]) for
//! `adb`, `emulator`, `sdkmanager` and `avdmanager`, used by `prior doctor`, `prior-device`
//! (`adb start-server`) and `prior-emulator` alike, so the `adb` that `prior doctor` checks is
//! the `adb` that `prior run` starts.
//!
//! - [`locate`]: where a tool is. One search order for every tool: the SDK named by
//!   `ANDROID_HOME` (else the deprecated `ANDROID_SDK_ROOT`), in the directory the SDK
//!   documentation gives for that tool, then `PATH`. Every lookup reports every place looked.
//! - [`run`]: runs a tool with an argument vector (never a shell), stdin closed or fed from
//!   bytes, a time limit, in its own process group (killed whole on timeout, with a real
//!   signal through rustix, not by spawning `kill`), and a cap on the output kept. Every run
//!   is a `tracing` span with the command line, its exit status and its duration.
//!
//! This crate depends on no other Prior crate: it sits at the bottom of the graph.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod locate;
pub mod run;

pub use locate::{Locator, SdkEnv, Tool, ToolMissing, is_executable};
pub use run::{
    READ_GRACE, RunError, Signal, ToolOutput, display_argv, in_own_group, kill_group,
    process_exists, run_tool, shell_quote, tail_lines,
};
