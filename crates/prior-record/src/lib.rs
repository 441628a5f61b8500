//! `prior-record`: runs a scenario on a device and writes the session bundle.
//!
//! - [`bundle_dir`]: a new bundle directory with a name no other run has taken.
//! - [`detect`]: the consent-screen detector (pure; also behind `prior ui`).
//! - [`record`]: the recorder.

pub mod bundle_dir;
pub mod detect;
mod device_cmds;
pub mod record;
mod watch;
