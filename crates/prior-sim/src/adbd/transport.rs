//! adbd over TCP: one reader thread per connection, one service thread per stream.
//!
//! Lock order: a stream's `inner` may be held while taking the connection's `writer` or
//! `state`; never the other way round.

use super::auth::{AdbPublicKey, new_token};
use super::packet::{
    A_AUTH, A_CLSE, A_CNXN, A_OKAY, A_OPEN, A_VERSION, A_WRTE, AUTH_RSAPUBLICKEY, AUTH_SIGNATURE,
    AUTH_TOKEN, HEADER_LEN, MIN_PEER_PAYLOAD, command_name, decode_header, encode, read_header,
};
use super::services::{ServiceContext, parse_service, run_service};
use super::stream::{Recv, Stream};
use super::{AuthPolicy, Limits, NewKeyPolicy, Stats, features_csv};
use crate::DeviceHandler;
use std::collections::{HashMap, VecDeque};
use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Failed signatures tolerated on one connection before it is closed.
const MAX_AUTH_ATTEMPTS: u32 = 64;
/// A write that cannot progress for this long means the peer stopped reading: drop it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Locks, ignoring poisoning (a panicking handler must not take the transport down).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Server-wide state shared by every connection of both front ends.
pub(crate) struct Shared {
    pub handler: Arc<dyn DeviceHandler>,
    pub auth: AuthPolicy,
    pub limits: Limits,
    /// Keys trusted now: the configured ones plus those the simulated user allowed.
    pub trusted: Mutex<Vec<AdbPublicKey>>,
    pub shutdown: AtomicBool,
    /// Registered connections: shut down when the server stops, evicted at the limit.
    sockets: Mutex<HashMap<u64, Registered>>,
    next_socket: AtomicU64,
    pub connections: AtomicUsize,
    pub services_running: AtomicUsize,
    pub services_started: AtomicU64,
    pub protocol_errors: AtomicU64,
    pub auth_accepted: AtomicU64,
    pub keys_refused: AtomicU64,
}

impl Shared {
    pub fn new(handler: Arc<dyn DeviceHandler>, auth: AuthPolicy, limits: Limits) -> Self {
        let trusted = match &auth {
            AuthPolicy::Rsa { trusted_keys, .. } => trusted_keys.clone(),
            AuthPolicy::Skip => Vec::new(),
        };
        Self {
            handler,
            auth,
            limits,
            trusted: Mutex::new(trusted),
            shutdown: AtomicBool::new(false),
            sockets: Mutex::new(HashMap::new()),
            next_socket: AtomicU64::new(1),
            connections: AtomicUsize::new(0),
            services_running: AtomicUsize::new(0),
            services_started: AtomicU64::new(0),
            protocol_errors: AtomicU64::new(0),
            auth_accepted: AtomicU64::new(0),
            keys_refused: AtomicU64::new(0),
        }
    }

    pub fn stats(&self) -> Stats {
        Stats {
            connections: self.connections.load(Ordering::SeqCst),
            services_running: self.services_running.load(Ordering::SeqCst),
            services_started: self.services_started.load(Ordering::SeqCst),
            protocol_errors: self.protocol_errors.load(Ordering::SeqCst),
            auth_accepted: self.auth_accepted.load(Ordering::SeqCst),
            keys_refused: self.keys_refused.load(Ordering::SeqCst),
        }
    }

    /// Registers a connection's socket in `phase`; `None` when the server is stopping or the
    /// limit is reached and no connection can be evicted (the caller drops the socket).
    pub fn register(&self, socket: &TcpStream, phase: Phase) -> Option<ConnGuard<'_>> {
        if self.shutdown.load(Ordering::SeqCst) {
            return None;
        }
        let clone = socket.try_clone().ok()?;
        let phase = Arc::new(AtomicU8::new(phase as u8));
        let mut sockets = lock(&self.sockets);
        if sockets.len() >= self.limits.max_connections {
            // Evict the least advanced, then oldest, connection that is not online.
            let victim = sockets
                .iter()
                .filter(|(_, r)| r.phase.load(Ordering::SeqCst) != Phase::Online as u8)
                .min_by_key(|(id, r)| (r.phase.load(Ordering::SeqCst), **id))
                .map(|(id, _)| *id)?;
            if let Some(r) = sockets.remove(&victim) {
                tracing::debug!(
                    victim,
                    "adbd: connection limit reached, evicting a connection that never completed its handshake"
                );
                let _ = r.socket.shutdown(Shutdown::Both);
            }
        }
        let id = self.next_socket.fetch_add(1, Ordering::SeqCst);
        sockets.insert(
            id,
            Registered {
                socket: clone,
                phase: Arc::clone(&phase),
            },
        );
        self.connections.fetch_add(1, Ordering::SeqCst);
        Some(ConnGuard {
            shared: self,
            id,
            phase,
        })
    }

    /// Shuts every registered socket down (their threads then end).
    pub fn shutdown_all(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
        for r in lock(&self.sockets).values() {
            let _ = r.socket.shutdown(Shutdown::Both);
        }
    }

    /// Runs a service on its own thread, counting it.
    pub fn spawn_service(
        self: &Arc<Self>,
        name: String,
        f: impl FnOnce(&ServiceContext<'_>) + Send + 'static,
    ) -> io::Result<()> {
        let shared = Arc::clone(self);
        self.services_running.fetch_add(1, Ordering::SeqCst);
        self.services_started.fetch_add(1, Ordering::SeqCst);
        let spawned = std::thread::Builder::new().name(name).spawn(move || {
            let ctx = ServiceContext {
                handler: &*shared.handler,
                max_transfer: shared.limits.max_transfer,
            };
            // A panicking handler ends its stream, not the simulator.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&ctx)));
            shared.services_running.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            self.services_running.fetch_sub(1, Ordering::SeqCst);
        }
        spawned.map(|_| ())
    }
}

/// How far a connection got; connections that got least far are evicted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Phase {
    /// Accepted, no valid CNXN yet.
    Connected = 0,
    /// CNXN seen, waiting for authentication.
    Authenticating = 1,
    /// Online (or a smart-socket client, which has no handshake).
    Online = 2,
}

/// A registered connection.
struct Registered {
    socket: TcpStream,
    phase: Arc<AtomicU8>,
}

/// Unregisters a connection when dropped.
pub(crate) struct ConnGuard<'a> {
    shared: &'a Shared,
    id: u64,
    phase: Arc<AtomicU8>,
}

impl ConnGuard<'_> {
    /// The shared phase cell: the connection records how far it got (see [`Phase`]).
    pub fn phase_handle(&self) -> Arc<AtomicU8> {
        Arc::clone(&self.phase)
    }
}

impl Drop for ConnGuard<'_> {
    fn drop(&mut self) {
        lock(&self.shared.sockets).remove(&self.id);
        self.shared.connections.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One adbd connection.
struct Conn {
    shared: Arc<Shared>,
    socket: TcpStream,
    /// Host bytes queued in all streams and not yet consumed.
    buffered: AtomicUsize,
    writer: Mutex<TcpStream>,
    state: Mutex<ConnState>,
    /// How far the handshake got, shared with the connection registry (eviction order).
    /// Set BEFORE the reply that tells the peer, so a peer holding its CNXN is always
    /// counted as online (otherwise a new connection could evict it in between).
    phase: Arc<AtomicU8>,
}

struct ConnState {
    online: bool,
    /// Negotiated protocol version (checksums are sent below `A_VERSION`).
    version: u32,
    /// Negotiated max payload: `min(host's, ours)`; no packet we send is larger.
    max_payload: usize,
    streams: HashMap<u32, Arc<StreamShared>>,
    next_local: u32,
    token: Option<[u8; 20]>,
    auth_attempts: u32,
}

struct StreamShared {
    local: u32,
    remote: u32,
    /// Largest WRTE, and size of the outgoing buffer.
    cap: usize,
    inner: Mutex<StreamInner>,
    cv: Condvar,
}

#[derive(Default)]
struct StreamInner {
    closed: bool,
    in_flight: bool,
    /// Bytes waiting for the host's OKAY of the WRTE in flight (≤ `cap`).
    out: Vec<u8>,
    /// Host WRTE payloads not yet consumed; each is OKAYed when the service takes it.
    inbound: VecDeque<Vec<u8>>,
    inbound_bytes: usize,
}

/// The [`Stream`] a service sees.
struct AdbdStream {
    conn: Arc<Conn>,
    s: Arc<StreamShared>,
}

/// Serves one accepted adbd connection until it ends (runs on the caller's thread).
pub(crate) fn serve_connection(shared: Arc<Shared>, socket: TcpStream) {
    let Some(guard) = shared.register(&socket, Phase::Connected) else {
        return;
    };
    let _ = socket.set_nodelay(true);
    // Until the first valid CNXN: a peer that sends nothing is closed after this long.
    let _ = socket.set_read_timeout(Some(shared.limits.handshake_timeout));
    let _ = socket.set_write_timeout(Some(WRITE_TIMEOUT));
    let (Ok(writer), Ok(reader)) = (socket.try_clone(), socket.try_clone()) else {
        return;
    };
    let max_payload = shared.limits.max_payload as usize;
    let conn = Arc::new(Conn {
        shared: Arc::clone(&shared),
        socket,
        buffered: AtomicUsize::new(0),
        writer: Mutex::new(writer),
        state: Mutex::new(ConnState {
            online: false,
            version: A_VERSION,
            max_payload,
            streams: HashMap::new(),
            next_local: 1,
            token: None,
            auth_attempts: 0,
        }),
        phase: guard.phase_handle(),
    });
    let mut rd = BufReader::with_capacity(64 * 1024, reader);
    while let Ok(Some(raw)) = read_header(&mut rd) {
        // adbd's check_header: the negotiated maximum once CNXN was seen, ours before.
        let receive_max = lock(&conn.state).max_payload as u32;
        let hdr = match decode_header(&raw, receive_max) {
            Ok(h) => h,
            Err(e) => {
                tracing::debug!(error = ?e, "adbd: bad header, closing the connection");
                shared.protocol_errors.fetch_add(1, Ordering::SeqCst);
                break;
            }
        };
        let mut data = vec![0u8; hdr.data_length as usize];
        if rd.read_exact(&mut data).is_err() {
            break;
        }
        let keep = match hdr.command {
            A_CNXN => {
                let keep = conn.on_cnxn(hdr.arg0, hdr.arg1);
                if keep {
                    let _ = conn.socket.set_read_timeout(None);
                }
                keep
            }
            A_AUTH => conn.on_auth(hdr.arg0, &data),
            A_OPEN | A_OKAY | A_WRTE | A_CLSE if !lock(&conn.state).online => true, // adbd ignores them
            A_OPEN => conn.on_open(hdr.arg0, hdr.arg1, &data),
            A_OKAY => conn.on_okay(hdr.arg0, hdr.arg1),
            A_WRTE => conn.on_wrte(hdr.arg0, hdr.arg1, data),
            A_CLSE => conn.on_clse(hdr.arg0, hdr.arg1),
            other => {
                tracing::debug!(command = %command_name(other), "adbd: unknown command, closing the connection");
                false
            }
        };
        if !keep {
            shared.protocol_errors.fetch_add(1, Ordering::SeqCst);
            break;
        }
    }
    conn.teardown();
}

impl Conn {
    /// Writes one packet; on failure shuts the socket so the reader thread tears down.
    fn write_packet(&self, command: u32, arg0: u32, arg1: u32, data: &[u8]) -> bool {
        let version = lock(&self.state).version;
        let with_checksum = command == A_CNXN || command == A_AUTH || version < A_VERSION;
        let pkt = encode(command, arg0, arg1, data, with_checksum);
        let ok = lock(&self.writer).write_all(&pkt).is_ok();
        if !ok {
            let _ = self.socket.shutdown(Shutdown::Both);
        }
        ok
    }

    /// Closes every stream (the connection is gone or reset); sends nothing.
    fn close_streams(&self) {
        let streams: Vec<_> = lock(&self.state).streams.drain().map(|(_, s)| s).collect();
        for s in streams {
            lock(&s.inner).closed = true;
            s.cv.notify_all();
        }
    }

    /// Drops a closed stream's unconsumed host data from the connection's budget.
    fn release(&self, inner: &mut StreamInner) {
        self.buffered
            .fetch_sub(inner.inbound_bytes, Ordering::SeqCst);
        inner.inbound.clear();
        inner.inbound_bytes = 0;
    }

    fn teardown(&self) {
        let _ = self.socket.shutdown(Shutdown::Both);
        {
            let mut st = lock(&self.state);
            st.online = false;
        }
        self.close_streams();
    }

    fn banner(&self) -> Vec<u8> {
        let b = self.shared.handler.banner();
        let clean = |v: &str| -> String {
            v.chars()
                .take(200)
                .map(|c| {
                    if c == ';' || c == '=' || c.is_control() {
                        '_'
                    } else {
                        c
                    }
                })
                .collect()
        };
        format!(
            "device::ro.product.name={};ro.product.model={};ro.product.device={};features={}",
            clean(&b.product_name),
            clean(&b.model),
            clean(&b.device),
            features_csv()
        )
        .into_bytes()
    }

    fn go_online(&self) {
        {
            let mut st = lock(&self.state);
            st.online = true;
            st.token = None;
        }
        self.phase.store(Phase::Online as u8, Ordering::SeqCst);
        let banner = self.banner();
        self.write_packet(A_CNXN, A_VERSION, self.shared.limits.max_payload, &banner);
    }

    fn send_token(&self) {
        let token = new_token();
        lock(&self.state).token = Some(token);
        self.write_packet(A_AUTH, AUTH_TOKEN, 0, &token);
    }

    fn on_cnxn(&self, version: u32, max_payload: u32) -> bool {
        if max_payload < MIN_PEER_PAYLOAD {
            return false;
        }
        // A second CNXN restarts the session: its streams are gone (adbd kicks the transport).
        self.close_streams();
        {
            let mut st = lock(&self.state);
            st.online = false;
            st.version = version.min(A_VERSION);
            st.max_payload = max_payload.min(self.shared.limits.max_payload) as usize;
            st.token = None;
            st.auth_attempts = 0;
        }
        self.phase
            .store(Phase::Authenticating as u8, Ordering::SeqCst);
        match self.shared.auth {
            AuthPolicy::Skip => self.go_online(),
            AuthPolicy::Rsa { .. } => self.send_token(),
        }
        true
    }

    fn on_auth(&self, kind: u32, data: &[u8]) -> bool {
        let token = {
            let st = lock(&self.state);
            match (st.online, st.token) {
                (false, Some(t)) => t,
                _ => return true, // not waiting for AUTH: ignore
            }
        };
        let AuthPolicy::Rsa { new_keys, .. } = &self.shared.auth else {
            return true;
        };
        match kind {
            AUTH_SIGNATURE => {
                let ok = lock(&self.shared.trusted)
                    .iter()
                    .any(|k| k.verify(&token, data));
                if ok {
                    self.shared.auth_accepted.fetch_add(1, Ordering::SeqCst);
                    self.go_online();
                    return true;
                }
                let attempts = {
                    let mut st = lock(&self.state);
                    st.auth_attempts += 1;
                    st.auth_attempts
                };
                if attempts > MAX_AUTH_ATTEMPTS {
                    return false;
                }
                self.send_token();
                true
            }
            AUTH_RSAPUBLICKEY => {
                let key = AdbPublicKey::parse(&String::from_utf8_lossy(data));
                match (new_keys, key) {
                    (NewKeyPolicy::Accept, Ok(key)) => {
                        {
                            let mut trusted = lock(&self.shared.trusted);
                            if !trusted.contains(&key) {
                                trusted.push(key);
                            }
                        }
                        self.shared.auth_accepted.fetch_add(1, Ordering::SeqCst);
                        self.go_online();
                        true
                    }
                    _ => {
                        // The prompt is never answered: stay silent, as adbd does.
                        self.shared.keys_refused.fetch_add(1, Ordering::SeqCst);
                        true
                    }
                }
            }
            _ => true,
        }
    }

    fn on_open(self: &Arc<Self>, remote: u32, arg1: u32, name: &[u8]) -> bool {
        if remote == 0 {
            return true; // adbd ignores an OPEN without a local id
        }
        let service = if arg1 != 0 {
            None // delayed-ack window without delayed_ack: adbd refuses the stream
        } else {
            parse_service(name)
        };
        let Some(service) = service else {
            self.write_packet(A_CLSE, 0, remote, &[]);
            return true;
        };
        let s = {
            let mut st = lock(&self.state);
            if st.streams.len() >= self.shared.limits.max_streams_per_connection {
                None
            } else {
                let mut local = st.next_local;
                while local == 0 || st.streams.contains_key(&local) {
                    local = local.wrapping_add(1);
                }
                st.next_local = local.wrapping_add(1);
                let s = Arc::new(StreamShared {
                    local,
                    remote,
                    cap: st.max_payload,
                    inner: Mutex::new(StreamInner::default()),
                    cv: Condvar::new(),
                });
                st.streams.insert(local, Arc::clone(&s));
                Some(s)
            }
        };
        let Some(s) = s else {
            self.write_packet(A_CLSE, 0, remote, &[]);
            return true;
        };
        if !self.write_packet(A_OKAY, s.local, remote, &[]) {
            return true; // the reader notices the dead socket
        }
        let stream = AdbdStream {
            conn: Arc::clone(self),
            s: Arc::clone(&s),
        };
        let spawned = self
            .shared
            .spawn_service(format!("adbd-stream-{}", s.local), move |ctx| {
                run_service(service, &stream, ctx);
            });
        if spawned.is_err() {
            lock(&self.state).streams.remove(&s.local);
            self.write_packet(A_CLSE, s.local, remote, &[]);
        }
        true
    }

    fn find(&self, local: u32, remote: u32) -> Option<Arc<StreamShared>> {
        let st = lock(&self.state);
        st.streams
            .get(&local)
            .filter(|s| s.remote == remote || remote == 0)
            .cloned()
    }

    fn on_okay(&self, remote: u32, local: u32) -> bool {
        let Some(s) = self.find(local, remote) else {
            return true;
        };
        let mut inner = lock(&s.inner);
        inner.in_flight = false;
        if !inner.closed && !inner.out.is_empty() {
            inner.in_flight = true;
            let data = std::mem::take(&mut inner.out);
            self.write_packet(A_WRTE, s.local, s.remote, &data);
        }
        drop(inner);
        s.cv.notify_all();
        true
    }

    fn on_wrte(&self, remote: u32, local: u32, data: Vec<u8>) -> bool {
        let Some(s) = self.find(local, remote) else {
            return true;
        };
        if data.is_empty() {
            self.write_packet(A_OKAY, s.local, s.remote, &[]);
            return true;
        }
        let mut inner = lock(&s.inner);
        if inner.closed {
            return true;
        }
        inner.inbound_bytes += data.len();
        let total = self.buffered.fetch_add(data.len(), Ordering::SeqCst) + data.len();
        // The host must wait for our OKAY before its next WRTE; a peer that keeps sending
        // would make us buffer without bound.
        if inner.inbound_bytes > 2 * s.cap.max(HEADER_LEN) + 64 * 1024
            || total > self.shared.limits.max_buffered_per_connection
        {
            return false;
        }
        inner.inbound.push_back(data);
        drop(inner);
        s.cv.notify_all();
        true
    }

    /// The host closed a stream. adbd answers with its own `CLSE(local, remote)`:
    /// `handle_packet` (adb.cpp, `A_CLSE`) calls the local socket's `close`, and
    /// `local_socket_close` (sockets.cpp) calls the peer's `shutdown` first — for the remote
    /// socket that stands for the host's end that is `remote_socket_shutdown`, which sends
    /// `A_CLSE` with the local id as arg0 and the host's id as arg1 ("so remote sockets can still
    /// get the id of the local socket they're connected to, to send a CLOSE()"). A stream we
    /// already closed ourselves (our CLSE crossed the host's) gets no second CLSE, as the
    /// socket is gone by then in adbd.
    fn on_clse(&self, remote: u32, local: u32) -> bool {
        let Some(s) = self.find(local, remote) else {
            return true;
        };
        lock(&self.state).streams.remove(&local);
        // Data the host sent before closing stays readable; the service releases it.
        let mut inner = lock(&s.inner);
        if !inner.closed {
            inner.closed = true;
            // Under the stream lock, so no WRTE of this stream can follow the CLSE.
            self.write_packet(A_CLSE, s.local, s.remote, &[]);
        }
        drop(inner);
        s.cv.notify_all();
        true
    }
}

impl Stream for AdbdStream {
    fn send(&self, mut data: &[u8]) -> bool {
        let s = &self.s;
        while !data.is_empty() {
            let mut inner = lock(&s.inner);
            while !inner.closed && inner.out.len() >= s.cap {
                inner = s.cv.wait(inner).unwrap_or_else(|e| e.into_inner());
            }
            if inner.closed {
                return false;
            }
            let n = (s.cap - inner.out.len()).min(data.len());
            inner.out.extend_from_slice(&data[..n]);
            data = &data[n..];
            if !inner.in_flight {
                inner.in_flight = true;
                let out = std::mem::take(&mut inner.out);
                if !self.conn.write_packet(A_WRTE, s.local, s.remote, &out) {
                    return false;
                }
            }
        }
        true
    }

    fn recv(&self, timeout: Option<Duration>) -> Recv {
        let s = &self.s;
        let mut inner = lock(&s.inner);
        loop {
            if let Some(d) = inner.inbound.pop_front() {
                inner.inbound_bytes -= d.len();
                self.conn.buffered.fetch_sub(d.len(), Ordering::SeqCst);
                let closed = inner.closed;
                drop(inner);
                if !closed {
                    self.conn.write_packet(A_OKAY, s.local, s.remote, &[]);
                }
                return Recv::Data(d);
            }
            if inner.closed {
                return Recv::Closed;
            }
            match timeout {
                None => inner = s.cv.wait(inner).unwrap_or_else(|e| e.into_inner()),
                Some(t) => {
                    let (g, res) =
                        s.cv.wait_timeout(inner, t)
                            .unwrap_or_else(|e| e.into_inner());
                    inner = g;
                    if res.timed_out() && inner.inbound.is_empty() && !inner.closed {
                        return Recv::TimedOut;
                    }
                }
            }
        }
    }

    fn is_closed(&self) -> bool {
        lock(&self.s.inner).closed
    }

    fn close(&self) {
        let s = &self.s;
        let mut inner = lock(&s.inner);
        // Let buffered output go first (it leaves on the host's next OKAY).
        while !inner.closed && !inner.out.is_empty() {
            inner = s.cv.wait(inner).unwrap_or_else(|e| e.into_inner());
        }
        if !inner.closed {
            inner.closed = true;
            // Under the stream lock, so no WRTE of this stream can follow the CLSE.
            self.conn.write_packet(A_CLSE, s.local, s.remote, &[]);
        }
        self.conn.release(&mut inner);
        drop(inner);
        s.cv.notify_all();
        let mut st = lock(&self.conn.state);
        if st.streams.get(&s.local).is_some_and(|x| Arc::ptr_eq(x, s)) {
            st.streams.remove(&s.local);
        }
    }
}
