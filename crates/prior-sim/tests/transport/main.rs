//! End-to-end tests of the adbd transport and the smart socket of `prior-sim`.
//!
//! `raw`: a hand-written host drives the transport (protocol edge cases, hostile input).
//! `real_adb`: Debian's `adb` (required: CI installs it) against the simulator, each test with
//! a private adb server on a free port and a private `$HOME`.
//! `smart`: the adb-server smart socket driven by adb_client and by the `adb` client binary.

#![expect(clippy::unwrap_used, reason = "tests may unwrap")]

mod common;
mod handset;
mod raw;
mod real_adb;
mod smart;
mod zz_measure;
