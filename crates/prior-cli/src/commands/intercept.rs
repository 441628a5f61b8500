//! `network: { intercept: mitmproxy }` / `prior run --intercept` (issue 18,
//! docs/interception.md): the recorder's [`HttpIntercept`] hook that runs Prior's mitmdump
//! (`prior-intercept`) for one session and points the device at it.
//!
//! * The simulated handset sends its models' `send:` requests through it, trusting the
//!   session's CA except for hosts a model pins.
//! * An emulator Prior boots for the run is started with `-http-proxy http://127.0.0.1:PORT`
//!   ([`emulator_proxy_port`], one port per `prior run`); Prior does not install the CA as a
//!   system CA yet, so HTTPS is recorded as not decrypted (an `http` collector record, partial).
//! * Any other device: interception does not start (an `http` collector record, failed).

use prior_intercept::{MitmOptions, Mitmdump};
use prior_record::record::{CaptureError, HttpIntercept, InterceptStarted};
use prior_sim::device::SimDevice;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The device side of the hook.
pub(crate) enum InterceptDevice {
    /// Prior's simulated handset.
    Sim(Arc<SimDevice>),
    /// An emulator; the `-http-proxy` port it was booted with here, if any.
    Emulator(Option<u16>),
    /// A device Prior cannot route through a proxy.
    Other,
}

/// The hook.
pub(crate) struct MitmHook {
    device: InterceptDevice,
    running: Option<Mitmdump>,
    work: Option<PathBuf>,
    dest: Option<PathBuf>,
}

impl MitmHook {
    pub(crate) fn new(device: InterceptDevice) -> MitmHook {
        MitmHook {
            device,
            running: None,
            work: None,
            dest: None,
        }
    }

    fn cleanup(&mut self) {
        if let Some(w) = self.work.take() {
            let _ = std::fs::remove_dir_all(w);
        }
    }
}

/// The loopback port every emulator this `prior run` boots is given as `-http-proxy`, and on
/// which the session's mitmdump then listens (chosen once per process).
pub(crate) fn emulator_proxy_port() -> Option<u16> {
    static PORT: OnceLock<Option<u16>> = OnceLock::new();
    *PORT.get_or_init(|| prior_intercept::free_port().ok())
}

fn err(action: &str) -> impl Fn(prior_intercept::InterceptError) -> CaptureError + '_ {
    move |e| CaptureError::device(action, e)
}

impl HttpIntercept for MitmHook {
    fn start(&mut self, dest: &Path) -> Result<InterceptStarted, CaptureError> {
        let port = match &self.device {
            InterceptDevice::Sim(_) => None,
            InterceptDevice::Emulator(Some(p)) => Some(*p),
            InterceptDevice::Emulator(None) => {
                return Err(CaptureError::device(
                    "route the emulator through mitmdump",
                    "it was already running, not booted by this run with -http-proxy; stop it \
                     (`prior emulator stop NAME`) and run again",
                ));
            }
            InterceptDevice::Other => {
                return Err(CaptureError::device(
                    "route the device through mitmdump",
                    "Prior intercepts only on the simulated handset and on emulators it boots \
                     (docs/interception.md)",
                ));
            }
        };
        let program = prior_intercept::locate().map_err(err("find mitmdump"))?;
        let version = prior_intercept::version(&program).map_err(err("ask mitmdump"))?;
        let work = prior_intercept::private_dir().map_err(err("prepare mitmdump"))?;
        self.work = Some(work.clone());
        let started = Mitmdump::start(&MitmOptions {
            program,
            out: dest.to_path_buf(),
            work_dir: work,
            ready_timeout: Duration::from_secs(60),
            port,
        });
        let m = match started {
            Ok(m) => m,
            Err(e) => {
                self.cleanup();
                return Err(CaptureError::device("run mitmdump", e));
            }
        };
        self.dest = Some(dest.to_path_buf());
        let mut notes = vec![format!(
            "mitmproxy {version} (mitmdump with Prior's addon) listening on {}; its CA is this \
             session's own (a private temp dir, deleted at the end); nothing is forwarded upstream",
            m.listen()
        )];
        let mut partial = None;
        match &self.device {
            InterceptDevice::Sim(sim) => {
                let ca_pem = m.ca_cert_pem().map_err(err("read mitmdump's CA"))?;
                sim.set_http_proxy(Some(prior_sim::http::HttpProxy {
                    addr: m.listen(),
                    ca_pem,
                }))
                .map_err(|e| CaptureError::device("point the simulated handset at mitmdump", e))?;
                notes.push(
                    "the SIMULATED handset sends its models' send: requests through it, trusting \
                     its CA (except hosts a model pins)"
                        .into(),
                );
            }
            InterceptDevice::Emulator(_) => {
                notes.push(format!(
                    "the emulator was booted with -http-proxy http://{}",
                    m.listen()
                ));
                partial = Some(
                    "HTTPS not decrypted: Prior does not install the mitmproxy CA as a system CA \
                     on emulators yet (docs/interception.md); plain HTTP flows and TLS failures \
                     are recorded"
                        .to_string(),
                );
            }
            InterceptDevice::Other => {}
        }
        self.running = Some(m);
        Ok(InterceptStarted { notes, partial })
    }

    fn stop(&mut self) -> Result<String, CaptureError> {
        let mut sent = String::new();
        if let InterceptDevice::Sim(sim) = &self.device {
            let flushed = sim.flush_http(Duration::from_secs(10));
            let results = sim.http_results();
            let ok = results.iter().filter(|r| r.outcome.is_ok()).count();
            sent = format!(
                "; the handset sent {} request(s), {ok} answered{}",
                results.len(),
                if flushed { "" } else { " (some still queued)" }
            );
            let _ = sim.set_http_proxy(None);
        }
        let Some(m) = self.running.take() else {
            self.cleanup();
            return Ok("mitmdump was not running".into());
        };
        let stopped = m.stop(Duration::from_secs(10));
        self.cleanup();
        let (flows, tls_failed) = self
            .dest
            .as_ref()
            .and_then(|d| std::fs::read_to_string(d).ok())
            .map(|t| {
                (
                    t.matches("{\"type\":\"flow\"").count(),
                    t.matches("{\"type\":\"tls_failed\"").count(),
                )
            })
            .unwrap_or((0, 0));
        let how = if stopped.clean { "stopped" } else { "killed" };
        Ok(format!(
            "mitmdump {how}{}: {} has {flows} flow(s) and {tls_failed} TLS failure(s){sent}",
            if stopped.stopped_line {
                ""
            } else {
                " (its addon wrote no stopped line)"
            },
            prior_record::record::HTTP_FILE
        ))
    }

    fn describe(&self) -> String {
        match &self.device {
            InterceptDevice::Sim(_) => "mitmdump for the SIMULATED handset's send: requests".into(),
            InterceptDevice::Emulator(_) => "mitmdump as the emulator's -http-proxy".into(),
            InterceptDevice::Other => "mitmdump".into(),
        }
    }
}

impl Drop for MitmHook {
    fn drop(&mut self) {
        self.running.take();
        self.cleanup();
    }
}
