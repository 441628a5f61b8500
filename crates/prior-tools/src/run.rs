//! Running tools and signalling process groups, once for all of Prior.
//!
//! - [`shell_quote`] and [`display_argv`]: a command line shown to the user (logs, errors,
//!   `prior doctor`'s "commands run") in a form that pastes into a POSIX shell. Display only:
//!   nothing in Prior runs a shell on the host.
//! - [`run_tool`]: runs a tool to its end under a time limit, in its own process group, and
//!   returns its exit status and output. On timeout the whole group is killed, so a wrapper
//!   script's children (sdkmanager's JVM) go too. Each run is a `tracing` span (`tool`, with
//!   the command line) ending in an event with the exit status and the duration.
//! - [`kill_group`]: signals a process group with `kill(-pgid, sig)` through rustix (safe
//!   Rust: the workspace forbids `unsafe`).
//!
//! Choices:
//! - Quoting leaves a word alone only when it is all ASCII letters, digits and `-_./:=@,+`.
//!   Anything else goes in `'…'`, with a `'` written as `'\''`. `%` is quoted too.
//! - stdout and stderr are read to their end in threads, so a tool never blocks on a full pipe
//!   and never gets `EPIPE` from us. Only the first `output_cap` bytes of each are kept.
//! - After the tool exits (or is killed), the readers get [`READ_GRACE`] to reach end of file.
//!   A daemon the tool left behind can hold the pipes open (`adb start-server` does); then the
//!   output read so far is returned and the readers are left to end on their own.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the output readers may take to reach end of file after the tool is gone.
pub const READ_GRACE: Duration = Duration::from_secs(2);

/// How often a running tool is polled for its exit.
const POLL: Duration = Duration::from_millis(10);

/// Quotes one argument for display in a POSIX shell. A word of ASCII letters, digits and
/// `-_./:=@,+` stays as it is; anything else (the empty string too) is put in `'…'`.
pub fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// `program args…`, each word quoted with [`shell_quote`].
pub fn display_argv(program: &Path, args: &[impl AsRef<str>]) -> String {
    std::iter::once(shell_quote(&program.display().to_string()))
        .chain(args.iter().map(|a| shell_quote(a.as_ref())))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last `n` non-blank lines of `text`, with trailing white space removed.
pub fn tail_lines(text: &str, n: usize) -> Vec<&str> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    lines[lines.len().saturating_sub(n)..].to_vec()
}

/// Makes `cmd` start in a new process group whose id is the child's pid (Unix only).
pub fn in_own_group(cmd: &mut Command) -> &mut Command {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    cmd
}

/// A signal [`kill_group`] sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// `SIGTERM`: asks the processes to stop.
    Term,
    /// `SIGKILL`: stops them at once.
    Kill,
}

/// Sends `signal` to every process of the group `pgid` (`kill(-pgid, sig)`). It does nothing
/// for groups 0 and 1, because `kill(0, …)` means the caller's own group and `-1` means every
/// process. It also does nothing off Unix. A group that is already gone is not an error.
pub fn kill_group(pgid: u32, signal: Signal) {
    if pgid <= 1 {
        return;
    }
    #[cfg(unix)]
    {
        let sig = match signal {
            Signal::Term => rustix::process::Signal::TERM,
            Signal::Kill => rustix::process::Signal::KILL,
        };
        let Some(pid) = i32::try_from(pgid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return;
        };
        let result = rustix::process::kill_process_group(pid, sig);
        tracing::debug!(pgid, ?signal, ?result, "signalled process group");
    }
    #[cfg(not(unix))]
    {
        let _ = signal;
    }
}

/// Whether a process `pid` exists (`kill(pid, 0)`; a zombie still exists). `false` for pids 0
/// and 1 and off Unix.
pub fn process_exists(pid: u32) -> bool {
    #[cfg(unix)]
    {
        i32::try_from(pid)
            .ok()
            .filter(|p| *p > 1)
            .and_then(rustix::process::Pid::from_raw)
            .is_some_and(|pid| {
                // EPERM means it exists but belongs to someone else.
                match rustix::process::test_kill_process(pid) {
                    Ok(()) => true,
                    Err(e) => e == rustix::io::Errno::PERM,
                }
            })
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        false
    }
}

/// What [`run_tool`] got from a tool.
#[derive(Debug)]
pub struct ToolOutput {
    /// How it exited. `None` when it overran its time limit and its group was killed.
    pub status: Option<ExitStatus>,
    /// The first `output_cap` bytes of its stdout.
    pub stdout: Vec<u8>,
    /// The first `output_cap` bytes of its stderr.
    pub stderr: Vec<u8>,
}

/// Why [`run_tool`] got no [`ToolOutput`]. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The tool could not be started.
    #[error("start the tool: {0}")]
    Spawn(#[source] std::io::Error),
    /// Its exit could not be waited for. Its group has been killed.
    #[error("wait for the tool: {0}")]
    Wait(#[source] std::io::Error),
}

/// Runs `program args…` to its end and returns its status and output (see the module docs).
///
/// - `env`: changes to the inherited environment, applied in order. `Some` sets a variable and
///   `None` removes it.
/// - `stdin`: bytes written to the tool's stdin, which is then closed. With `None` stdin is
///   the null device.
/// - `timeout`: after this long the tool's process group is killed and
///   [`ToolOutput::status`] is `None`.
/// - `output_cap`: how many bytes of stdout and of stderr are kept (each). The rest is
///   read and dropped.
pub fn run_tool(
    program: &Path,
    args: &[impl AsRef<OsStr>],
    env: &[(OsString, Option<OsString>)],
    stdin: Option<&[u8]>,
    timeout: Duration,
    output_cap: usize,
) -> Result<ToolOutput, RunError> {
    let argv = display_argv(
        program,
        &args
            .iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
    );
    let span = tracing::debug_span!("tool", argv = %argv);
    let _entered = span.enter();
    let started = Instant::now();
    let result = run_in_group(program, args, env, stdin, timeout, output_cap);
    let millis = started.elapsed().as_millis() as u64;
    match &result {
        Ok(out) => match out.status {
            Some(status) => {
                tracing::info!(argv = %argv, %status, millis, "tool exited")
            }
            None => tracing::info!(argv = %argv, ?timeout, millis, "tool timed out; group killed"),
        },
        Err(e) => tracing::info!(argv = %argv, error = %e, millis, "tool did not run"),
    }
    result
}

fn run_in_group(
    program: &Path,
    args: &[impl AsRef<OsStr>],
    env: &[(OsString, Option<OsString>)],
    stdin: Option<&[u8]>,
    timeout: Duration,
    output_cap: usize,
) -> Result<ToolOutput, RunError> {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    in_own_group(&mut cmd);
    let mut child = cmd.spawn().map_err(RunError::Spawn)?;
    if let (Some(mut pipe), Some(bytes)) = (child.stdin.take(), stdin) {
        let bytes = bytes.to_vec();
        // Not joined: it ends when the bytes are written or the pipe closes. A tool that exits
        // without reading its input closes the pipe, which is not an error.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let stdout = Reader::start(child.stdout.take(), output_cap);
    let stderr = Reader::start(child.stderr.take(), output_cap);
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= timeout => {
                kill_group(child.id(), Signal::Kill);
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(POLL),
            Err(e) => {
                kill_group(child.id(), Signal::Kill);
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::Wait(e));
            }
        }
    };
    let until = Instant::now() + READ_GRACE;
    Ok(ToolOutput {
        status,
        stdout: stdout.finish(until),
        stderr: stderr.finish(until),
    })
}

/// A thread reading one of the tool's pipes into a buffer shared with the caller.
struct Reader {
    kept: Arc<Mutex<Vec<u8>>>,
    thread: Option<JoinHandle<()>>,
}

impl Reader {
    fn start(pipe: Option<impl Read + Send + 'static>, cap: usize) -> Reader {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let thread = pipe.map(|mut pipe| {
            let kept = Arc::clone(&kept);
            std::thread::spawn(move || {
                let mut chunk = [0u8; 8192];
                loop {
                    match pipe.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => {
                            if let Ok(mut buf) = kept.lock() {
                                let room = cap.saturating_sub(buf.len());
                                buf.extend_from_slice(&chunk[..n.min(room)]);
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
            })
        });
        Reader { kept, thread }
    }

    /// Waits until `until` at the latest for end of file, then returns what was read.
    fn finish(self, until: Instant) -> Vec<u8> {
        if let Some(thread) = self.thread {
            while !thread.is_finished() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(5));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
        self.kept
            .lock()
            .map(|mut buf| std::mem::take(&mut *buf))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SH: &str = "/bin/sh";

    fn sh(script: &str, stdin: Option<&[u8]>, timeout: Duration, cap: usize) -> ToolOutput {
        run_tool(Path::new(SH), &["-c", script], &[], stdin, timeout, cap).unwrap()
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// Whether `pid` runs (a zombie counts as gone). Linux only (`/proc`).
    fn alive(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z" && state != "X")
        })
    }

    #[test]
    fn quoting_leaves_plain_words_and_quotes_the_rest() {
        assert_eq!(shell_quote("--sdk_root=/x/y"), "--sdk_root=/x/y");
        assert_eq!(shell_quote("/usr/bin/adb"), "/usr/bin/adb");
        assert_eq!(shell_quote("a b'c"), r"'a b'\''c'");
        assert_eq!(shell_quote("system-images;x"), "'system-images;x'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("50%"), "'50%'");
        assert_eq!(shell_quote("é"), "'é'");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
        assert_eq!(
            display_argv(Path::new("/sdk/my tools/emulator"), &["-avd", "it's", "-x"]),
            r"'/sdk/my tools/emulator' -avd 'it'\''s' -x"
        );
    }

    #[test]
    fn quoted_words_read_back_as_the_same_arguments_in_sh() {
        let args = [
            "a b",
            "it's",
            "",
            "$HOME",
            "x;y",
            "50%",
            "\\n",
            "tab\there",
            "~",
        ];
        let shown = display_argv(Path::new("printf"), &args);
        // `printf '%s|' ARGS…` prints every argument followed by `|`.
        let script = format!("printf '%s|' {}", &shown["printf ".len()..]);
        let out = sh(&script, None, Duration::from_secs(10), 4096);
        assert_eq!(text(&out.stdout), format!("{}|", args.join("|")));
    }

    #[test]
    fn tail_lines_skips_blank_lines_and_trailing_space() {
        assert_eq!(tail_lines("a\n\nb  \r\n  \nc\n", 2), vec!["b", "c"]);
        assert_eq!(tail_lines("a\nb\n", 5), vec!["a", "b"]);
        assert!(tail_lines("", 3).is_empty());
    }

    #[test]
    fn status_output_stdin_and_env() {
        let out = sh(
            "cat; echo err >&2; exit 7",
            Some(b"y\ny\n"),
            Duration::from_secs(10),
            4096,
        );
        assert_eq!(out.status.unwrap().code(), Some(7));
        assert!(out.status.is_some());
        assert_eq!(text(&out.stdout), "y\ny\n");
        assert_eq!(text(&out.stderr), "err\n");

        // No stdin: the null device, so `cat` ends at once.
        let out = sh("cat; echo end", None, Duration::from_secs(10), 4096);
        assert_eq!(text(&out.stdout), "end\n");

        // Changes apply in order: the later removal wins over the earlier setting.
        let env = [
            (OsString::from("PRIOR_T_SET"), Some(OsString::from("v1"))),
            (OsString::from("PRIOR_T_GONE"), Some(OsString::from("v2"))),
            (OsString::from("PRIOR_T_GONE"), None),
        ];
        let script = r#"echo "${PRIOR_T_SET-unset}/${PRIOR_T_GONE-unset}""#;
        let out = run_tool(
            Path::new(SH),
            &["-c", script],
            &env,
            None,
            Duration::from_secs(10),
            4096,
        )
        .unwrap();
        assert_eq!(text(&out.stdout), "v1/unset\n");
    }

    #[test]
    fn output_beyond_the_cap_is_drained_not_kept() {
        // 200 000 bytes fill any pipe: were they not read, `head` would block until killed.
        let out = sh(
            "head -c 200000 /dev/zero; echo done >&2",
            None,
            Duration::from_secs(20),
            1000,
        );
        assert!(out.status.unwrap().success(), "{out:?}");
        assert_eq!(out.stdout.len(), 1000);
        assert_eq!(text(&out.stderr), "done\n");
    }

    #[test]
    fn a_tool_that_cannot_start_is_a_spawn_error() {
        let r = run_tool(
            Path::new("/nonexistent/prior-tool"),
            &["x"],
            &[],
            None,
            Duration::from_secs(1),
            10,
        );
        assert!(matches!(r, Err(RunError::Spawn(_))), "{r:?}");
    }

    #[test]
    fn a_timeout_kills_the_whole_group() {
        let t = tempfile::tempdir().unwrap();
        let pid_file = t.path().join("pid");
        // The shell starts a grandchild, reports its pid and waits for it.
        let script = format!("sleep 30 & echo $! > '{}'; wait", pid_file.display());
        let start = Instant::now();
        let out = sh(&script, None, Duration::from_millis(500), 4096);
        assert!(out.status.is_none(), "{out:?}");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
        if Path::new("/proc").is_dir() {
            let pid: u32 = std::fs::read_to_string(&pid_file)
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            let until = Instant::now() + Duration::from_secs(5);
            while alive(pid) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(20));
            }
            assert!(!alive(pid), "the grandchild {pid} survived the timeout");
        }
    }

    #[test]
    fn a_daemon_holding_the_pipes_does_not_block_and_kill_group_stops_it() {
        // The shell prints its pid (= its group) and the daemon's, then exits; the daemon
        // keeps stdout open.
        let start = Instant::now();
        let out = sh("sleep 30 & echo $$ $!", None, Duration::from_secs(20), 4096);
        let waited = start.elapsed();
        assert!(out.status.unwrap().success());
        assert!(
            waited >= READ_GRACE && waited < READ_GRACE + Duration::from_secs(5),
            "{waited:?}"
        );
        let ids: Vec<u32> = text(&out.stdout)
            .split_whitespace()
            .map(|w| w.parse().unwrap())
            .collect();
        let (group, daemon) = (ids[0], ids[1]);
        if Path::new("/proc").is_dir() {
            assert!(alive(daemon));
        }
        kill_group(group, Signal::Term);
        if Path::new("/proc").is_dir() {
            let until = Instant::now() + Duration::from_secs(5);
            while alive(daemon) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(20));
            }
            assert!(!alive(daemon), "kill_group left {daemon} running");
        }
    }
}
