//! Prior's data model.
//!
//! Everything Prior records or concludes is expressed in these types: [`Event`]s placed on
//! the **device wall clock** ([`Timing`], microseconds since the Unix epoch), the
//! [`ConsentBoundary`] observed on that same clock, the [`Finding`]s a rule profile draws
//! from them, and the on-disk [`bundle`] that holds one recorded session.
//!
//! Architecture invariant: this crate does no device I/O and knows no device format. It
//! reads and writes only the bundle directory.

pub mod bundle;
mod category;
mod consent;
mod event;
pub mod expect;
mod finding;
pub mod honey;
pub mod package;
mod signal;
pub mod text;
mod time;

pub use category::DataCategory;
pub use consent::{ConsentBoundary, ConsentOutcome, Phase};
pub use event::{Actor, ActorKind, Event, EventKind, Evidence, Outcome, Source};
pub use finding::{Finding, Severity, Verdict};
pub use signal::Signal;
pub use time::{Micros, Timing, format_micros_utc};
