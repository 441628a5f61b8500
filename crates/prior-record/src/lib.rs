//! `prior-record`: runs a scenario on a device and writes the session bundle.
//!
//! - [`detect`]: the consent-screen detector (pure; also behind `prior ui`).
//! - [`record`]: the recorder.

pub mod detect;
mod device_cmds;
pub mod record;
mod watch;
