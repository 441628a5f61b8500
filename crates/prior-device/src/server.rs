//! The adb server: its address, a tiny smart-socket client, and tolerant device listing.
//!
//! Smart-socket protocol (adb `OVERVIEW.TXT`/`SERVICES.TXT`): a request is 4 hex digits of
//! length followed by the service name; the reply is `OKAY` or `FAIL` + 4 hex digits + reason;
//! replies that carry data use the same hex4-length framing.

use crate::error::DeviceError;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The adb server's default address.
pub const DEFAULT_SERVER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 5037);

/// How long a host request may take.
const HOST_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest host reply accepted (a `host:devices-l` list is a few KiB).
const MAX_REPLY: usize = 1 << 20;

/// Resolves the adb server address the way `adb` does: `ADB_SERVER_SOCKET=tcp:HOST:PORT`
/// first, then `ANDROID_ADB_SERVER_PORT=PORT` (on 127.0.0.1), then 127.0.0.1:5037.
pub fn server_addr_from_env() -> Result<SocketAddrV4, DeviceError> {
    server_addr_from(
        std::env::var("ADB_SERVER_SOCKET").ok().as_deref(),
        std::env::var("ANDROID_ADB_SERVER_PORT").ok().as_deref(),
    )
}

/// [`server_addr_from_env`] with the two variables' values given.
pub fn server_addr_from(
    socket: Option<&str>,
    port: Option<&str>,
) -> Result<SocketAddrV4, DeviceError> {
    if let Some(v) = socket.filter(|v| !v.is_empty()) {
        let bad = |why: &str| DeviceError::BadServerAddress {
            var: "ADB_SERVER_SOCKET",
            value: v.to_owned(),
            why: why.to_owned(),
        };
        let rest = v
            .strip_prefix("tcp:")
            .ok_or_else(|| bad("expected tcp:HOST:PORT (only TCP is supported)"))?;
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, p),
            None => ("127.0.0.1", rest),
        };
        let port: u16 = port
            .parse()
            .map_err(|_| bad("the port is not a number 1-65535"))?;
        if port == 0 {
            return Err(bad("the port is not a number 1-65535"));
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host = if host.is_empty() { "127.0.0.1" } else { host };
        if let Ok(ip) = host.parse::<Ipv4Addr>() {
            return Ok(SocketAddrV4::new(ip, port));
        }
        let addrs = (host, port)
            .to_socket_addrs()
            .map_err(|e| bad(&format!("cannot resolve the host: {e}")))?;
        return addrs
            .filter_map(|a| match a {
                SocketAddr::V4(v4) => Some(v4),
                SocketAddr::V6(_) => None,
            })
            .next()
            .ok_or_else(|| bad("the host has no IPv4 address (adb_client supports IPv4 only)"));
    }
    if let Some(p) = port.filter(|v| !v.is_empty()) {
        let port: u16 =
            p.parse()
                .ok()
                .filter(|n| *n != 0)
                .ok_or_else(|| DeviceError::BadServerAddress {
                    var: "ANDROID_ADB_SERVER_PORT",
                    value: p.to_owned(),
                    why: "not a port number 1-65535".to_owned(),
                })?;
        return Ok(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port));
    }
    Ok(DEFAULT_SERVER)
}

/// One connection to the adb server.
pub(crate) struct Conn {
    stream: TcpStream,
}

fn io_err(context: &str) -> impl FnOnce(std::io::Error) -> DeviceError + '_ {
    move |source| DeviceError::Io {
        context: context.to_owned(),
        source,
    }
}

impl Conn {
    pub(crate) fn open(addr: SocketAddrV4, timeout: Duration) -> Result<Conn, DeviceError> {
        let stream = TcpStream::connect_timeout(&SocketAddr::V4(addr), timeout)
            .map_err(|source| DeviceError::ServerUnreachable { addr, source })?;
        let _ = stream.set_nodelay(true);
        stream
            .set_read_timeout(Some(timeout))
            .map_err(io_err("set a read timeout"))?;
        stream
            .set_write_timeout(Some(timeout))
            .map_err(io_err("set a write timeout"))?;
        Ok(Conn { stream })
    }

    /// Sends one request and reads `OKAY` (or turns `FAIL` into an error).
    pub(crate) fn request(&mut self, service: &str) -> Result<(), DeviceError> {
        if service.len() > 0xffff {
            return Err(DeviceError::Protocol {
                request: crate::error::short(service),
                why: "the request is longer than 65535 bytes".into(),
            });
        }
        let msg = format!("{:04x}{service}", service.len());
        self.stream
            .write_all(msg.as_bytes())
            .map_err(io_err(service))?;
        let mut status = [0u8; 4];
        self.stream
            .read_exact(&mut status)
            .map_err(io_err(service))?;
        match &status {
            b"OKAY" => Ok(()),
            b"FAIL" => {
                let body = self.read_hex_block(service)?;
                Err(DeviceError::ServerFail {
                    request: request_name(service),
                    message: String::from_utf8_lossy(&body).trim().to_owned(),
                })
            }
            other => Err(DeviceError::Protocol {
                request: request_name(service),
                why: format!(
                    "expected OKAY or FAIL, got {:?}",
                    String::from_utf8_lossy(other)
                ),
            }),
        }
    }

    /// Reads a hex4-length-framed block.
    pub(crate) fn read_hex_block(&mut self, request: &str) -> Result<Vec<u8>, DeviceError> {
        let mut len = [0u8; 4];
        self.stream.read_exact(&mut len).map_err(io_err(request))?;
        let len = std::str::from_utf8(&len)
            .ok()
            .and_then(|s| usize::from_str_radix(s, 16).ok())
            .ok_or_else(|| DeviceError::Protocol {
                request: request_name(request),
                why: format!("bad length prefix {:?}", String::from_utf8_lossy(&len)),
            })?;
        if len > MAX_REPLY {
            return Err(DeviceError::Protocol {
                request: request_name(request),
                why: "reply too large".into(),
            });
        }
        let mut body = vec![0u8; len];
        self.stream.read_exact(&mut body).map_err(io_err(request))?;
        Ok(body)
    }
}

/// A request name without any serial payload, for messages.
fn request_name(service: &str) -> String {
    crate::error::short(service)
}

/// Serials go into smart-socket requests, not shells; still refuse control characters and `:`
/// tricks that would change the request.
pub(crate) fn check_serial(serial: &str) -> Result<(), DeviceError> {
    let ok =
        !serial.is_empty() && serial.len() <= 255 && serial.chars().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(DeviceError::Unsafe {
            what: "a device serial",
            value: format!("{serial:?}"),
            why: "serials are printable ASCII without spaces",
        })
    }
}

/// Sends a host request and reads its hex4-framed reply.
pub(crate) fn host_query(addr: SocketAddrV4, service: &str) -> Result<Vec<u8>, DeviceError> {
    let span = tracing::debug_span!("adb", server = %addr, service = %service);
    let _entered = span.enter();
    let started = std::time::Instant::now();
    let result = Conn::open(addr, HOST_TIMEOUT).and_then(|mut c| {
        c.request(service)?;
        c.read_hex_block(service)
    });
    let millis = started.elapsed().as_millis() as u64;
    match &result {
        Ok(reply) => {
            tracing::debug!(server = %addr, service = %service, bytes = reply.len(), millis, "adb server query answered")
        }
        Err(e) => {
            tracing::debug!(server = %addr, service = %service, error = %e, millis, "adb server query failed")
        }
    }
    result
}

/// A device's state as the adb server reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceState {
    /// Ready (`device`).
    Device,
    /// `offline`.
    Offline,
    /// `unauthorized`: the device has not accepted this host's key.
    Unauthorized,
    /// `authorizing`.
    Authorizing,
    /// `connecting`.
    Connecting,
    /// `bootloader`.
    Bootloader,
    /// `recovery`.
    Recovery,
    /// `sideload`.
    Sideload,
    /// `rescue`.
    Rescue,
    /// `host`.
    Host,
    /// `no permissions (…)`: the host user cannot open the USB device; the text follows.
    NoPermissions(String),
    /// Anything else, verbatim.
    Other(String),
}

impl DeviceState {
    fn parse(s: &str) -> DeviceState {
        match s {
            "device" => DeviceState::Device,
            "offline" => DeviceState::Offline,
            "unauthorized" => DeviceState::Unauthorized,
            "authorizing" => DeviceState::Authorizing,
            "connecting" => DeviceState::Connecting,
            "bootloader" => DeviceState::Bootloader,
            "recovery" => DeviceState::Recovery,
            "sideload" => DeviceState::Sideload,
            "rescue" => DeviceState::Rescue,
            "host" => DeviceState::Host,
            other => match other.strip_prefix("no permissions") {
                Some(rest) => DeviceState::NoPermissions(rest.trim().to_owned()),
                None => DeviceState::Other(other.to_owned()),
            },
        }
    }

    /// The state as adb prints it.
    pub fn as_str(&self) -> String {
        match self {
            DeviceState::Device => "device".into(),
            DeviceState::Offline => "offline".into(),
            DeviceState::Unauthorized => "unauthorized".into(),
            DeviceState::Authorizing => "authorizing".into(),
            DeviceState::Connecting => "connecting".into(),
            DeviceState::Bootloader => "bootloader".into(),
            DeviceState::Recovery => "recovery".into(),
            DeviceState::Sideload => "sideload".into(),
            DeviceState::Rescue => "rescue".into(),
            DeviceState::Host => "host".into(),
            DeviceState::NoPermissions(t) if t.is_empty() => "no permissions".into(),
            DeviceState::NoPermissions(t) => format!("no permissions {t}"),
            DeviceState::Other(t) => t.clone(),
        }
    }
}

/// One line of `host:devices-l`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEntry {
    /// The serial (`emulator-5554`, `127.0.0.1:5555`, a USB serial…).
    pub serial: String,
    /// The state.
    pub state: DeviceState,
    /// `usb:…` device path, when shown.
    pub devpath: Option<String>,
    /// `product:`.
    pub product: Option<String>,
    /// `model:` (adb replaces non-alphanumerics with `_`).
    pub model: Option<String>,
    /// `device:`.
    pub device: Option<String>,
    /// `transport_id:`.
    pub transport_id: Option<u64>,
}

/// Parses a `host:devices` or `host:devices-l` payload. Never fails: an odd line becomes an
/// entry with [`DeviceState::Other`] (or is skipped when it has no serial), so one device in
/// a strange state cannot hide the others.
pub fn parse_devices(payload: &str) -> Vec<DeviceEntry> {
    payload.lines().filter_map(parse_device_line).collect()
}

fn parse_device_line(line: &str) -> Option<DeviceEntry> {
    let line = line.trim_end_matches('\r');
    if line.trim().is_empty() {
        return None;
    }
    let mut e = DeviceEntry {
        serial: String::new(),
        state: DeviceState::Other(String::new()),
        devpath: None,
        product: None,
        model: None,
        device: None,
        transport_id: None,
    };
    // `host:devices`: "serial\tstate".
    if let Some((serial, state)) = line.split_once('\t') {
        e.serial = serial.trim().to_owned();
        e.state = DeviceState::parse(state.trim());
        return (!e.serial.is_empty()).then_some(e);
    }
    // `host:devices-l`: "%-22s %s" + optional " usb:…", " product:…", " model:…",
    // " device:…", " transport_id:N". The state may contain spaces.
    let mut tokens: Vec<&str> = line.split_whitespace().collect();
    if tokens.is_empty() {
        return None;
    }
    e.serial = tokens.remove(0).to_owned();
    while let Some(last) = tokens.last().copied() {
        let Some((k, v)) = last.split_once(':') else {
            break;
        };
        match k {
            "product" => e.product = Some(v.to_owned()),
            "model" => e.model = Some(v.to_owned()),
            "device" => e.device = Some(v.to_owned()),
            "transport_id" => match v.parse() {
                Ok(n) => e.transport_id = Some(n),
                Err(_) => break,
            },
            "usb" => e.devpath = Some(last.to_owned()),
            _ => break,
        }
        tokens.pop();
        if tokens.is_empty() {
            break;
        }
    }
    e.state = DeviceState::parse(&tokens.join(" "));
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_from_environment_values() {
        assert_eq!(server_addr_from(None, None).unwrap(), DEFAULT_SERVER);
        assert_eq!(
            server_addr_from(Some(""), Some("")).unwrap(),
            DEFAULT_SERVER
        );
        assert_eq!(
            server_addr_from(None, Some("5038")).unwrap(),
            SocketAddrV4::new(Ipv4Addr::LOCALHOST, 5038)
        );
        assert_eq!(
            server_addr_from(Some("tcp:10.0.0.2:5040"), Some("5038")).unwrap(),
            "10.0.0.2:5040".parse().unwrap()
        );
        assert_eq!(
            server_addr_from(Some("tcp:localhost:5041"), None).unwrap(),
            "127.0.0.1:5041".parse().unwrap()
        );
        assert_eq!(
            server_addr_from(Some("tcp:5042"), None).unwrap(),
            "127.0.0.1:5042".parse().unwrap()
        );
        for (s, p) in [
            (Some("unix:/tmp/x"), None),
            (Some("tcp:h:notaport"), None),
            (Some("tcp:1.2.3.4:0"), None),
            (None, Some("70000")),
            (None, Some("x")),
        ] {
            assert!(
                matches!(
                    server_addr_from(s, p),
                    Err(DeviceError::BadServerAddress { .. })
                ),
                "{s:?} {p:?}"
            );
        }
    }

    #[test]
    fn device_lines_with_odd_states_do_not_fail_the_list() {
        let payload = "emulator-5554          device product:sdk_gphone64_x86_64 model:sdk_gphone64_x86_64 device:emu64xa transport_id:1\n\
ABC123                 no permissions (missing udev rules? user is in the plugdev group); see [http://developer.android.com/tools/device.html] usb:1-1 transport_id:2\n\
127.0.0.1:5555         offline transport_id:3\n\
R58M                   unauthorized usb:3-2 transport_id:4\n\
\n\
weird-device           some new state\n";
        let d = parse_devices(payload);
        assert_eq!(d.len(), 5);
        assert_eq!(d[0].serial, "emulator-5554");
        assert_eq!(d[0].state, DeviceState::Device);
        assert_eq!(d[0].model.as_deref(), Some("sdk_gphone64_x86_64"));
        assert_eq!(d[0].transport_id, Some(1));
        assert_eq!(d[1].serial, "ABC123");
        assert_eq!(
            d[1].state,
            DeviceState::NoPermissions("(missing udev rules? user is in the plugdev group); see [http://developer.android.com/tools/device.html]".into())
        );
        assert_eq!(d[1].devpath.as_deref(), Some("usb:1-1"));
        assert_eq!(d[2].state, DeviceState::Offline);
        assert_eq!(d[3].state, DeviceState::Unauthorized);
        assert_eq!(d[4].state, DeviceState::Other("some new state".into()));
        // short form
        let d = parse_devices("emulator-5554\tdevice\nX\tno permissions (udev)\n");
        assert_eq!(d[1].state, DeviceState::NoPermissions("(udev)".into()));
        assert_eq!(d[1].state.as_str(), "no permissions (udev)");
    }
}
