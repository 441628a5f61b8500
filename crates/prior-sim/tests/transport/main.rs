//! End-to-end tests of the adbd transport and the smart socket of `prior-sim`.
//!
//! `raw`: a hand-written host drives the transport (protocol edge cases, hostile input).
//! `fuzz`: random and garbled packets (proptest) and headers claiming 4 GiB payloads.
//! `real_adb`: Debian's `adb` (required: CI installs it) against the simulator, each test with
//! a private adb server on a free port and a private `$HOME`.
//! `smart`: the adb-server smart socket driven by adb_client and by the `adb` client binary.
//! `handset`: the transport in front of the real simulated handset (`prior_sim::device`).
//!
//! Every test picks free ports (never 5037 or 5554–5585) and kills what it started, so the
//! tests run in parallel.

#![expect(clippy::unwrap_used, reason = "tests may unwrap")]

mod common;
mod fuzz;
mod handset;
mod raw;
mod real_adb;
mod smart;
mod wire;
mod wire_tests;
