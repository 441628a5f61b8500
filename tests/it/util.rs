//! Helpers shared by the end-to-end tests.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/data/`.
pub fn data_dir() -> PathBuf {
    root().join("tests/data")
}

/// A file under `tests/data/`.
pub fn data(rel: &str) -> PathBuf {
    data_dir().join(rel)
}

/// The `prior` binary under test.
pub fn prior() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("prior").expect("the prior binary is built by cargo test")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A standalone `prior sim` process, killed on drop.
pub struct Sim {
    child: Child,
    /// `127.0.0.1:PORT` of its adbd.
    pub addr: String,
}

impl Sim {
    /// Starts `prior sim` with the models in `models`.
    pub fn start(models: &Path) -> Sim {
        Sim::start_with(models, &[])
    }

    /// [`Sim::start`] with more `prior sim` arguments (e.g. `--profile api24-user`).
    pub fn start_with(models: &Path, extra: &[&str]) -> Sim {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("prior"))
            .args(["sim", "--listen", "127.0.0.1:0", "--model"])
            .arg(models)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn prior sim");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().expect("a banner line").expect("readable");
        let addr = first.rsplit(' ').next().expect("an address").to_string();
        assert!(first.contains("SIMULATED"), "banner: {first}");
        // Keep draining stdout so the simulator never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Sim { child, addr }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private Debian `adb` server on a free port, killed on drop. A test that starts one begins
/// with `prior_testkit::require_tool!("adb")` (skip without adb, fail under scripts/test).
pub struct Adb {
    /// Its port.
    pub port: u16,
}

impl Adb {
    /// Starts the server.
    pub fn start() -> Adb {
        let port = free_port();
        let adb = Adb { port };
        assert!(
            prior_testkit::require_tool("adb"),
            "needs adb: begin the test with prior_testkit::require_tool!(\"adb\")"
        );
        let out = adb
            .cmd()
            .arg("start-server")
            .output()
            .unwrap_or_else(|e| panic!("cannot run Debian's `adb`: {e}"));
        assert!(
            out.status.success(),
            "adb start-server: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        adb
    }

    /// `adb -P PORT …`.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new("adb");
        c.arg("-P").arg(self.port.to_string());
        c.env("ANDROID_ADB_SERVER_PORT", self.port.to_string());
        c
    }

    /// `adb connect ADDR`, waiting until the device is listed as `device`.
    pub fn connect(&self, addr: &str) {
        let out = self
            .cmd()
            .args(["connect", addr])
            .output()
            .expect("adb connect");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("connected to"), "adb connect: {text}");
        for _ in 0..50 {
            let out = self.cmd().arg("devices").output().expect("adb devices");
            if String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.starts_with(addr) && l.ends_with("device"))
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{addr} never became `device`");
    }
}

impl Drop for Adb {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

/// Copies a directory tree (an example bundle) into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Seals an edited bundle again, as the recorder seals one (and as anyone who edits a bundle
/// can): `MANIFEST.sha256` over meta.json, harness.jsonl and raw/.
pub fn reseal(bundle: &Path) {
    prior_model::bundle::write_manifest(bundle).expect("write MANIFEST.sha256");
}

/// Creates a FIFO at `p` (Debian's `mkfifo`).
pub fn mkfifo(p: &Path) {
    let st = Command::new("mkfifo").arg(p).status().expect("run mkfifo");
    assert!(st.success(), "mkfifo {}", p.display());
}
