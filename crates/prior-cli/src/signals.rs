//! SIGINT (Ctrl-C), SIGTERM and SIGHUP during a recording (`prior run`, `prior selftest`).
//!
//! CI timeouts, `timeout(1)`, Kubernetes and systemd stop a job with SIGTERM; a closed
//! terminal or SSH session sends SIGHUP. All three are handled alike: the first asks the
//! recorder to stop ([`Stop::request`] with `stopped by SIGTERM` etc.), which stops the
//! collectors and seals the bundle as incomplete with that reason; the second exits at once
//! with 128 + the signal's number (the shell's convention), leaving a bundle in state
//! `recording` that `prior analyze` still reads (the recorder writes its reason into
//! `meta.json` before the end captures, so the bundle says why it was stopping).
//!
//! The signals are taken by signal-hook's self-pipe on a thread of their own: no work happens
//! in the signal handler.

use prior_record::stop::Stop;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::sync::Arc;

/// The signal's name as the bundle and the terminal say it.
fn name_of(signo: i32) -> String {
    match signo {
        SIGINT => "SIGINT (Ctrl-C)".to_string(),
        SIGTERM => "SIGTERM".to_string(),
        SIGHUP => "SIGHUP".to_string(),
        n => format!("signal {n}"),
    }
}

/// How the reason of a recording stopped by a signal starts.
pub(crate) const STOPPED_BY: &str = "stopped by ";

/// The reason a recording stopped by `signo` carries.
pub(crate) fn reason_of(signo: i32) -> String {
    format!("{STOPPED_BY}{}", name_of(signo))
}

/// Writes a line to stderr without panicking (after SIGHUP the terminal may be gone), through
/// the CLI's one escaping boundary.
fn say(text: &str) {
    crate::term::err(&format!("{text}\n"));
}

/// Routes SIGINT, SIGTERM and SIGHUP to `stop` (first signal) or to an immediate exit with
/// 128 + N (any later one). Returns without handling them if they cannot be registered (the
/// default actions then apply, as without Prior's handler), after saying so on stderr.
pub(crate) fn stop_on_signals(stop: Arc<Stop>) {
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        Ok(s) => s,
        Err(e) => {
            say(&format!(
                "warning: failed to handle SIGINT/SIGTERM/SIGHUP ({e}); a signal will end Prior without sealing the bundle"
            ));
            return;
        }
    };
    std::thread::spawn(move || {
        for signo in signals.forever() {
            if stop.request(&reason_of(signo)) {
                say(&format!(
                    "\n{} received: stopping the collectors and sealing the bundle as incomplete (send it again to abort at once)",
                    name_of(signo)
                ));
            } else {
                say(&format!(
                    "\n{} received again: aborting now; the bundle is left unsealed (state recording)",
                    name_of(signo)
                ));
                std::process::exit(128 + signo);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_name_the_signal() {
        assert_eq!(reason_of(SIGTERM), "stopped by SIGTERM");
        assert_eq!(reason_of(SIGHUP), "stopped by SIGHUP");
        assert_eq!(reason_of(SIGINT), "stopped by SIGINT (Ctrl-C)");
        assert_eq!((SIGINT, SIGHUP, SIGTERM), (2, 1, 15));
    }
}
