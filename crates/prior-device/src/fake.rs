//! A fake adb **server** for tests: a thread on a free loopback port that speaks the
//! smart-socket protocol the way the real server does (`host:version`, `host:devices-l` with
//! any odd lines you add, `host:transport:`/`host:tport:`, `host:features`, `get-state`,
//! `shell,v2,…:` with v2 packets and exit codes, `shell:` v1, `exec:`, and `sync:` SEND/RECV/
//! STAT), so the device layer is tested deterministically without an emulator.
//!
//! The fake device's shell is the host's `/bin/sh`, run with an empty environment and a `PATH`
//! holding only a few tools (`sh`, `sleep`, `cat`, `date`, `head`, `seq`, `pkill`, …) and fake
//! Android commands written as scripts: `getprop` (from the device's properties), `pm`
//! (`install` / `uninstall` / `path` over a fake package list), `rm` (confined to the device's
//! directory), `logcat` (an endless numbered stream; `-d` dumps three lines), and `log`.
//! Device paths map into a temporary directory per device ([`FakeAdb::device_root`]).
//!
//! Built with `cfg(test)` or the `test-support` feature; never in a release binary.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddrV4, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Features a shell-v2 fake device advertises.
pub const V2_FEATURES: &str = "shell_v2,cmd,stat_v2,ls_v2,fixed_push_mkdir,apex,abb,abb_exec";

/// A fake device's description.
#[derive(Debug, Clone)]
pub struct FakeDeviceSpec {
    /// Serial.
    pub serial: String,
    /// State as `host:devices-l` prints it (`device`, `offline`, `unauthorized`…).
    pub state: String,
    /// Features (`host:features`); empty = a shell-v1-only device.
    pub features: String,
    /// System properties (`getprop`).
    pub props: BTreeMap<String, String>,
    /// `model:` in `host:devices-l`.
    pub model: String,
}

impl FakeDeviceSpec {
    /// A booted API 34 emulator-like device in state `device` with shell v2.
    pub fn new(serial: &str) -> FakeDeviceSpec {
        let props: BTreeMap<String, String> = [
            ("ro.build.version.sdk", "34"),
            ("ro.build.version.release", "14"),
            ("ro.product.model", "sdk_gphone64_x86_64"),
            ("ro.product.manufacturer", "Google"),
            (
                "ro.build.fingerprint",
                "google/sdk_gphone64_x86_64/emu64xa:14/UE1A.230829.036/10859127:userdebug/dev-keys",
            ),
            ("ro.product.cpu.abi", "x86_64"),
            ("persist.sys.locale", "zh-CN"),
            ("persist.sys.timezone", "Asia/Shanghai"),
            ("ro.kernel.qemu", "1"),
            ("sys.boot_completed", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        FakeDeviceSpec {
            serial: serial.to_owned(),
            state: "device".into(),
            features: V2_FEATURES.into(),
            props,
            model: "sdk_gphone64_x86_64".into(),
        }
    }

    /// Sets a property.
    pub fn prop(mut self, k: &str, v: &str) -> FakeDeviceSpec {
        self.props.insert(k.to_owned(), v.to_owned());
        self
    }

    /// Makes it a shell-v1-only device (no features).
    pub fn v1(mut self) -> FakeDeviceSpec {
        self.features.clear();
        self
    }
}

struct FakeDevice {
    spec: FakeDeviceSpec,
    root: PathBuf,
    bin: PathBuf,
}

struct Conn {
    serial: String,
    stream: TcpStream,
    child_pid: Arc<Mutex<Option<u32>>>,
}

struct Shared {
    devices: Mutex<Vec<FakeDevice>>,
    extra_lines: Mutex<Vec<String>>,
    conns: Mutex<Vec<Conn>>,
    requests: Mutex<Vec<String>>,
    stop: AtomicBool,
    dir: PathBuf,
    next_id: AtomicU64,
}

/// A running fake adb server. Stops (and removes its files) on drop.
pub struct FakeAdb {
    addr: SocketAddrV4,
    shared: Arc<Shared>,
}

impl FakeAdb {
    /// Starts a fake server on a free loopback port.
    pub fn start() -> std::io::Result<FakeAdb> {
        let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))?;
        let addr = match listener.local_addr()? {
            std::net::SocketAddr::V4(a) => a,
            std::net::SocketAddr::V6(_) => return Err(std::io::Error::other("expected IPv4")),
        };
        let dir = std::env::temp_dir().join(format!(
            "prior-fake-adb-{}-{}",
            std::process::id(),
            crate::marker::random_hex()
        ));
        std::fs::create_dir_all(&dir)?;
        let shared = Arc::new(Shared {
            devices: Mutex::new(Vec::new()),
            extra_lines: Mutex::new(Vec::new()),
            conns: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            dir,
            next_id: AtomicU64::new(1),
        });
        let s = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("fake-adb-accept".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if s.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let _ = stream.set_nodelay(true);
                    let s2 = Arc::clone(&s);
                    let _ = std::thread::Builder::new()
                        .name("fake-adb-conn".into())
                        .spawn(move || {
                            let _ = handle_conn(&s2, stream);
                        });
                }
            })?;
        Ok(FakeAdb { addr, shared })
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddrV4 {
        self.addr
    }

    /// Adds a device.
    pub fn add_device(&self, spec: FakeDeviceSpec) -> std::io::Result<()> {
        let root = self.shared.dir.join(sanitize(&spec.serial));
        let bin = root.join(".bin");
        std::fs::create_dir_all(root.join("data/local/tmp"))?;
        std::fs::create_dir_all(root.join("sdcard"))?;
        std::fs::create_dir_all(&bin)?;
        write_props(&root, &spec.props)?;
        install_tools(&bin)?;
        self.lock_devices().push(FakeDevice { spec, root, bin });
        Ok(())
    }

    /// Appends a raw line to the `host:devices-l` payload (e.g. an odd state).
    pub fn add_raw_line(&self, line: &str) {
        if let Ok(mut l) = self.shared.extra_lines.lock() {
            l.push(line.to_owned());
        }
    }

    /// Changes a device's state.
    pub fn set_state(&self, serial: &str, state: &str) {
        if let Some(d) = self
            .lock_devices()
            .iter_mut()
            .find(|d| d.spec.serial == serial)
        {
            d.spec.state = state.to_owned();
        }
    }

    /// Sets a property (visible to later `getprop` calls).
    pub fn set_prop(&self, serial: &str, k: &str, v: &str) {
        if let Some(d) = self
            .lock_devices()
            .iter_mut()
            .find(|d| d.spec.serial == serial)
        {
            d.spec.props.insert(k.to_owned(), v.to_owned());
            let _ = write_props(&d.root, &d.spec.props);
        }
    }

    /// The device dies: every open connection to it is cut (as the real server does when a
    /// transport goes away), its commands are killed, and it is listed as `offline`.
    pub fn kill_device(&self, serial: &str) {
        self.set_state(serial, "offline");
        if let Ok(mut conns) = self.shared.conns.lock() {
            conns.retain(|c| {
                if c.serial == serial {
                    let _ = c.stream.shutdown(Shutdown::Both);
                    if let Some(pid) = c.child_pid.lock().ok().and_then(|p| *p) {
                        kill_group(pid);
                    }
                    false
                } else {
                    true
                }
            });
        }
    }

    /// Every service request seen, in order (`host:version`, `shell,v2,…:…`, `sync:`…).
    pub fn requests(&self) -> Vec<String> {
        self.shared
            .requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Where a device's files live on the host (device path `/x` is `device_root/x`).
    pub fn device_root(&self, serial: &str) -> Option<PathBuf> {
        self.lock_devices()
            .iter()
            .find(|d| d.spec.serial == serial)
            .map(|d| d.root.clone())
    }

    /// Adds (or replaces) a command on the device's `PATH` as a shell script body.
    pub fn add_script(&self, serial: &str, name: &str, body: &str) -> std::io::Result<()> {
        let bin = self
            .lock_devices()
            .iter()
            .find(|d| d.spec.serial == serial)
            .map(|d| d.bin.clone());
        match bin {
            Some(bin) => write_script(&bin.join(name), body),
            None => Err(std::io::Error::other("no such device")),
        }
    }

    fn lock_devices(&self) -> std::sync::MutexGuard<'_, Vec<FakeDevice>> {
        match self.shared.devices.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

impl Drop for FakeAdb {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Ok(mut conns) = self.shared.conns.lock() {
            for c in conns.drain(..) {
                let _ = c.stream.shutdown(Shutdown::Both);
                if let Some(pid) = c.child_pid.lock().ok().and_then(|p| *p) {
                    kill_group(pid);
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.shared.dir);
    }
}

fn sanitize(serial: &str) -> String {
    serial
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn write_props(root: &Path, props: &BTreeMap<String, String>) -> std::io::Result<()> {
    let mut text = String::new();
    for (k, v) in props {
        text.push_str(&format!("[{k}]: [{v}]\n"));
    }
    std::fs::write(root.join(".props"), text)
}

fn write_script(path: &Path, body: &str) -> std::io::Result<()> {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n"))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

fn install_tools(bin: &Path) -> std::io::Result<()> {
    for tool in [
        "sh", "sleep", "cat", "date", "head", "seq", "pkill", "true", "false", "yes", "tr", "wc",
    ] {
        for dir in ["/bin", "/usr/bin"] {
            let src = Path::new(dir).join(tool);
            if src.exists() {
                let dst = bin.join(tool);
                if !dst.exists() {
                    std::os::unix::fs::symlink(&src, &dst)?;
                }
                break;
            }
        }
    }
    write_script(
        &bin.join("getprop"),
        r#"if [ $# -eq 0 ]; then cat "$FAKE_ROOT/.props"; exit 0; fi
while IFS= read -r line; do
  case "$line" in
    "[$1]: ["*) v=${line#"[$1]: ["}; printf '%s\n' "${v%]}"; exit 0;;
  esac
done < "$FAKE_ROOT/.props"
echo"#,
    )?;
    write_script(
        &bin.join("pm"),
        r#"log="$FAKE_ROOT/.pm.log"; echo "$*" >> "$log"
touch "$FAKE_ROOT/.installed"
case "$1" in
  install)
    for a; do last=$a; done
    f="$FAKE_ROOT$last"
    if [ ! -f "$f" ]; then echo "Failure [INSTALL_FAILED_INVALID_URI: file not found]"; exit 1; fi
    first=$(head -n 1 "$f")
    case "$first" in
      PKG:*) pkg=${first#PKG:}; echo "$pkg" >> "$FAKE_ROOT/.installed"; echo Success;;
      *) echo "Failure [INSTALL_PARSE_FAILED_NOT_APK: Failed to parse $last]"; exit 1;;
    esac;;
  uninstall)
    found=; rest=
    while IFS= read -r p; do if [ "$p" = "$2" ]; then found=1; else rest="$rest$p
"; fi; done < "$FAKE_ROOT/.installed"
    printf '%s' "$rest" > "$FAKE_ROOT/.installed"
    if [ -n "$found" ]; then echo Success; else echo "Failure [not installed for 0]"; exit 1; fi;;
  path)
    while IFS= read -r p; do if [ "$p" = "$2" ]; then echo "package:/data/app/$p/base.apk"; exit 0; fi; done < "$FAKE_ROOT/.installed"
    exit 1;;
  *) echo "Error: unknown command '$1'" >&2; exit 1;;
esac"#,
    )?;
    write_script(
        &bin.join("rm"),
        r#"for a; do case "$a" in -*) ;; *) /bin/rm -f -- "$FAKE_ROOT$a";; esac; done"#,
    )?;
    write_script(
        &bin.join("logcat"),
        r#"if [ "$1" = "-d" ]; then echo "line 0"; echo "line 1"; echo "line 2"; exit 0; fi
i=0
while :; do echo "line $i"; i=$((i+1)); sleep 0.01; done"#,
    )?;
    write_script(&bin.join("log"), r#"echo "$*" >> "$FAKE_ROOT/.log""#)?;
    Ok(())
}

fn kill_group(pid: u32) {
    let _ = Command::new("/bin/kill")
        .arg("-9")
        .arg("--")
        .arg(format!("-{pid}"))
        .stderr(Stdio::null())
        .status();
}

fn read_request(s: &mut TcpStream) -> std::io::Result<String> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len)?;
    let len = std::str::from_utf8(&len)
        .ok()
        .and_then(|t| usize::from_str_radix(t, 16).ok())
        .ok_or_else(|| std::io::Error::other("bad length"))?;
    let mut body = vec![0u8; len];
    s.read_exact(&mut body)?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn okay_block(s: &mut TcpStream, body: &[u8]) -> std::io::Result<()> {
    s.write_all(format!("OKAY{:04x}", body.len()).as_bytes())?;
    s.write_all(body)
}

fn fail(s: &mut TcpStream, msg: &str) -> std::io::Result<()> {
    s.write_all(format!("FAIL{:04x}{msg}", msg.len()).as_bytes())
}

fn handle_conn(shared: &Arc<Shared>, mut s: TcpStream) -> std::io::Result<()> {
    let mut transport: Option<String> = None;
    loop {
        let req = read_request(&mut s)?;
        if let Ok(mut r) = shared.requests.lock() {
            r.push(req.clone());
        }
        let device_info = |serial: &str| {
            shared.devices.lock().ok().and_then(|d| {
                d.iter()
                    .find(|d| d.spec.serial == serial)
                    .map(|d| (d.spec.clone(), d.root.clone(), d.bin.clone()))
            })
        };
        if req == "host:version" {
            return okay_block(&mut s, b"0029");
        }
        if req == "host:devices-l" || req == "host:devices" {
            let long = req.ends_with("-l");
            let mut text = String::new();
            if let Ok(devs) = shared.devices.lock() {
                for (i, d) in devs.iter().enumerate() {
                    if long {
                        text.push_str(&format!(
                            "{:<22} {} product:sdk model:{} device:emu transport_id:{}\n",
                            d.spec.serial,
                            d.spec.state,
                            d.spec.model,
                            i + 1
                        ));
                    } else {
                        text.push_str(&format!("{}\t{}\n", d.spec.serial, d.spec.state));
                    }
                }
            }
            if let Ok(extra) = shared.extra_lines.lock() {
                for l in extra.iter() {
                    text.push_str(l);
                    text.push('\n');
                }
            }
            return okay_block(&mut s, text.as_bytes());
        }
        if let Some(rest) = req.strip_prefix("host-serial:") {
            let Some((serial, what)) = rest.rsplit_once(':') else {
                return fail(&mut s, "bad request");
            };
            return match (device_info(serial), what) {
                (Some((spec, ..)), "get-state") => okay_block(&mut s, spec.state.as_bytes()),
                (Some((spec, ..)), "features") => okay_block(&mut s, spec.features.as_bytes()),
                (None, _) => fail(&mut s, &format!("device '{serial}' not found")),
                _ => fail(&mut s, "unknown host service"),
            };
        }
        if let Some(target) = req.strip_prefix("host:connect:") {
            return okay_block(&mut s, format!("failed to connect to {target}").as_bytes());
        }
        if req == "host:kill" {
            return s.write_all(b"OKAY");
        }
        let select = |serial: &str, s: &mut TcpStream| -> std::io::Result<bool> {
            match device_info(serial) {
                None => fail(s, &format!("device '{serial}' not found")).map(|_| false),
                Some((spec, ..)) if spec.state == "offline" => {
                    fail(s, "device offline").map(|_| false)
                }
                Some((spec, ..)) if spec.state == "unauthorized" => fail(
                    s,
                    "device unauthorized.\nThis adb server's $ADB_VENDOR_KEYS is not set",
                )
                .map(|_| false),
                Some((spec, ..)) if spec.state != "device" => {
                    fail(s, &format!("device {}", spec.state)).map(|_| false)
                }
                Some(_) => Ok(true),
            }
        };
        if let Some(serial) = req.strip_prefix("host:transport:") {
            if !select(serial, &mut s)? {
                return Ok(());
            }
            s.write_all(b"OKAY")?;
            transport = Some(serial.to_owned());
            continue;
        }
        if let Some(serial) = req.strip_prefix("host:tport:serial:") {
            if !select(serial, &mut s)? {
                return Ok(());
            }
            s.write_all(b"OKAY")?;
            s.write_all(&shared.next_id.fetch_add(1, Ordering::SeqCst).to_le_bytes())?;
            transport = Some(serial.to_owned());
            continue;
        }
        let Some(serial) = transport.clone() else {
            return fail(&mut s, "unknown host service");
        };
        let Some((spec, root, bin)) = device_info(&serial) else {
            return fail(&mut s, "device offline");
        };
        if req == "host:features" {
            okay_block(&mut s, spec.features.as_bytes())?;
            continue;
        }
        if req == "host:get-state" {
            return okay_block(&mut s, spec.state.as_bytes());
        }
        let child_pid = Arc::new(Mutex::new(None));
        if let (Ok(mut conns), Ok(clone)) = (shared.conns.lock(), s.try_clone()) {
            conns.push(Conn {
                serial: serial.clone(),
                stream: clone,
                child_pid: Arc::clone(&child_pid),
            });
        }
        if let Some(rest) = req.strip_prefix("shell,") {
            let Some((opts, cmd)) = rest.split_once(':') else {
                return fail(&mut s, "bad shell request");
            };
            let v2 = opts.split(',').any(|o| o == "v2") && spec.features.contains("shell_v2");
            s.write_all(b"OKAY")?;
            return run_shell(s, cmd, &root, &bin, v2, &child_pid);
        }
        if let Some(cmd) = req.strip_prefix("shell:") {
            s.write_all(b"OKAY")?;
            return run_shell(s, cmd, &root, &bin, false, &child_pid);
        }
        if let Some(cmd) = req.strip_prefix("exec:") {
            s.write_all(b"OKAY")?;
            return run_shell(s, cmd, &root, &bin, false, &child_pid);
        }
        if req == "sync:" {
            s.write_all(b"OKAY")?;
            return run_sync(s, &root);
        }
        return fail(&mut s, "closed");
    }
}

fn packet(id: u8, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(5 + data.len());
    v.push(id);
    v.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_le_bytes());
    v.extend_from_slice(data);
    v
}

fn run_shell(
    s: TcpStream,
    cmd: &str,
    root: &Path,
    bin: &Path,
    v2: bool,
    child_pid: &Arc<Mutex<Option<u32>>>,
) -> std::io::Result<()> {
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg(cmd)
        .env_clear()
        .env("PATH", bin)
        .env("FAKE_ROOT", root)
        .env("HOME", root)
        .current_dir(root)
        .stdin(Stdio::null())
        .process_group(0);
    // Shell v1 runs on a PTY: stdout and stderr are one stream, in write order.
    let merged = if v2 {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        None
    } else {
        let (reader, writer) = std::io::pipe()?;
        command.stdout(writer.try_clone()?).stderr(writer);
        Some(reader)
    };
    let mut child = command.spawn()?;
    drop(command);
    if let Ok(mut p) = child_pid.lock() {
        *p = Some(child.id());
    }
    let writer = Arc::new(Mutex::new(s.try_clone()?));
    let pump = |pipe: Option<Box<dyn Read + Send>>, id: u8| {
        let w = Arc::clone(&writer);
        std::thread::spawn(move || {
            let Some(mut pipe) = pipe else { return };
            let mut buf = [0u8; 4096];
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let data = if v2 {
                            packet(id, &buf[..n])
                        } else {
                            buf[..n].to_vec()
                        };
                        let ok = w
                            .lock()
                            .map(|mut s| s.write_all(&data).is_ok())
                            .unwrap_or(false);
                        if !ok {
                            break;
                        }
                    }
                }
            }
        })
    };
    let (out_t, err_t) = match merged {
        Some(reader) => (pump(Some(Box::new(reader)), 1), pump(None, 2)),
        None => (
            pump(
                child
                    .stdout
                    .take()
                    .map(|p| Box::new(p) as Box<dyn Read + Send>),
                1,
            ),
            pump(
                child
                    .stderr
                    .take()
                    .map(|p| Box::new(p) as Box<dyn Read + Send>),
                2,
            ),
        ),
    };
    // The client closing its end (or the device dying) kills the command, as adbd does.
    let pid = child.id();
    let mut watch = s.try_clone()?;
    let done = Arc::new(AtomicBool::new(false));
    let done2 = Arc::clone(&done);
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        loop {
            match watch.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {} // stdin / close-stdin packets: ignored
            }
        }
        if !done2.load(Ordering::SeqCst) {
            kill_group(pid);
        }
    });
    let status = child.wait()?;
    let _ = out_t.join();
    let _ = err_t.join();
    done.store(true, Ordering::SeqCst);
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    if let Ok(mut w) = writer.lock() {
        if v2 {
            let _ = w.write_all(&packet(3, &[u8::try_from(code & 0xff).unwrap_or(255)]));
        }
        let _ = w.shutdown(Shutdown::Both);
    }
    Ok(())
}

fn map_path(root: &Path, device_path: &str) -> PathBuf {
    root.join(device_path.trim_start_matches('/'))
}

fn run_sync(mut s: TcpStream, root: &Path) -> std::io::Result<()> {
    loop {
        let mut hdr = [0u8; 8];
        if s.read_exact(&mut hdr).is_err() {
            return Ok(());
        }
        let id = &hdr[..4];
        let len = u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]) as usize;
        match id {
            b"SEND" => {
                let mut spec = vec![0u8; len];
                s.read_exact(&mut spec)?;
                let spec = String::from_utf8_lossy(&spec).into_owned();
                let path = spec
                    .rsplit_once(',')
                    .map_or(spec.as_str(), |(p, _)| p)
                    .to_owned();
                let mut data = Vec::new();
                loop {
                    let mut h = [0u8; 8];
                    s.read_exact(&mut h)?;
                    let n = u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as usize;
                    match &h[..4] {
                        b"DATA" => {
                            if n > 65536 {
                                return fail_sync(&mut s, "data chunk too large");
                            }
                            let mut chunk = vec![0u8; n];
                            s.read_exact(&mut chunk)?;
                            data.extend_from_slice(&chunk);
                        }
                        b"DONE" => break,
                        _ => return fail_sync(&mut s, "unexpected sync id"),
                    }
                }
                let target = map_path(root, &path);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                match std::fs::write(&target, &data) {
                    Ok(()) => s.write_all(b"OKAY\0\0\0\0")?,
                    Err(e) => fail_sync(&mut s, &e.to_string())?,
                }
            }
            b"RECV" => {
                let mut p = vec![0u8; len];
                s.read_exact(&mut p)?;
                let path = String::from_utf8_lossy(&p).into_owned();
                match std::fs::read(map_path(root, &path)) {
                    Ok(data) => {
                        for chunk in data.chunks(65536) {
                            s.write_all(b"DATA")?;
                            s.write_all(&u32::try_from(chunk.len()).unwrap_or(0).to_le_bytes())?;
                            s.write_all(chunk)?;
                        }
                        s.write_all(b"DONE\0\0\0\0")?;
                    }
                    Err(_) => fail_sync(&mut s, "No such file or directory")?,
                }
            }
            b"STAT" => {
                let mut p = vec![0u8; len];
                s.read_exact(&mut p)?;
                let path = String::from_utf8_lossy(&p).into_owned();
                let (mode, size) = match std::fs::metadata(map_path(root, &path)) {
                    Ok(m) => (
                        if m.is_dir() { 0o040755u32 } else { 0o100644 },
                        u32::try_from(m.len()).unwrap_or(u32::MAX),
                    ),
                    Err(_) => (0, 0),
                };
                s.write_all(b"STAT")?;
                s.write_all(&mode.to_le_bytes())?;
                s.write_all(&size.to_le_bytes())?;
                s.write_all(&0u32.to_le_bytes())?;
            }
            _ => return Ok(()), // QUIT, or adb_client's 4 stray bytes after DONE
        }
    }
}

fn fail_sync(s: &mut TcpStream, msg: &str) -> std::io::Result<()> {
    s.write_all(b"FAIL")?;
    s.write_all(&u32::try_from(msg.len()).unwrap_or(0).to_le_bytes())?;
    s.write_all(msg.as_bytes())
}
