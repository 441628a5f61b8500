//! A minimal adb-server "smart socket" (what `adb start-server` serves on 5037) that knows
//! exactly one device: this simulator.
//!
//! Protocol (FORMATS.md §1b; AOSP `OVERVIEW.TXT`, `SERVICES.TXT`): a request is 4 ASCII hex
//! digits of length + the service name; the reply is `OKAY` or `FAIL` + hex4 length + reason;
//! replies with data use the same hex4 framing. `host:transport…` switches the socket to the
//! device; the next non-`host` request is a local service (`shell,v2,raw:…`, `exec:…`,
//! `sync:`, `abb_exec:…`), answered `OKAY` after which the socket *is* the stream — the very
//! service code the adbd front end runs. A `host:` query that does not switch is answered and
//! the socket closed (the adb client waits for that close after `host:version`); after a
//! switch `host:` queries are still answered (adb_client asks `host:features` there).
//!
//! Served: `version`, `kill` (closes this socket only), `devices`, `devices-l`,
//! `track-devices[-l]`, `features`, `host-features`, `get-state`, `get-serialno`,
//! `get-devpath`, `transport:<serial>`, `transport-any`, `transport-local`,
//! `transport-id:<n>`, `tport:serial:<s>`, `tport:any`, `tport:local`, `tport:id:<n>`,
//! `wait-for-*-device`, `connect:<addr>` (reports the simulator as already connected);
//! prefixes `host:`, `host-serial:<serial>:`, `host-transport-id:<n>:`, `host-local:`,
//! `host-usb:` (no USB device here).

use super::services::{parse_service, run_service};
use super::stream::{Recv, Stream};
use super::transport::{Phase, Shared, lock};
use super::{ADB_SERVER_VERSION, features_csv};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The one device this server knows.
#[derive(Debug, Clone)]
pub(crate) struct DeviceEntry {
    pub serial: String,
    pub transport_id: u64,
}

/// How a host request was answered.
enum Outcome {
    /// Reply sent; close the socket, as the adb server does (the adb client waits for that
    /// orderly shutdown after `host:version`).
    Done,
    /// The socket now talks to the device.
    Switched,
    /// Close the socket.
    Close,
    /// Keep the socket open until the client closes it (track-devices).
    Hold,
}

fn hex4(data: &[u8]) -> String {
    format!("{:04x}", data.len().min(0xffff))
}

fn okay_data(s: &mut TcpStream, data: &[u8]) -> bool {
    let data = &data[..data.len().min(0xffff)];
    let mut out = b"OKAY".to_vec();
    out.extend_from_slice(hex4(data).as_bytes());
    out.extend_from_slice(data);
    s.write_all(&out).is_ok()
}

fn fail(s: &mut TcpStream, msg: &str) {
    let mut out = b"FAIL".to_vec();
    out.extend_from_slice(hex4(msg.as_bytes()).as_bytes());
    out.extend_from_slice(&msg.as_bytes()[..msg.len().min(0xffff)]);
    let _ = s.write_all(&out);
}

/// Reads one `hex4 + body` request; `None` on EOF or garbage.
fn read_request(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).ok()?;
    let len = usize::from_str_radix(std::str::from_utf8(&len).ok()?, 16).ok()?;
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).ok()?;
    Some(body)
}

/// Serves one smart-socket client until it closes or its service ends.
pub(crate) fn serve_connection(shared: Arc<Shared>, mut socket: TcpStream, device: DeviceEntry) {
    let Some(_guard) = shared.register(&socket, Phase::Online) else {
        return;
    };
    let _ = socket.set_nodelay(true);
    loop {
        let Some(req) = read_request(&mut socket) else {
            return;
        };
        if req.starts_with(b"host") {
            let req = String::from_utf8_lossy(&req).into_owned();
            match host_request(&mut socket, &shared, &device, &req) {
                Outcome::Switched => continue,
                Outcome::Done | Outcome::Close => return,
                Outcome::Hold => {
                    let mut sink = [0u8; 256];
                    while matches!(socket.read(&mut sink), Ok(n) if n > 0) {}
                    return;
                }
            }
        }
        // A local service: with one device, no transport switch is needed first.
        let Some(service) = parse_service(&req) else {
            fail(&mut socket, "closed");
            return;
        };
        if socket.write_all(b"OKAY").is_err() {
            return;
        }
        let Some(stream) = RawStream::new(socket) else {
            return;
        };
        shared.services_started.fetch_add(1, Ordering::SeqCst);
        shared.services_running.fetch_add(1, Ordering::SeqCst);
        let ctx = super::services::ServiceContext {
            handler: &*shared.handler,
            max_transfer: shared.limits.max_transfer,
        };
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_service(service, &stream, &ctx)
        }));
        stream.close();
        shared.services_running.fetch_sub(1, Ordering::SeqCst);
        return;
    }
}

/// Checks a serial named by the client.
fn check_serial(s: &mut TcpStream, device: &DeviceEntry, serial: &str) -> bool {
    if serial == device.serial {
        return true;
    }
    fail(s, &format!("device '{serial}' not found"));
    false
}

fn check_id(s: &mut TcpStream, device: &DeviceEntry, id: &str) -> bool {
    if id.parse::<u64>().ok() == Some(device.transport_id) {
        return true;
    }
    fail(s, &format!("no device with transport id '{id}'"));
    false
}

/// `host:devices[-l]` payload.
fn device_list(device: &DeviceEntry, shared: &Shared, long: bool) -> String {
    if !long {
        return format!("{}\tdevice\n", device.serial);
    }
    let b = shared.handler.banner();
    // adb's append_transport_info: model is sanitised (non-alphanumerics → '_').
    let model: String = b
        .model
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut line = format!("{:<22} device", device.serial);
    for (key, value) in [
        ("product:", b.product_name),
        ("model:", model),
        ("device:", b.device),
    ] {
        if !value.is_empty() {
            line.push(' ');
            line.push_str(key);
            line.push_str(&value);
        }
    }
    line.push_str(&format!(" transport_id:{}\n", device.transport_id));
    line
}

fn host_request(s: &mut TcpStream, shared: &Shared, device: &DeviceEntry, req: &str) -> Outcome {
    // Strip the target prefix.
    let rest = if let Some(r) = req.strip_prefix("host:") {
        r
    } else if let Some(r) = req.strip_prefix("host-local:") {
        r
    } else if req.starts_with("host-usb:") {
        fail(s, "no devices/emulators found");
        return Outcome::Close;
    } else if let Some(r) = req.strip_prefix("host-serial:") {
        match r
            .strip_prefix(device.serial.as_str())
            .and_then(|x| x.strip_prefix(':'))
        {
            Some(r) => r,
            None => {
                let named = r.rsplit_once(':').map_or(r, |(serial, _)| serial);
                fail(s, &format!("device '{named}' not found"));
                return Outcome::Close;
            }
        }
    } else if let Some(r) = req.strip_prefix("host-transport-id:") {
        let Some((id, r)) = r.split_once(':') else {
            fail(s, "unknown host service");
            return Outcome::Close;
        };
        if !check_id(s, device, id) {
            return Outcome::Close;
        }
        r
    } else {
        fail(s, "unknown host service");
        return Outcome::Close;
    };

    let sent = |ok: bool| if ok { Outcome::Done } else { Outcome::Close };
    match rest {
        "version" => sent(okay_data(s, format!("{ADB_SERVER_VERSION:04x}").as_bytes())),
        "kill" => {
            let _ = s.write_all(b"OKAY");
            Outcome::Close
        }
        "devices" | "devices-l" => sent(okay_data(
            s,
            device_list(device, shared, rest == "devices-l").as_bytes(),
        )),
        "track-devices" | "track-devices-l" => {
            if okay_data(
                s,
                device_list(device, shared, rest == "track-devices-l").as_bytes(),
            ) {
                Outcome::Hold
            } else {
                Outcome::Close
            }
        }
        "features" | "host-features" => sent(okay_data(s, features_csv().as_bytes())),
        "get-state" => sent(okay_data(s, b"device")),
        "get-serialno" => sent(okay_data(s, device.serial.as_bytes())),
        "get-devpath" => sent(okay_data(s, b"unknown")),
        "transport-any" | "transport-local" => switched(s, None),
        "transport-usb" | "tport:usb" => {
            fail(s, "no devices/emulators found");
            Outcome::Close
        }
        "tport:any" | "tport:local" => switched(s, Some(device.transport_id)),
        r if r.starts_with("wait-for-") => {
            // wait-for-<transport>-<state>: the device is always there and online.
            let _ = s.write_all(b"OKAY");
            Outcome::Close
        }
        r if r.starts_with("connect:") => {
            let addr = &r["connect:".len()..];
            let msg = if addr == device.serial {
                format!("already connected to {addr}")
            } else {
                format!("failed to connect to {addr}")
            };
            sent(okay_data(s, msg.as_bytes()))
        }
        r => {
            if let Some(serial) = r.strip_prefix("transport:") {
                if check_serial(s, device, serial) {
                    switched(s, None)
                } else {
                    Outcome::Close
                }
            } else if let Some(serial) = r.strip_prefix("tport:serial:") {
                if check_serial(s, device, serial) {
                    switched(s, Some(device.transport_id))
                } else {
                    Outcome::Close
                }
            } else if let Some(id) = r
                .strip_prefix("transport-id:")
                .or_else(|| r.strip_prefix("tport:id:"))
            {
                if !check_id(s, device, id) {
                    return Outcome::Close;
                }
                let with_id = r.starts_with("tport:");
                switched(s, with_id.then_some(device.transport_id))
            } else {
                fail(s, "unknown host service");
                Outcome::Close
            }
        }
    }
}

/// `OKAY` (+ the 8-byte little-endian transport id for `tport:`).
fn switched(s: &mut TcpStream, id: Option<u64>) -> Outcome {
    let mut out = b"OKAY".to_vec();
    if let Some(id) = id {
        out.extend_from_slice(&id.to_le_bytes());
    }
    if s.write_all(&out).is_ok() {
        Outcome::Switched
    } else {
        Outcome::Close
    }
}

/// The socket after the switch, as a [`Stream`]: a reader thread turns incoming bytes into
/// chunks (bounded channel, so a fast client is throttled by TCP); EOF means closed.
struct RawStream {
    socket: TcpStream,
    writer: Mutex<TcpStream>,
    rx: Mutex<Receiver<Vec<u8>>>,
    closed: Arc<AtomicBool>,
}

impl RawStream {
    fn new(socket: TcpStream) -> Option<Self> {
        let writer = socket.try_clone().ok()?;
        let mut reader = socket.try_clone().ok()?;
        let (tx, rx): (SyncSender<Vec<u8>>, _) = sync_channel(4);
        let closed = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&closed);
        std::thread::Builder::new()
            .name("smart-socket-reader".into())
            .spawn(move || {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if tx.send(buf[..n].to_vec()).is_err() {
                                break;
                            }
                        }
                    }
                }
                flag.store(true, Ordering::SeqCst);
            })
            .ok()?;
        Some(Self {
            socket,
            writer: Mutex::new(writer),
            rx: Mutex::new(rx),
            closed,
        })
    }
}

impl Stream for RawStream {
    fn send(&self, data: &[u8]) -> bool {
        if self.closed.load(Ordering::SeqCst) {
            return false;
        }
        let ok = lock(&self.writer).write_all(data).is_ok();
        if !ok {
            self.closed.store(true, Ordering::SeqCst);
        }
        ok
    }

    fn recv(&self, timeout: Option<Duration>) -> Recv {
        let rx = lock(&self.rx);
        match timeout {
            None => rx.recv().map_or(Recv::Closed, Recv::Data),
            Some(t) => match rx.recv_timeout(t) {
                Ok(d) => Recv::Data(d),
                Err(RecvTimeoutError::Timeout) => Recv::TimedOut,
                Err(RecvTimeoutError::Disconnected) => Recv::Closed,
            },
        }
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let _ = lock(&self.writer).flush();
        let _ = self.socket.shutdown(Shutdown::Both);
    }
}
