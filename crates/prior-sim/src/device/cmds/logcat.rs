//! `logcat`: buffers (`-b`, repeatable, comma lists, `all`, `default`), `-c`, `-d`,
//! `-t N|time`, `-T N|time`, `-g`, `-G SIZE`, `--pid`, `--uid`, `-m`, `-e` (substring),
//! `-s`, `-D`, filterspecs `TAG:P` (and `ANDROID_LOG_TAGS`), and every `-v` format word.
//! Without `-d`/`-t` it streams until the host closes the stream, the shell is killed or a
//! `timeout` expires.

use std::collections::HashSet;
use std::time::Duration;

use crate::device::SimDevice;
use crate::device::clock::{DeviceUs, civil, utc_from_local};
use crate::device::logs::{
    LogEntry, LogFormat, LogId, MAX_BUFFER_BYTES, MIN_BUFFER_BYTES, Priority,
};
use crate::device::profile::Fact;
use crate::device::shell::Ctx;

/// Android 7.0 (API 24) logcat.cpp: `-v` takes one format word (`setLogFormat(optarg)`);
/// a list fails at once with `Invalid parameter epoch,uid to -v` and the usage, exit 1.
/// `-b` takes one buffer name as given; a list (or an unknown name) is kept as a device
/// name that `android_logger_open` cannot open, so after parsing logcat exits 1 with
/// `Unable to open log device 'main,system'` (no usage). `all` and `default` work.
/// Returns the exit status when the arguments fail this way.
/// (`buffer_lists`: 7.1 already splits `-b` lists.)
fn android7_arg_errors(args: &[String], ctx: &mut Ctx, buffer_lists: bool) -> Option<i32> {
    let mut bad_device: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (flag, value) = match a {
            "-v" | "-b" => {
                i += 1;
                (a, args.get(i).cloned())
            }
            _ if a.starts_with("--format=") => ("-v", a.split_once('=').map(|(_, v)| v.to_owned())),
            _ if a.starts_with("--buffer=") => ("-b", a.split_once('=').map(|(_, v)| v.to_owned())),
            "--format" | "--buffer" => {
                i += 1;
                (
                    if a == "--format" { "-v" } else { "-b" },
                    args.get(i).cloned(),
                )
            }
            _ if a.len() > 2
                && (a.starts_with("-v") || a.starts_with("-b"))
                && !a.starts_with("--") =>
            {
                (&a[..2], Some(a[2..].to_owned()))
            }
            _ => {
                i += 1;
                continue;
            }
        };
        i += 1;
        let Some(v) = value else { continue };
        if flag == "-v"
            && LogFormat::new(crate::device::clock::TimeZone::utc(), 0)
                .apply(&v)
                .is_err()
        {
            ctx.errs(&format!("Invalid parameter {v} to -v\n{USAGE_HEAD}"));
            return Some(1);
        }
        if flag == "-b"
            && !buffer_lists
            && bad_device.is_none()
            && !matches!(v.as_str(), "all" | "default")
            && LogId::from_name(&v).is_none()
            && !matches!(v.as_str(), "kernel" | "security")
        {
            bad_device = Some(v);
        }
    }
    let dev = bad_device?;
    ctx.errs(&format!("Unable to open log device '{dev}'\n"));
    Some(1)
}

#[derive(Debug, Clone, Copy)]
enum Tail {
    Count(usize),
    Since(DeviceUs),
}

struct Filter {
    global: Priority,
    rules: Vec<(String, Priority)>,
}

impl Filter {
    fn add(&mut self, spec: &str) -> Result<(), ()> {
        for part in spec.split([' ', '\t', ',']).filter(|p| !p.is_empty()) {
            let (tag, pri) = match part.split_once(':') {
                Some((t, p)) => {
                    let c = p.chars().next().ok_or(())?;
                    (t, Some(Priority::from_letter(c).ok_or(())?))
                }
                None => (part, None),
            };
            if tag.is_empty() {
                return Err(());
            }
            if tag == "*" {
                self.global = pri.unwrap_or(Priority::Debug);
            } else {
                self.rules
                    .insert(0, (tag.to_owned(), pri.unwrap_or(Priority::Verbose)));
            }
        }
        Ok(())
    }

    fn pass(&self, e: &LogEntry) -> bool {
        let min = self
            .rules
            .iter()
            .find(|(t, _)| *t == e.tag)
            .map_or(self.global, |(_, p)| *p);
        e.prio >= min
    }
}

fn parse_size(s: &str) -> Option<usize> {
    let (num, mult) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1024),
        'm' | 'M' => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    num.parse::<usize>().ok()?.checked_mul(mult)
}

/// `MM-DD hh:mm:ss.mmm`, `YYYY-MM-DD hh:mm:ss.mmm` (device-local) or `sssss.mmm` (epoch).
fn parse_time(s: &str, now: DeviceUs, offset_s: i32) -> Option<DeviceUs> {
    let s = s.trim();
    if !s.contains(' ') {
        let (sec, frac) = s.split_once('.')?;
        let secs: i64 = sec.parse().ok()?;
        let mut f = frac.to_owned();
        f.truncate(6);
        while f.len() < 6 {
            f.push('0');
        }
        return Some(secs * 1_000_000 + f.parse::<i64>().ok()?);
    }
    let (date, time) = s.split_once(' ')?;
    let dp: Vec<&str> = date.split('-').collect();
    let (y, m, d) = match dp.as_slice() {
        [m, d] => (civil(now, offset_s).year, m.parse().ok()?, d.parse().ok()?),
        [y, m, d] => (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        _ => return None,
    };
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let tp: Vec<u32> = hms
        .split(':')
        .map(|x| x.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    let [hh, mm, ss] = tp.as_slice() else {
        return None;
    };
    let mut f = frac.to_owned();
    f.truncate(6);
    while f.len() < 6 {
        f.push('0');
    }
    utc_from_local((y, m, d), (*hh, *mm, *ss), f.parse().ok()?, offset_s)
}

/// A `-b` name logcat does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unknown buffer '{0}'")]
struct UnknownBuffer(String);

fn add_buffers(list: &mut Vec<LogId>, spec: &str) -> Result<(), UnknownBuffer> {
    for name in spec.split(',').filter(|n| !n.is_empty()) {
        match name {
            "all" => {
                for b in LogId::ALL {
                    if !list.contains(&b) {
                        list.push(b);
                    }
                }
            }
            "default" => {
                for b in [LogId::Main, LogId::System, LogId::Crash] {
                    if !list.contains(&b) {
                        list.push(b);
                    }
                }
            }
            "kernel" | "security" | "stats" => {}
            other => match LogId::from_name(other) {
                Some(b) => {
                    if !list.contains(&b) {
                        list.push(b);
                    }
                }
                None => return Err(UnknownBuffer(other.to_owned())),
            },
        }
    }
    Ok(())
}

/// The first lines of logcat's usage text, which `logcat_panic(true, …)` prints after its
/// message (abridged: the real help goes on for ~60 lines).
const USAGE_HEAD: &str = "Usage: logcat [options] [filterspecs]\noptions include:\n";

pub fn logcat(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let profile = dev.profile();
    if !profile.has(Fact::LogcatFormatLists)
        && let Some(status) = android7_arg_errors(args, ctx, profile.has(Fact::LogcatBufferLists))
    {
        return status;
    }
    let tz = dev.timezone();
    let mut fmt = LogFormat::new(tz.clone(), dev.clock().boot_us());
    fmt.api = dev.profile().api;
    let mut bufs: Vec<LogId> = Vec::new();
    let mut buf_given = false;
    let (mut dump, mut clear, mut get_size, mut dividers) = (false, false, false, false);
    let mut set_size: Option<usize> = None;
    let mut tail: Option<Tail> = None;
    let mut follow_tail = false;
    let mut pid_filter: Option<i32> = None;
    let mut uid_filter: Option<Vec<i32>> = None;
    let mut max_count: Option<usize> = None;
    let mut regex: Option<String> = None;
    let mut specs: Vec<String> = Vec::new();
    let now0 = dev.now_us();
    let mut i = 0;
    let bad = |ctx: &mut Ctx, msg: String| {
        ctx.errs(&msg);
        1
    };
    while i < args.len() {
        let a = args[i].as_str();
        // --long=value and --long value
        let (key, inline): (&str, Option<&str>) = match a.split_once('=') {
            Some((k, v)) if a.starts_with("--") => (k, Some(v)),
            _ => (a, None),
        };
        let takes = |short: &str| a.len() > 2 && a.starts_with(short) && !a.starts_with("--");
        let value = |i: &mut usize| -> Option<String> {
            if let Some(v) = inline {
                return Some(v.to_owned());
            }
            *i += 1;
            args.get(*i).cloned()
        };
        match key {
            "-d" => dump = true,
            "-c" | "--clear" => clear = true,
            "-g" | "--buffer-size" if inline.is_none() => get_size = true,
            "-D" | "--dividers" => dividers = true,
            "-s" => specs.push("*:S".into()),
            "-B" | "--binary" => {
                return bad(
                    ctx,
                    "logcat: -B (binary output) is not supported by the simulated device\n".into(),
                );
            }
            "-L" | "--last" => return bad(ctx, "logcat: failed to read the last log\n".into()),
            "-S" | "--statistics" | "-P" | "--prune" | "-Z" | "-Q" => {}
            "-v" | "--format" => match value(&mut i) {
                Some(v) => {
                    for w in v.split([',', ' ']).filter(|w| !w.is_empty()) {
                        if fmt.apply(w).is_err() {
                            return bad(ctx, format!("logcat: Invalid parameter \"{w}\" to -v.\n"));
                        }
                    }
                }
                None => return bad(ctx, "logcat: option requires an argument -- 'v'\n".into()),
            },
            "-b" | "--buffer" => match value(&mut i) {
                Some(v) => {
                    buf_given = true;
                    if let Err(m) = add_buffers(&mut bufs, &v) {
                        return bad(ctx, format!("{m}\n"));
                    }
                }
                None => return bad(ctx, "logcat: option requires an argument -- 'b'\n".into()),
            },
            "-t" | "-T" => {
                let Some(v) = value(&mut i) else {
                    return bad(
                        ctx,
                        format!("logcat: option requires an argument -- '{}'\n", &key[1..]),
                    );
                };
                if key == "-t" {
                    dump = true;
                } else {
                    follow_tail = true;
                }
                tail = if v.contains('.') || v.contains(' ') || v.contains(':') {
                    match parse_time(&v, now0, tz.offset_s) {
                        Some(t) => Some(Tail::Since(t)),
                        None => {
                            return bad(
                                ctx,
                                format!("logcat: -{} \"{v}\" not in time format\n", &key[1..]),
                            );
                        }
                    }
                } else {
                    match v.parse::<usize>() {
                        Ok(n) if n > 0 => Some(Tail::Count(n)),
                        _ => {
                            return bad(
                                ctx,
                                format!("logcat: -{} \"{v}\" invalid count\n", &key[1..]),
                            );
                        }
                    }
                };
            }
            "-G" | "--buffer-size" => match value(&mut i).as_deref().and_then(parse_size) {
                Some(n) if (MIN_BUFFER_BYTES..=MAX_BUFFER_BYTES).contains(&n) => set_size = Some(n),
                _ => return bad(ctx, "logcat: -G: invalid buffer size\n".into()),
            },
            "--pid" => match value(&mut i).and_then(|v| v.parse().ok()) {
                Some(p) => pid_filter = Some(p),
                None => return bad(ctx, "logcat: --pid: invalid pid\n".into()),
            },
            "--uid" => match value(&mut i).map(|v| {
                v.split(',')
                    .map(|u| u.trim().parse::<i32>())
                    .collect::<Result<Vec<_>, _>>()
            }) {
                Some(Ok(u)) => uid_filter = Some(u),
                _ => return bad(ctx, "logcat: --uid: invalid uid list\n".into()),
            },
            "-m" | "--max-count" => match value(&mut i).and_then(|v| v.parse().ok()) {
                Some(n) => max_count = Some(n),
                None => return bad(ctx, "logcat: -m: invalid count\n".into()),
            },
            "-e" | "--regex" => regex = value(&mut i),
            "-n" | "-r" | "-f" | "--file" | "--rotate-kbytes" | "--rotate-count" => {
                let _ = value(&mut i);
            }
            _ if takes("-v") => {
                for w in a[2..].split(',') {
                    if fmt.apply(w).is_err() {
                        return bad(ctx, format!("logcat: Invalid parameter \"{w}\" to -v.\n"));
                    }
                }
            }
            _ if takes("-b") => {
                buf_given = true;
                if let Err(m) = add_buffers(&mut bufs, &a[2..]) {
                    return bad(ctx, format!("{m}\n"));
                }
            }
            _ if a.starts_with('-') => {
                return bad(
                    ctx,
                    format!(
                        "logcat: invalid option -- '{}'\nUnrecognized Option\n",
                        a.trim_start_matches('-')
                    ),
                );
            }
            _ => specs.push(a.to_owned()),
        }
        i += 1;
    }
    if !buf_given {
        bufs = vec![LogId::Main, LogId::System, LogId::Crash];
    }
    let mut filter = Filter {
        global: Priority::Verbose,
        rules: Vec::new(),
    };
    if specs.is_empty()
        && let Some(env) = ctx.env.get("ANDROID_LOG_TAGS").cloned()
        && filter.add(&env).is_err()
    {
        return bad(
            ctx,
            "logcat: Invalid filter expression in ANDROID_LOG_TAGS.\n".into(),
        );
    }
    for s in &specs {
        if filter.add(s).is_err() {
            return bad(ctx, format!("logcat: Invalid filter expression '{s}'.\n"));
        }
    }

    if clear || set_size.is_some() || get_size {
        let out = dev.with(|w, _| {
            let mut out = String::new();
            for b in &bufs {
                if clear {
                    w.logs.clear(*b);
                }
                if let Some(n) = set_size {
                    w.logs.set_capacity(*b, n);
                }
                if get_size {
                    let (cap, used) = w.logs.usage(*b);
                    out.push_str(&format!(
                        "{}: ring buffer is {} KiB ({} KiB consumed, {} KiB readable), max entry is 5120 B, max payload is 4068 B\n",
                        b.name(),
                        cap / 1024,
                        used / 1024,
                        used / 1024
                    ));
                }
            }
            out
        });
        ctx.outs(&out);
        return 0;
    }

    let keep = |e: &LogEntry| -> bool {
        pid_filter.is_none_or(|p| e.pid == p)
            && uid_filter.as_ref().is_none_or(|u| u.contains(&e.uid))
            && filter.pass(e)
            && regex.as_ref().is_none_or(|r| e.msg.contains(r.as_str()))
    };
    let mut printed: HashSet<LogId> = HashSet::new();
    let mut last_buf: Option<LogId> = None;
    let mut emitted = 0usize;
    let multi = bufs.len() > 1;
    let mut emit = |ctx: &mut Ctx, e: &LogEntry| -> bool {
        let mut s = String::new();
        if multi && (!printed.contains(&e.buf) || (dividers && last_buf != Some(e.buf))) {
            let word = if printed.contains(&e.buf) {
                "switch to"
            } else {
                "beginning of"
            };
            s.push_str(&format!("--------- {word} {}\n", e.buf.name()));
            printed.insert(e.buf);
        }
        last_buf = Some(e.buf);
        s.push_str(&fmt.format(e));
        ctx.outs(&s)
    };

    // the initial batch
    let (initial, mut last_seq) = dev.with(|w, _| {
        let all: Vec<LogEntry> = w
            .logs
            .collect(&bufs, 0)
            .into_iter()
            .filter(|e| keep(e))
            .collect();
        (all, w.logs.next_seq() - 1)
    });
    let initial: Vec<LogEntry> = match tail {
        Some(Tail::Count(n)) => initial[initial.len().saturating_sub(n)..].to_vec(),
        Some(Tail::Since(t)) => initial.into_iter().filter(|e| e.time_us >= t).collect(),
        None => initial,
    };
    for e in &initial {
        if max_count.is_some_and(|m| emitted >= m) {
            return 0;
        }
        if !emit(ctx, e) {
            return 0;
        }
        emitted += 1;
    }
    if dump || (tail.is_some() && !follow_tail) {
        return 0;
    }
    // stream
    loop {
        // a stopped stream still drains what was logged before it stopped
        let now = dev.now_us();
        let alive = ctx.alive(now);
        if max_count.is_some_and(|m| emitted >= m) {
            return 0;
        }
        let batch = dev.with(|w, _| {
            let v: Vec<LogEntry> = w.logs.collect(&bufs, last_seq);
            last_seq = w.logs.next_seq() - 1;
            v
        });
        for e in batch.iter().filter(|e| keep(e)) {
            if max_count.is_some_and(|m| emitted >= m) {
                return 0;
            }
            if !emit(ctx, e) {
                return 0;
            }
            emitted += 1;
        }
        if !alive {
            return ctx.stop_status(now, 0);
        }
        dev.wait(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_times_parse() {
        assert_eq!(parse_size("256K"), Some(262_144));
        assert_eq!(parse_size("16M"), Some(16 * 1024 * 1024));
        assert_eq!(parse_size("x"), None);
        let now = 1_795_894_200_000_000;
        assert_eq!(parse_time("1795894200.5", now, 0), Some(now + 500_000));
        assert_eq!(parse_time("11-28 19:30:00.000", now, 0), Some(now));
        assert_eq!(
            parse_time("2026-11-29 03:30:00.250", now, 8 * 3600),
            Some(now + 250_000)
        );
        assert_eq!(parse_time("junk", now, 0), None);
    }

    #[test]
    fn filterspecs_follow_liblog_rules() {
        let mut f = Filter {
            global: Priority::Verbose,
            rules: Vec::new(),
        };
        f.add("*:S prior:I").unwrap();
        let e = |tag: &str, prio| LogEntry {
            seq: 1,
            buf: LogId::Main,
            time_us: 0,
            pid: 1,
            tid: 1,
            uid: 0,
            prio,
            tag: tag.into(),
            msg: String::new(),
        };
        assert!(f.pass(&e("prior", Priority::Info)));
        assert!(!f.pass(&e("prior", Priority::Debug)));
        assert!(!f.pass(&e("other", Priority::Fatal)));
        let mut g = Filter {
            global: Priority::Verbose,
            rules: Vec::new(),
        };
        g.add("''").unwrap();
        assert!(g.pass(&e("x", Priority::Verbose)));
        assert!(g.add("tag:Q").is_err());
        let mut star = Filter {
            global: Priority::Verbose,
            rules: Vec::new(),
        };
        star.add("*").unwrap();
        assert!(!star.pass(&e("x", Priority::Verbose)), "bare * means *:D");
    }
}
