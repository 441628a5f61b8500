//! Exit-status markers: adb_client 3.2.3 never returns the shell-v2 exit code (it returns
//! `Ok(None)` when the stream closes after the exit packet), and shell v1 has none at all.
//!
//! Every command runs as
//!
//! ```sh
//! sh -c '<echo "TOKEN:pid:$$">; <command>'; r=$?; echo; echo "TOKEN:rc:$r"
//! ```
//!
//! where TOKEN is `__prior_` + 16 random hex digits, new for every call, so app output cannot
//! forge it. The inner shell prints its pid first (so a stuck or streaming command can be
//! killed over a second connection), and the outer shell prints the exit status last.
//! [`MarkerFilter`] strips both lines from stdout; a stream that ends without the rc line was
//! cut off (device, adbd or adb server gone).

use crate::quote::{Cmd, quote};
use crate::DeviceError;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// 16 random hex digits (from `/dev/urandom`; falling back to the std hasher's random keys).
pub(crate) fn random_hex() -> String {
    let mut buf = [0u8; 8];
    let ok = std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut buf)).is_ok();
    if ok {
        return hex::encode(buf);
    }
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    format!("{:016x}", h.finish())
}

/// A fresh token for one call.
pub(crate) fn new_token() -> String {
    format!("__prior_{}", random_hex())
}

/// How the command is placed inside the wrapper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wrap {
    /// `sh -c 'echo pid; CMD'`: any command line.
    Plain,
    /// `sh -c 'echo pid; exec CMD'`: the pid is the command's own (for streams).
    Exec,
}

/// The full command line sent to the device.
pub(crate) fn wrap(cmd: &Cmd, token: &str, how: Wrap) -> Result<String, DeviceError> {
    let exec = match how {
        Wrap::Plain => "",
        Wrap::Exec => "exec ",
    };
    let inner = format!("echo \"{token}:pid:$$\"; {exec}{}", cmd.as_str());
    Ok(format!("sh -c {}; r=$?; echo; echo \"{token}:rc:$r\"", quote(&inner)?))
}

/// Strips the pid line and the exit marker from a stdout byte stream.
pub(crate) struct MarkerFilter {
    pid_prefix: Vec<u8>,
    rc_prefix: Vec<u8>,
    /// Bytes not yet passed on (always starts at a line start once the pid line is seen).
    pending: Vec<u8>,
    seen_pid: bool,
    pid: Option<u32>,
    rc: Option<i32>,
    /// Bytes that arrived after the rc marker (should be none).
    pub(crate) trailing: usize,
}

impl MarkerFilter {
    pub(crate) fn new(token: &str) -> MarkerFilter {
        MarkerFilter {
            pid_prefix: format!("{token}:pid:").into_bytes(),
            rc_prefix: format!("{token}:rc:").into_bytes(),
            pending: Vec::new(),
            seen_pid: false,
            pid: None,
            rc: None,
            trailing: 0,
        }
    }

    /// The remote pid, once its line arrived.
    pub(crate) fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// The exit status, once the marker arrived.
    pub(crate) fn rc(&self) -> Option<i32> {
        self.rc
    }

    fn marker_value(&self, prefix: &[u8], line: &[u8]) -> Option<i64> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let rest = line.strip_prefix(prefix)?;
        if rest.is_empty() || rest.len() > 12 || !rest.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(rest).ok()?.parse().ok()
    }

    /// Could `partial` (an unfinished line) still become an rc marker line?
    fn could_be_rc(&self, partial: &[u8]) -> bool {
        if partial.len() <= self.rc_prefix.len() {
            self.rc_prefix.starts_with(partial)
        } else {
            partial.starts_with(&self.rc_prefix)
                && partial[self.rc_prefix.len()..].iter().all(|b| b.is_ascii_digit() || *b == b'\r')
        }
    }

    /// Feeds bytes; returns the bytes that belong to the command's output.
    pub(crate) fn feed(&mut self, data: &[u8], out: &mut Vec<u8>) {
        if self.rc.is_some() {
            self.trailing += data.len();
            return;
        }
        self.pending.extend_from_slice(data);
        if !self.seen_pid {
            let Some(nl) = self.pending.iter().position(|b| *b == b'\n') else { return };
            let line: Vec<u8> = self.pending[..nl].to_vec();
            self.pid = self.marker_value(&self.pid_prefix, &line).and_then(|v| u32::try_from(v).ok());
            self.seen_pid = true;
            if self.pid.is_some() {
                self.pending.drain(..=nl);
            }
            // Without a pid line (should not happen) everything is output.
        }
        loop {
            let Some(nl) = self.pending.iter().position(|b| *b == b'\n') else {
                // An unfinished line at a line start (right after a newline already passed
                // on, or after the pid line). Pass it on unless it may be the start of the rc
                // marker line.
                if !self.pending.is_empty() && !self.could_be_rc(&self.pending) {
                    out.append(&mut self.pending);
                }
                return;
            };
            // Text before the newline is output: the marker line only ever follows a newline
            // that has not been passed on.
            if nl > 0 && !self.could_be_rc(&self.pending[..nl]) {
                out.extend(self.pending.drain(..nl));
                continue;
            }
            let rest = &self.pending[nl + 1..];
            if nl == 0 {
                if rest.is_empty() {
                    return; // the newline may be the separator before the marker
                }
                match rest.iter().position(|b| *b == b'\n') {
                    Some(end) => {
                        if let Some(v) = self.marker_value(&self.rc_prefix, &rest[..end]) {
                            self.rc = Some(i32::try_from(v).unwrap_or(i32::MAX));
                            self.trailing = rest.len() - end - 1;
                            self.pending.clear();
                            return;
                        }
                    }
                    None => {
                        if self.could_be_rc(rest) {
                            return;
                        }
                    }
                }
            }
            // The newline (and any text before it) is output.
            out.extend(self.pending.drain(..=nl));
        }
    }

    /// At end of stream: output still held back (a stream cut off mid-way).
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>) {
        if self.rc.is_none() {
            out.append(&mut self.pending);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(token: &str, chunks: &[&[u8]]) -> (Vec<u8>, Option<u32>, Option<i32>) {
        let mut f = MarkerFilter::new(token);
        let mut out = Vec::new();
        for c in chunks {
            f.feed(c, &mut out);
        }
        f.finish(&mut out);
        (out, f.pid(), f.rc())
    }

    fn full(token: &str, output: &[u8], rc: i32) -> Vec<u8> {
        let mut v = format!("{token}:pid:4242\n").into_bytes();
        v.extend_from_slice(output);
        v.extend_from_slice(format!("\n{token}:rc:{rc}\n").as_bytes());
        v
    }

    #[test]
    fn strips_markers_at_every_split() {
        let t = "__prior_0123456789abcdef";
        for output in [&b""[..], b"abc", b"abc\n", b"a\n\nb\n\n", b"\n", b"\n\n", b"bin\x00\xff\n\r\n", b"__prior_x:rc:1\n", b"__prior_0123456789abcdef:rc:\n"] {
            let bytes = full(t, output, 3);
            // every split point, and byte by byte
            for split in 0..=bytes.len() {
                let (o, pid, rc) = run(t, &[&bytes[..split], &bytes[split..]]);
                assert_eq!((o.as_slice(), pid, rc), (output, Some(4242), Some(3)), "output {output:?} split {split}");
            }
            let singles: Vec<&[u8]> = bytes.chunks(1).collect();
            let (o, _, rc) = run(t, &singles);
            assert_eq!((o.as_slice(), rc), (output, Some(3)));
        }
    }

    #[test]
    fn cut_off_stream_keeps_output_and_has_no_rc() {
        let t = "__prior_00";
        let (o, pid, rc) = run(t, &[b"__prior_00:pid:7\nline1\nline2\npart"]);
        assert_eq!((o.as_slice(), pid, rc), (&b"line1\nline2\npart"[..], Some(7), None));
        // a forged marker with another token is output
        let (o, _, rc) = run(t, &[b"__prior_00:pid:7\n\n__prior_11:rc:0\n"]);
        assert_eq!((o.as_slice(), rc), (&b"\n__prior_11:rc:0\n"[..], None));
    }

    #[test]
    fn output_is_released_promptly() {
        let t = "__prior_00";
        let mut f = MarkerFilter::new(t);
        let mut out = Vec::new();
        f.feed(b"__prior_00:pid:1\nline one\nline two\n", &mut out);
        // Everything but the last newline is out at once.
        assert_eq!(out, b"line one\nline two");
        // A following line releases the held newline.
        f.feed(b"\n", &mut out);
        assert_eq!(out, b"line one\nline two\n");
        f.feed(b"x", &mut out);
        assert_eq!(out, b"line one\nline two\n\nx");
    }

    #[test]
    fn crlf_markers_from_a_pty_are_recognised() {
        let (o, pid, rc) = run("__prior_00", &[b"__prior_00:pid:9\r\nhi\r\n\r\n__prior_00:rc:0\r\n"]);
        assert_eq!((o.as_slice(), pid, rc), (&b"hi\r\n\r"[..], Some(9), Some(0)));
    }

    #[test]
    fn wrapper_runs_in_a_posix_shell() {
        let t = new_token();
        let cmd = Cmd::new("printf").raw("'%s'").arg("a'b").unwrap().then(Cmd::new("exit").int(5));
        let line = wrap(&cmd, &t, Wrap::Plain).unwrap();
        let out = std::process::Command::new("/bin/sh").arg("-c").arg(&line).output().unwrap();
        let (o, pid, rc) = run(&t, &[&out.stdout]);
        assert_eq!(o, b"a'b");
        assert!(pid.is_some());
        assert_eq!(rc, Some(5), "`exit` inside the command must not skip the marker");
        assert!(t.len() == 24 && new_token() != t);
    }
}
