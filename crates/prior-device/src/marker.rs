//! Exit-status markers: adb_client 3.2.3 never returns the shell-v2 exit code (it returns
//! `Ok(None)` when the stream closes after the exit packet), and shell v1 has none at all.
//!
//! Every command runs as
//!
//! ```sh
//! sh -c '<echo "TOKEN:pid:$$">; <command>'; r=$?; echo "TOKEN:rc:$r"
//! ```
//!
//! where TOKEN is `__prior_` + 16 random hex digits, new for every call, so app output cannot
//! forge it. The inner shell prints its pid first (so a stuck or streaming command can be
//! killed over a second connection), and the outer shell prints the exit status last —
//! directly after the output, with no separating newline, so the filter never holds output
//! back to learn whether a newline was the command's or the wrapper's (a quiet stream's last
//! line is delivered at once). [`MarkerFilter`] strips both markers from stdout (the rc
//! marker is found wherever it starts, even mid-line); a stream that ends without it was cut
//! off (device, adbd or adb server gone).

use crate::DeviceError;
use crate::quote::{Cmd, quote};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// 16 random hex digits (from the OS, through getrandom; falling back to the std hasher's
/// random keys should the OS have none to give).
pub(crate) fn random_hex() -> String {
    let mut buf = [0u8; 8];
    if getrandom::fill(&mut buf).is_ok() {
        return hex::encode(buf);
    }
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
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
    Ok(format!(
        "sh -c {}; r=$?; echo \"{token}:rc:$r\"",
        quote(&inner)?
    ))
}

/// Strips the pid line and the exit marker from a stdout byte stream.
pub(crate) struct MarkerFilter {
    pid_prefix: Vec<u8>,
    rc_prefix: Vec<u8>,
    /// Bytes not yet passed on: before the pid line, the start of the stream; after it, at
    /// most a tail that may be the beginning of the rc marker.
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

    fn marker_value(prefix: &[u8], line: &[u8]) -> Option<i64> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let rest = line.strip_prefix(prefix)?;
        if rest.is_empty() || rest.len() > 12 || !rest.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(rest).ok()?.parse().ok()
    }

    /// Feeds bytes; appends the bytes that belong to the command's output to `out`.
    pub(crate) fn feed(&mut self, data: &[u8], out: &mut Vec<u8>) {
        if self.rc.is_some() {
            self.trailing += data.len();
            return;
        }
        self.pending.extend_from_slice(data);
        if !self.seen_pid {
            let Some(nl) = self.pending.iter().position(|b| *b == b'\n') else {
                return;
            };
            self.pid = Self::marker_value(&self.pid_prefix, &self.pending[..nl])
                .and_then(|v| u32::try_from(v).ok());
            self.seen_pid = true;
            if self.pid.is_some() {
                self.pending.drain(..=nl);
            }
            // Without a pid line (should not happen) everything is output.
        }
        loop {
            let Some(i) = find(&self.pending, &self.rc_prefix) else {
                // Hold back only a tail that may be the start of the rc marker.
                let keep = (1..=self.rc_prefix.len().min(self.pending.len()))
                    .rev()
                    .find(|k| self.pending.ends_with(&self.rc_prefix[..*k]))
                    .unwrap_or(0);
                let emit = self.pending.len() - keep;
                out.extend(self.pending.drain(..emit));
                return;
            };
            out.extend(self.pending.drain(..i));
            // pending = "TOKEN:rc:<digits>[\r]\n…", or the first part of it.
            let Some(nl) = self.pending.iter().position(|b| *b == b'\n') else {
                return;
            };
            match Self::marker_value(&self.rc_prefix, &self.pending[..nl]) {
                Some(v) => {
                    self.rc = Some(i32::try_from(v).unwrap_or(i32::MAX));
                    self.trailing = self.pending.len() - nl - 1;
                    self.pending.clear();
                    return;
                }
                // Not a well-formed marker: that line is output after all.
                None => out.extend(self.pending.drain(..=nl)),
            }
        }
    }

    /// At end of stream: output still held back (a stream cut off mid-way).
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>) {
        if self.rc.is_none() {
            out.append(&mut self.pending);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_hex_is_16_hex_digits_and_does_not_repeat() {
        let all: std::collections::BTreeSet<String> = (0..200).map(|_| random_hex()).collect();
        assert_eq!(all.len(), 200);
        for h in &all {
            assert!(
                h.len() == 16
                    && h.bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                "{h}"
            );
        }
    }

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
        v.extend_from_slice(format!("{token}:rc:{rc}\n").as_bytes());
        v
    }

    #[test]
    fn strips_markers_at_every_split() {
        let t = "__prior_0123456789abcdef";
        for output in [
            &b""[..],
            b"abc",
            b"abc\n",
            b"a\n\nb\n\n",
            b"\n",
            b"\n\n",
            b"bin\x00\xff\n\r\n",
            b"__prior_x:rc:1\n",
            b"__prior_0123456789abcdef:rc:\n",
            b"__prior_0123456789abcde",
            b"__prior_0123456789abcdef:pid:1\n",
        ] {
            let bytes = full(t, output, 3);
            for split in 0..=bytes.len() {
                let (o, pid, rc) = run(t, &[&bytes[..split], &bytes[split..]]);
                assert_eq!(
                    (o.as_slice(), pid, rc),
                    (output, Some(4242), Some(3)),
                    "output {output:?} split {split}"
                );
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
        assert_eq!(
            (o.as_slice(), pid, rc),
            (&b"line1\nline2\npart"[..], Some(7), None)
        );
        // a marker with another token is output
        let (o, _, rc) = run(t, &[b"__prior_00:pid:7\n\n__prior_11:rc:0\n"]);
        assert_eq!((o.as_slice(), rc), (&b"\n__prior_11:rc:0\n"[..], None));
        // a malformed marker is output
        let (o, _, rc) = run(t, &[b"__prior_00:pid:7\n__prior_00:rc:x\n"]);
        assert_eq!((o.as_slice(), rc), (&b"__prior_00:rc:x\n"[..], None));
    }

    #[test]
    fn output_is_released_promptly() {
        let t = "__prior_00";
        let mut f = MarkerFilter::new(t);
        let mut out = Vec::new();
        f.feed(b"__prior_00:pid:1\nline one\nline two\n", &mut out);
        // Everything is out at once, the last newline too (a quiet stream's last line).
        assert_eq!(out, b"line one\nline two\n");
        // Only a possible start of the marker is held.
        f.feed(b"x __pri", &mut out);
        assert_eq!(out, b"line one\nline two\nx ");
        f.feed(b"nt\n", &mut out);
        assert_eq!(out, b"line one\nline two\nx __print\n");
        f.feed(b"__prior_00:rc:0\n", &mut out);
        assert_eq!(f.rc(), Some(0));
        assert_eq!(out, b"line one\nline two\nx __print\n");
    }

    #[test]
    fn crlf_markers_from_a_pty_are_recognised() {
        let (o, pid, rc) = run(
            "__prior_00",
            &[b"__prior_00:pid:9\r\nhi\r\n__prior_00:rc:0\r\n"],
        );
        assert_eq!((o.as_slice(), pid, rc), (&b"hi\r\n"[..], Some(9), Some(0)));
    }

    #[test]
    fn wrapper_runs_in_a_posix_shell() {
        let t = new_token();
        for (cmd, want_out, want_rc) in [
            (
                Cmd::new("printf")
                    .raw("'%s'")
                    .arg("a'b")
                    .unwrap()
                    .then(Cmd::new("exit").int(5)),
                &b"a'b"[..],
                5,
            ),
            (Cmd::new("echo").raw("hi"), b"hi\n", 0),
            (Cmd::new("true"), b"", 0),
        ] {
            let line = wrap(&cmd, &t, Wrap::Plain).unwrap();
            let out = std::process::Command::new("/bin/sh")
                .arg("-c")
                .arg(&line)
                .output()
                .unwrap();
            let (o, pid, rc) = run(&t, &[&out.stdout]);
            assert_eq!(o, want_out);
            assert!(pid.is_some());
            assert_eq!(
                rc,
                Some(want_rc),
                "`exit` inside the command must not skip the marker"
            );
        }
        assert!(t.len() == 24 && new_token() != t);
    }
}
