//! Toybox-style tools: echo, cat, rm, ls, mkdir, touch, date, sleep, id, uname, kill, ps,
//! pidof, getprop, setprop, log, settings, grep, head/tail, wc, test, uptime, env.

use std::time::Duration;

use crate::device::SimDevice;
use crate::device::clock::strftime;
use crate::device::fs::Meta;
use crate::device::logs::{LogId, Priority};
use crate::device::shell::{Ctx, parse_duration_s};
use crate::device::world::ProcKind;

pub fn echo(args: &[String], ctx: &mut Ctx) -> i32 {
    let mut newline = true;
    let mut escapes = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-n" => newline = false,
            "-e" => escapes = true,
            "-E" => escapes = false,
            "-ne" | "-en" => {
                newline = false;
                escapes = true;
            }
            _ => break,
        }
        i += 1;
    }
    let mut s = args[i..].join(" ");
    if escapes {
        s = s
            .replace("\\n", "\n")
            .replace("\\t", "\t")
            .replace("\\\\", "\\");
    }
    if newline {
        s.push('\n');
    }
    i32::from(!ctx.outs(&s))
}

pub fn cat(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let files: Vec<&String> = args
        .iter()
        .filter(|a| !a.starts_with('-') || a.as_str() == "-")
        .collect();
    if files.is_empty() {
        let data = ctx.read_stdin();
        return i32::from(!ctx.out(&data));
    }
    let mut status = 0;
    for f in files {
        if f == "-" {
            let data = ctx.read_stdin();
            ctx.out(&data);
            continue;
        }
        match dev.with(|w, _| w.fs.read(f)) {
            Ok(d) => {
                if !ctx.out(&d) {
                    return 1;
                }
            }
            Err(e) => {
                ctx.errs(&format!("cat: {f}: {}\n", e.text()));
                status = 1;
            }
        }
    }
    status
}

pub fn rm(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut force = false;
    let mut recursive = false;
    let mut files = Vec::new();
    for a in args {
        if a.starts_with('-') && a.len() > 1 {
            force |= a.contains('f');
            recursive |= a.contains('r') || a.contains('R');
        } else {
            files.push(a.clone());
        }
    }
    if files.is_empty() && !force {
        ctx.errs("rm: Needs 1 argument (see \"rm --help\")\n");
        return 1;
    }
    let mut status = 0;
    for f in files {
        if let Err(e) = dev.with(|w, _| w.fs.remove(&f, recursive)) {
            if force && e == crate::device::fs::FsError::NotFound {
                continue;
            }
            ctx.errs(&format!("rm: {f}: {}\n", e.text()));
            status = 1;
        }
    }
    status
}

fn ls_line(name: &str, m: &Meta, tz_off: i32) -> String {
    let kind = if m.is_dir() { 'd' } else { '-' };
    let bits = m.mode & 0o777;
    let mut perm = String::new();
    for shift in [6, 3, 0] {
        let b = (bits >> shift) & 7;
        perm.push(if b & 4 != 0 { 'r' } else { '-' });
        perm.push(if b & 2 != 0 { 'w' } else { '-' });
        perm.push(if b & 1 != 0 { 'x' } else { '-' });
    }
    let c = crate::device::clock::civil(m.mtime * 1_000_000, tz_off);
    format!(
        "{kind}{perm} 1 shell shell {:>8} {:04}-{:02}-{:02} {:02}:{:02} {name}\n",
        m.size, c.year, c.month, c.day, c.hour, c.minute
    )
}

pub fn ls(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let long = args.iter().any(|a| a.starts_with('-') && a.contains('l'));
    let all = args.iter().any(|a| a.starts_with('-') && a.contains('a'));
    let mut paths: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .cloned()
        .collect();
    if paths.is_empty() {
        paths.push(ctx.env.get("PWD").cloned().unwrap_or_else(|| "/".into()));
    }
    let off = dev.timezone().offset_s;
    let multi = paths.len() > 1;
    let mut status = 0;
    for p in &paths {
        let stat = dev.with(|w, _| w.fs.stat(p));
        match stat {
            None => {
                ctx.errs(&format!("ls: {p}: No such file or directory\n"));
                status = 1;
            }
            Some(m) if !m.is_dir() => {
                ctx.outs(&if long {
                    ls_line(p, &m, off)
                } else {
                    format!("{p}\n")
                });
            }
            Some(_) => {
                let entries = dev.with(|w, _| w.fs.list(p)).unwrap_or_default();
                if multi {
                    ctx.outs(&format!("{p}:\n"));
                }
                if long {
                    ctx.outs(&format!("total {}\n", entries.len()));
                }
                for (n, m) in entries {
                    if n.starts_with('.') && !all {
                        continue;
                    }
                    ctx.outs(&if long {
                        ls_line(&n, &m, off)
                    } else {
                        format!("{n}\n")
                    });
                }
            }
        }
    }
    status
}

pub fn mkdir(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let parents = args.iter().any(|a| a == "-p");
    let mut status = 0;
    for d in args.iter().filter(|a| !a.starts_with('-')) {
        if let Err(e) = dev.with(|w, now| w.fs.mkdir(d, parents, now / 1_000_000, true)) {
            ctx.errs(&format!("mkdir: '{d}': {}\n", e.text()));
            status = 1;
        }
    }
    status
}

pub fn touch(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut status = 0;
    for f in args.iter().filter(|a| !a.starts_with('-')) {
        let r = dev.with(|w, now| match w.fs.read(f) {
            Ok(d) => w.fs.write(f, d.as_ref().clone(), 0o666, now / 1_000_000),
            Err(_) => w.fs.write(f, Vec::new(), 0o666, now / 1_000_000),
        });
        if let Err(e) = r {
            ctx.errs(&format!("touch: '{f}': {}\n", e.text()));
            status = 1;
        }
    }
    status
}

pub fn date(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut tz = dev.timezone();
    let mut fmt = "%a %b %e %H:%M:%S %Z %Y".to_owned();
    for a in args {
        if a == "-u" {
            tz = crate::device::clock::TimeZone::utc();
        } else if let Some(f) = a.strip_prefix('+') {
            fmt = f.to_owned();
        } else if a == "-s" || !a.starts_with('-') {
            ctx.errs("date: cannot set date: Operation not permitted\n");
            return 1;
        }
    }
    let now = dev.now_us();
    i32::from(!ctx.outs(&format!("{}\n", strftime(&fmt, now, &tz))))
}

pub fn sleep(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut total = 0.0;
    for a in args {
        match parse_duration_s(a) {
            Some(s) => total += s,
            None => {
                ctx.errs(&format!("sleep: invalid number '{a}'\n"));
                return 1;
            }
        }
    }
    let clock = dev.clock();
    let end = clock.now_us() + (total * 1e6) as i64;
    if clock.is_manual() {
        // a manual clock jumps; still stop at a deadline
        let stop = ctx.deadline.map_or(end, |d| d.min(end));
        clock.sleep_until(stop);
        dev.with(|_, _| ());
        return ctx.stop_status(clock.now_us(), 0);
    }
    loop {
        let now = clock.now_us();
        if now >= end {
            return 0;
        }
        if !ctx.alive(now) {
            return ctx.stop_status(now, 1);
        }
        let step = Duration::from_micros(((end - now).min(50_000)) as u64);
        std::thread::sleep(step);
    }
}

pub fn id(_args: &[String], ctx: &mut Ctx) -> i32 {
    i32::from(!ctx.outs("uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),1011(adb),1015(sdcard_rw),1028(sdcard_r),1078(ext_data_rw),1079(ext_obb_rw),3001(net_bt_admin),3002(net_bt),3003(inet),3006(net_bw_stats),3009(readproc),3011(uhid),3012(readtracefs) context=u:r:shell:s0\n"))
}

pub fn uname(args: &[String], ctx: &mut Ctx) -> i32 {
    let s = if args.iter().any(|a| a == "-a") {
        "Linux localhost 5.15.41-android13-8-00055-g4f5025129fe8-ab8949913 #1 SMP PREEMPT Mon Aug 15 18:33:14 UTC 2022 x86_64 Toybox\n"
    } else if args.iter().any(|a| a == "-m") {
        "x86_64\n"
    } else if args.iter().any(|a| a == "-r") {
        "5.15.41-android13-8-00055-g4f5025129fe8-ab8949913\n"
    } else {
        "Linux\n"
    };
    i32::from(!ctx.outs(s))
}

/// A signal name or number (`9`, `KILL`, `SIGKILL`).
fn parse_signal(s: &str) -> Option<i32> {
    let s = s.strip_prefix("SIG").unwrap_or(s);
    if let Ok(n) = s.parse::<i32>() {
        return (0..=64).contains(&n).then_some(n);
    }
    Some(match s {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "KILL" => 9,
        "USR1" => 10,
        "USR2" => 12,
        "PIPE" => 13,
        "ALRM" => 14,
        "TERM" => 15,
        "CONT" => 18,
        "STOP" => 19,
        _ => return None,
    })
}

pub fn kill(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    if args.first().is_some_and(|a| a == "-l") {
        ctx.outs("HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM\n");
        return 0;
    }
    let mut sig = 15;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a == "-s" || a == "-n" {
            match args.get(i + 1).and_then(|s| parse_signal(s)) {
                Some(s) => sig = s,
                None => {
                    ctx.errs(&format!(
                        "kill: unknown signal '{}'\n",
                        args.get(i + 1).map_or("", |s| s.as_str())
                    ));
                    return 1;
                }
            }
            i += 2;
            continue;
        }
        if let Some(name) = a.strip_prefix('-').filter(|n| !n.is_empty()) {
            match parse_signal(name) {
                Some(s) => sig = s,
                None => {
                    ctx.errs(&format!("kill: unknown signal '{name}'\n"));
                    return 1;
                }
            }
            i += 1;
            continue;
        }
        break;
    }
    let pids = &args[i.min(args.len())..];
    if pids.is_empty() {
        ctx.errs("kill: Needs 1 argument\n");
        return 1;
    }
    let mut status = 0;
    for p in pids {
        let Ok(pid) = p.parse::<i32>() else {
            ctx.errs(&format!("kill: invalid pid '{p}'\n"));
            status = 1;
            continue;
        };
        let r = dev.with(|w, _| match w.procs.get(&pid) {
            None => Err("No such process"),
            Some(proc_) if proc_.kind == ProcKind::Shell => {
                w.signal_shell(pid, sig);
                Ok(())
            }
            Some(_) => Err("Operation not permitted"),
        });
        if let Err(e) = r {
            ctx.errs(&format!("kill: pid {pid}: {e}\n"));
            status = 1;
        }
    }
    status
}

/// `pkill [-SIG] [-P PPID,…] [PATTERN]`: signals matching shell processes (the shell user may
/// signal only its own processes). Status 0 when something matched.
pub fn pkill(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut sig = 15;
    let mut parents: Option<Vec<i32>> = None;
    let mut pattern: Option<String> = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a == "-P" {
            parents = args
                .get(i + 1)
                .map(|v| v.split(',').filter_map(|p| p.trim().parse().ok()).collect());
            i += 2;
            continue;
        }
        if a == "-f" || a == "-x" {
            i += 1;
            continue;
        }
        if let Some(name) = a.strip_prefix('-') {
            match parse_signal(name) {
                Some(s) => sig = s,
                None => {
                    ctx.errs(&format!("pkill: unknown signal '{name}'\n"));
                    return 2;
                }
            }
        } else {
            pattern = Some(a.clone());
        }
        i += 1;
    }
    let me = ctx.pid;
    let hit = dev.with(|w, _| {
        let targets: Vec<i32> = w
            .procs
            .values()
            .filter(|p| p.kind == ProcKind::Shell && p.pid != me)
            .filter(|p| parents.as_ref().is_none_or(|pp| pp.contains(&p.ppid)))
            .filter(|p| {
                pattern
                    .as_ref()
                    .is_none_or(|pat| p.name.contains(pat.as_str()))
            })
            .map(|p| p.pid)
            .collect();
        for t in &targets {
            w.signal_shell(*t, sig);
        }
        !targets.is_empty()
    });
    i32::from(!hit)
}

fn user_name(uid: i32) -> String {
    match crate::device::logs::aid_name(uid) {
        Some(n) => n.to_owned(),
        None if uid >= 10_000 => format!("u0_a{}", uid - 10_000),
        None => uid.to_string(),
    }
}

pub fn ps(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let all = args
        .iter()
        .any(|a| a == "-A" || a == "-e" || a.contains('A'));
    let me = ctx.pid;
    let rows = dev.with(|w, _| {
        w.procs
            .values()
            .filter(|p| all || p.kind == ProcKind::Shell)
            .map(|p| {
                (
                    user_name(p.uid),
                    p.pid,
                    if p.pid == 1 { 0 } else { p.ppid },
                    p.name.clone(),
                )
            })
            .collect::<Vec<_>>()
    });
    let mut s = String::from(
        "USER            PID   PPID     VSZ    RSS WCHAN            ADDR S NAME                       \n",
    );
    for (user, pid, ppid, name) in rows {
        let state = if pid == me { 'R' } else { 'S' };
        s.push_str(&format!(
            "{user:<12}{pid:>7}{ppid:>7}{:>8}{:>7} {:<16}{:>5} {state} {name}\n",
            10_000 + pid * 3,
            2000 + pid % 977,
            "0",
            "0"
        ));
    }
    i32::from(!ctx.outs(&s))
}

pub fn pidof(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let pids: Vec<String> = dev.with(|w, _| {
        w.procs
            .values()
            .filter(|p| names.iter().any(|n| **n == p.name))
            .map(|p| p.pid.to_string())
            .collect()
    });
    if pids.is_empty() {
        return 1;
    }
    ctx.outs(&format!("{}\n", pids.join(" ")));
    0
}

pub fn getprop(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let args: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let booting = !dev.boot_completed();
    let hidden = |k: &str| booting && crate::device::props::hidden_while_booting(k);
    match args.first() {
        None => {
            let dump = dev.with(|w, _| {
                w.props
                    .iter()
                    .filter(|(k, _)| !hidden(k))
                    .map(|(k, v)| format!("[{k}]: [{v}]\n"))
                    .collect::<String>()
            });
            i32::from(!ctx.outs(&dump))
        }
        Some(k) => {
            let v = dev.with(|w, _| w.props.get(k.as_str()).filter(|_| !hidden(k)).cloned());
            let v = v
                .or_else(|| args.get(1).map(|d| (*d).clone()))
                .unwrap_or_default();
            i32::from(!ctx.outs(&format!("{v}\n")))
        }
    }
}

pub fn setprop(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let (Some(k), Some(v)) = (args.first(), args.get(1)) else {
        ctx.errs("usage: setprop NAME VALUE\n");
        return 1;
    };
    let allowed = [
        "debug.",
        "log.tag.",
        "persist.log.tag",
        "prior.",
        "persist.debug.",
    ]
    .iter()
    .any(|p| k.starts_with(p));
    if !allowed || v.len() > 91 {
        ctx.errs(&format!(
            "Failed to set property '{k}' to '{v}'.\nSee dmesg for error reason.\n"
        ));
        return 1;
    }
    dev.with(|w, _| {
        w.props.insert(k.clone(), v.clone());
    });
    0
}

pub fn log(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut tag = "log".to_owned();
    let mut prio = Priority::Info;
    let mut buf = LogId::Main;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-t" => {
                tag = args.get(i + 1).cloned().unwrap_or_default();
                i += 2;
            }
            "-p" => {
                match args
                    .get(i + 1)
                    .and_then(|p| p.chars().next())
                    .and_then(Priority::from_letter)
                {
                    Some(p) => prio = p,
                    None => {
                        ctx.errs("log: -p: bad priority\n");
                        return 1;
                    }
                }
                i += 2;
            }
            "-b" => {
                match args.get(i + 1).and_then(|b| LogId::from_name(b)) {
                    Some(b) => buf = b,
                    None => {
                        ctx.errs("log: -b: bad buffer\n");
                        return 1;
                    }
                }
                i += 2;
            }
            "--" => {
                i += 1;
                break;
            }
            _ => break,
        }
    }
    let msg = args[i.min(args.len())..].join(" ");
    if msg.is_empty() {
        ctx.errs("usage: log [-b BUFFER] [-p PRI] [-t TAG] MESSAGE...\n");
        return 1;
    }
    dev.with(|w, now| {
        let pid = w.alloc_pid();
        w.log_at(now, buf, pid, pid, 2000, prio, &tag, &msg);
    });
    0
}

pub fn settings(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut a: Vec<&String> = args.iter().collect();
    if a.first().is_some_and(|x| x.as_str() == "--user") {
        a.drain(..2.min(a.len()));
    }
    let usage = "usage:  settings [--user <USER_ID> | current] get namespace key\n        settings [--user <USER_ID> | current] put namespace key value\n        settings [--user <USER_ID> | current] delete namespace key\n        settings [--user <USER_ID> | current] list namespace\n";
    let (Some(verb), Some(ns)) = (a.first(), a.get(1)) else {
        ctx.errs(usage);
        return 1;
    };
    if !["system", "secure", "global"].contains(&ns.as_str()) {
        ctx.errs(&format!("Invalid namespace '{ns}'\n{usage}"));
        return 1;
    }
    match verb.as_str() {
        "get" => {
            let Some(k) = a.get(2) else {
                ctx.errs(usage);
                return 1;
            };
            let v = dev.with(|w, _| w.settings.get(&((*ns).clone(), (*k).clone())).cloned());
            i32::from(!ctx.outs(&format!("{}\n", v.unwrap_or_else(|| "null".into()))))
        }
        "put" => {
            let (Some(k), Some(v)) = (a.get(2), a.get(3)) else {
                ctx.errs(usage);
                return 1;
            };
            dev.with(|w, _| {
                w.settings
                    .insert(((*ns).clone(), (*k).clone()), (*v).clone());
            });
            0
        }
        "delete" => {
            let Some(k) = a.get(2) else {
                ctx.errs(usage);
                return 1;
            };
            let n = dev.with(|w, _| w.settings.remove(&((*ns).clone(), (*k).clone())).is_some());
            ctx.outs(&format!("Deleted {} rows\n", i32::from(n)));
            0
        }
        "list" => {
            let rows = dev.with(|w, _| {
                w.settings
                    .iter()
                    .filter(|((n, _), _)| n == *ns)
                    .map(|((_, k), v)| format!("{k}={v}\n"))
                    .collect::<String>()
            });
            i32::from(!ctx.outs(&rows))
        }
        _ => {
            ctx.errs(usage);
            1
        }
    }
}

/// grep with fixed-string patterns (the simulator has no regex engine here).
pub fn grep(args: &[String], ctx: &mut Ctx) -> i32 {
    let mut invert = false;
    let mut count = false;
    let mut quiet = false;
    let mut icase = false;
    let mut rest = Vec::new();
    for a in args {
        if a.starts_with('-') && a.len() > 1 && rest.is_empty() {
            invert |= a.contains('v');
            count |= a.contains('c');
            quiet |= a.contains('q');
            icase |= a.contains('i');
        } else {
            rest.push(a.clone());
        }
    }
    let Some(pat) = rest.first() else {
        ctx.errs("usage: grep [-civq] PATTERN\n");
        return 2;
    };
    let pat = if icase {
        pat.to_lowercase()
    } else {
        pat.clone()
    };
    let data = ctx.read_stdin();
    let text = String::from_utf8_lossy(&data);
    let mut n = 0;
    for line in text.lines() {
        let hay = if icase {
            line.to_lowercase()
        } else {
            line.to_owned()
        };
        if hay.contains(&pat) != invert {
            n += 1;
            if !count && !quiet {
                ctx.outs(&format!("{line}\n"));
            }
        }
    }
    if count {
        ctx.outs(&format!("{n}\n"));
    }
    i32::from(n == 0)
}

pub fn head_tail(name: &str, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut n = 10usize;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a == "-n" {
            n = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(10);
            i += 2;
        } else if let Some(v) = a.strip_prefix('-').and_then(|v| v.parse().ok()) {
            n = v;
            i += 1;
        } else {
            break;
        }
    }
    let data = ctx.read_stdin();
    let text = String::from_utf8_lossy(&data);
    let lines: Vec<&str> = text.lines().collect();
    let pick: &[&str] = if name == "head" {
        &lines[..n.min(lines.len())]
    } else {
        &lines[lines.len().saturating_sub(n)..]
    };
    for l in pick {
        ctx.outs(&format!("{l}\n"));
    }
    0
}

pub fn wc(args: &[String], ctx: &mut Ctx) -> i32 {
    let data = ctx.read_stdin();
    let lines = data.iter().filter(|b| **b == b'\n').count();
    if args.iter().any(|a| a == "-l") {
        ctx.outs(&format!("{lines}\n"));
    } else if args.iter().any(|a| a == "-c") {
        ctx.outs(&format!("{}\n", data.len()));
    } else {
        let words = String::from_utf8_lossy(&data).split_whitespace().count();
        ctx.outs(&format!("{lines} {words} {}\n", data.len()));
    }
    0
}

pub fn test(dev: &SimDevice, name: &str, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
    if name == "[" {
        if a.last() != Some(&"]") {
            ctx.errs("[: missing ]\n");
            return 2;
        }
        a.pop();
    }
    let mut negate = false;
    if a.first() == Some(&"!") {
        negate = true;
        a.remove(0);
    }
    let r = match a.as_slice() {
        [] => false,
        [s] => !s.is_empty(),
        ["-n", s] => !s.is_empty(),
        ["-z", s] => s.is_empty(),
        ["-e", p] => dev.with(|w, _| w.fs.stat(p).is_some()),
        ["-f", p] => dev.with(|w, _| w.fs.stat(p).is_some_and(|m| !m.is_dir())),
        ["-d", p] => dev.with(|w, _| w.fs.stat(p).is_some_and(|m| m.is_dir())),
        ["-s", p] => dev.with(|w, _| w.fs.stat(p).is_some_and(|m| m.size > 0)),
        [x, "=", y] | [x, "==", y] => x == y,
        [x, "!=", y] => x != y,
        [x, op, y] => {
            let (Ok(x), Ok(y)) = (x.parse::<i64>(), y.parse::<i64>()) else {
                ctx.errs(&format!("{name}: integer expression expected\n"));
                return 2;
            };
            match *op {
                "-eq" => x == y,
                "-ne" => x != y,
                "-lt" => x < y,
                "-le" => x <= y,
                "-gt" => x > y,
                "-ge" => x >= y,
                _ => {
                    ctx.errs(&format!("{name}: unknown operator {op}\n"));
                    return 2;
                }
            }
        }
        _ => {
            ctx.errs(&format!("{name}: too many arguments\n"));
            return 2;
        }
    };
    i32::from(r == negate)
}

pub fn uptime(dev: &SimDevice, ctx: &mut Ctx) -> i32 {
    let now = dev.now_us();
    let up = (now - dev.clock().boot_us()) / 1_000_000;
    let tz = dev.timezone();
    let clock = strftime("%H:%M:%S", now, &tz);
    let (h, m) = (up / 3600, (up % 3600) / 60);
    let up_s = if h > 0 {
        format!("{h}:{m:02}")
    } else {
        format!("{m} min")
    };
    i32::from(!ctx.outs(&format!(
        " {clock} up {up_s},  0 users,  load average: 0.00, 0.00, 0.00\n"
    )))
}

pub fn env(_args: &[String], ctx: &mut Ctx) -> i32 {
    let s: String = ctx.env.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    i32::from(!ctx.outs(&s))
}
