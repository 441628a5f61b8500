//! `network: { intercept: mitmproxy }` / `prior run --intercept` (issue 18,
//! docs/interception.md): the recorder's [`HttpIntercept`] hook that runs Prior's mitmdump
//! (`prior-intercept`) for one session and points the device at it.
//!
//! * The simulated handset sends its models' `send:` requests through it, trusting the
//!   session's CA except for hosts a model pins.
//! * An emulator Prior boots for the run is started with `-http-proxy http://127.0.0.1:PORT`
//!   ([`emulator_proxy_port`], one port per `prior run`); Prior then tries to make the session
//!   CA a system CA through `su` ([`CA_SCRIPT`], UNVERIFIED on real images) and checks the file
//!   is in place; when it cannot, HTTPS is recorded as not decrypted (an `http` collector
//!   record, partial, with the reason).
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
    /// An emulator: the `-http-proxy` port it was booted with here, if any, and its device.
    Emulator(Option<u16>, prior_device::Device),
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
            InterceptDevice::Emulator(Some(p), _) => Some(*p),
            InterceptDevice::Emulator(None, _) => {
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
            InterceptDevice::Emulator(_, dev) => {
                notes.push(format!(
                    "the emulator was booted with -http-proxy http://{}",
                    m.listen()
                ));
                let pem = m.ca_cert_pem().map_err(err("read mitmdump's CA"))?;
                match install_system_ca(dev, &pem) {
                    Ok(note) => notes.push(note),
                    Err(why) => {
                        partial = Some(format!(
                            "HTTPS not decrypted: the mitmproxy CA could not be installed as a \
                             system CA ({why}); plain HTTP flows and TLS failures are recorded"
                        ))
                    }
                }
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
            InterceptDevice::Emulator(..) => "mitmdump as the emulator's -http-proxy".into(),
            InterceptDevice::Other => "mitmdump".into(),
        }
    }
}

/// Where the session CA is pushed before [`CA_SCRIPT`] copies it.
const CA_ON_DEVICE: &str = "/data/local/tmp/prior-ca.pem";

/// Makes the CA pushed to [`CA_ON_DEVICE`] a system CA until the next reboot or snapshot load,
/// run as `su 0 sh -c CA_SCRIPT prior HASH`. The system store is
/// `$ANDROID_ROOT/etc/security/cacerts` (AOSP `SystemCertificateSource`); a tmpfs over it
/// holds the existing certificates plus `HASH.0`. From Android 14 apps read the Conscrypt
/// APEX's `/apex/com.android.conscrypt/cacerts` (UNVERIFIED against AOSP source): the tmpfs is
/// bind-mounted over it in zygote's mount namespace, so apps started afterwards (the app under
/// test is launched later) see it. The whole method is UNVERIFIED on real emulator images
/// (docs/interception.md); the script's last command checks the file is where apps look.
pub(crate) const CA_SCRIPT: &str = r#"set -e
H="$1"
S=/data/local/tmp/prior-cacerts
C=/system/etc/security/cacerts
A=/apex/com.android.conscrypt/cacerts
rm -rf "$S"
mkdir -p -m 700 "$S"
if [ -d "$A" ]; then cp "$A"/* "$S"/; else cp "$C"/* "$S"/; fi
cp /data/local/tmp/prior-ca.pem "$S/$H.0"
mount -t tmpfs tmpfs "$C"
cp "$S"/* "$C"/
chown root:root "$C"/*
chmod 644 "$C"/*
chcon u:object_r:system_file:s0 "$C" "$C"/* || true
rm -rf "$S"
if [ -d "$A" ]; then
  for z in $(pidof zygote zygote64); do
    nsenter --mount=/proc/$z/ns/mnt -- /system/bin/mount --bind "$C" "$A"
    nsenter --mount=/proc/$z/ns/mnt -- ls "$A/$H.0"
  done
fi
ls "$C/$H.0""#;

/// Pushes the session CA and runs [`CA_SCRIPT`]; a harness note, or why not.
fn install_system_ca(dev: &prior_device::Device, pem: &[u8]) -> Result<String, String> {
    let hash = prior_intercept::subject_hash_old(pem)
        .ok_or("the CA certificate's subject could not be read")?;
    dev.push_bytes(pem.to_vec(), CA_ON_DEVICE)
        .map_err(|e| format!("push {CA_ON_DEVICE}: {e}"))?;
    let cmd = prior_device::Cmd::new("su")
        .raw("0 sh -c")
        .arg(CA_SCRIPT)
        .and_then(|c| c.raw("prior").arg(&hash))
        .map_err(|e| e.to_string())?;
    let out = dev
        .shell(&cmd, Duration::from_secs(60))
        .map_err(|e| format!("run su: {e}"))?;
    if !out.success() {
        let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
        let said = if said.is_empty() {
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        } else {
            said
        };
        let said: String = said
            .lines()
            .last()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        return Err(format!(
            "`su 0 sh -c …` exited {} ({said}); a user build or an image without su cannot \
             take a system CA",
            out.exit
        ));
    }
    Ok(format!(
        "installed the session CA as system CA {hash}.0 through su (a tmpfs over \
         /system/etc/security/cacerts, bind-mounted over /apex/com.android.conscrypt/cacerts in \
         zygote's mount namespace where that exists); the file is in place — the method is \
         UNVERIFIED on real images (docs/interception.md)"
    ))
}

impl Drop for MitmHook {
    fn drop(&mut self) {
        self.running.take();
        self.cleanup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_script_takes_the_hash_as_an_argument_and_checks_the_result() {
        // nothing device- or certificate-controlled is spliced into the script
        assert!(!CA_SCRIPT.contains('\''));
        assert!(CA_SCRIPT.starts_with("set -e\nH=\"$1\"\n"));
        assert!(CA_SCRIPT.contains(CA_ON_DEVICE));
        assert!(CA_SCRIPT.trim_end().ends_with("ls \"$C/$H.0\""));
        let cmd = prior_device::Cmd::new("su")
            .raw("0 sh -c")
            .arg(CA_SCRIPT)
            .and_then(|c| c.raw("prior").arg("c8750f0d"))
            .expect("quoted");
        assert!(
            cmd.as_str().starts_with("su 0 sh -c 'set -e"),
            "{}",
            cmd.as_str()
        );
        assert!(
            cmd.as_str().ends_with("' prior 'c8750f0d'"),
            "{}",
            cmd.as_str()
        );
    }
}
