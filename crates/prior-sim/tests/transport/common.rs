//! Shared test support: a small test-only handset, a raw adbd host, and a private Debian adb
//! server per test.

use crate::wire::{
    self, CLSE as A_CLSE, CNXN as A_CNXN, OKAY as A_OKAY, OPEN as A_OPEN, WRTE as A_WRTE,
};
use prior_sim::adbd::services::split_words;
use prior_sim::server::{SimOptions, SimServer};
use prior_sim::{Banner, DeviceHandler, FileStat, ShellIo};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// A test handset
// ---------------------------------------------------------------------------------------

/// A handset with a few commands and files in a map. Commands:
/// `echo WORDS…`, `exit N`, `err MSG` (stderr, exit 1), `cat` (stdin → stdout),
/// `big N` (N pattern bytes), `stream` (a line every 5 ms until the host closes; like logcat),
/// `getprop ro.build.version.sdk`, `rm …`; anything else → 127 as Android's sh.
/// path → (bytes, mode, mtime)
pub type Files = HashMap<String, (Vec<u8>, u32, i64)>;

#[derive(Default)]
pub struct TestDevice {
    pub commands: Mutex<Vec<String>>,
    pub files: Mutex<Files>,
    pub installs: Mutex<Vec<(Vec<String>, Vec<u8>)>>,
    pub abb: Mutex<Vec<Vec<String>>>,
    /// `stream` commands running now.
    pub streaming: AtomicUsize,
    /// `stream` commands that saw the host close (and returned).
    pub streams_closed: AtomicUsize,
    /// Bytes `stream`/`big` managed to hand to the transport.
    pub produced: AtomicUsize,
    pub saw_stdin_eof: AtomicBool,
}

impl TestDevice {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
    pub fn file(&self, path: &str) -> Option<Vec<u8>> {
        self.files.lock().unwrap().get(path).map(|f| f.0.clone())
    }
}

pub fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

impl DeviceHandler for TestDevice {
    fn banner(&self) -> Banner {
        Banner {
            product_name: "sim_test".into(),
            model: "SIMULATED test".into(),
            device: "simdev".into(),
        }
    }

    fn shell(&self, command: &str, io: &mut dyn ShellIo) -> i32 {
        self.commands.lock().unwrap().push(command.to_owned());
        let words = split_words(command).unwrap_or_else(|| vec![command.to_owned()]);
        match words.first().map(String::as_str) {
            Some("echo") => {
                io.stdout(format!("{}\n", words[1..].join(" ")).as_bytes());
                0
            }
            Some("exit") => words.get(1).and_then(|c| c.parse().ok()).unwrap_or(0),
            Some("err") => {
                io.stderr(format!("{}\n", words[1..].join(" ")).as_bytes());
                1
            }
            Some("cat") => {
                loop {
                    match io.read_stdin(Duration::from_secs(10)) {
                        Some(d) if d.is_empty() => {
                            self.saw_stdin_eof.store(true, Ordering::SeqCst);
                            break;
                        }
                        Some(d) => {
                            if !io.stdout(&d) {
                                break;
                            }
                        }
                        None => break,
                    }
                }
                0
            }
            Some("big") => {
                let n: usize = words.get(1).and_then(|c| c.parse().ok()).unwrap_or(0);
                let data = pattern(n);
                for chunk in data.chunks(10_000) {
                    if !io.stdout(chunk) {
                        return 1;
                    }
                    self.produced.fetch_add(chunk.len(), Ordering::SeqCst);
                }
                0
            }
            Some("stream") => {
                self.streaming.fetch_add(1, Ordering::SeqCst);
                let mut i = 0u64;
                let deadline = Instant::now() + Duration::from_secs(60);
                while !io.is_closed() && Instant::now() < deadline {
                    let line = format!("11-28 19:39:00.000  1000  1000 I Test    : line {i}\n");
                    if !io.stdout(line.as_bytes()) {
                        break;
                    }
                    self.produced.fetch_add(line.len(), Ordering::SeqCst);
                    i += 1;
                    std::thread::sleep(Duration::from_millis(5));
                }
                self.streaming.fetch_sub(1, Ordering::SeqCst);
                self.streams_closed.fetch_add(1, Ordering::SeqCst);
                0
            }
            Some("getprop") if words.get(1).map(String::as_str) == Some("ro.build.version.sdk") => {
                io.stdout(b"33\n");
                0
            }
            Some("rm") => {
                for path in &words[1..] {
                    self.files.lock().unwrap().remove(path);
                }
                0
            }
            Some(other) => {
                io.stderr(
                    format!("/system/bin/sh: {other}: inaccessible or not found\n").as_bytes(),
                );
                127
            }
            None => 0,
        }
    }

    fn install(&self, args: &[String], apk: &[u8]) -> String {
        self.installs
            .lock()
            .unwrap()
            .push((args.to_vec(), apk.to_vec()));
        if apk.starts_with(b"BAD") {
            "Failure [INSTALL_PARSE_FAILED_NOT_APK: Failed to parse /data/app/vmdl1.tmp/base.apk]"
                .into()
        } else {
            "Success".into()
        }
    }

    fn abb_exec(&self, argv: &[String]) -> Vec<u8> {
        self.abb.lock().unwrap().push(argv.to_vec());
        if argv.first().map(String::as_str) == Some("settings") {
            b"false".to_vec()
        } else {
            Vec::new()
        }
    }

    fn stat(&self, path: &str) -> Option<FileStat> {
        let files = self.files.lock().unwrap();
        if let Some((d, m, t)) = files.get(path) {
            return Some(FileStat {
                mode: *m,
                size: d.len() as u64,
                mtime: *t,
            });
        }
        let dir = format!("{}/", path.trim_end_matches('/'));
        if path == "/"
            || files.keys().any(|k| k.starts_with(&dir))
            || path == "/data/local/tmp"
            || path == "/sdcard"
        {
            return Some(FileStat {
                mode: 0o040_771,
                size: 4096,
                mtime: 1_700_000_000,
            });
        }
        None
    }

    fn read_file(&self, path: &str) -> Result<Vec<u8>, prior_sim::FileError> {
        self.file(path)
            .ok_or_else(|| "No such file or directory".into())
    }

    fn write_file(
        &self,
        path: &str,
        data: &[u8],
        mode: u32,
        mtime: i64,
    ) -> Result<(), prior_sim::FileError> {
        if path.starts_with("/system/") {
            return Err("Read-only file system".into());
        }
        self.files
            .lock()
            .unwrap()
            .insert(path.to_owned(), (data.to_vec(), mode, mtime));
        Ok(())
    }

    fn list_dir(&self, path: &str) -> Vec<(String, FileStat)> {
        let dir = format!("{}/", path.trim_end_matches('/'));
        let mut out: Vec<_> = self
            .files
            .lock()
            .unwrap()
            .iter()
            .filter_map(|(p, (d, m, t))| {
                let name = p.strip_prefix(&dir)?;
                (!name.contains('/')).then(|| {
                    (
                        name.to_owned(),
                        FileStat {
                            mode: *m,
                            size: d.len() as u64,
                            mtime: *t,
                        },
                    )
                })
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

pub fn start(handler: Arc<TestDevice>, options: SimOptions) -> SimServer {
    SimServer::start(handler, options).expect("start the simulator")
}

/// Polls `cond` until it holds or `secs` pass.
pub fn wait_until(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    cond()
}

// ---------------------------------------------------------------------------------------
// A raw adbd host
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub command: u32,
    pub arg0: u32,
    pub arg1: u32,
    pub check: u32,
    pub data: Vec<u8>,
}

impl Packet {
    pub fn name(&self) -> String {
        wire::name(self.command)
    }
}

/// A minimal adb host speaking the transport directly.
pub struct RawHost {
    pub s: TcpStream,
}

impl RawHost {
    pub fn connect(addr: SocketAddr) -> Self {
        let s = TcpStream::connect(addr).expect("connect to the simulator");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.set_nodelay(true).unwrap();
        Self { s }
    }

    pub fn send(&mut self, command: u32, arg0: u32, arg1: u32, data: &[u8]) {
        self.s
            .write_all(&wire::encode(command, arg0, arg1, data, false))
            .unwrap();
    }

    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.s.write_all(bytes)
    }

    pub fn recv(&mut self) -> io::Result<Packet> {
        let mut h = [0u8; 24];
        self.s.read_exact(&mut h)?;
        let w = |i: usize| u32::from_le_bytes(h[i..i + 4].try_into().unwrap());
        assert_eq!(w(20), w(0) ^ 0xffff_ffff, "device sent a bad magic");
        let mut data = vec![0u8; w(12) as usize];
        self.s.read_exact(&mut data)?;
        Ok(Packet {
            command: w(0),
            arg0: w(4),
            arg1: w(8),
            check: w(16),
            data,
        })
    }

    /// Waits up to `ms` for a packet; `None` if none came.
    pub fn recv_within(&mut self, ms: u64) -> Option<Packet> {
        self.s
            .set_read_timeout(Some(Duration::from_millis(ms)))
            .unwrap();
        let r = self.recv().ok();
        self.s
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        r
    }

    /// Whether the device closed the TCP connection (EOF or reset) within `ms`.
    pub fn is_dropped_within(&mut self, ms: u64) -> bool {
        self.s
            .set_read_timeout(Some(Duration::from_millis(ms)))
            .unwrap();
        let mut buf = [0u8; 4096];
        let deadline = Instant::now() + Duration::from_millis(ms);
        loop {
            match self.s.read(&mut buf) {
                Ok(0) => return true,
                Ok(_) => {
                    if Instant::now() > deadline {
                        return false;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return false;
                }
                Err(_) => return true,
            }
        }
    }

    /// CNXN as adb 29 sends it; returns the device's reply.
    pub fn handshake(&mut self, max_payload: u32) -> Packet {
        let banner = b"host::features=remount_shell,abb_exec,abb,apex,fixed_push_mkdir,ls_v2,stat_v2,fixed_push_symlink_timestamp,cmd,shell_v2";
        self.s
            .write_all(&wire::encode(
                A_CNXN,
                wire::VERSION_SKIP_CHECKSUM,
                max_payload,
                banner,
                true,
            ))
            .unwrap();
        self.recv().unwrap()
    }

    /// Opens a service; `Ok(device id)` on OKAY, `Err(packet)` otherwise. WRTEs of other
    /// streams arriving meanwhile are acknowledged and dropped.
    pub fn open(&mut self, local: u32, service: &str) -> Result<u32, Packet> {
        let mut name = service.as_bytes().to_vec();
        name.push(0);
        self.send(A_OPEN, local, 0, &name);
        loop {
            let p = self.recv().unwrap();
            if p.command == A_WRTE && p.arg1 != local {
                self.send(A_OKAY, p.arg1, p.arg0, &[]);
                continue;
            }
            return if p.command == A_OKAY && p.arg1 == local {
                Ok(p.arg0)
            } else {
                Err(p)
            };
        }
    }

    /// Opens `service`, writes `input` (one WRTE per chunk, waiting for OKAY), collects the
    /// device's WRTEs (OKAYing each) until its CLSE, and answers the CLSE as adb does.
    pub fn run(&mut self, local: u32, service: &str, input: &[&[u8]]) -> Vec<u8> {
        let remote = self
            .open(local, service)
            .unwrap_or_else(|p| panic!("{service}: refused with {}", p.name()));
        let mut out = Vec::new();
        let mut pending: std::collections::VecDeque<&[u8]> = input.iter().copied().collect();
        let mut waiting_okay = false;
        loop {
            if !waiting_okay && let Some(chunk) = pending.pop_front() {
                self.send(A_WRTE, local, remote, chunk);
                waiting_okay = true;
            }
            let p = self.recv().unwrap_or_else(|e| panic!("{service}: {e}"));
            match p.command {
                A_WRTE if p.arg1 == local => {
                    out.extend_from_slice(&p.data);
                    self.send(A_OKAY, local, remote, &[]);
                }
                A_OKAY if p.arg1 == local => waiting_okay = false,
                A_CLSE if p.arg1 == local => {
                    self.send(A_CLSE, local, remote, &[]);
                    return out;
                }
                _ => panic!("{service}: unexpected {} {p:?}", p.name()),
            }
        }
    }
}

/// Splits a shell-v2 byte stream into (stdout, stderr, exit).
pub fn decode_v2(mut data: &[u8]) -> (Vec<u8>, Vec<u8>, Option<u8>) {
    let (mut out, mut err, mut exit) = (Vec::new(), Vec::new(), None);
    while data.len() >= 5 {
        let len = u32::from_le_bytes(data[1..5].try_into().unwrap()) as usize;
        let payload = &data[5..5 + len];
        match data[0] {
            1 => out.extend_from_slice(payload),
            2 => err.extend_from_slice(payload),
            3 => exit = Some(payload[0]),
            other => panic!("device sent shell packet id {other}"),
        }
        data = &data[5 + len..];
    }
    assert!(data.is_empty(), "trailing partial shell packet");
    (out, err, exit)
}

// ---------------------------------------------------------------------------------------
// A private Debian adb server
// ---------------------------------------------------------------------------------------

/// A free loopback port outside adb's ranges (5037, emulator ports 5554–5585).
pub fn free_port() -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if port != 5037 && !(5554..=5585).contains(&port) {
            return port;
        }
    }
}

/// Panics with a clear message when Debian's `adb` is not installed (CI installs it).
pub fn require_adb() {
    let ok = Command::new("adb")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    assert!(
        matches!(ok, Ok(s) if s.success()),
        "this test needs Debian's `adb` (apt-get install adb; .ci/run and scripts/test install it)"
    );
}

/// An adb server on its own port with its own `$HOME` (so its key is ours), killed on drop.
pub struct AdbServer {
    pub port: u16,
    pub home: tempfile::TempDir,
}

pub struct Ran {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Ran {
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

impl std::fmt::Debug for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}, stdout {:?}, stderr {:?}",
            self.code,
            self.out(),
            self.err()
        )
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/sim")
        .join(name)
}

impl AdbServer {
    /// Starts a server whose `~/.android/adbkey` is the fixture key pair.
    pub fn start() -> Self {
        require_adb();
        let home = tempfile::tempdir().unwrap();
        let android = home.path().join(".android");
        std::fs::create_dir_all(&android).unwrap();
        for f in ["adbkey", "adbkey.pub"] {
            std::fs::copy(fixture(f), android.join(f)).unwrap();
        }
        let server = Self {
            port: free_port(),
            home,
        };
        let r = server.adb(&["start-server"], 20);
        assert_eq!(r.code, Some(0), "adb start-server: {r:?}");
        server
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("adb");
        c.arg("-P").arg(self.port.to_string()).args(args);
        c.env("HOME", self.home.path())
            .env("ANDROID_ADB_SERVER_PORT", self.port.to_string())
            .env_remove("ANDROID_SERIAL")
            .env_remove("ADB_VENDOR_KEYS")
            .env_remove("ANDROID_SDK_HOME")
            .env_remove("ANDROID_USER_HOME")
            .stdin(Stdio::null());
        c
    }

    /// Runs adb with a deadline (killed after `secs`).
    pub fn adb(&self, args: &[&str], secs: u64) -> Ran {
        run_with_deadline(self.command(args), secs)
    }

    /// `adb connect`; asserts the usual reply.
    pub fn connect(&self, addr: SocketAddr) {
        let r = self.adb(&["connect", &addr.to_string()], 20);
        assert!(
            r.out().contains(&format!("connected to {addr}")),
            "adb connect: {r:?}"
        );
    }
}

impl Drop for AdbServer {
    fn drop(&mut self) {
        let _ = run_with_deadline(self.command(&["kill-server"]), 10);
    }
}

pub fn run_with_deadline(mut cmd: Command, secs: u64) -> Ran {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn adb");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + Duration::from_secs(secs);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {secs} s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Ran {
        code,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    }
}
