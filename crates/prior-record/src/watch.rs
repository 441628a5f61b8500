//! The logcat sink: writes the stream to `raw/logcat.txt` exactly as received, and watches it
//! for Prior's own markers and for the app crashing, so the recorder can wait for a marker
//! (proof that the stream is live) and notice a crash without re-reading the file.

use prior_parse::logcat::{self, events::AmEvent};
use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// What the watcher has seen so far.
#[derive(Debug, Default)]
pub struct Seen {
    /// `prior` marker messages → their device time (µs).
    pub markers: HashMap<String, i64>,
    /// The first crash of the watched package: a one-line description.
    pub crash: Option<String>,
    /// The app's uid, from its process start.
    pub app_uid: Option<u32>,
    /// Bytes written so far.
    pub bytes: u64,
    /// A write to the raw file failed.
    pub write_error: Option<String>,
}

/// Shared state between the stream thread and the recorder.
#[derive(Debug, Default)]
pub struct Watch {
    seen: Mutex<Seen>,
    changed: Condvar,
}

impl Watch {
    /// Waits until a marker with this message has been seen; returns its device time.
    pub fn wait_marker(&self, message: &str, timeout: Duration) -> Option<i64> {
        let deadline = Instant::now() + timeout;
        let mut g = self.seen.lock().ok()?;
        loop {
            if let Some(t) = g.markers.get(message) {
                return Some(*t);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            g = self.changed.wait_timeout(g, left).ok()?.0;
        }
    }

    /// Runs `f` on what has been seen.
    pub fn with<T>(&self, f: impl FnOnce(&Seen) -> T) -> Option<T> {
        self.seen.lock().ok().map(|g| f(&g))
    }
}

/// A `Write` that appends to the raw file and feeds complete lines to the watcher.
pub struct LogcatSink {
    file: fs_err::File,
    watch: Arc<Watch>,
    package: String,
    partial: Vec<u8>,
}

impl LogcatSink {
    /// A sink for `package` writing to `file`.
    pub fn new(file: fs_err::File, watch: Arc<Watch>, package: &str) -> Self {
        LogcatSink {
            file,
            watch,
            package: package.to_string(),
            partial: Vec::new(),
        }
    }

    fn line(&self, line: &[u8], seen: &mut Seen) {
        // Cheap prefilter: only lines that can matter are parsed.
        let interesting = memfind(line, b" prior")
            || memfind(line, b"FATAL EXCEPTION")
            || memfind(line, b"Process: ")
            || memfind(line, b"am_crash")
            || memfind(line, b"am_proc_start")
            || memfind(line, b"Start proc");
        if !interesting {
            return;
        }
        let Some(l) = logcat::parse_line(line) else {
            return;
        };
        let tag = l.tag_lossy();
        if tag == "prior" {
            if let Some(t) = l.epoch_us(1970, 0) {
                seen.markers
                    .entry(l.message_lossy().trim_end().to_string())
                    .or_insert(t);
            }
            return;
        }
        match logcat::events::decode_line(&l) {
            Some(AmEvent::ProcStart(p))
                if p.process == self.package
                    || p.process.starts_with(&format!("{}:", self.package)) =>
            {
                seen.app_uid.get_or_insert(p.uid);
            }
            Some(AmEvent::Crash(c)) if seen.crash.is_none() && c.process == self.package => {
                seen.crash = Some(format!("the app crashed: {}", l.message_lossy().trim_end()));
            }
            Some(AmEvent::CrashProcess(c)) if seen.crash.is_none() && c.process == self.package => {
                seen.crash = Some(format!(
                    "the app crashed (FATAL EXCEPTION in {}, pid {})",
                    c.process, c.pid
                ));
            }
            _ => {}
        }
    }
}

fn memfind(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

impl Write for LogcatSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let res = self.file.write_all(buf);
        let watch = Arc::clone(&self.watch);
        let Ok(mut seen) = watch.seen.lock() else {
            return Ok(buf.len());
        };
        if let Err(e) = &res {
            seen.write_error.get_or_insert_with(|| e.to_string());
        }
        seen.bytes += buf.len() as u64;
        self.partial.extend_from_slice(buf);
        let mut start = 0;
        while let Some(i) = memchr::memchr(b'\n', &self.partial[start..]) {
            let end = start + i;
            let line = self.partial[start..end].to_vec();
            self.line(&line, &mut seen);
            start = end + 1;
        }
        self.partial.drain(..start);
        if self.partial.len() > prior_parse::MAX_LINE {
            self.partial.clear();
        }
        // The device layer may hold back a stream's last newline (it could precede its exit
        // marker), and logcat writes whole lines: look at the unfinished tail now. Everything
        // `line` records is idempotent, so seeing the line again later is harmless.
        if !self.partial.is_empty() {
            let tail = self.partial.clone();
            self.line(&tail, &mut seen);
        }
        drop(seen);
        watch.changed.notify_all();
        res.map(|_| buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}
