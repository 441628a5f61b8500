//! `prior-record`: runs a scenario on a device and writes the session bundle.
//!
//! - [`bundle_dir`]: a new bundle directory with a name no other run has taken.
//! - [`detect`]: the consent-screen detector (pure; also behind `prior ui`).
//! - [`honey`]: the honey step (known values set and read before the first launch).
//! - [`record`]: the recorder.
//! - [`stop`]: a request to stop a recording early (Ctrl-C, SIGTERM, SIGHUP).

pub mod bundle_dir;
pub mod detect;
mod device_cmds;
pub mod honey;
pub mod record;
pub mod stop;
mod watch;
