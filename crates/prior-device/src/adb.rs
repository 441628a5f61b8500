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

    /// When `serial` is a network device (`HOST:PORT`, as `adb connect` names it) that the
    /// server lists as `offline`, disconnects and reconnects it once and waits up to
    /// `wait` for it to become `device`. Returns what was done (for the operator), or `None`
    /// when nothing had to be done (not a network serial, not listed, or not offline).
    ///
    /// Why: a network device whose adbd went away and came back on the same port (an
    /// emulator restarted, `prior sim` restarted) stays `offline` in adb's list until it is
    /// disconnected; `adb` itself does not reconnect it (seen with Debian's adb 29.0.6, see
    /// docs/adb-client.md). Fails when it is still not `device` after that one reconnect.
    pub fn reconnect_if_offline(
        &self,
        serial: &str,
        wait: Duration,
    ) -> Result<Option<String>, DeviceError> {
        if !is_network_serial(serial) {
            return Ok(None);
        }
        let listed = self.devices()?.into_iter().find(|e| e.serial == serial);
        if listed.is_none_or(|e| e.state != DeviceState::Offline) {
            return Ok(None);
        }
        let _ = self.disconnect(serial)?;
        let connected: String = self
            .connect(serial)
            .map_err(|e| DeviceError::ServerFail {
                request: format!("host:connect:{serial}"),
                message: format!(
                    "{serial} was offline; Prior disconnected it and tried to reconnect once, \
                     which failed: {e}"
                ),
            })?
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let deadline = Instant::now() + wait;
        loop {
            let state = self
                .devices()?
                .into_iter()
                .find(|e| e.serial == serial)
                .map(|e| e.state);
            if state == Some(DeviceState::Device) {
                return Ok(Some(format!(
                    "the adb server listed {serial} as offline; disconnected and reconnected it \
                     once ({connected}), now ready"
                )));
            }
            if Instant::now() >= deadline {
                let now = state.map_or("not listed".to_string(), |s| s.as_str());
                return Err(DeviceError::ServerFail {
                    request: format!("host:connect:{serial}"),
                    message: format!(
                        "{serial} was offline; after one disconnect and reconnect it is still \
                         {now} (is its adbd running and reachable?)"
                    ),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `host:disconnect:HOST:PORT`.
    pub fn disconnect(&self, target: &str) -> Result<String, DeviceError> {
        crate::server::check_serial(target)?;
        let body = host_query(self.addr, &format!("host:disconnect:{target}"))?;
        Ok(String::from_utf8_lossy(&body).trim().to_owned())
    }
}

/// A serial `adb connect` gives a network device: `HOST:PORT` with a numeric port.
fn is_network_serial(serial: &str) -> bool {
    serial
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0))
}

#[cfg(test)]
mod tests {
    use super::is_network_serial;

    #[test]
    fn network_serials_are_host_and_port() {
        assert!(is_network_serial("127.0.0.1:5655"));
        assert!(is_network_serial("phone.lan:5555"));
        assert!(!is_network_serial("emulator-5554"));
        assert!(!is_network_serial("R58M123ABC"));
        assert!(!is_network_serial(":5555"));
        assert!(!is_network_serial("127.0.0.1:0"));
        assert!(!is_network_serial("adb-R58M-abc._adb-tls-connect._tcp"));
    }
}
