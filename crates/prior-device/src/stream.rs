//! Long-running shell commands (logcat) on a dedicated thread, with a way to stop them.
//!
//! adb_client has no cancellation and its server transport has no read timeout, so a stream
//! is stopped from the *device* side: the command is `exec`ed after printing its pid, and
//! [`StreamHandle::stop`] runs `kill PID` over a second connection (then `kill -9`). If even
//! that does not end the stream (device hung, server wedged), the thread is given up and the
//! stream reported as [`StreamEnd::Abandoned`].

use crate::device::Device;
use crate::error::DeviceError;
use crate::marker::MarkerFilter;
use adb_client::ADBDeviceExt;
use adb_client::server_device::ADBServerDevice;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long [`Device::shell_stream`] waits for the remote pid.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// Most stderr bytes a stream keeps.
const MAX_STDERR: usize = 64 << 10;

/// How a stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEnd {
    /// The command ended by itself with this exit status.
    Exited(i32),
    /// The command ended after [`StreamHandle::stop`] (its exit status, if it was reported).
    Stopped(Option<i32>),
    /// The stream ended without the exit marker and without `stop`: the device, adbd or the
    /// adb server went away (the detail, if any).
    CutOff(Option<String>),
    /// Writing to the sink failed; the remote command was killed.
    SinkFailed(String),
    /// `stop` could not end the stream in time; its thread was given up.
    Abandoned,
}

/// What a finished stream reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamReport {
    /// How it ended.
    pub end: StreamEnd,
    /// Bytes of stdout delivered to the sink.
    pub bytes: u64,
    /// The first 64 KiB of stderr.
    pub stderr: Vec<u8>,
}

#[derive(Default)]
struct State {
    pid: Option<u32>,
    started: bool,
    bytes: u64,
    stderr: Vec<u8>,
    sink_error: Option<String>,
    end: Option<StreamEnd>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    stopping: AtomicBool,
}

impl Shared {
    fn update(&self, f: impl FnOnce(&mut State)) {
        if let Ok(mut s) = self.state.lock() {
            f(&mut s);
        }
        self.changed.notify_all();
    }
}

/// Filters the marker lines out and forwards stdout to the sink.
struct StdoutWriter {
    filter: MarkerFilter,
    sink: Box<dyn Write + Send>,
    shared: Arc<Shared>,
    announced: bool,
}

impl Write for StdoutWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut out = Vec::new();
        self.filter.feed(buf, &mut out);
        if !self.announced && self.filter.pid().is_some() {
            self.announced = true;
            let pid = self.filter.pid();
            self.shared.update(|s| {
                s.pid = pid;
                s.started = true;
            });
        }
        if !out.is_empty() {
            if let Err(e) = self.sink.write_all(&out) {
                let msg = e.to_string();
                self.shared.update(|s| s.sink_error = Some(msg));
                return Err(e);
            }
            let n = out.len() as u64;
            self.shared.update(|s| s.bytes += n);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.sink.flush()
    }
}

struct StderrWriter {
    shared: Arc<Shared>,
}

impl Write for StderrWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.shared.update(|s| {
            let room = MAX_STDERR.saturating_sub(s.stderr.len());
            s.stderr.extend_from_slice(&buf[..buf.len().min(room)]);
        });
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(crate) fn start_stream(
    device: Device,
    mut adb: ADBServerDevice,
    line: String,
    token: String,
    label: String,
    sink: Box<dyn Write + Send>,
) -> Result<StreamHandle, DeviceError> {
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        changed: Condvar::new(),
        stopping: AtomicBool::new(false),
    });
    let mut out = StdoutWriter {
        filter: MarkerFilter::new(&token),
        sink,
        shared: Arc::clone(&shared),
        announced: false,
    };
    let mut err = StderrWriter {
        shared: Arc::clone(&shared),
    };
    let thread_shared = Arc::clone(&shared);
    let thread_device = device.clone();
    let join = std::thread::Builder::new()
        .name(format!("adb-stream {}", device.serial()))
        .spawn(move || {
            let result = adb.shell_command(&line, Some(&mut out), Some(&mut err));
            let sink_failed = thread_shared
                .state
                .lock()
                .map(|s| s.sink_error.is_some())
                .unwrap_or(false);
            if sink_failed {
                // Nobody reads the output any more: end the remote command too.
                if let Some(pid) = out.filter.pid() {
                    thread_device.kill_tree(pid, true);
                }
            }
            let mut rest = Vec::new();
            out.filter.finish(&mut rest);
            if !rest.is_empty() && out.sink.write_all(&rest).is_ok() {
                let n = rest.len() as u64;
                thread_shared.update(|s| s.bytes += n);
            }
            let flushed = out.sink.flush();
            let rc = out.filter.rc();
            let stopping = thread_shared.stopping.load(Ordering::SeqCst);
            thread_shared.update(|s| {
                let end = if let Some(e) = s.sink_error.take() {
                    StreamEnd::SinkFailed(e)
                } else if stopping {
                    StreamEnd::Stopped(rc)
                } else if let Some(rc) = rc {
                    match flushed {
                        Ok(()) => StreamEnd::Exited(rc),
                        Err(e) => StreamEnd::SinkFailed(e.to_string()),
                    }
                } else {
                    StreamEnd::CutOff(result.err().map(|e| e.to_string()))
                };
                s.started = true;
                s.end.get_or_insert(end);
            });
        })
        .map_err(|e| DeviceError::Adb {
            op: "start a stream thread",
            serial: device.serial().to_owned(),
            message: e.to_string(),
        })?;
    let handle = StreamHandle {
        device,
        shared,
        join: Some(join),
        label,
    };
    // Wait for the pid (or an early end).
    let deadline = Instant::now() + START_TIMEOUT;
    let guard = handle.shared.state.lock().map_err(|_| handle.poisoned())?;
    let (guard, _) = handle
        .shared
        .changed
        .wait_timeout_while(
            guard,
            deadline.saturating_duration_since(Instant::now()),
            |s| !s.started,
        )
        .map_err(|_| handle.poisoned())?;
    let started = guard.started;
    drop(guard);
    if !started {
        let serial = handle.device.serial().to_owned();
        let command = handle.label.clone();
        handle.stop(Duration::from_secs(1));
        return Err(DeviceError::Timeout {
            serial,
            command,
            after: START_TIMEOUT,
        });
    }
    Ok(handle)
}

/// A running stream. Dropping it stops the command (best effort, without waiting).
pub struct StreamHandle {
    device: Device,
    shared: Arc<Shared>,
    join: Option<std::thread::JoinHandle<()>>,
    label: String,
}

impl std::fmt::Debug for StreamHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamHandle")
            .field("device", &self.device.serial())
            .field("command", &self.label)
            .field("pid", &self.pid())
            .finish()
    }
}

impl StreamHandle {
    fn poisoned(&self) -> DeviceError {
        DeviceError::Adb {
            op: "watch a stream",
            serial: self.device.serial().to_owned(),
            message: "poisoned lock".into(),
        }
    }

    /// The remote pid of the command.
    pub fn pid(&self) -> Option<u32> {
        self.shared.state.lock().ok().and_then(|s| s.pid)
    }

    /// Bytes delivered to the sink so far.
    pub fn bytes(&self) -> u64 {
        self.shared.state.lock().map_or(0, |s| s.bytes)
    }

    /// Whether the stream has ended (by itself, cut off, or stopped).
    pub fn is_finished(&self) -> bool {
        self.shared.state.lock().map_or(true, |s| s.end.is_some())
    }

    /// How it ended, if it has.
    pub fn end(&self) -> Option<StreamEnd> {
        self.shared.state.lock().ok().and_then(|s| s.end.clone())
    }

    fn wait_end(&self, limit: Option<Duration>) -> bool {
        let Ok(guard) = self.shared.state.lock() else {
            return true;
        };
        match limit {
            Some(d) => self
                .shared
                .changed
                .wait_timeout_while(guard, d, |s| s.end.is_none())
                .map(|(g, _)| g.end.is_some())
                .unwrap_or(true),
            None => self
                .shared
                .changed
                .wait_while(guard, |s| s.end.is_none())
                .map(|g| g.end.is_some())
                .unwrap_or(true),
        }
    }

    fn report(&mut self, fallback: StreamEnd) -> StreamReport {
        let ended = self.is_finished();
        if ended {
            if let Some(j) = self.join.take() {
                let _ = j.join();
            }
        } else {
            // Give the thread up; it ends by itself when its socket closes.
            self.join.take();
        }
        let (end, bytes, stderr) = match self.shared.state.lock() {
            Ok(mut s) => {
                let end = s.end.get_or_insert(fallback).clone();
                (end, s.bytes, s.stderr.clone())
            }
            Err(_) => (fallback, 0, Vec::new()),
        };
        StreamReport { end, bytes, stderr }
    }

    /// Stops the command: `kill PID` (SIGTERM) over a second connection, then `kill -9` if it
    /// has not ended within `grace`, then gives the thread up after another `grace`.
    pub fn stop(mut self, grace: Duration) -> StreamReport {
        self.stop_inner(grace)
    }

    fn stop_inner(&mut self, grace: Duration) -> StreamReport {
        self.shared.stopping.store(true, Ordering::SeqCst);
        if !self.is_finished() {
            if let Some(pid) = self.pid() {
                self.device.kill_tree(pid, false);
                if !self.wait_end(Some(grace)) {
                    self.device.kill_tree(pid, true);
                    self.wait_end(Some(grace));
                }
            } else {
                self.wait_end(Some(grace));
            }
        }
        self.report(StreamEnd::Abandoned)
    }

    /// Waits until the command ends by itself (or is cut off).
    pub fn wait(mut self) -> StreamReport {
        self.wait_end(None);
        self.report(StreamEnd::Abandoned)
    }

    /// Waits up to `limit`; returns the report if it ended, else the handle back.
    pub fn wait_timeout(mut self, limit: Duration) -> Result<StreamReport, StreamHandle> {
        if self.wait_end(Some(limit)) {
            Ok(self.report(StreamEnd::Abandoned))
        } else {
            Err(self)
        }
    }
}

impl Drop for StreamHandle {
    fn drop(&mut self) {
        if self.join.is_some() && !self.is_finished() {
            self.shared.stopping.store(true, Ordering::SeqCst);
            if let Some(pid) = self.pid() {
                self.device.kill_tree(pid, true);
            }
        }
    }
}

/// A sink that splits the stream into lines (without the `\n`) and sends each to a channel.
/// A bounded channel gives back-pressure: when the receiver falls behind, reading from the
/// device pauses, so no line is lost. `flush` (called once at the end of the stream) sends a
/// final unterminated line. A closed receiver fails the write, which stops the stream.
pub struct LineSender {
    tx: SyncSender<Vec<u8>>,
    partial: Vec<u8>,
}

impl LineSender {
    /// Lines go to `tx`.
    pub fn new(tx: SyncSender<Vec<u8>>) -> LineSender {
        LineSender {
            tx,
            partial: Vec::new(),
        }
    }
}

impl Write for LineSender {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(i) = rest.iter().position(|b| *b == b'\n') {
            self.partial.extend_from_slice(&rest[..i]);
            let line = std::mem::take(&mut self.partial);
            self.tx.send(line).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the line receiver is gone")
            })?;
            rest = &rest[i + 1..];
        }
        self.partial.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.tx.send(line).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the line receiver is gone")
            })?;
        }
        Ok(())
    }
}
