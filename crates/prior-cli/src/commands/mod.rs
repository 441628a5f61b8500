//! One module per command.

pub mod analyze;
pub mod avd;
pub mod baseline;
pub mod campaign;
pub mod campaign_avd;
pub mod check;
pub mod devices;
pub mod doctor;
pub mod emulator;
pub mod inspect;
pub mod judge;
pub mod parse;
pub mod report;
pub mod run;
pub mod run_output;
pub mod sdks;
pub mod selftest;
pub mod sim;
pub mod ui;

pub use crate::term::out;
