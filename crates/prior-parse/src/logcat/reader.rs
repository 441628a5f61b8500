//! Streaming a whole capture: line numbers, buffers, `long` blocks, bounded memory.

use super::line::{divider, parse_line};
use super::{Buffer, DividerKind, Layout, LogLine, Record};
use crate::MAX_LINE;
use std::io::{self, BufRead, BufReader, Read};

/// Failure while reading a capture.
#[derive(Debug, thiserror::Error)]
pub enum LogcatError {
    /// The underlying reader failed.
    #[error("read the logcat capture after line {line_no}")]
    Read {
        /// Lines read successfully before the failure.
        line_no: u64,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

/// One item of a capture, borrowing the reader (valid until the next call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRef<'a> {
    /// A log entry.
    Entry {
        /// 1-based line number of its (first) line.
        line_no: u64,
        /// Line number of its last line (differs for `long` blocks).
        last_line_no: u64,
        /// Buffer from the last divider.
        buffer: Option<Buffer>,
        /// The parsed entry; for `long` blocks the message is the joined message lines.
        line: LogLine<'a>,
        /// A line was longer than [`MAX_LINE`] (or a `long` message exceeded it) and was cut.
        truncated: bool,
    },
    /// A divider line.
    Divider {
        /// Line number.
        line_no: u64,
        /// Beginning / switch.
        kind: DividerKind,
        /// Buffer.
        buffer: Buffer,
        /// Buffer name as printed.
        name: &'a [u8],
    },
    /// A line in no recognisable layout (e.g. `raw`), at most [`MAX_LINE`] bytes, CR removed.
    Unparsed {
        /// Line number.
        line_no: u64,
        /// The bytes.
        text: &'a [u8],
        /// Whether the line was cut at [`MAX_LINE`].
        truncated: bool,
    },
}

impl RecordRef<'_> {
    /// Owned copy (lossy UTF-8 for text).
    pub fn to_record(&self) -> Record {
        match *self {
            Self::Entry {
                line_no,
                last_line_no,
                buffer,
                line,
                truncated,
            } => Record::Entry {
                line_no,
                last_line_no,
                buffer,
                layout: line.layout,
                time: line.time,
                uid: line.uid.map(|u| u.to_owned_uid()),
                pid: line.pid,
                tid: line.tid,
                priority: line.priority,
                tag: line.tag_lossy().into_owned(),
                message: line.message_lossy().into_owned(),
                truncated,
            },
            Self::Divider {
                line_no,
                buffer,
                name,
                ..
            } => Record::Divider {
                line_no,
                buffer,
                name: String::from_utf8_lossy(name).into_owned(),
            },
            Self::Unparsed {
                line_no,
                text,
                truncated,
            } => Record::Unparsed {
                line_no,
                text: String::from_utf8_lossy(text).into_owned(),
                truncated,
            },
        }
    }

    /// 1-based line number of the (first) line.
    pub fn line_no(&self) -> u64 {
        match self {
            Self::Entry { line_no, .. }
            | Self::Divider { line_no, .. }
            | Self::Unparsed { line_no, .. } => *line_no,
        }
    }
}

/// Streams a capture in any layout (detected per line) from a [`BufRead`].
///
/// Memory stays bounded whatever the input: three buffers whose capacity never exceeds
/// [`MAX_LINE`] bytes each (current line, `long` header, `long` message) besides the
/// `BufRead`'s own buffer; the rest of an over-long line is consumed chunk by chunk without
/// being kept.
///
/// Use it as an `Iterator` of owned [`Record`]s, or call [`LogcatReader::next_record`] for the
/// allocation-free borrowed form. After an I/O error the iteration ends.
#[derive(Debug)]
pub struct LogcatReader<R> {
    inner: R,
    /// Physical lines read so far.
    line_no: u64,
    buffer: Option<Buffer>,
    /// The current physical line (CR/LF removed, capped).
    cur: Vec<u8>,
    cur_no: u64,
    cur_truncated: bool,
    /// `cur` holds a line read ahead that has not been handed out yet.
    peeked: bool,
    /// Header line of the `long` block being returned.
    hdr: Vec<u8>,
    /// Joined message of the `long` block being returned.
    block: Vec<u8>,
    eof: bool,
}

impl<R: Read> LogcatReader<BufReader<R>> {
    /// Wraps a plain reader in a 256 KiB `BufReader`.
    pub fn from_read(inner: R) -> Self {
        LogcatReader::new(BufReader::with_capacity(256 * 1024, inner))
    }
}

impl<R: BufRead> LogcatReader<R> {
    /// A reader over `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            line_no: 0,
            buffer: None,
            cur: Vec::with_capacity(512),
            cur_no: 0,
            cur_truncated: false,
            peeked: false,
            hdr: Vec::new(),
            block: Vec::new(),
            eof: false,
        }
    }

    /// Physical lines read so far (including one read ahead at the end of a `long` block).
    pub fn lines_read(&self) -> u64 {
        self.line_no
    }

    /// The buffer named by the last divider seen.
    pub fn buffer(&self) -> Option<Buffer> {
        self.buffer
    }

    /// The next record, borrowing the reader; `Ok(None)` at the end of input.
    pub fn next_record(&mut self) -> Result<Option<RecordRef<'_>>, LogcatError> {
        loop {
            if self.peeked {
                self.peeked = false;
            } else if !self.read_line()? {
                return Ok(None);
            }
            let Some(first) = self.cur.iter().position(|c| *c != b' ' && *c != b'\t') else {
                continue; // blank line
            };
            match self.cur[first] {
                b'-' => {
                    if let Some(d) = divider(&self.cur) {
                        self.buffer = Some(d.buffer);
                        return Ok(Some(RecordRef::Divider {
                            line_no: self.cur_no,
                            kind: d.kind,
                            buffer: d.buffer,
                            name: d.name,
                        }));
                    }
                }
                b'[' | 0x1b => {
                    if matches!(parse_line(&self.cur), Some(l) if l.layout == Layout::Long) {
                        return self.read_long_block();
                    }
                }
                _ => {}
            }
            let (line_no, truncated, buffer) = (self.cur_no, self.cur_truncated, self.buffer);
            return Ok(Some(match parse_line(&self.cur) {
                Some(line) => RecordRef::Entry {
                    line_no,
                    last_line_no: line_no,
                    buffer,
                    line,
                    truncated,
                },
                None => RecordRef::Unparsed {
                    line_no,
                    text: &self.cur,
                    truncated,
                },
            }));
        }
    }

    /// `cur` holds a `long` header: collect the message lines up to the blank line that ends
    /// the block (see the module docs for the rules).
    fn read_long_block(&mut self) -> Result<Option<RecordRef<'_>>, LogcatError> {
        std::mem::swap(&mut self.cur, &mut self.hdr);
        let (line_no, mut truncated) = (self.cur_no, self.cur_truncated);
        let mut last_line_no = line_no;
        self.block.clear();
        let mut first = true;
        let mut pending_blanks = 0usize;
        while self.read_line()? {
            // Only a truly empty line separates blocks: a message line of spaces is content.
            if self.cur.is_empty() {
                pending_blanks += 1;
                continue;
            }
            let ends = match parse_line(&self.cur) {
                Some(l) if l.layout == Layout::Long => true,
                Some(_) => pending_blanks > 0,
                None => pending_blanks > 0 && divider(&self.cur).is_some(),
            };
            if ends {
                self.peeked = true;
                break;
            }
            let newlines = pending_blanks + usize::from(!first);
            pending_blanks = 0;
            first = false;
            last_line_no = self.cur_no;
            truncated |= self.cur_truncated;
            let room = MAX_LINE.saturating_sub(self.block.len());
            let want = newlines + self.cur.len();
            if want > room {
                truncated = true;
            }
            let nl = newlines.min(room);
            grow_capped(&mut self.block, nl + self.cur.len().min(room - nl));
            self.block.extend(std::iter::repeat_n(b'\n', nl));
            let take = self.cur.len().min(room - nl);
            self.block.extend_from_slice(&self.cur[..take]);
        }
        // `-v color` puts the colour reset after the message's last line.
        if self.hdr.first() == Some(&0x1b) && self.block.ends_with(b"\x1b[0m") {
            self.block.truncate(self.block.len() - 4);
        }
        let buffer = self.buffer;
        match parse_line(&self.hdr) {
            Some(mut line) => {
                line.message = &self.block;
                Ok(Some(RecordRef::Entry {
                    line_no,
                    last_line_no,
                    buffer,
                    line,
                    truncated,
                }))
            }
            // Unreachable in practice (the header parsed before the swap).
            None => Ok(Some(RecordRef::Unparsed {
                line_no,
                text: &self.hdr,
                truncated,
            })),
        }
    }

    /// Reads the next physical line into `cur` (without CR/LF, at most `MAX_LINE` bytes; the
    /// rest is consumed and dropped). `false` at the end of input.
    fn read_line(&mut self) -> Result<bool, LogcatError> {
        if self.eof {
            return Ok(false);
        }
        self.cur.clear();
        // Content bytes seen on this line (before `\n`), kept or not, and the last of them.
        let mut total: u64 = 0;
        let mut last = 0u8;
        let mut any = false;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    self.eof = true;
                    return Err(LogcatError::Read {
                        line_no: self.line_no,
                        source,
                    });
                }
            };
            if buf.is_empty() {
                self.eof = true;
                if !any {
                    return Ok(false);
                }
                break;
            }
            any = true;
            let room = MAX_LINE - self.cur.len();
            let (end, used, done) = match memchr::memchr(b'\n', buf) {
                Some(pos) => (pos, pos + 1, true),
                None => (buf.len(), buf.len(), false),
            };
            if end > 0 {
                last = buf[end - 1];
                total = total.saturating_add(end as u64);
                let take = end.min(room);
                grow_capped(&mut self.cur, take);
                self.cur.extend_from_slice(&buf[..take]);
            }
            self.inner.consume(used);
            if done {
                break;
            }
        }
        let ends_cr = last == b'\r' && total > 0;
        let content = total - u64::from(ends_cr);
        if ends_cr && self.cur.len() as u64 == total {
            self.cur.pop();
        }
        self.cur_truncated = content > MAX_LINE as u64;
        self.line_no += 1;
        self.cur_no = self.line_no;
        Ok(true)
    }

    /// Capacity of the internal line buffers (for tests of the memory bound).
    #[cfg(test)]
    pub(super) fn buffered_capacity(&self) -> usize {
        self.cur.capacity() + self.hdr.capacity() + self.block.capacity()
    }
}

/// Reserves room for `extra` more bytes, growing to powers of two but never beyond
/// [`MAX_LINE`] (callers never hold more than that), so capacity stays ≤ `MAX_LINE`.
fn grow_capped(v: &mut Vec<u8>, extra: usize) {
    let need = v.len() + extra;
    if need > v.capacity() {
        let target = need.next_power_of_two().clamp(need, MAX_LINE.max(need));
        v.reserve_exact(target - v.len());
    }
}

impl<R: BufRead> Iterator for LogcatReader<R> {
    type Item = Result<Record, LogcatError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_record() {
            Ok(Some(r)) => Some(Ok(r.to_record())),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}
