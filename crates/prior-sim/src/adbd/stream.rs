//! One byte stream between a host client and a device service, whatever carries it.
//!
//! Two carriers implement [`Stream`]: an adbd stream multiplexed over a transport connection
//! (OPEN/OKAY/WRTE/CLSE, see `transport.rs`) and a raw TCP socket after a smart-socket
//! transport switch (see `smart.rs`). The services (`services.rs`, `sync.rs`) are written once
//! against this trait.

use std::time::{Duration, Instant};

/// What [`Stream::recv`] got.
#[derive(Debug, PartialEq, Eq)]
pub enum Recv {
    /// Bytes from the host (never empty).
    Data(Vec<u8>),
    /// The host closed the stream (or the connection died); nothing more will come.
    Closed,
    /// Nothing arrived within the timeout.
    TimedOut,
}

/// A bidirectional stream with flow control.
pub trait Stream: Send + Sync {
    /// Sends bytes to the host. Blocks while the host is not reading (one WRTE in flight and
    /// the local buffer full); returns `false` once the stream is closed.
    fn send(&self, data: &[u8]) -> bool;
    /// Waits for the next bytes from the host; `None` waits without limit.
    fn recv(&self, timeout: Option<Duration>) -> Recv;
    /// Whether the host closed the stream (or the connection is gone).
    fn is_closed(&self) -> bool;
    /// Ends the stream from the device side once everything sent so far is on its way.
    fn close(&self);
}

/// Byte-exact reads over a [`Stream`]'s chunks.
pub struct StreamReader<'a> {
    stream: &'a dyn Stream,
    buf: Vec<u8>,
    pos: usize,
    closed: bool,
}

impl<'a> StreamReader<'a> {
    /// Wraps a stream.
    pub fn new(stream: &'a dyn Stream) -> Self {
        Self {
            stream,
            buf: Vec::new(),
            pos: 0,
            closed: false,
        }
    }

    /// The underlying stream.
    pub fn stream(&self) -> &'a dyn Stream {
        self.stream
    }

    /// Bytes buffered and not yet consumed.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// Marks `n` buffered bytes as consumed.
    pub fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
    }

    /// Pulls one more chunk into the buffer. Returns `false` on close or timeout
    /// (see [`StreamReader::is_closed`]).
    pub fn fill(&mut self, timeout: Option<Duration>) -> bool {
        if self.closed {
            return false;
        }
        match self.stream.recv(timeout) {
            Recv::Data(d) => {
                if self.pos > 0 {
                    self.buf.drain(..self.pos);
                    self.pos = 0;
                }
                if self.buf.is_empty() {
                    self.buf = d;
                } else {
                    self.buf.extend_from_slice(&d);
                }
                true
            }
            Recv::Closed => {
                self.closed = true;
                false
            }
            Recv::TimedOut => false,
        }
    }

    /// Whether the host closed the stream (after all buffered bytes).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Reads exactly `n` bytes; `None` if the stream closed first.
    pub fn read_exact(&mut self, n: usize) -> Option<Vec<u8>> {
        while self.buffered().len() < n {
            if !self.fill(None) {
                return None;
            }
        }
        let out = self.buffered()[..n].to_vec();
        self.consume(n);
        Some(out)
    }

    /// Reads and discards exactly `n` bytes, in chunks; `false` if the stream closed first.
    pub fn skip_exact(&mut self, mut n: usize) -> bool {
        loop {
            let take = n.min(self.buffered().len());
            self.consume(take);
            n -= take;
            if n == 0 {
                return true;
            }
            if !self.fill(None) {
                return false;
            }
        }
    }

    /// Reads exactly `n` bytes into `out` (appending); `false` if the stream closed first.
    pub fn read_into(&mut self, out: &mut Vec<u8>, mut n: usize) -> bool {
        loop {
            let take = n.min(self.buffered().len());
            out.extend_from_slice(&self.buffered()[..take]);
            self.consume(take);
            n -= take;
            if n == 0 {
                return true;
            }
            if !self.fill(None) {
                return false;
            }
        }
    }

    /// Waits until at least `n` bytes are buffered or `deadline` passes; `false` on close or
    /// timeout.
    pub fn wait_for(&mut self, n: usize, deadline: Option<Instant>) -> bool {
        while self.buffered().len() < n {
            let timeout = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return false;
                    }
                    Some(left)
                }
                None => None,
            };
            if !self.fill(timeout) {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! An in-memory [`Stream`] for unit tests of the services.
    use super::*;
    use std::collections::VecDeque;
    use std::sync::{Condvar, Mutex};

    #[derive(Default)]
    struct State {
        inbound: VecDeque<Vec<u8>>,
        /// After `inbound`, `recv` reports `Closed`.
        inbound_done: bool,
        out: Vec<u8>,
        device_closed: bool,
    }

    /// Host side scripted in advance; device output collected.
    #[derive(Default)]
    pub struct MemStream {
        state: Mutex<State>,
        cv: Condvar,
    }

    impl MemStream {
        /// A stream whose host sends `chunks` and then, if `then_eof`, nothing more (`recv`
        /// reports `Closed`; device output is still collected).
        pub fn new(chunks: &[&[u8]], then_eof: bool) -> Self {
            let s = Self::default();
            {
                let mut st = s.state.lock().unwrap();
                st.inbound = chunks.iter().map(|c| c.to_vec()).collect();
                st.inbound_done = then_eof;
            }
            s
        }
        /// Everything the device sent.
        pub fn output(&self) -> Vec<u8> {
            self.state.lock().unwrap().out.clone()
        }
        /// Whether the device closed the stream.
        pub fn device_closed(&self) -> bool {
            self.state.lock().unwrap().device_closed
        }
    }

    impl Stream for MemStream {
        fn send(&self, data: &[u8]) -> bool {
            self.state.lock().unwrap().out.extend_from_slice(data);
            true
        }
        fn recv(&self, timeout: Option<Duration>) -> Recv {
            let mut st = self.state.lock().unwrap();
            loop {
                if let Some(d) = st.inbound.pop_front() {
                    return Recv::Data(d);
                }
                if st.inbound_done {
                    return Recv::Closed;
                }
                match timeout {
                    Some(t) => {
                        let (g, r) = self.cv.wait_timeout(st, t).unwrap();
                        st = g;
                        if r.timed_out() && st.inbound.is_empty() && !st.inbound_done {
                            return Recv::TimedOut;
                        }
                    }
                    None => st = self.cv.wait(st).unwrap(),
                }
            }
        }
        fn is_closed(&self) -> bool {
            false // the scripted host never closes the stream itself
        }
        fn close(&self) {
            self.state.lock().unwrap().device_closed = true;
        }
    }

    #[test]
    fn reader_reassembles_across_chunks() {
        let s = MemStream::new(&[b"ab", b"cdef", b"g"], true);
        let mut r = StreamReader::new(&s);
        assert_eq!(r.read_exact(3).unwrap(), b"abc");
        assert!(r.skip_exact(2));
        let mut v = Vec::new();
        assert!(r.read_into(&mut v, 1));
        assert_eq!(v, b"f");
        assert_eq!(r.read_exact(1).unwrap(), b"g");
        assert!(r.read_exact(1).is_none());
        assert!(r.is_closed());
    }
}
