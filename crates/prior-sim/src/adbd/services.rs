//! The local services a host can open on the device, written once against [`Stream`].
//!
//! Service strings (FORMATS.md §1a, §8.2): `shell:<cmd>` (v1), `shell,<opts>:<cmd>` with any of
//! `v2`, `raw`, `pty`, `TERM=…` in any order, `exec:<cmd>`, `sync:`, `abb_exec:<argv joined
//! by NUL>`. Anything else is refused (the transport answers `CLSE(0, host)`).
//!
//! Choices where adbd's behaviour was not observed directly:
//! - `exec:` merges stderr into the stream, as adbd's raw subprocess without shell protocol
//!   does (its stderr is the same socket).
//! - PTY mode (`pty` option, or `shell:` with no command) merges stderr and turns `\n` into
//!   `\r\n` like a terminal; raw mode passes bytes unchanged.
//! - An empty command runs a small line-by-line shell on top of [`DeviceHandler::shell`]
//!   until `exit` or end of input. Under a PTY it prints a `<device>:/ $ ` prompt and echoes
//!   input like an interactive `sh`; without one (`adb shell < script`) it prints neither, as
//!   a non-interactive `sh` reading a pipe does.

use super::stream::{Stream, StreamReader};
use super::sync;
use crate::{DeviceHandler, ShellIo};
use std::time::{Duration, Instant};

/// Largest shell-protocol packet payload the device sends (adbd reads its child's output in
/// buffers of about this size).
const V2_MAX_PACKET: usize = 64 * 1024 - 5;
/// Largest shell-protocol packet accepted from the host; larger means a broken peer.
const V2_MAX_INBOUND: usize = 1024 * 1024;

/// Shell-protocol packet ids (`shell_protocol.h`).
pub mod v2_id {
    /// Host → device stdin.
    pub const STDIN: u8 = 0;
    /// Device → host stdout.
    pub const STDOUT: u8 = 1;
    /// Device → host stderr.
    pub const STDERR: u8 = 2;
    /// Device → host exit status (1 byte).
    pub const EXIT: u8 = 3;
    /// Host → device: stdin closed.
    pub const CLOSE_STDIN: u8 = 4;
    /// Host → device: terminal size `rowsxcols,xpixelsxypixels`.
    pub const WINDOW_SIZE: u8 = 5;
}

/// A parsed service request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Service {
    /// `shell:` / `shell,<opts>:`.
    Shell {
        /// Shell protocol v2 framing (`v2` option).
        v2: bool,
        /// Terminal semantics (`pty`, or no command and no `raw`).
        pty: bool,
        /// The command line, verbatim.
        command: String,
    },
    /// `exec:<cmd>`: raw bytes, no framing, no exit status.
    Exec(String),
    /// `sync:`: the file-sync protocol.
    Sync,
    /// `abb_exec:`: binder bridge, raw; argv split at NUL.
    AbbExec(Vec<String>),
}

/// Parses a service name from an OPEN payload or a smart-socket request (trailing NULs
/// ignored). `None` for anything this device does not serve.
pub fn parse_service(raw: &[u8]) -> Option<Service> {
    let mut end = raw.len();
    while end > 0 && raw[end - 1] == 0 {
        end -= 1;
    }
    let raw = &raw[..end];
    if let Some(rest) = raw.strip_prefix(b"abb_exec:") {
        let argv: Vec<String> = rest
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if argv.iter().all(String::is_empty) {
            return None;
        }
        return Some(Service::AbbExec(argv));
    }
    let text = String::from_utf8_lossy(raw);
    if let Some(command) = text.strip_prefix("exec:") {
        return Some(Service::Exec(command.to_owned()));
    }
    if text == "sync:" {
        return Some(Service::Sync);
    }
    let rest = text.strip_prefix("shell")?;
    let (opts, command) = rest.split_once(':')?;
    let opts = match opts.strip_prefix(',') {
        Some(o) => o,
        None if opts.is_empty() => "",
        None => return None, // e.g. `shellfoo:`
    };
    let mut v2 = false;
    let mut pty = command.is_empty();
    for opt in opts.split(',') {
        match opt {
            "v2" => v2 = true,
            "raw" => pty = false,
            "pty" => pty = true,
            _ => {} // TERM=…, empty items and unknown options are ignored, as adbd does
        }
    }
    Some(Service::Shell {
        v2,
        pty,
        command: command.to_owned(),
    })
}

/// What every service needs besides its stream.
pub struct ServiceContext<'a> {
    /// The handset.
    pub handler: &'a dyn DeviceHandler,
    /// Largest file (push) or APK (install) accepted, in bytes.
    pub max_transfer: usize,
}

/// Runs a service to completion and closes the stream.
pub fn run_service(service: Service, stream: &dyn Stream, ctx: &ServiceContext<'_>) {
    match service {
        Service::Shell {
            v2: true,
            pty,
            command,
        } => {
            let mut io = V2Io {
                reader: StreamReader::new(stream),
                pty,
                stdin_eof: false,
            };
            let code = run_command(&command, &mut io, ctx.handler, pty);
            let mut exit = vec![v2_id::EXIT, 1, 0, 0, 0];
            exit.push(code as u8); // the low byte, as a process exit status
            stream.send(&exit);
        }
        Service::Shell {
            v2: false,
            pty,
            command,
        } => {
            let mut io = RawIo {
                reader: StreamReader::new(stream),
                crlf: pty,
            };
            run_command(&command, &mut io, ctx.handler, pty);
        }
        Service::Exec(command) => match install_request_from_words(&command) {
            Some(req) => streamed_install(stream, ctx, req),
            None => {
                let mut io = RawIo {
                    reader: StreamReader::new(stream),
                    crlf: false,
                };
                ctx.handler.shell(&command, &mut io);
            }
        },
        Service::AbbExec(argv) => match install_request_from_argv(&argv) {
            Some(req) => streamed_install(stream, ctx, req),
            None => {
                let out = ctx.handler.abb_exec(&argv);
                stream.send(&out);
            }
        },
        Service::Sync => sync::run(stream, ctx),
    }
    stream.close();
}

/// A command, or the interactive shell when it is empty.
fn run_command(command: &str, io: &mut dyn ShellIo, handler: &dyn DeviceHandler, pty: bool) -> i32 {
    if command.trim().is_empty() {
        interactive(io, handler, pty)
    } else {
        handler.shell(command, io)
    }
}

/// A minimal shell: (prompt,) read a line, run it, repeat until `exit` or EOF.
fn interactive(io: &mut dyn ShellIo, handler: &dyn DeviceHandler, tty: bool) -> i32 {
    let prompt = if tty {
        format!("{}:/ $ ", handler.banner().device)
    } else {
        String::new()
    };
    let mut status = 0;
    let mut line: Vec<u8> = Vec::new();
    if !io.stdout(prompt.as_bytes()) {
        return status;
    }
    loop {
        let Some(chunk) = io.read_stdin(Duration::from_secs(1)) else {
            if io.is_closed() {
                return status;
            }
            continue;
        };
        if chunk.is_empty() {
            return status;
        }
        if tty && !io.stdout(&chunk) {
            return status;
        }
        for b in chunk {
            if b != b'\n' && b != b'\r' {
                if line.len() < 64 * 1024 {
                    line.push(b);
                }
                continue;
            }
            let text = String::from_utf8_lossy(&line).trim().to_owned();
            line.clear();
            if text == "exit" {
                return status;
            }
            if !text.is_empty() {
                status = handler.shell(&text, io);
            }
            if !io.stdout(prompt.as_bytes()) {
                return status;
            }
        }
    }
}

/// Turns `\n` into `\r\n` (a terminal's `onlcr`).
fn crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 16);
    for &b in data {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// Shell v1 and `exec:`: raw bytes both ways, stderr merged.
struct RawIo<'a> {
    reader: StreamReader<'a>,
    crlf: bool,
}

impl ShellIo for RawIo<'_> {
    fn stdout(&mut self, data: &[u8]) -> bool {
        if data.is_empty() {
            return !self.reader.stream().is_closed();
        }
        if self.crlf {
            self.reader.stream().send(&crlf(data))
        } else {
            self.reader.stream().send(data)
        }
    }
    fn stderr(&mut self, data: &[u8]) -> bool {
        self.stdout(data)
    }
    fn read_stdin(&mut self, timeout: Duration) -> Option<Vec<u8>> {
        if self.reader.buffered().is_empty() && !self.reader.fill(Some(timeout)) {
            return if self.reader.is_closed() {
                Some(Vec::new())
            } else {
                None
            };
        }
        let data = self.reader.buffered().to_vec();
        self.reader.consume(data.len());
        Some(data)
    }
    fn is_closed(&self) -> bool {
        self.reader.stream().is_closed()
    }
}

/// Shell protocol v2: framed packets both ways.
struct V2Io<'a> {
    reader: StreamReader<'a>,
    pty: bool,
    stdin_eof: bool,
}

impl V2Io<'_> {
    fn packet(&mut self, id: u8, data: &[u8]) -> bool {
        let stream = self.reader.stream();
        if data.is_empty() {
            return !stream.is_closed();
        }
        let translated;
        let data = if self.pty {
            translated = crlf(data);
            &translated[..]
        } else {
            data
        };
        for chunk in data.chunks(V2_MAX_PACKET) {
            let mut pkt = Vec::with_capacity(5 + chunk.len());
            pkt.push(id);
            pkt.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
            pkt.extend_from_slice(chunk);
            if !stream.send(&pkt) {
                return false;
            }
        }
        true
    }
}

impl ShellIo for V2Io<'_> {
    fn stdout(&mut self, data: &[u8]) -> bool {
        self.packet(v2_id::STDOUT, data)
    }
    fn stderr(&mut self, data: &[u8]) -> bool {
        // Under a PTY the child's stderr is the terminal too.
        let id = if self.pty {
            v2_id::STDOUT
        } else {
            v2_id::STDERR
        };
        self.packet(id, data)
    }
    fn read_stdin(&mut self, timeout: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.stdin_eof {
                return Some(Vec::new());
            }
            if !self.reader.wait_for(5, Some(deadline)) {
                if self.reader.is_closed() {
                    self.stdin_eof = true;
                    continue;
                }
                return None;
            }
            let head = self.reader.buffered();
            let id = head[0];
            let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
            if len > V2_MAX_INBOUND {
                // A broken peer: stop reading stdin rather than buffer without bound.
                self.stdin_eof = true;
                continue;
            }
            if !self.reader.wait_for(5 + len, Some(deadline)) {
                if self.reader.is_closed() {
                    self.stdin_eof = true;
                    continue;
                }
                return None;
            }
            let payload = self.reader.buffered()[5..5 + len].to_vec();
            self.reader.consume(5 + len);
            match id {
                v2_id::STDIN if !payload.is_empty() => return Some(payload),
                v2_id::CLOSE_STDIN => self.stdin_eof = true,
                _ => {} // window size, empty stdin, and ids a host should not send
            }
        }
    }
    fn is_closed(&self) -> bool {
        self.reader.stream().is_closed()
    }
}

/// A streamed install: `args` after `install` without `-S N`, and the size N.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallRequest {
    /// Arguments after `install`, without `-S N`.
    pub args: Vec<String>,
    /// Value of `-S`: the exact number of APK bytes that follow.
    pub size: u64,
}

/// Picks `-S N` out of the arguments after `install`; `None` when absent or not a number.
fn install_args(rest: &[String]) -> Option<InstallRequest> {
    let i = rest.iter().position(|a| a == "-S")?;
    let size = rest.get(i + 1)?.parse::<u64>().ok()?;
    let mut args = rest.to_vec();
    args.drain(i..i + 2);
    Some(InstallRequest { args, size })
}

/// `exec:cmd package 'install' [args] -S N` (also `pm install … -S N`).
pub fn install_request_from_words(command: &str) -> Option<InstallRequest> {
    let words = split_words(command)?;
    let rest = match words.as_slice() {
        [cmd, package, install, rest @ ..]
            if cmd == "cmd" && package == "package" && install == "install" =>
        {
            rest
        }
        [pm, install, rest @ ..] if pm == "pm" && install == "install" => rest,
        _ => return None,
    };
    install_args(rest)
}

/// `abb_exec:package\0install\0[args]\0-S\0N`.
pub fn install_request_from_argv(argv: &[String]) -> Option<InstallRequest> {
    let argv: Vec<String> = argv.iter().filter(|a| !a.is_empty()).cloned().collect();
    match argv.as_slice() {
        [package, install, rest @ ..] if package == "package" && install == "install" => {
            install_args(rest)
        }
        _ => None,
    }
}

/// Splits a `sh` command line into words: whitespace separates, `'…'` is literal, `"…"` and
/// `\` escape. `None` on unbalanced quotes or shell syntax (`;`, `|`, `&`, `<`, `>`, `$`,
/// backquote) outside quotes — such a line is not a plain install and goes to the shell.
pub fn split_words(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => cur.push(chars.next()?),
                        '$' | '`' => return None,
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                cur.push(chars.next()?);
            }
            ';' | '|' | '&' | '<' | '>' | '$' | '`' | '(' | ')' => return None,
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Some(words)
}

/// Reads exactly `size` APK bytes, asks the handset, replies `<line>\n`.
fn streamed_install(stream: &dyn Stream, ctx: &ServiceContext<'_>, req: InstallRequest) {
    let mut reader = StreamReader::new(stream);
    let reply = match usize::try_from(req.size) {
        Ok(size) if size <= ctx.max_transfer => {
            let mut apk = Vec::with_capacity(size.min(64 * 1024 * 1024));
            if !reader.read_into(&mut apk, size) {
                return; // host went away mid-upload: nothing to install
            }
            ctx.handler.install(&req.args, &apk)
        }
        _ => {
            // Too big for this simulator: drain what the host sends, then refuse, as a device
            // without space would.
            if !reader.skip_exact(usize::try_from(req.size).unwrap_or(usize::MAX)) {
                return;
            }
            format!(
                "Failure [INSTALL_FAILED_INSUFFICIENT_STORAGE: the simulator accepts APKs up to {} bytes]",
                ctx.max_transfer
            )
        }
    };
    let mut line = reply.trim_end_matches(['\r', '\n']).as_bytes().to_vec();
    line.push(b'\n');
    stream.send(&line);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adbd::stream::testing::MemStream;
    use crate::{Banner, FileStat};
    use std::sync::Mutex;

    #[test]
    fn parses_service_strings_seen_from_adb_29() {
        let shell = |v2, pty, c: &str| {
            Some(Service::Shell {
                v2,
                pty,
                command: c.into(),
            })
        };
        assert_eq!(
            parse_service(b"shell:getprop ro.build.version.sdk"),
            shell(false, false, "getprop ro.build.version.sdk")
        );
        assert_eq!(
            parse_service(b"shell,v2,TERM=xterm,raw:getprop ro.build.version.sdk"),
            shell(true, false, "getprop ro.build.version.sdk")
        );
        // No raw/pty token with a command: raw (adbd's default for a non-empty command).
        assert_eq!(
            parse_service(b"shell,v2,TERM=xterm:export ANDROID_LOG_TAGS=\"''\"; exec logcat '-d'"),
            shell(
                true,
                false,
                "export ANDROID_LOG_TAGS=\"''\"; exec logcat '-d'"
            )
        );
        assert_eq!(parse_service(b"shell,raw,v2:ls"), shell(true, false, "ls"));
        assert_eq!(
            parse_service(b"shell,TERM=xterm-256color,v2,pty:ls"),
            shell(true, true, "ls")
        );
        assert_eq!(parse_service(b"shell:"), shell(false, true, ""));
        assert_eq!(parse_service(b"shell,v2,raw:"), shell(true, false, ""));
        assert_eq!(parse_service(b"shell,,v2,:a:b"), shell(true, false, "a:b"));
        assert_eq!(
            parse_service(b"exec:screencap '-p'\0"),
            Some(Service::Exec("screencap '-p'".into()))
        );
        assert_eq!(parse_service(b"sync:\0"), Some(Service::Sync));
        assert_eq!(
            parse_service(b"abb_exec:package\0install\0-S\x002500000\0"),
            Some(Service::AbbExec(vec![
                "package".into(),
                "install".into(),
                "-S".into(),
                "2500000".into()
            ]))
        );
        for refused in [
            &b"reboot:"[..],
            b"shellfoo:x",
            b"shell",
            b"sync:x",
            b"abb_exec:",
            b"abb:package\0list",
            b"",
            b"\0\0",
        ] {
            assert_eq!(
                parse_service(refused),
                None,
                "{:?}",
                String::from_utf8_lossy(refused)
            );
        }
    }

    #[test]
    fn recognises_streamed_installs() {
        assert_eq!(
            install_request_from_words("cmd package 'install' -S 2500000"),
            Some(InstallRequest {
                args: vec![],
                size: 2_500_000
            })
        );
        assert_eq!(
            install_request_from_words("cmd package 'install' '-r' '-g' -S 12"),
            Some(InstallRequest {
                args: vec!["-r".into(), "-g".into()],
                size: 12
            })
        );
        assert_eq!(
            install_request_from_words("cmd package 'install' --user 0 -S 7"),
            Some(InstallRequest {
                args: vec!["--user".into(), "0".into()],
                size: 7
            })
        );
        assert_eq!(
            install_request_from_words("pm install -S 3"),
            Some(InstallRequest {
                args: vec![],
                size: 3
            })
        );
        assert_eq!(
            install_request_from_words("cmd package install /data/local/tmp/x.apk"),
            None
        );
        assert_eq!(install_request_from_words("cmd package install -S x"), None);
        assert_eq!(
            install_request_from_words("cmd package install -S 3; rm -rf /"),
            None
        );
        assert_eq!(
            install_request_from_words("cmd package list packages"),
            None
        );
        let argv = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            install_request_from_argv(&argv(&["package", "install", "-r", "-S", "9"])),
            Some(InstallRequest {
                args: vec!["-r".into()],
                size: 9
            })
        );
        assert_eq!(
            install_request_from_argv(&argv(&["settings", "get", "x"])),
            None
        );
    }

    #[test]
    fn splits_words_like_sh() {
        assert_eq!(
            split_words(r#"a 'b c' "d \"e\"" f\ g"#).unwrap(),
            vec!["a", "b c", "d \"e\"", "f g"]
        );
        assert_eq!(split_words("''").unwrap(), vec![""]);
        assert_eq!(split_words("'unterminated"), None);
        assert_eq!(split_words("a | b"), None);
    }

    /// A handler that records what it was asked.
    #[derive(Default)]
    struct Recorder {
        installs: Mutex<Vec<(Vec<String>, Vec<u8>)>>,
        stdin_seen: Mutex<Vec<u8>>,
    }

    impl DeviceHandler for Recorder {
        fn banner(&self) -> Banner {
            Banner {
                product_name: "p".into(),
                model: "m".into(),
                device: "dev".into(),
            }
        }
        fn shell(&self, command: &str, io: &mut dyn ShellIo) -> i32 {
            match command {
                "cat" => {
                    while let Some(chunk) = io.read_stdin(Duration::from_secs(5)) {
                        if chunk.is_empty() {
                            break;
                        }
                        self.stdin_seen.lock().unwrap().extend_from_slice(&chunk);
                        io.stdout(&chunk);
                    }
                    0
                }
                "both" => {
                    io.stdout(b"out\n");
                    io.stderr(b"err\n");
                    3
                }
                other => {
                    io.stdout(format!("ran {other}\n").as_bytes());
                    0
                }
            }
        }
        fn install(&self, args: &[String], apk: &[u8]) -> String {
            self.installs
                .lock()
                .unwrap()
                .push((args.to_vec(), apk.to_vec()));
            "Success".into()
        }
        fn abb_exec(&self, argv: &[String]) -> Vec<u8> {
            argv.join(" ").into_bytes()
        }
        fn stat(&self, _: &str) -> Option<FileStat> {
            None
        }
        fn read_file(&self, _: &str) -> Result<Vec<u8>, crate::FileError> {
            Err("No such file or directory".into())
        }
        fn write_file(&self, _: &str, _: &[u8], _: u32, _: i64) -> Result<(), crate::FileError> {
            Ok(())
        }
        fn list_dir(&self, _: &str) -> Vec<(String, FileStat)> {
            Vec::new()
        }
    }

    fn run(service: &[u8], chunks: &[&[u8]], h: &Recorder) -> Vec<u8> {
        let stream = MemStream::new(chunks, true);
        let ctx = ServiceContext {
            handler: h,
            max_transfer: 1024,
        };
        run_service(parse_service(service).unwrap(), &stream, &ctx);
        assert!(stream.device_closed());
        stream.output()
    }

    #[test]
    fn v2_frames_stdout_stderr_and_exit() {
        let h = Recorder::default();
        let out = run(b"shell,v2,raw:both", &[b"\x04\0\0\0\0"], &h);
        assert_eq!(
            out,
            b"\x01\x04\0\0\0out\n\x02\x04\0\0\0err\n\x03\x01\0\0\0\x03"
        );
        // Under a PTY stderr is merged and newlines become CRLF.
        let out = run(b"shell,v2,pty:both", &[], &h);
        assert_eq!(
            out,
            b"\x01\x05\0\0\0out\r\n\x01\x05\0\0\0err\r\n\x03\x01\0\0\0\x03"
        );
    }

    #[test]
    fn v2_stdin_is_a_byte_stream_across_chunks() {
        let h = Recorder::default();
        // stdin "hello" split over three WRTEs, a window-size packet, then stdin + close-stdin
        // coalesced in one WRTE (as adb 29 sends piped stdin).
        let out = run(
            b"shell,v2,raw:cat",
            &[
                b"\x00\x05\0",
                b"\0\0hel",
                b"lo\x05\x09\0\0\x0024x80,0x0",
                b"\x00\x01\0\0\0!\x04\0\0\0\0",
            ],
            &h,
        );
        assert_eq!(*h.stdin_seen.lock().unwrap(), b"hello!");
        assert!(out.ends_with(b"\x03\x01\0\0\0\0"), "{out:?}");
    }

    #[test]
    fn v1_and_exec_merge_stderr_and_send_no_exit() {
        let h = Recorder::default();
        assert_eq!(run(b"shell:both", &[], &h), b"out\nerr\n");
        assert_eq!(run(b"exec:both", &[], &h), b"out\nerr\n");
    }

    #[test]
    fn streamed_install_reads_exactly_n_bytes_from_both_service_forms() {
        let h = Recorder::default();
        assert_eq!(
            run(
                b"exec:cmd package 'install' '-r' -S 10",
                &[b"0123", b"456789"],
                &h
            ),
            b"Success\n"
        );
        assert_eq!(
            run(b"abb_exec:package\0install\0-S\x005\0", &[b"abcde"], &h),
            b"Success\n"
        );
        let installs = h.installs.lock().unwrap();
        assert_eq!(
            installs[0],
            (vec!["-r".to_string()], b"0123456789".to_vec())
        );
        assert_eq!(installs[1], (vec![], b"abcde".to_vec()));
    }

    #[test]
    fn install_cut_short_or_too_big_installs_nothing() {
        let h = Recorder::default();
        assert_eq!(
            run(b"exec:cmd package 'install' -S 10", &[b"0123"], &h),
            b""
        );
        let out = run(b"exec:cmd package 'install' -S 2000", &[&[0u8; 2000]], &h);
        assert!(
            out.starts_with(b"Failure [INSTALL_FAILED_INSUFFICIENT_STORAGE"),
            "{}",
            String::from_utf8_lossy(&out)
        );
        assert!(h.installs.lock().unwrap().is_empty());
    }

    #[test]
    fn other_abb_exec_goes_to_the_handler() {
        let h = Recorder::default();
        assert_eq!(
            run(
                b"abb_exec:settings\0get\0enable_adb_incremental_install_default",
                &[],
                &h
            ),
            b"settings get enable_adb_incremental_install_default"
        );
    }

    #[test]
    fn interactive_shell_runs_lines_until_exit() {
        let h = Recorder::default();
        // Piped (raw): no prompt, no echo; `exit` stops before the last line.
        let out = run(
            b"shell,v2,raw:",
            &[b"\x00\x13\0\0\0echo 1\nexit\necho 2\n"],
            &h,
        );
        let (stdout, exit) = (&out[..out.len() - 6], &out[out.len() - 6..]);
        assert_eq!(stdout, b"\x01\x0b\0\0\0ran echo 1\n");
        assert_eq!(exit, b"\x03\x01\0\0\0\0");
        // A terminal (v1 `shell:` with no command is a PTY): prompt, echo, CRLF.
        let out = run(b"shell:", &[b"echo 1\r"], &h);
        assert_eq!(
            String::from_utf8_lossy(&out),
            "dev:/ $ echo 1\rran echo 1\r\ndev:/ $ "
        );
    }
}
