//! A request to stop a recording early (Ctrl-C, SIGTERM, SIGHUP — or a test).
//!
//! The signal side (in `prior-cli`) calls [`Stop::request`] with a reason such as
//! `stopped by SIGTERM`; the recorder polls [`Stop::reason`] between device calls, stops its
//! collectors and seals the bundle as incomplete with that reason.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// A stop request shared between whoever may ask for it and the recorder.
#[derive(Debug, Default)]
pub struct Stop {
    requested: AtomicBool,
    reason: Mutex<Option<String>>,
}

impl Stop {
    /// No stop requested yet.
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Asks the recording to stop, with the reason the bundle will carry (`stopped by
    /// SIGTERM`). Returns `true` for the first request; later requests keep the first reason.
    pub fn request(&self, reason: &str) -> bool {
        let mut r = self.reason.lock().unwrap_or_else(|e| e.into_inner());
        if self.requested.swap(true, Ordering::SeqCst) {
            return false;
        }
        *r = Some(reason.to_string());
        true
    }

    /// Whether a stop was requested.
    pub fn is_requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// The reason of the first request, if any.
    pub fn reason(&self) -> Option<String> {
        if !self.is_requested() {
            return None;
        }
        let r = self.reason.lock().unwrap_or_else(|e| e.into_inner());
        Some(
            r.clone()
                .unwrap_or_else(|| "stopped by the operator".to_string()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_wins() {
        let s = Stop::new();
        assert!(!s.is_requested());
        assert_eq!(s.reason(), None);
        assert!(s.request("stopped by SIGTERM"));
        assert!(!s.request("stopped by SIGINT (Ctrl-C)"));
        assert!(s.is_requested());
        assert_eq!(s.reason().as_deref(), Some("stopped by SIGTERM"));
    }
}
