//! The emulator console: a line protocol on `127.0.0.1:<console port>` (the even port; adb
//! uses the odd one above it).
//!
//! Protocol facts (`docs/device-formats.md` §10.1; the banner in
//! `tests/data/emulator/emulator-console-banner-1.txt`, the comment in AOSP adb `client/console.cpp`, and
//! developer.android.com "Send Emulator console commands"):
//! - on connect the emulator sends banner lines ending `\r\n`, the last one `OK`. When it wants
//!   authentication the banner says `Android Console: Authentication required` and names the
//!   token file (`~/.emulator_console_auth_token`);
//! - the client sends `auth <token>\n` (the token is the file's contents, trimmed); the reply is
//!   `Android Console: type 'help' for a list of commands` then `OK`. An empty token file
//!   turns authentication off (then the banner asks for nothing);
//! - every command's reply is its output lines, then `OK` or `KO: <reason>`. Some errors come
//!   **without a line ending**: the classic console (AOSP external/qemu `android/console.c`,
//!   `do_network_capture_start`) writes `KO: could not start capture: %s` and nothing more, so
//!   a line starting with `KO` is complete once the console has been silent for 200 ms;
//! - `kill` stops the emulator (it answers `OK: killing emulator, bye bye` and closes);
//! - `network capture start <file>` / `network capture stop` (`android/console.c`: start
//!   "will stop any capture already in progress"; stop ends the capture `-tcpdump` started
//!   too, in the classic console — UNVERIFIED for today's emulator; the syntax is the one
//!   `adb emu network capture start <file>` users run,
//!   e.g. scripts in public repositories found with the search tool; those note that emulator
//!   37 accepts only a bare file name, written under the AVD's `console_out/` directory, and
//!   answers `KO: <file> must be a bare filename …` otherwise).
//!
//! Safety: a command line containing CR, LF or NUL is refused before anything is sent, so no
//! value that came from a scenario can smuggle a second console command; names and paths that
//! become one word of a command may not contain whitespace either.

use crate::EmulatorError;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Longest reply line accepted (the console's lines are short).
const MAX_LINE: usize = 64 * 1024;
/// Largest reply accepted (a `help` listing is a few KiB).
const MAX_REPLY: usize = 1 << 20;
/// Longest command line sent.
const MAX_COMMAND: usize = 4096;

/// One authenticated connection to an emulator console.
#[derive(Debug)]
pub struct Console {
    port: u16,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    timeout: Duration,
}

/// How a reply ended.
enum Ending {
    Ok(String),
    Ko(String, String),
}

impl Console {
    /// Connects to `127.0.0.1:port`, reads the banner and, when the banner asks for it,
    /// authenticates with the contents of `token_file`. `timeout` bounds the connect and every
    /// later read.
    pub fn connect(
        port: u16,
        token_file: &Path,
        timeout: Duration,
    ) -> Result<Console, EmulatorError> {
        let addr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port));
        let err = |why: String| EmulatorError::Console { port, why };
        let stream = TcpStream::connect_timeout(&addr, timeout)
            .map_err(|e| err(format!("connect: {e} (is the emulator running?)")))?;
        let _ = stream.set_nodelay(true);
        stream
            .set_read_timeout(Some(timeout))
            .and_then(|()| stream.set_write_timeout(Some(timeout)))
            .map_err(|e| err(format!("set a timeout: {e}")))?;
        let writer = stream
            .try_clone()
            .map_err(|e| err(format!("clone the socket: {e}")))?;
        let mut console = Console {
            port,
            reader: BufReader::new(stream),
            writer,
            timeout,
        };
        let banner = match console.read_reply("(banner)")? {
            Ending::Ok(text) => text,
            Ending::Ko(_, reason) => {
                return Err(err(format!("the banner ended with KO: {reason}")));
            }
        };
        if banner.contains("Authentication required") {
            console.authenticate(token_file, &banner)?;
        }
        Ok(console)
    }

    fn authenticate(&mut self, token_file: &Path, banner: &str) -> Result<(), EmulatorError> {
        let port = self.port;
        let auth_err = |why: String| EmulatorError::ConsoleAuth {
            port,
            token_file: token_file.to_path_buf(),
            why,
        };
        let named = banner_token_path(banner);
        let token = match fs_err::read(token_file) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let also = named
                    .filter(|p| p != token_file)
                    .map(|p| format!(" (the console names {})", p.display()))
                    .unwrap_or_default();
                return Err(auth_err(format!(
                    "the token file does not exist{also}; the emulator creates it when it \
                     first starts, so start it once as this user (or check HOME)"
                )));
            }
            Err(e) => return Err(auth_err(format!("read the token file: {e}"))),
        };
        if token.is_empty() {
            return Err(auth_err(
                "the console asks for a token but the token file is empty (an emptied file \
                 only turns authentication off for emulators started afterwards)"
                    .into(),
            ));
        }
        if token.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(auth_err(
                "the token contains spaces or control characters".into(),
            ));
        }
        self.send_line(&format!("auth {token}"))?;
        match self.read_reply("auth")? {
            Ending::Ok(_) => Ok(()),
            Ending::Ko(_, reason) => Err(auth_err(format!("the console answered KO: {reason}"))),
        }
    }

    /// The console port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Sends one command line and returns the text the console printed before `OK` (lines
    /// joined with `\n`, without the CR). `KO: reason` becomes [`EmulatorError::ConsoleKo`].
    /// A line containing CR, LF or NUL is refused.
    pub fn command(&mut self, line: &str) -> Result<String, EmulatorError> {
        check_command(line)?;
        self.send_line(line)?;
        match self.read_reply(line)? {
            Ending::Ok(text) => Ok(text),
            Ending::Ko(command, reason) => Err(EmulatorError::ConsoleKo {
                port: self.port,
                command,
                reason,
            }),
        }
    }

    /// `avd name`: the AVD this emulator runs.
    pub fn avd_name(&mut self) -> Result<String, EmulatorError> {
        let text = self.command("avd name")?;
        let name = text.lines().map(str::trim).find(|l| !l.is_empty());
        name.map(str::to_string)
            .ok_or_else(|| EmulatorError::Console {
                port: self.port,
                why: "`avd name` printed nothing".into(),
            })
    }

    /// `avd snapshot save NAME`.
    pub fn snapshot_save(&mut self, name: &str) -> Result<String, EmulatorError> {
        check_word("a snapshot name", name)?;
        self.command(&format!("avd snapshot save {name}"))
    }

    /// `avd snapshot load NAME`.
    pub fn snapshot_load(&mut self, name: &str) -> Result<String, EmulatorError> {
        check_word("a snapshot name", name)?;
        self.command(&format!("avd snapshot load {name}"))
    }

    /// `network capture start FILE`: the emulator writes a pcap of the guest's traffic.
    /// Emulator 37 and later accept only a bare file name (see the module docs).
    pub fn network_capture_start(&mut self, file: &Path) -> Result<String, EmulatorError> {
        let text = file.to_str().ok_or_else(|| EmulatorError::Unsafe {
            what: "a capture file",
            value: file.display().to_string(),
            why: "the console takes UTF-8 paths only",
        })?;
        check_word("a capture file", text)?;
        self.command(&format!("network capture start {text}"))
    }

    /// `geo fix <longitude> <latitude>`: sets the GPS fix the emulated GPS reports (longitude
    /// first; developer.android.com, "Send emulator console commands", geo). Non-finite
    /// numbers are refused before anything is sent.
    pub fn geo_fix(&mut self, longitude: f64, latitude: f64) -> Result<String, EmulatorError> {
        if !longitude.is_finite() || !latitude.is_finite() {
            return Err(EmulatorError::Unsafe {
                what: "a coordinate",
                value: format!("{longitude} {latitude}"),
                why: "it is not a finite number",
            });
        }
        self.command(&format!("geo fix {longitude} {latitude}"))
    }

    /// `network capture stop`.
    pub fn network_capture_stop(&mut self) -> Result<String, EmulatorError> {
        self.command("network capture stop")
    }

    /// `kill`: asks the emulator to exit. Succeeds when it answers `OK…` or closes the
    /// connection (it exits right after answering).
    pub fn kill(mut self) -> Result<(), EmulatorError> {
        self.send_line("kill")?;
        let mut line = Vec::new();
        match read_line(&mut self.reader, &mut line) {
            Ok(0) => Ok(()),
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end();
                if let Some(reason) = text.strip_prefix("KO") {
                    Err(EmulatorError::ConsoleKo {
                        port: self.port,
                        command: "kill".into(),
                        reason: reason.trim_start_matches(':').trim().to_string(),
                    })
                } else if text.starts_with("OK") {
                    Ok(())
                } else {
                    Err(EmulatorError::Console {
                        port: self.port,
                        why: format!("unexpected answer to `kill`: {text:?}"),
                    })
                }
            }
            // A reset connection after `kill` means the emulator went away.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Ok(()),
            Err(e) => Err(EmulatorError::Console {
                port: self.port,
                why: format!("read the answer to `kill`: {e}"),
            }),
        }
    }

    fn send_line(&mut self, line: &str) -> Result<(), EmulatorError> {
        let mut bytes = line.as_bytes().to_vec();
        bytes.push(b'\n');
        self.writer
            .write_all(&bytes)
            .and_then(|()| self.writer.flush())
            .map_err(|e| EmulatorError::Console {
                port: self.port,
                why: format!("send a command: {e}"),
            })
    }

    /// Reads lines up to `OK` or `KO…`. Lines are `\r\n`-terminated; the `\r` is dropped.
    fn read_reply(&mut self, command: &str) -> Result<Ending, EmulatorError> {
        let deadline = Instant::now() + self.timeout;
        let shown = if command.starts_with("auth ") {
            "auth <token>".to_string()
        } else {
            command.to_string()
        };
        let mut text = String::new();
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = read_line(&mut self.reader, &mut line).map_err(|e| {
                let why = if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) {
                    format!("no answer to `{shown}` within {:?}", self.timeout)
                } else {
                    format!("read the answer to `{shown}`: {e}")
                };
                EmulatorError::Console {
                    port: self.port,
                    why,
                }
            })?;
            if n == 0 {
                return Err(EmulatorError::Console {
                    port: self.port,
                    why: format!(
                        "the console closed the connection before answering `{shown}`{}",
                        if text.is_empty() {
                            String::new()
                        } else {
                            format!(" (it said {:?})", short(&text))
                        }
                    ),
                });
            }
            let decoded = String::from_utf8_lossy(&line);
            let l = decoded.trim_end_matches(['\r', '\n']);
            if l == "OK" {
                return Ok(Ending::Ok(text));
            }
            if let Some(reason) = l.strip_prefix("KO") {
                let reason = reason.trim_start_matches(':').trim().to_string();
                return Ok(Ending::Ko(shown, reason));
            }
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(l);
            if text.len() > MAX_REPLY {
                return Err(EmulatorError::Console {
                    port: self.port,
                    why: format!("the answer to `{shown}` is longer than {MAX_REPLY} bytes"),
                });
            }
            if Instant::now() > deadline {
                return Err(EmulatorError::Console {
                    port: self.port,
                    why: format!("no OK/KO for `{shown}` within {:?}", self.timeout),
                });
            }
        }
    }
}

/// How long the console may stay silent after the start of a `KO` line before that line is
/// taken as complete. The classic console (`android/console.c`) writes some errors without a
/// line ending (`KO: could not start capture: %s`) and then nothing more.
const KO_QUIET: Duration = Duration::from_millis(200);

/// Reads one line (at most [`MAX_LINE`] bytes; a longer one is an error). A line that starts
/// with `KO` ends at its `\n`, or once the console has been silent for [`KO_QUIET`] (an error
/// reply without a line ending), or at end of file.
fn read_line(reader: &mut BufReader<TcpStream>, out: &mut Vec<u8>) -> std::io::Result<usize> {
    let start = out.len();
    let normal = reader.get_ref().read_timeout()?;
    let mut quiet = false;
    let result = loop {
        let ko = out[start..].starts_with(b"KO");
        if ko && !quiet {
            // Wait only briefly for the rest of an error line.
            reader.get_ref().set_read_timeout(Some(KO_QUIET))?;
            quiet = true;
        }
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e)
                if ko
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
            {
                break Ok(out.len() - start);
            }
            Err(e) => break Err(e),
        };
        if buf.is_empty() {
            break Ok(out.len() - start);
        }
        let (take, done) = match memchr_newline(buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        out.extend_from_slice(&buf[..take]);
        reader.consume(take);
        if done {
            break Ok(out.len() - start);
        }
        if out.len() - start >= MAX_LINE {
            break Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a line longer than {MAX_LINE} bytes"),
            ));
        }
    };
    if quiet {
        reader.get_ref().set_read_timeout(normal)?;
    }
    result
}

fn memchr_newline(buf: &[u8]) -> Option<usize> {
    buf.iter().position(|&b| b == b'\n')
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(200).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// The token path named in the banner (`'/home/u/.emulator_console_auth_token'`).
fn banner_token_path(banner: &str) -> Option<PathBuf> {
    banner.lines().find_map(|l| {
        let l = l.trim();
        let inner = l.strip_prefix('\'')?.strip_suffix('\'')?;
        inner
            .ends_with(".emulator_console_auth_token")
            .then(|| PathBuf::from(inner))
    })
}

/// Refuses a command line that could carry a second command (CR, LF, NUL) or is too long.
fn check_command(line: &str) -> Result<(), EmulatorError> {
    let refuse = |why| EmulatorError::Unsafe {
        what: "a console command",
        value: short(line),
        why,
    };
    if line.contains(['\r', '\n', '\0']) {
        return Err(refuse(
            "it contains a line break or NUL, which would start another console command",
        ));
    }
    if line.trim().is_empty() {
        return Err(refuse("it is empty"));
    }
    if line.len() > MAX_COMMAND {
        return Err(refuse("it is longer than 4096 bytes"));
    }
    Ok(())
}

/// Refuses a value that must be one word of a command.
fn check_word(what: &'static str, value: &str) -> Result<(), EmulatorError> {
    if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(EmulatorError::Unsafe {
            what,
            value: short(value),
            why: "it must be one non-empty word without spaces or control characters",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::net::TcpListener;
    use std::sync::mpsc;

    const BANNER_AUTH: &str = "Android Console: Authentication required\r\n\
        Android Console: type 'auth <auth_token>' to authenticate\r\n\
        Android Console: you can find your <auth_token> in\r\n\
        '/home/u/.emulator_console_auth_token'\r\nOK\r\n";

    /// A console server on a free port for one connection: sends `banner`, then for each line
    /// received records it and answers with `answer(line)` (None closes the connection).
    fn server(
        banner: &'static str,
        answer: impl Fn(&str) -> Option<String> + Send + 'static,
    ) -> (u16, mpsc::Receiver<String>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            s.write_all(banner.as_bytes()).unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut line = String::new();
            while r.read_line(&mut line).unwrap_or(0) > 0 {
                let got = line.trim_end_matches('\n').to_string();
                let _ = tx.send(got.clone());
                match answer(&got) {
                    Some(a) => {
                        if s.write_all(a.as_bytes()).is_err() {
                            break;
                        }
                    }
                    None => break,
                }
                line.clear();
            }
        });
        (port, rx)
    }

    fn token(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join(".emulator_console_auth_token");
        std::fs::write(&p, text).unwrap();
        p
    }

    fn fake_emulator(line: &str) -> Option<String> {
        Some(match line {
            "auth s3cret" => "Android Console: type 'help' for a list of commands\r\nOK\r\n".into(),
            "avd name" => "pixel_34\r\nOK\r\n".into(),
            "avd snapshot save prior-clean" => "OK\r\n".into(),
            "avd snapshot load nope" => "KO: snapshot 'nope' does not exist\r\n".into(),
            "network capture start /tmp/x.pcap" => "OK: capturing to /tmp/x.pcap\r\nOK\r\n".into(),
            "kill" => "OK: killing emulator, bye bye\r\n".into(),
            _ => "KO: unknown command, try 'help'\r\n".into(),
        })
    }

    const T: Duration = Duration::from_secs(5);

    #[test]
    fn authenticates_and_runs_commands() {
        let t = tempfile::tempdir().unwrap();
        let tok = token(t.path(), "s3cret\n");
        let (port, rx) = server(BANNER_AUTH, fake_emulator);
        let mut c = Console::connect(port, &tok, T).unwrap();
        assert_eq!(rx.recv().unwrap(), "auth s3cret");
        assert_eq!(c.avd_name().unwrap(), "pixel_34");
        c.snapshot_save("prior-clean").unwrap();
        assert_eq!(
            c.network_capture_start(Path::new("/tmp/x.pcap")).unwrap(),
            "OK: capturing to /tmp/x.pcap"
        );
        let err = c.snapshot_load("nope").unwrap_err();
        match &err {
            EmulatorError::ConsoleKo {
                command, reason, ..
            } => {
                assert_eq!(command, "avd snapshot load nope");
                assert_eq!(reason, "snapshot 'nope' does not exist");
            }
            other => panic!("{other:?}"),
        }
        let err = c.command("frobnicate").unwrap_err().to_string();
        assert!(err.contains("KO: unknown command"), "{err}");
        c.kill().unwrap();
        let sent: Vec<String> = rx.try_iter().collect();
        assert_eq!(
            sent,
            [
                "avd name",
                "avd snapshot save prior-clean",
                "network capture start /tmp/x.pcap",
                "avd snapshot load nope",
                "frobnicate",
                "kill"
            ]
        );
    }

    #[test]
    fn geo_fix_sends_longitude_first_and_refuses_non_finite_numbers() {
        let t = tempfile::tempdir().unwrap();
        let (port, rx) = server(
            "Android Console: type 'help' for a list of commands\r\nOK\r\n",
            |l| {
                Some(if l.starts_with("geo fix ") {
                    "OK\r\n".into()
                } else {
                    "KO: unknown command, try 'help'\r\n".into()
                })
            },
        );
        let mut c = Console::connect(port, &t.path().join("missing"), T).unwrap();
        c.geo_fix(116.397128, 39.916527).unwrap();
        assert_eq!(rx.recv().unwrap(), "geo fix 116.397128 39.916527");
        assert!(matches!(
            c.geo_fix(f64::NAN, 1.0),
            Err(EmulatorError::Unsafe { .. })
        ));
        assert!(rx.try_recv().is_err(), "nothing sent for NaN");
    }

    #[test]
    fn no_auth_when_the_banner_does_not_ask() {
        let t = tempfile::tempdir().unwrap();
        let (port, rx) = server(
            "Android Console: type 'help' for a list of commands\r\nOK\r\n",
            fake_emulator,
        );
        // The token file does not even exist: it is not needed.
        let mut c = Console::connect(port, &t.path().join("missing"), T).unwrap();
        assert_eq!(c.avd_name().unwrap(), "pixel_34");
        assert_eq!(rx.recv().unwrap(), "avd name");
    }

    #[test]
    fn a_wrong_token_is_an_auth_error() {
        let t = tempfile::tempdir().unwrap();
        let tok = token(t.path(), "wrong");
        let (port, _rx) = server(BANNER_AUTH, |_| {
            Some(
                "KO: authentication token does not match ~/.emulator_console_auth_token\r\n".into(),
            )
        });
        let err = Console::connect(port, &tok, T).unwrap_err();
        assert!(matches!(err, EmulatorError::ConsoleAuth { .. }), "{err:?}");
        assert!(err.to_string().contains("does not match"), "{err}");
    }

    #[test]
    fn a_missing_or_empty_token_file_is_explained() {
        let t = tempfile::tempdir().unwrap();
        let (port, _rx) = server(BANNER_AUTH, fake_emulator);
        let err = Console::connect(port, &t.path().join("nope"), T)
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not exist"), "{err}");
        assert!(err.contains("creates it when it first starts"), "{err}");
        assert!(
            err.contains("/home/u/.emulator_console_auth_token"),
            "{err}"
        );
        let tok = token(t.path(), "  \n");
        let (port, _rx) = server(BANNER_AUTH, fake_emulator);
        let err = Console::connect(port, &tok, T).unwrap_err().to_string();
        assert!(err.contains("empty"), "{err}");
    }

    #[test]
    fn refuses_line_breaks_and_multiword_names_before_sending() {
        let t = tempfile::tempdir().unwrap();
        let tok = token(t.path(), "s3cret");
        let (port, rx) = server(BANNER_AUTH, fake_emulator);
        let mut c = Console::connect(port, &tok, T).unwrap();
        for bad in ["avd name\nkill", "avd name\rkill", "x\0y", "", "   "] {
            let err = c.command(bad).unwrap_err();
            assert!(
                matches!(err, EmulatorError::Unsafe { .. }),
                "{bad:?}: {err:?}"
            );
        }
        assert!(c.snapshot_save("a b").is_err());
        assert!(c.snapshot_load("clean\nkill").is_err());
        assert!(c.network_capture_start(Path::new("/tmp/a b.pcap")).is_err());
        // The connection is still usable and nothing but auth reached the server.
        assert_eq!(c.avd_name().unwrap(), "pixel_34");
        let sent: Vec<String> = rx.try_iter().collect();
        assert_eq!(sent, ["auth s3cret", "avd name"]);
    }

    #[test]
    fn a_peer_that_closes_or_stalls_is_an_error_not_a_hang() {
        let t = tempfile::tempdir().unwrap();
        let tok = token(t.path(), "s3cret");
        // Closes after auth, in the middle of the next command.
        let (port, _rx) = server(BANNER_AUTH, |l| {
            (l == "auth s3cret").then(|| "OK\r\n".to_string())
        });
        let mut c = Console::connect(port, &tok, T).unwrap();
        let err = c.avd_name().unwrap_err().to_string();
        assert!(err.contains("closed the connection"), "{err}");

        // Says part of an answer and then nothing.
        let (port, _rx) = server(BANNER_AUTH, |l| {
            Some(if l.starts_with("auth") {
                "OK\r\n".into()
            } else {
                "partial\r\n".into()
            })
        });
        let mut c = Console::connect(port, &tok, Duration::from_millis(300)).unwrap();
        let start = Instant::now();
        let err = c.avd_name().unwrap_err().to_string();
        assert!(err.contains("no answer"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(3));

        // Nothing listens.
        let free = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = Console::connect(free, &tok, T).unwrap_err().to_string();
        assert!(err.contains("connect"), "{err}");
    }

    #[test]
    fn a_ko_without_a_line_ending_is_read_at_once() {
        // The classic console writes `KO: could not start capture: %s` with no CR LF.
        let t = tempfile::tempdir().unwrap();
        let tok = token(t.path(), "s3cret");
        let (port, _rx) = server(BANNER_AUTH, |l| {
            Some(if l.starts_with("auth") {
                "OK\r\n".into()
            } else if l.starts_with("network capture start") {
                "KO: could not start capture: Permission denied".into()
            } else {
                "pixel_34\r\nOK\r\n".into()
            })
        });
        let mut c = Console::connect(port, &tok, Duration::from_secs(20)).unwrap();
        let start = Instant::now();
        let err = c
            .network_capture_start(Path::new("/tmp/x.pcap"))
            .unwrap_err();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "waited {:?} for a line ending",
            start.elapsed()
        );
        match err {
            EmulatorError::ConsoleKo { reason, .. } => {
                assert_eq!(reason, "could not start capture: Permission denied")
            }
            other => panic!("{other:?}"),
        }
        // The connection is still usable, with its normal timeout.
        assert_eq!(c.avd_name().unwrap(), "pixel_34");
    }

    #[test]
    fn kill_accepts_an_immediate_close() {
        let t = tempfile::tempdir().unwrap();
        let tok = token(t.path(), "s3cret");
        let (port, _rx) = server(BANNER_AUTH, |l| {
            (l == "auth s3cret").then(|| "OK\r\n".to_string())
        });
        let c = Console::connect(port, &tok, T).unwrap();
        c.kill().unwrap();
    }
}
