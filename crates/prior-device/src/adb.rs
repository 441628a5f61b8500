//! The adb server as a whole: version, starting it, listing devices.

use crate::device::{Device, DeviceKind};
use crate::error::DeviceError;
use crate::quote::Cmd;
use crate::server::{DeviceEntry, DeviceState, host_query, parse_devices, server_addr_from_env};
use crate::tools::{find_tool, run_tool};
use std::net::SocketAddrV4;
use std::time::{Duration, Instant};

/// A device as `prior devices` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSummary {
    /// The server's line for it.
    pub entry: DeviceEntry,
    /// `ro.product.model` (or the server's `model:` when the device is not ready).
    pub model: Option<String>,
    /// `ro.build.version.sdk`, when the device is ready.
    pub api_level: Option<u32>,
    /// Emulator, simulated or physical.
    pub kind: DeviceKind,
    /// Why the properties could not be read, if they could not.
    pub error: Option<String>,
}

/// The adb server Prior talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdbServer {
    addr: SocketAddrV4,
}

impl AdbServer {
    /// The server at `addr`.
    pub fn new(addr: SocketAddrV4) -> AdbServer {
        AdbServer { addr }
    }

    /// The server named by `ADB_SERVER_SOCKET` / `ANDROID_ADB_SERVER_PORT` (default
    /// 127.0.0.1:5037).
    pub fn from_env() -> Result<AdbServer, DeviceError> {
        Ok(AdbServer {
            addr: server_addr_from_env()?,
        })
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddrV4 {
        self.addr
    }

    /// `host:version` (41 for current adb).
    pub fn version(&self) -> Result<u32, DeviceError> {
        let body = host_query(self.addr, "host:version")?;
        let text = String::from_utf8_lossy(&body);
        u32::from_str_radix(text.trim(), 16).map_err(|_| DeviceError::Protocol {
            request: "host:version".into(),
            why: format!("not a hex version: {text:?}"),
        })
    }

    /// Makes sure the server answers: if nothing listens on a loopback address and `adb` is
    /// installed, runs `adb start-server` (with `ANDROID_ADB_SERVER_PORT` set to our port) and
    /// waits up to 10 s for it.
    pub fn ensure_running(&self) -> Result<(), DeviceError> {
        let refused = match self.version() {
            Ok(_) => return Ok(()),
            Err(DeviceError::ServerUnreachable { source, .. }) => source,
            Err(e) => return Err(e),
        };
        if !self.addr.ip().is_loopback() {
            return Err(DeviceError::ServerUnreachable {
                addr: self.addr,
                source: refused,
            });
        }
        if find_tool("adb").is_none() {
            return Err(DeviceError::ServerStart { addr: self.addr, why: "no adb server is running and `adb` is not installed (apt-get install adb, or set ANDROID_HOME)".into() });
        }
        run_tool("adb", &["start-server"], self.addr, Duration::from_secs(30)).map_err(|e| {
            DeviceError::ServerStart {
                addr: self.addr,
                why: e.to_string(),
            }
        })?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.version() {
                Ok(_) => return Ok(()),
                Err(e) if Instant::now() >= deadline => {
                    return Err(DeviceError::ServerStart {
                        addr: self.addr,
                        why: e.to_string(),
                    });
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// `host:devices-l`, parsed tolerantly (see [`crate::parse_devices`]).
    pub fn devices(&self) -> Result<Vec<DeviceEntry>, DeviceError> {
        let body = host_query(self.addr, "host:devices-l")?;
        Ok(parse_devices(&String::from_utf8_lossy(&body)))
    }

    /// Every device with model, API level and kind (one shell call per ready device).
    pub fn list(&self) -> Result<Vec<DeviceSummary>, DeviceError> {
        let entries = self.devices()?;
        Ok(entries.into_iter().map(|e| self.summarize(e)).collect())
    }

    fn summarize(&self, entry: DeviceEntry) -> DeviceSummary {
        let mut s = DeviceSummary {
            kind: DeviceKind::classify(&entry.serial, entry.model.as_deref(), false),
            model: entry.model.clone(),
            api_level: None,
            error: None,
            entry,
        };
        if s.entry.state != DeviceState::Device {
            return s;
        }
        let dev = match Device::new(&s.entry.serial, self.addr) {
            Ok(d) => d,
            Err(e) => {
                s.error = Some(e.to_string());
                return s;
            }
        };
        let cmd = Cmd::new("getprop")
            .raw("ro.product.model")
            .then(Cmd::new("getprop").raw("ro.build.version.sdk"))
            .then(Cmd::new("getprop").raw("ro.kernel.qemu"))
            .then(Cmd::new("getprop").raw("ro.boot.qemu"));
        match dev.shell(&cmd, Duration::from_secs(10)) {
            Ok(out) => {
                let text = out.stdout_text();
                let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
                let get = |i: usize| lines.get(i).map(|v| v.trim()).filter(|v| !v.is_empty());
                if let Some(m) = get(0) {
                    s.model = Some(m.to_owned());
                }
                s.api_level = get(1).and_then(|v| v.parse().ok());
                let qemu = get(2) == Some("1") || get(3) == Some("1");
                s.kind = DeviceKind::classify(&s.entry.serial, s.model.as_deref(), qemu);
            }
            Err(e) => s.error = Some(e.to_string()),
        }
        s
    }

    /// A device by serial (nothing is sent yet).
    pub fn device(&self, serial: &str) -> Result<Device, DeviceError> {
        Device::new(serial, self.addr)
    }

    /// The only ready device; an error when there is none or more than one.
    pub fn only_device(&self) -> Result<Device, DeviceError> {
        let ready: Vec<DeviceEntry> = self
            .devices()?
            .into_iter()
            .filter(|e| e.state == DeviceState::Device)
            .collect();
        match ready.as_slice() {
            [one] => Device::new(&one.serial, self.addr),
            [] => Err(DeviceError::ServerFail {
                request: "host:devices-l".into(),
                message: "no devices/emulators found".into(),
            }),
            many => Err(DeviceError::ServerFail {
                request: "host:devices-l".into(),
                message: format!(
                    "more than one device/emulator ({}); choose one with --device",
                    many.iter()
                        .map(|e| e.serial.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }

    /// `host:connect:HOST:PORT` (like `adb connect`); returns the server's message. Fails when
    /// the message says it failed.
    pub fn connect(&self, target: &str) -> Result<String, DeviceError> {
        crate::server::check_serial(target)?;
        let body = host_query(self.addr, &format!("host:connect:{target}"))?;
        let msg = String::from_utf8_lossy(&body).trim().to_owned();
        if msg.starts_with("connected to") || msg.starts_with("already connected to") {
            Ok(msg)
        } else {
            Err(DeviceError::ServerFail {
                request: format!("host:connect:{target}"),
                message: msg,
            })
        }
    }

    /// `host:disconnect:HOST:PORT`.
    pub fn disconnect(&self, target: &str) -> Result<String, DeviceError> {
        crate::server::check_serial(target)?;
        let body = host_query(self.addr, &format!("host:disconnect:{target}"))?;
        Ok(String::from_utf8_lossy(&body).trim().to_owned())
    }
}
