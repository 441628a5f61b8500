//! HTTP(S) interception through a real mitmproxy (issue 18, `docs/interception.md`).
//!
//! Prior does not implement a proxy: it starts mitmproxy's `mitmdump` on the host with a small
//! addon of its own ([`ADDON`], `addon/prior_flows.py`, written out at run time) that appends
//! every flow as one JSON line to the session bundle's `raw/http.jsonl`. This crate finds
//! `mitmdump` ([`locate`]), asks its version ([`version`], `prior doctor`), and runs it
//! ([`Mitmdump::start`] / [`Mitmdump::stop`]):
//!
//! * it listens on loopback only, on a free port;
//! * its `confdir` — the CA key and certificate — is a fresh private directory per session
//!   ([`MitmOptions::work_dir`]), removed by the caller afterwards: every session has its own
//!   CA, so a CA installed on a device is never trusted for a later session's traffic;
//! * `connection_strategy=lazy` and `upstream_cert=false`, and the addon answers every request
//!   itself: no flow reaches its server, and any upstream connection mitmproxy still tries is
//!   refused and recorded (`upstream_blocked`);
//! * it runs in its own process group, so the terminal's Ctrl-C reaches Prior, which stops it
//!   (SIGTERM: mitmproxy runs the addon's `done` hook, which writes the `stopped` line) before
//!   the bundle is sealed.
//!
//! **Invariant:** no network access beyond loopback; nothing here reads the flows (the
//! analyzer does, from the bundle).

use std::ffi::OsString;
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The addon mitmdump loads (`-s`), embedded so the binary is self-contained.
pub const ADDON: &str = include_str!("../addon/prior_flows.py");

/// The mitmproxy release Prior is tested with (`scripts/test` installs exactly this one from
/// PyPI into a virtual environment; `prior doctor` names it).
pub const PINNED_VERSION: &str = "11.0.2";

/// The environment variable naming the `mitmdump` to run (else `mitmdump` on `PATH`).
pub const MITMDUMP_ENV: &str = "PRIOR_MITMDUMP";

/// Where the flows go, relative to the bundle root.
pub const HTTP_FILE: &str = "raw/http.jsonl";

/// The CA certificate mitmproxy writes into its confdir (PEM, public part only).
pub const CA_CERT_FILE: &str = "mitmproxy-ca-cert.pem";

/// How to install the pinned mitmproxy (for `prior doctor` and error help).
pub fn install_hint() -> String {
    format!(
        "install mitmproxy {PINNED_VERSION} from PyPI: `pipx install mitmproxy=={PINNED_VERSION}` \
         (or `python3 -m venv ~/.cache/prior/mitmproxy && ~/.cache/prior/mitmproxy/bin/pip install \
         mitmproxy=={PINNED_VERSION}`), then put `mitmdump` on PATH or set {MITMDUMP_ENV}=/path/to/mitmdump"
    )
}

/// Why interception could not be set up or torn down. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum InterceptError {
    /// No `mitmdump` to run.
    #[error("find mitmdump: {0}")]
    NotFound(String),
    /// `mitmdump` could not be started, or exited at once.
    #[error("start mitmdump ({program}): {reason}")]
    Start {
        /// The program.
        program: String,
        /// What went wrong (with the tail of its log).
        reason: String,
    },
    /// It did not become ready in time.
    #[error("start mitmdump: not ready after {0:?} ({1})")]
    NotReady(Duration, String),
    /// A file in its working directory could not be written or read.
    #[error("{action}: {source}")]
    Io {
        /// What was being done.
        action: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `mitmdump --version` failed or said something unexpected.
    #[error("run `mitmdump --version`: {0}")]
    Version(String),
}

fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> InterceptError {
    let action = action.into();
    move |source| InterceptError::Io { action, source }
}

/// The `mitmdump` to run: `$PRIOR_MITMDUMP` when set, else `mitmdump` on `PATH`.
pub fn locate() -> Result<PathBuf, InterceptError> {
    locate_in(
        std::env::var_os(MITMDUMP_ENV),
        std::env::var_os("PATH").unwrap_or_default(),
    )
}

/// [`locate`] with its environment given (tested).
pub fn locate_in(explicit: Option<OsString>, path: OsString) -> Result<PathBuf, InterceptError> {
    if let Some(p) = explicit.filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if prior_tools::is_executable(&p) {
            Ok(p)
        } else {
            Err(InterceptError::NotFound(format!(
                "{MITMDUMP_ENV}={} is not an executable file; {}",
                p.display(),
                install_hint()
            )))
        };
    }
    std::env::split_paths(&path)
        .map(|d| d.join("mitmdump"))
        .find(|p| prior_tools::is_executable(p))
        .ok_or_else(|| {
            InterceptError::NotFound(format!("no `mitmdump` on PATH; {}", install_hint()))
        })
}

/// `mitmdump --version`'s mitmproxy version (`11.0.2`).
pub fn version(program: &Path) -> Result<String, InterceptError> {
    let out = prior_tools::run_tool(
        program,
        &["--version"],
        &[],
        None,
        Duration::from_secs(30),
        64 * 1024,
    )
    .map_err(|e| InterceptError::Version(e.to_string()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    match out.status {
        Some(s) if s.success() => parse_version(&text).ok_or_else(|| {
            InterceptError::Version(format!(
                "no `Mitmproxy: VERSION` line in its output: {}",
                text.lines().next().unwrap_or("").trim()
            ))
        }),
        Some(s) => Err(InterceptError::Version(format!(
            "it exited with {s}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
        None => Err(InterceptError::Version("it did not exit in 30 s".into())),
    }
}

/// The version in `mitmdump --version`'s output (`Mitmproxy: 11.0.2`).
pub fn parse_version(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let v = l.trim().strip_prefix("Mitmproxy:")?.trim();
        (!v.is_empty() && v.len() < 64).then(|| v.to_owned())
    })
}

/// How to run one `mitmdump`.
#[derive(Debug, Clone)]
pub struct MitmOptions {
    /// The program ([`locate`]).
    pub program: PathBuf,
    /// The JSON-lines file the addon appends to (`BUNDLE/raw/http.jsonl`).
    pub out: PathBuf,
    /// A private, empty directory for this session: the addon, the confdir (CA key and
    /// certificate) and mitmdump's log. The caller removes it afterwards.
    pub work_dir: PathBuf,
    /// How long to wait for the proxy to listen.
    pub ready_timeout: Duration,
    /// The loopback port to listen on (an emulator booted with `-http-proxy` on it); `None`
    /// picks a free one.
    pub port: Option<u16>,
}

/// A running `mitmdump`.
#[derive(Debug)]
pub struct Mitmdump {
    child: Option<Child>,
    listen: SocketAddr,
    confdir: PathBuf,
    log: PathBuf,
    out: PathBuf,
    program: PathBuf,
}

/// What [`Mitmdump::stop`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    /// It stopped by itself after SIGTERM (else it was killed).
    pub clean: bool,
    /// The addon wrote its `stopped` line.
    pub stopped_line: bool,
}

impl Mitmdump {
    /// Starts mitmdump and waits until it listens and its CA exists.
    pub fn start(opts: &MitmOptions) -> Result<Mitmdump, InterceptError> {
        let addon = opts.work_dir.join("prior_flows.py");
        std::fs::write(&addon, ADDON).map_err(io(format!("write {}", addon.display())))?;
        let confdir = opts.work_dir.join("confdir");
        std::fs::create_dir_all(&confdir).map_err(io(format!("create {}", confdir.display())))?;
        let log = opts.work_dir.join("mitmdump.log");
        let log_file =
            std::fs::File::create(&log).map_err(io(format!("create {}", log.display())))?;
        let log_err = log_file
            .try_clone()
            .map_err(io(format!("open {}", log.display())))?;
        let port = match opts.port {
            Some(p) => p,
            None => free_port()?,
        };
        let args: Vec<OsString> = vec![
            "--listen-host".into(),
            "127.0.0.1".into(),
            "--listen-port".into(),
            port.to_string().into(),
            "--set".into(),
            join("confdir=", &confdir),
            "-s".into(),
            addon.into_os_string(),
            "--set".into(),
            join("prior_out=", &opts.out),
            "--set".into(),
            "connection_strategy=lazy".into(),
            "--set".into(),
            "upstream_cert=false".into(),
            "--set".into(),
            "flow_detail=1".into(),
            // the addon shuts mitmdump down when Prior is gone (a second Ctrl-C exits at once)
            "--set".into(),
            format!("prior_parent_pid={}", std::process::id()).into(),
        ];
        let argv = prior_tools::display_argv(
            &opts.program,
            &args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>(),
        );
        tracing::info!(argv = %argv, "starting mitmdump");
        let mut cmd = Command::new(&opts.program);
        cmd.args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log_file))
            .stderr(Stdio::from(log_err));
        prior_tools::in_own_group(&mut cmd);
        let child = cmd.spawn().map_err(|e| InterceptError::Start {
            program: opts.program.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut m = Mitmdump {
            child: Some(child),
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            confdir,
            log,
            out: opts.out.clone(),
            program: opts.program.clone(),
        };
        m.wait_ready(opts.ready_timeout)?;
        Ok(m)
    }

    fn wait_ready(&mut self, timeout: Duration) -> Result<(), InterceptError> {
        let started = Instant::now();
        loop {
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                self.child = None;
                return Err(InterceptError::Start {
                    program: self.program.display().to_string(),
                    reason: format!("it exited with {status}: {}", self.log_tail()),
                });
            }
            let listening =
                TcpStream::connect_timeout(&self.listen, Duration::from_millis(200)).is_ok();
            let started_line = std::fs::read_to_string(&self.out)
                .is_ok_and(|t| t.contains("\"event\":\"started\""));
            if listening && started_line && self.ca_cert_path().is_file() {
                return Ok(());
            }
            if started.elapsed() > timeout {
                let tail = self.log_tail();
                self.kill();
                return Err(InterceptError::NotReady(timeout, tail));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Where it listens (loopback).
    pub fn listen(&self) -> SocketAddr {
        self.listen
    }

    /// The session CA's certificate (PEM) in its confdir.
    pub fn ca_cert_path(&self) -> PathBuf {
        self.confdir.join(CA_CERT_FILE)
    }

    /// The session CA's certificate, PEM.
    pub fn ca_cert_pem(&self) -> Result<Vec<u8>, InterceptError> {
        let p = self.ca_cert_path();
        std::fs::read(&p).map_err(io(format!("read {}", p.display())))
    }

    /// The last lines of mitmdump's own log (for error messages).
    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let _ = f.by_ref().take(1 << 20).read_to_string(&mut text);
        }
        prior_tools::tail_lines(&text, 5).join(" | ")
    }

    /// Stops it: SIGTERM to its group (mitmproxy shuts down and the addon writes `stopped`),
    /// SIGKILL after `grace`.
    pub fn stop(mut self, grace: Duration) -> Stopped {
        let clean = self.terminate(grace);
        let stopped_line =
            std::fs::read_to_string(&self.out).is_ok_and(|t| t.contains("\"event\":\"stopped\""));
        Stopped {
            clean,
            stopped_line,
        }
    }

    fn terminate(&mut self, grace: Duration) -> bool {
        let Some(mut child) = self.child.take() else {
            return true;
        };
        prior_tools::kill_group(child.id(), prior_tools::Signal::Term);
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(_)) => {
                    // anything left in its group (none expected)
                    prior_tools::kill_group(child.id(), prior_tools::Signal::Kill);
                    return true;
                }
                Ok(None) if started.elapsed() < grace => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                _ => {
                    prior_tools::kill_group(child.id(), prior_tools::Signal::Kill);
                    let _ = child.wait();
                    return false;
                }
            }
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            prior_tools::kill_group(child.id(), prior_tools::Signal::Kill);
            let _ = child.wait();
        }
    }
}

impl Drop for Mitmdump {
    /// A mitmdump never outlives its session, whatever path ends it.
    fn drop(&mut self) {
        self.terminate(Duration::from_secs(3));
    }
}

/// A new private directory (mode 0700) under the system temp dir for one session's
/// [`MitmOptions::work_dir`]: the CA's private key lives there, never in the bundle. The
/// caller removes it ([`std::fs::remove_dir_all`]) when the session ends.
pub fn private_dir() -> Result<PathBuf, InterceptError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("prior-mitm-{}-{nanos}", std::process::id()));
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(&dir)
        .map_err(io(format!("create {}", dir.display())))?;
    Ok(dir)
}

/// The name Android's system CA store gives a certificate, without the `.0`: OpenSSL's
/// `subject_hash_old` — the first four bytes of the MD5 of the DER subject name, read
/// little-endian, as eight hex digits (AOSP `system/ca-certificates` names its files so).
/// `None` for anything that is not one PEM certificate with a readable subject.
pub fn subject_hash_old(pem: &[u8]) -> Option<String> {
    use base64::Engine as _;
    use md5::Digest as _;
    let text = std::str::from_utf8(pem).ok()?;
    let body = text
        .split("-----BEGIN CERTIFICATE-----")
        .nth(1)?
        .split("-----END CERTIFICATE-----")
        .next()?;
    let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    let subject = der_subject(&der)?;
    let digest = md5::Md5::digest(subject);
    let d = digest.as_slice();
    let n = u32::from_le_bytes([d[0], d[1], d[2], d[3]]);
    Some(format!("{n:08x}"))
}

/// One DER element at `pos`: (tag, start of content, end of element).
fn der_element(der: &[u8], pos: usize) -> Option<(u8, usize, usize)> {
    let tag = *der.get(pos)?;
    let first = *der.get(pos + 1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*der.get(pos + 2 + i)?);
        }
        (len, 2 + n)
    };
    let start = pos.checked_add(header)?;
    let end = start.checked_add(len)?;
    (end <= der.len()).then_some((tag, start, end))
}

/// The subject Name of an X.509 certificate, as its DER bytes (RFC 5280 §4.1: Certificate ::=
/// SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
/// validity, subject, … } … }).
fn der_subject(der: &[u8]) -> Option<&[u8]> {
    let (tag, cert, _) = der_element(der, 0)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, mut pos, _) = der_element(der, cert)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, _, end) = der_element(der, pos)?;
    if tag == 0xa0 {
        pos = end; // explicit version
    }
    // serialNumber, signature, issuer, validity
    for _ in 0..4 {
        pos = der_element(der, pos)?.2;
    }
    let (tag, _, end) = der_element(der, pos)?;
    (tag == 0x30).then(|| &der[pos..end])
}

fn join(prefix: &str, path: &Path) -> OsString {
    let mut s = OsString::from(prefix);
    s.push(path.as_os_str());
    s
}

/// A free loopback port (bound and released; mitmdump binds it a moment later).
pub fn free_port() -> Result<u16, InterceptError> {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(io("find a free port"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(io("find a free port"))
}

#[cfg(test)]
mod tests;
