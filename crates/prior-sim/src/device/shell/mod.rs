//! The simulated `/system/bin/sh`: runs parsed scripts, expands words, wires
//! redirections and pipes, and dispatches builtins and device commands.

pub mod parse;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use parse::{Command, Join, Redir, Seg, Word};

use super::SimDevice;
use super::clock::DeviceUs;
use crate::ShellIo;

/// Largest buffer a redirect or pipe may collect (bounded memory).
pub const MAX_CAPTURE: usize = 64 * 1024 * 1024;

/// Where a stream goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The host's stdout.
    Out,
    /// The host's stderr.
    Err,
    /// `/dev/null`.
    Null,
    /// A capture buffer (file redirect, pipe, `$(…)`).
    Buf(usize),
}

/// What a command sees: its streams, its stop conditions and its environment.
pub struct Ctx<'a> {
    host: &'a mut dyn ShellIo,
    bufs: &'a mut Vec<Vec<u8>>,
    pub out: Target,
    pub err: Target,
    /// Bytes on stdin (`None`: the host's stdin, read on demand).
    pub stdin: Option<Vec<u8>>,
    /// This process's kill flag (signal number, 0 = none), then its ancestors'.
    kills: Vec<Arc<AtomicI32>>,
    pub deadline: Option<DeviceUs>,
    /// The shell's pid (`$$`).
    pub pid: i32,
    pub env: BTreeMap<String, String>,
}

impl Ctx<'_> {
    fn write(&mut self, t: Target, data: &[u8]) -> bool {
        match t {
            Target::Out => self.host.stdout(data),
            Target::Err => self.host.stderr(data),
            Target::Null => !self.host.is_closed(),
            Target::Buf(i) => match self.bufs.get_mut(i) {
                Some(b) if b.len() + data.len() <= MAX_CAPTURE => {
                    b.extend_from_slice(data);
                    true
                }
                _ => false,
            },
        }
    }

    /// Writes to stdout; `false` once the host has gone (stop then).
    pub fn out(&mut self, data: &[u8]) -> bool {
        let t = self.out;
        self.write(t, data)
    }

    /// Writes to stderr.
    pub fn err(&mut self, data: &[u8]) -> bool {
        let t = self.err;
        self.write(t, data)
    }

    /// `out` for text.
    pub fn outs(&mut self, s: &str) -> bool {
        self.out(s.as_bytes())
    }

    /// `err` for text.
    pub fn errs(&mut self, s: &str) -> bool {
        self.err(s.as_bytes())
    }

    /// Whether the command should keep running (host connected, not killed, not timed out).
    pub fn alive(&self, now: DeviceUs) -> bool {
        !self.host.is_closed() && self.signal() == 0 && self.deadline.is_none_or(|d| now < d)
    }

    /// The signal that killed this process or an ancestor (0 = none).
    pub fn signal(&self) -> i32 {
        signal_of(&self.kills)
    }

    /// The exit status for a command stopped early: 128 + signal (143 for SIGTERM, 137 for
    /// SIGKILL), 124 (timeout), else `normal`.
    pub fn stop_status(&self, now: DeviceUs, normal: i32) -> i32 {
        let sig = self.signal();
        if sig != 0 {
            128 + sig
        } else if self.deadline.is_some_and(|d| now >= d) {
            124
        } else {
            normal
        }
    }

    /// All of stdin (up to EOF or 200 ms of silence from the host).
    pub fn read_stdin(&mut self) -> Vec<u8> {
        if let Some(b) = self.stdin.take() {
            return b;
        }
        let mut all = Vec::new();
        while let Some(chunk) = self.host.read_stdin(Duration::from_millis(200)) {
            if chunk.is_empty() || all.len() > MAX_CAPTURE {
                break;
            }
            all.extend_from_slice(&chunk);
        }
        all
    }
}

enum Flow {
    Exit(i32),
}

/// One shell process.
pub struct Shell<'d> {
    dev: &'d SimDevice,
    env: BTreeMap<String, String>,
    last: i32,
    pid: i32,
    /// Own kill flag first, then the ancestors' (a killed parent stops its children too).
    kills: Vec<Arc<AtomicI32>>,
    deadline: Option<DeviceUs>,
    depth: u32,
    args: Vec<String>,
}

fn signal_of(kills: &[Arc<AtomicI32>]) -> i32 {
    kills
        .iter()
        .map(|k| k.load(Ordering::SeqCst))
        .find(|s| *s != 0)
        .unwrap_or(0)
}

/// The status of a command killed by the shell machinery.
fn is_stop(code: i32) -> bool {
    code == 143 || code == 124
}

impl<'d> Shell<'d> {
    /// A shell with the default environment, registered as process `pid`.
    pub fn new(dev: &'d SimDevice, pid: i32, killed: Arc<AtomicI32>) -> Shell<'d> {
        let mut env = BTreeMap::new();
        for (k, v) in [
            (
                "PATH",
                "/product/bin:/apex/com.android.runtime/bin:/apex/com.android.art/bin:/system_ext/bin:/system/bin:/system/xbin:/odm/bin:/vendor/bin:/vendor/xbin",
            ),
            ("HOME", "/"),
            ("SHELL", "/bin/sh"),
            ("USER", "shell"),
            ("LOGNAME", "shell"),
            ("HOSTNAME", "emu64xa"),
            ("TMPDIR", "/data/local/tmp"),
            ("ANDROID_DATA", "/data"),
            ("ANDROID_ROOT", "/system"),
            ("EXTERNAL_STORAGE", "/sdcard"),
        ] {
            env.insert(k.to_owned(), v.to_owned());
        }
        Shell {
            dev,
            env,
            last: 0,
            pid,
            kills: vec![killed],
            deadline: None,
            depth: 0,
            args: vec!["/system/bin/sh".into()],
        }
    }

    /// Runs a command line with the host's streams. Returns the exit status.
    pub fn run_host(&mut self, src: &str, host: &mut dyn ShellIo) -> i32 {
        let mut bufs: Vec<Vec<u8>> = Vec::new();
        match self.run_script(src, host, &mut bufs, Target::Out, Target::Err, None) {
            Ok(c) | Err(Flow::Exit(c)) => c,
        }
    }

    fn run_script(
        &mut self,
        src: &str,
        host: &mut dyn ShellIo,
        bufs: &mut Vec<Vec<u8>>,
        out: Target,
        err: Target,
        stdin: Option<Vec<u8>>,
    ) -> Result<i32, Flow> {
        self.depth += 1;
        let r = self.run_script_inner(src, host, bufs, out, err, stdin);
        self.depth -= 1;
        r
    }

    fn run_script_inner(
        &mut self,
        src: &str,
        host: &mut dyn ShellIo,
        bufs: &mut Vec<Vec<u8>>,
        out: Target,
        err: Target,
        mut stdin: Option<Vec<u8>>,
    ) -> Result<i32, Flow> {
        if self.depth > 16 {
            let mut ctx = self.ctx(host, bufs, out, err, None);
            ctx.errs("/system/bin/sh: too much recursion\n");
            return Ok(2);
        }
        let script = match parse::parse(src) {
            Ok(s) => s,
            Err(e) => {
                let mut ctx = self.ctx(host, bufs, out, err, None);
                ctx.errs(&format!("/system/bin/sh: {e}\n"));
                self.last = 1;
                return Ok(1);
            }
        };
        for (join, pipeline) in script {
            let run = match join {
                Join::Seq => true,
                Join::And => self.last == 0,
                Join::Or => self.last != 0,
            };
            if !run {
                continue;
            }
            self.last = self.run_pipeline(&pipeline, host, bufs, out, err, stdin.take())?;
            let sig = signal_of(&self.kills);
            if sig != 0 {
                self.last = 128 + sig;
                return Ok(self.last);
            }
            if self.deadline.is_some() && is_stop(self.last) {
                return Ok(self.last);
            }
            if host.is_closed() {
                break;
            }
        }
        Ok(self.last)
    }

    fn ctx<'a>(
        &self,
        host: &'a mut dyn ShellIo,
        bufs: &'a mut Vec<Vec<u8>>,
        out: Target,
        err: Target,
        stdin: Option<Vec<u8>>,
    ) -> Ctx<'a> {
        Ctx {
            host,
            bufs,
            out,
            err,
            stdin,
            kills: self.kills.clone(),
            deadline: self.deadline,
            pid: self.pid,
            env: self.env.clone(),
        }
    }

    fn run_pipeline(
        &mut self,
        p: &[Command],
        host: &mut dyn ShellIo,
        bufs: &mut Vec<Vec<u8>>,
        out: Target,
        err: Target,
        stdin: Option<Vec<u8>>,
    ) -> Result<i32, Flow> {
        let mut input = stdin;
        let mut status = 0;
        for (i, cmd) in p.iter().enumerate() {
            let last = i + 1 == p.len();
            if last {
                status = self.run_command(cmd, host, bufs, out, err, input.take())?;
            } else {
                bufs.push(Vec::new());
                let idx = bufs.len() - 1;
                // the left side of a pipe runs to completion first (buffered pipe)
                let r = self.run_command(cmd, host, bufs, Target::Buf(idx), err, input.take());
                input = Some(std::mem::take(&mut bufs[idx]));
                if let Err(Flow::Exit(_)) = r {
                    // `exit` inside a pipeline only ends that element
                }
            }
        }
        Ok(status)
    }

    /// Expands a word into fields.
    fn expand(
        &mut self,
        w: &Word,
        host: &mut dyn ShellIo,
        bufs: &mut Vec<Vec<u8>>,
        err: Target,
    ) -> Vec<String> {
        let mut fields: Vec<String> = Vec::new();
        let mut cur = String::new();
        let mut have = false;
        for seg in &w.0 {
            let (text, quoted) = match seg {
                Seg::Lit(t, q) => (t.clone(), *q),
                Seg::Var(name, q) => (self.var(name), *q),
                Seg::Subst(src, q) => {
                    bufs.push(Vec::new());
                    let idx = bufs.len() - 1;
                    let saved_last = self.last;
                    let _ = self.run_script(src, host, bufs, Target::Buf(idx), err, None);
                    let _ = saved_last;
                    let mut s = String::from_utf8_lossy(&bufs[idx]).into_owned();
                    bufs[idx].clear();
                    while s.ends_with('\n') {
                        s.pop();
                    }
                    (s, *q)
                }
            };
            let is_lit = matches!(seg, Seg::Lit(..));
            if quoted || is_lit {
                cur.push_str(&text);
                have = have || quoted || !text.is_empty();
            } else {
                // unquoted expansion: split on whitespace
                for (k, piece) in text.split([' ', '\t', '\n']).enumerate() {
                    if k > 0 && have {
                        fields.push(std::mem::take(&mut cur));
                        have = false;
                    }
                    if !piece.is_empty() {
                        cur.push_str(piece);
                        have = true;
                    }
                }
            }
        }
        if have {
            fields.push(cur);
        }
        fields
    }

    fn expand_one(
        &mut self,
        w: &Word,
        host: &mut dyn ShellIo,
        bufs: &mut Vec<Vec<u8>>,
        err: Target,
    ) -> String {
        self.expand(w, host, bufs, err).join(" ")
    }

    fn var(&self, name: &str) -> String {
        match name {
            "?" => self.last.to_string(),
            "$" => self.pid.to_string(),
            "#" => self.args.len().saturating_sub(1).to_string(),
            "!" => String::new(),
            n if n.len() == 1 && n.as_bytes()[0].is_ascii_digit() => self
                .args
                .get(usize::from(n.as_bytes()[0] - b'0'))
                .cloned()
                .unwrap_or_default(),
            n => self.env.get(n).cloned().unwrap_or_default(),
        }
    }

    fn run_command(
        &mut self,
        cmd: &Command,
        host: &mut dyn ShellIo,
        bufs: &mut Vec<Vec<u8>>,
        out: Target,
        err: Target,
        stdin: Option<Vec<u8>>,
    ) -> Result<i32, Flow> {
        let mut argv: Vec<String> = Vec::new();
        for w in &cmd.words {
            argv.extend(self.expand(w, host, bufs, err));
        }
        let mut assigns: Vec<(String, String)> = Vec::new();
        for (k, w) in &cmd.assigns {
            let v = self.expand_one(w, host, bufs, err);
            assigns.push((k.clone(), v));
        }
        // redirections
        let (mut o, mut e, mut input) = (out, err, stdin);
        let mut files: Vec<(String, usize, bool)> = Vec::new();
        for r in &cmd.redirs {
            match r {
                Redir::Out { .. } | Redir::Both { .. } => {
                    let (fd, target, append, both) = match r {
                        Redir::Out { fd, target, append } => (*fd, target, *append, false),
                        Redir::Both { target } => (1, target, false, true),
                        _ => continue,
                    };
                    let path = self.expand_one(target, host, bufs, err);
                    let t = match self.open_out(&path, append) {
                        Ok(t) => t,
                        Err(msg) => {
                            let mut ctx = self.ctx(host, bufs, o, e, None);
                            ctx.errs(&format!("/system/bin/sh: can't create {path}: {msg}\n"));
                            return Ok(1);
                        }
                    };
                    let t = match t {
                        Some(t) => t,
                        None => {
                            bufs.push(Vec::new());
                            files.push((path, bufs.len() - 1, append));
                            Target::Buf(bufs.len() - 1)
                        }
                    };
                    if both {
                        o = t;
                        e = t;
                    } else if fd == 1 {
                        o = t;
                    } else if fd == 2 {
                        e = t;
                    }
                }
                Redir::In { fd, target } => {
                    let path = self.expand_one(target, host, bufs, err);
                    if *fd != 0 {
                        continue;
                    }
                    match path.as_str() {
                        "/dev/null" => input = Some(Vec::new()),
                        _ => match self
                            .dev
                            .with(|w, _| w.fs.read(&path).map(|d| d.as_ref().clone()))
                        {
                            Ok(d) => input = Some(d),
                            Err(fe) => {
                                let mut ctx = self.ctx(host, bufs, o, e, None);
                                ctx.errs(&format!(
                                    "/system/bin/sh: can't open {path}: {}\n",
                                    fe.text()
                                ));
                                return Ok(1);
                            }
                        },
                    }
                }
                Redir::Dup { fd, to } => {
                    let src = match to {
                        1 => o,
                        2 => e,
                        _ => Target::Null,
                    };
                    if *fd == 1 {
                        o = src;
                    } else if *fd == 2 {
                        e = src;
                    }
                }
            }
        }
        let status = if argv.is_empty() {
            for (k, v) in assigns {
                self.env.insert(k, v);
            }
            0
        } else {
            let saved: Vec<(String, Option<String>)> = assigns
                .iter()
                .map(|(k, _)| (k.clone(), self.env.get(k).cloned()))
                .collect();
            for (k, v) in &assigns {
                self.env.insert(k.clone(), v.clone());
            }
            let r = self.dispatch(&argv, host, bufs, o, e, input);
            for (k, v) in saved {
                match v {
                    Some(v) => self.env.insert(k, v),
                    None => self.env.remove(&k),
                };
            }
            for (path, idx, append) in &files {
                let data = std::mem::take(&mut bufs[*idx]);
                self.dev.with(|w, now| {
                    let _ = if *append {
                        w.fs.append(path, &data, now / 1_000_000)
                    } else {
                        w.fs.write(path, data, 0o666, now / 1_000_000)
                    };
                });
            }
            r?
        };
        Ok(status)
    }

    /// `Ok(None)`: capture into a buffer and write the file afterwards.
    fn open_out(&self, path: &str, append: bool) -> Result<Option<Target>, String> {
        match path {
            "/dev/null" => Ok(Some(Target::Null)),
            "/dev/stdout" | "/proc/self/fd/1" => Ok(Some(Target::Out)),
            "/dev/stderr" | "/proc/self/fd/2" => Ok(Some(Target::Err)),
            "" => Err("No such file or directory".into()),
            _ => self.dev.with(|w, now| {
                let r = if append {
                    w.fs.append(path, &[], now / 1_000_000)
                } else {
                    w.fs.write(path, Vec::new(), 0o666, now / 1_000_000)
                };
                r.map(|_| None).map_err(|e| e.text().to_owned())
            }),
        }
    }

    fn dispatch(
        &mut self,
        argv: &[String],
        host: &mut dyn ShellIo,
        bufs: &mut Vec<Vec<u8>>,
        out: Target,
        err: Target,
        stdin: Option<Vec<u8>>,
    ) -> Result<i32, Flow> {
        let name = argv[0].rsplit('/').next().unwrap_or(&argv[0]).to_owned();
        match name.as_str() {
            "exit" => {
                let code = match argv.get(1) {
                    None => self.last,
                    Some(a) => match a.parse::<i64>() {
                        Ok(n) => (n & 0xff) as i32,
                        Err(_) => {
                            let mut ctx = self.ctx(host, bufs, out, err, None);
                            ctx.errs(&format!("/system/bin/sh: exit: {a}: bad number\n"));
                            1
                        }
                    },
                };
                Err(Flow::Exit(code))
            }
            "exec" => {
                if argv.len() == 1 {
                    return Ok(0);
                }
                let rest = argv[1..].to_vec();
                let prog = rest[0].rsplit('/').next().unwrap_or(&rest[0]).to_owned();
                self.dev.with(|w, _| {
                    if let Some(p) = w.procs.get_mut(&self.pid) {
                        p.name = prog;
                    }
                });
                let code = self.dispatch(&rest, host, bufs, out, err, stdin)?;
                Err(Flow::Exit(code))
            }
            "export" => {
                for a in &argv[1..] {
                    if let Some((k, v)) = a.split_once('=') {
                        self.env.insert(k.to_owned(), v.to_owned());
                    } else if !self.env.contains_key(a) {
                        self.env.insert(a.clone(), String::new());
                    }
                }
                Ok(0)
            }
            "unset" => {
                for a in &argv[1..] {
                    self.env.remove(a);
                }
                Ok(0)
            }
            "true" | ":" | "wait" | "set" => Ok(0),
            "false" => Ok(1),
            "cd" => {
                let dir = argv.get(1).cloned().unwrap_or_else(|| "/".into());
                let ok = self
                    .dev
                    .with(|w, _| w.fs.stat(&dir).is_some_and(|m| m.is_dir()));
                if ok {
                    self.env.insert("PWD".into(), super::fs::normalize(&dir));
                    Ok(0)
                } else {
                    let mut ctx = self.ctx(host, bufs, out, err, None);
                    ctx.errs(&format!(
                        "/system/bin/sh: cd: {dir}: No such file or directory\n"
                    ));
                    Ok(2)
                }
            }
            "sh" | "mksh" => self.builtin_sh(argv, host, bufs, out, err, stdin),
            "timeout" => self.builtin_timeout(argv, host, bufs, out, err, stdin),
            _ => {
                let mut ctx = self.ctx(host, bufs, out, err, stdin);
                let code = super::cmds::run(self.dev, &name, argv, &mut ctx);
                Ok(code)
            }
        }
    }

    fn builtin_sh(
        &mut self,
        argv: &[String],
        host: &mut dyn ShellIo,
        bufs: &mut Vec<Vec<u8>>,
        out: Target,
        err: Target,
        stdin: Option<Vec<u8>>,
    ) -> Result<i32, Flow> {
        let (script, args) = match argv.get(1).map(String::as_str) {
            Some("-c") => match argv.get(2) {
                Some(s) => (s.clone(), argv[3..].to_vec()),
                None => {
                    let mut ctx = self.ctx(host, bufs, out, err, None);
                    ctx.errs("/system/bin/sh: -c: option requires an argument\n");
                    return Ok(1);
                }
            },
            Some(path) => match self.dev.with(|w, _| {
                w.fs.read(path)
                    .map(|d| String::from_utf8_lossy(&d).into_owned())
            }) {
                Ok(s) => (s, argv[1..].to_vec()),
                Err(e) => {
                    let mut ctx = self.ctx(host, bufs, out, err, None);
                    ctx.errs(&format!("/system/bin/sh: {path}: {}\n", e.text()));
                    return Ok(127);
                }
            },
            None => {
                let mut ctx = self.ctx(host, bufs, out, err, stdin);
                let s = ctx.read_stdin();
                (String::from_utf8_lossy(&s).into_owned(), Vec::new())
            }
        };
        // a child process: its own pid and kill flag (`kill <child>` ends only the child)
        let flag = Arc::new(AtomicI32::new(0));
        let parent = self.pid;
        let pid = self
            .dev
            .with(|w, now| w.add_shell_proc("sh", now, Arc::clone(&flag), parent));
        let mut kills = vec![flag];
        kills.extend(self.kills.iter().cloned());
        let mut child = Shell {
            dev: self.dev,
            env: self.env.clone(),
            last: 0,
            pid,
            kills,
            deadline: self.deadline,
            depth: self.depth,
            args: if args.is_empty() {
                vec!["/system/bin/sh".into()]
            } else {
                args
            },
        };
        let r = match child.run_script(&script, host, bufs, out, err, None) {
            Ok(c) | Err(Flow::Exit(c)) => c,
        };
        let sig = signal_of(&child.kills[..1]);
        self.dev.with(|w, _| {
            w.procs.remove(&pid);
        });
        Ok(if sig != 0 { 128 + sig } else { r })
    }

    fn builtin_timeout(
        &mut self,
        argv: &[String],
        host: &mut dyn ShellIo,
        bufs: &mut Vec<Vec<u8>>,
        out: Target,
        err: Target,
        stdin: Option<Vec<u8>>,
    ) -> Result<i32, Flow> {
        let mut i = 1;
        while i < argv.len() && argv[i].starts_with('-') {
            // -s SIG / -k DUR take a value; --preserve-status and -v do not
            if argv[i] == "-s" || argv[i] == "-k" {
                i += 1;
            }
            i += 1;
        }
        let Some(secs) = argv.get(i).and_then(|d| parse_duration_s(d)) else {
            let mut ctx = self.ctx(host, bufs, out, err, None);
            ctx.errs("usage: timeout [-k DURATION] [-s SIGNAL] DURATION COMMAND...\n");
            return Ok(125);
        };
        if argv.len() <= i + 1 {
            let mut ctx = self.ctx(host, bufs, out, err, None);
            ctx.errs("timeout: Needs 2 arguments\n");
            return Ok(125);
        }
        let now = self.dev.now_us();
        let saved = self.deadline;
        let mine = now + (secs * 1e6) as i64;
        self.deadline = Some(saved.map_or(mine, |d| d.min(mine)));
        let r = self.dispatch(&argv[i + 1..], host, bufs, out, err, stdin);
        let hit = self.deadline.is_some_and(|d| self.dev.now_us() >= d);
        self.deadline = saved;
        let code = match r {
            Ok(c) | Err(Flow::Exit(c)) => c,
        };
        Ok(if hit && signal_of(&self.kills) == 0 {
            124
        } else {
            code
        })
    }
}

/// `1`, `2.5`, `3s`, `1m`, `1h` → seconds.
pub fn parse_duration_s(s: &str) -> Option<f64> {
    let (num, mult) = match s.chars().last()? {
        's' => (&s[..s.len() - 1], 1.0),
        'm' => (&s[..s.len() - 1], 60.0),
        'h' => (&s[..s.len() - 1], 3600.0),
        'd' => (&s[..s.len() - 1], 86400.0),
        _ => (s, 1.0),
    };
    let v: f64 = num.parse().ok()?;
    (v.is_finite() && v >= 0.0 && v * mult <= 86400.0 * 30.0).then_some(v * mult)
}
