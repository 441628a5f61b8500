//! Public entry point: start a simulated handset on loopback.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # fn demo(handler: Arc<dyn prior_sim::DeviceHandler>) -> Result<(), prior_sim::server::SimError> {
//! use prior_sim::server::{SimOptions, SimServer};
//! let sim = SimServer::start(handler, SimOptions { smart_socket: true, ..SimOptions::default() })?;
//! println!("adb connect {}", sim.adbd_addr());          // Debian's adb talks to this
//! println!("smart socket {:?}", sim.smart_socket_addr()); // adb_client talks to this
//! drop(sim); // stops listening and closes every connection
//! # Ok(()) }
//! ```
//!
//! Threads: one acceptor per listener, one reader per connection, one per open stream.
//! Dropping the [`SimServer`] stops the acceptors, shuts every connection down and waits (up
//! to two seconds) for their threads; a handler still busy inside `shell` learns of it
//! through `ShellIo::is_closed` / failing writes.

use crate::DeviceHandler;
use crate::adbd::smart::{self, DeviceEntry};
use crate::adbd::transport::{self, Shared};
use crate::adbd::{AuthPolicy, Limits, Stats};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The address is not on the loopback interface.
    #[error(
        "listen on {0}: the simulator listens on loopback only (it has no real authentication)"
    )]
    NotLoopback(SocketAddr),
    /// `bind` failed.
    #[error("listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// A thread could not be started.
    #[error("start the simulator's {what} thread: {source}")]
    Thread {
        /// Which thread.
        what: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
}

/// How to start a [`SimServer`].
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Where adbd listens; port 0 picks a free port. Default `127.0.0.1:0`.
    pub listen: SocketAddr,
    /// Also serve an adb-server smart socket (for clients with no `adb` binary).
    pub smart_socket: bool,
    /// Where the smart socket listens when enabled; default `127.0.0.1:0`.
    pub smart_socket_listen: SocketAddr,
    /// The serial the smart socket reports; default `127.0.0.1:<adbd port>`, the serial
    /// `adb connect` gives the same device.
    pub serial: Option<String>,
    /// Authentication on the adbd port (the smart socket has none, like a local adb server).
    pub auth: AuthPolicy,
    /// Resource limits.
    pub limits: Limits,
}

impl Default for SimOptions {
    fn default() -> Self {
        let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        Self {
            listen: loopback,
            smart_socket: false,
            smart_socket_listen: loopback,
            serial: None,
            auth: AuthPolicy::Skip,
            limits: Limits::default(),
        }
    }
}

/// A running simulated handset. Stops on drop.
pub struct SimServer {
    shared: Arc<Shared>,
    adbd_addr: SocketAddr,
    smart_addr: Option<SocketAddr>,
    serial: String,
    acceptors: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for SimServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimServer")
            .field("adbd_addr", &self.adbd_addr)
            .field("smart_addr", &self.smart_addr)
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

fn bind(addr: SocketAddr) -> Result<TcpListener, SimError> {
    if !addr.ip().is_loopback() {
        return Err(SimError::NotLoopback(addr));
    }
    TcpListener::bind(addr).map_err(|source| SimError::Bind { addr, source })
}

fn spawn_acceptor(
    what: &'static str,
    listener: TcpListener,
    shared: Arc<Shared>,
    serve: impl Fn(Arc<Shared>, TcpStream) + Send + Sync + 'static,
) -> Result<JoinHandle<()>, SimError> {
    let serve = Arc::new(serve);
    std::thread::Builder::new()
        .name(format!("sim-{what}-accept"))
        .spawn(move || {
            for conn in listener.incoming() {
                if shared.shutdown.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else {
                    // EMFILE and friends: back off instead of spinning.
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                };
                let shared = Arc::clone(&shared);
                let serve = Arc::clone(&serve);
                let _ = std::thread::Builder::new()
                    .name(format!("sim-{what}-conn"))
                    .spawn(move || serve(shared, conn));
            }
        })
        .map_err(|source| SimError::Thread { what, source })
}

impl SimServer {
    /// Binds the listeners and starts serving `handler`.
    pub fn start(handler: Arc<dyn DeviceHandler>, options: SimOptions) -> Result<Self, SimError> {
        let adbd = bind(options.listen)?;
        let adbd_addr = adbd.local_addr().map_err(|source| SimError::Bind {
            addr: options.listen,
            source,
        })?;
        let smart = if options.smart_socket {
            Some(bind(options.smart_socket_listen)?)
        } else {
            None
        };
        let smart_addr = match &smart {
            Some(l) => Some(l.local_addr().map_err(|source| SimError::Bind {
                addr: options.smart_socket_listen,
                source,
            })?),
            None => None,
        };
        let serial = options
            .serial
            .clone()
            .unwrap_or_else(|| adbd_addr.to_string());
        let shared = Arc::new(Shared::new(handler, options.auth, options.limits));

        let mut server = Self {
            shared: Arc::clone(&shared),
            adbd_addr,
            smart_addr,
            serial,
            acceptors: Vec::new(),
        };
        server.acceptors.push(spawn_acceptor(
            "adbd",
            adbd,
            Arc::clone(&shared),
            transport::serve_connection,
        )?);
        if let Some(listener) = smart {
            let device = DeviceEntry {
                serial: server.serial.clone(),
                transport_id: 1,
            };
            server.acceptors.push(spawn_acceptor(
                "smart",
                listener,
                shared,
                move |sh, conn| {
                    smart::serve_connection(sh, conn, device.clone());
                },
            )?);
        }
        Ok(server)
    }

    /// Where adbd listens (`adb connect <this>`).
    pub fn adbd_addr(&self) -> SocketAddr {
        self.adbd_addr
    }

    /// Where the smart socket listens, if enabled (`ANDROID_ADB_SERVER_PORT` for clients).
    pub fn smart_socket_addr(&self) -> Option<SocketAddr> {
        self.smart_addr
    }

    /// The device's serial as the smart socket reports it (and as `adb connect` names it).
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// Live counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Stops now (same as dropping).
    pub fn shutdown(self) {}
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.shared.shutdown_all();
        // Wake the acceptors blocked in accept().
        for addr in [Some(self.adbd_addr), self.smart_addr]
            .into_iter()
            .flatten()
        {
            let _ = TcpStream::connect_timeout(&addr, Duration::from_millis(500));
        }
        for handle in self.acceptors.drain(..) {
            let _ = handle.join();
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.shared.connections.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            self.shared.shutdown_all();
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}
