//! `am` (start, force-stop, kill, trace-ipc, broadcast, get-current-user) and `monkey`
//! (ActivityManagerShellCommand and Monkey wording, `docs/device-formats.md` §4, §5–8).

use std::time::Duration;

use crate::device::SimDevice;
use crate::device::shell::Ctx;
use crate::device::world::{StartRefused, World};

/// Waits (real clock) or jumps (manual clock) until `done` or ~10 s of device time.
fn wait_for(dev: &SimDevice, ctx: &Ctx, done: impl Fn(&World) -> bool) {
    let clock = dev.clock();
    let limit = clock.now_us() + 10_000_000;
    loop {
        let (ok, next) = dev.with(|w, _| (done(w), w.next_due()));
        let now = clock.now_us();
        if ok || now >= limit || !ctx.alive(now) {
            return;
        }
        if clock.is_manual() {
            clock.sleep_until(next.unwrap_or(limit).min(limit));
        } else {
            dev.wait(Duration::from_millis(50));
        }
    }
}

struct Intent {
    action: Option<String>,
    categories: Vec<String>,
    data: Option<String>,
    component: Option<(String, String)>,
    package: Option<String>,
    flags: Option<u32>,
}

fn parse_component(c: &str) -> Option<(String, String)> {
    let (pkg, cls) = c.split_once('/')?;
    if pkg.is_empty() || cls.is_empty() {
        return None;
    }
    let cls = if let Some(rest) = cls.strip_prefix('.') {
        format!("{pkg}.{rest}")
    } else {
        cls.to_owned()
    };
    Some((pkg.to_owned(), cls))
}

fn describe(i: &Intent, extra_flags: u32) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &i.action {
        parts.push(format!("act={a}"));
    }
    if !i.categories.is_empty() {
        parts.push(format!("cat=[{}]", i.categories.join(",")));
    }
    if let Some(d) = &i.data {
        parts.push(format!("dat={d}"));
    }
    let flags = i.flags.unwrap_or(0) | extra_flags;
    if flags != 0 {
        parts.push(format!("flg=0x{flags:x}"));
    }
    if let Some((p, c)) = &i.component {
        parts.push(format!("cmp={}", World::short_component(p, c)));
    } else if let Some(p) = &i.package {
        parts.push(format!("pkg={p}"));
    }
    parts.join(" ")
}

pub fn am(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(verb) = args.first() else {
        ctx.outs("Activity manager (activity) commands:\n  help\n      Print this help text.\n");
        return 0;
    };
    let rest = &args[1..];
    match verb.as_str() {
        "start" | "start-activity" => start(dev, rest, ctx),
        "force-stop" | "kill" => {
            let Some(p) = rest
                .iter()
                .find(|a| !a.starts_with('-') && a.parse::<i32>().is_err())
            else {
                ctx.errs("Error: no package specified\n");
                return 255;
            };
            let pid = ctx.pid;
            let reason = if verb == "force-stop" {
                format!("from pid {pid}")
            } else {
                "kill background".into()
            };
            dev.with(|w, now| w.kill_app(now, p, &reason, pid));
            0
        }
        "trace-ipc" => match rest.first().map(String::as_str) {
            Some("start") => {
                dev.with(|w, _| w.ipc_start());
                i32::from(!ctx.outs("Starting IPC tracing.\n"))
            }
            Some("stop") => {
                let file = rest
                    .iter()
                    .position(|a| a == "--dump-file")
                    .and_then(|i| rest.get(i + 1))
                    .cloned();
                let Some(file) = file else {
                    ctx.errs("Error: Specify filename to dump logs to.\n");
                    return 255;
                };
                let r = dev.with(|w, now| {
                    let text = w.ipc_stop()?;
                    Some(w.fs.write(&file, text.into_bytes(), 0o666, now / 1_000_000))
                });
                match r {
                    None => {
                        ctx.errs("STOP TRACE FAILED.\n");
                        255
                    }
                    Some(Err(e)) => {
                        ctx.errs(&format!("Error: Unable to open file: {file}\nConsider using a file under /data/local/tmp/ ({})\n", e.text()));
                        255
                    }
                    Some(Ok(())) => i32::from(
                        !ctx.outs(&format!("Stopped IPC tracing. Dumping logs to: {file}\n")),
                    ),
                }
            }
            _ => {
                ctx.errs("Error: unknown trace-ipc command\n");
                255
            }
        },
        "broadcast" => {
            let act = rest
                .iter()
                .position(|a| a == "-a")
                .and_then(|i| rest.get(i + 1))
                .cloned()
                .unwrap_or_default();
            ctx.outs(&format!(
                "Broadcasting: Intent {{ act={act} flg=0x400000 }}\nBroadcast completed: result=0\n"
            ));
            0
        }
        "get-current-user" => i32::from(!ctx.outs("0\n")),
        "kill-all" => 0,
        other => {
            ctx.errs(&format!("Unknown command: {other}\n"));
            255
        }
    }
}

fn start(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut wait = false;
    let mut stop_first = false;
    let mut intent = Intent {
        action: None,
        categories: Vec::new(),
        data: None,
        component: None,
        package: None,
        flags: None,
    };
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let next = args.get(i + 1).cloned();
        match a.as_str() {
            "-W" => wait = true,
            "-S" => stop_first = true,
            "-D"
            | "-N"
            | "--activity-clear-task"
            | "--activity-new-task"
            | "--activity-single-top"
            | "--activity-clear-top" => {}
            "-n" => {
                match next.as_deref().and_then(parse_component) {
                    Some(c) => intent.component = Some(c),
                    None => {
                        ctx.errs(&format!(
                            "Error: Bad component name: {}\n",
                            next.unwrap_or_default()
                        ));
                        return 255;
                    }
                }
                i += 1;
            }
            "-a" => {
                intent.action = next;
                i += 1;
            }
            "-c" => {
                if let Some(c) = next {
                    intent.categories.push(c);
                }
                i += 1;
            }
            "-d" => {
                intent.data = next;
                i += 1;
            }
            "-f" => {
                intent.flags = next.and_then(|f| {
                    u32::from_str_radix(
                        f.trim_start_matches("0x"),
                        if f.starts_with("0x") { 16 } else { 10 },
                    )
                    .ok()
                });
                i += 1;
            }
            "--user" | "-P" | "--start-profiler" | "--sampling" | "-R" | "--display"
            | "--windowingMode" | "--activityType" => i += 1,
            "-e" | "--es" | "--ei" | "--ez" | "--el" | "--ef" | "--eu" | "--ecn" | "--eia"
            | "--esa" => i += 2,
            "--esn" => i += 1,
            s if !s.starts_with('-') => intent.package = Some(s.to_owned()),
            _ => {}
        }
        i += 1;
    }
    ctx.outs(&format!(
        "Starting: Intent {{ {} }}\n",
        describe(&intent, 0)
    ));
    let target = match (&intent.component, &intent.package) {
        (Some(c), _) => Some(c.clone()),
        (None, Some(p)) => dev.with(|w, _| {
            w.packages
                .get(p)
                .and_then(|pk| pk.main_activity.clone().map(|a| (p.clone(), a)))
        }),
        _ => None,
    };
    let Some((pkg, cls)) = target else {
        ctx.errs(
            "Error: Activity not started, unable to resolve Intent { "
                .to_owned()
                .as_str(),
        );
        ctx.errs(&format!("{} }}\n", describe(&intent, 0x1000_0000)));
        return 255;
    };
    let pid = ctx.pid;
    if stop_first {
        dev.with(|w, now| w.kill_app(now, &pkg, &format!("from pid {pid}"), pid));
    }
    let log_intent = describe(&intent, 0x1000_0000);
    let outcome = dev.with(|w, now| w.start_activity(now, &pkg, &cls, &log_intent, 2000));
    let outcome = match outcome {
        Ok(o) => o,
        Err(e @ StartRefused::NoSuchActivity(_)) => {
            ctx.errs(&format!("Error type 3\nError: {e}\n"));
            return 255;
        }
        Err(e @ StartRefused::NoModel(_)) => {
            ctx.errs(&format!("Error: {e}\n"));
            return 255;
        }
    };
    if outcome.brought_to_front {
        ctx.outs("Warning: Activity not started, its current task has been brought to the front\n");
    }
    if !wait {
        return 0;
    }
    let opid = outcome.pid;
    if outcome.state == "COLD" {
        wait_for(dev, ctx, |w| w.launch_settled(opid));
    } else {
        dev.clock().sleep_until(outcome.displayed_us);
    }
    let now = dev.now_us();
    let displayed = dev.with(|w, _| {
        w.procs.get(&opid).is_some_and(|p| {
            p.displayed || p.kind != crate::device::world::ProcKind::App || outcome.state != "COLD"
        })
    });
    let total = (outcome.displayed_us - outcome.start_us) / 1000;
    let wait_ms = ((now - outcome.start_us) / 1000).max(total + 3);
    let mut s = String::from("Status: ok\n");
    if displayed {
        s.push_str(&format!(
            "LaunchState: {}\nActivity: {}\n",
            outcome.state, outcome.component_short
        ));
        if outcome.state != "HOT" {
            s.push_str(&format!("TotalTime: {total}\n"));
        }
    } else {
        s.push_str(&format!(
            "LaunchState: UNKNOWN (0)\nActivity: {}\n",
            outcome.component_short
        ));
    }
    s.push_str(&format!("WaitTime: {wait_ms}\nComplete\n"));
    i32::from(!ctx.outs(&s))
}

pub fn monkey(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut pkgs: Vec<String> = Vec::new();
    let mut cats: Vec<String> = Vec::new();
    let mut syskeys: f64 = 2.0;
    let mut verbose = 0;
    let mut i = 0;
    let mut count: Option<u64> = None;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-p" => {
                if let Some(p) = args.get(i + 1) {
                    pkgs.push(p.clone());
                }
                i += 1;
            }
            "-c" => {
                if let Some(c) = args.get(i + 1) {
                    cats.push(c.clone());
                }
                i += 1;
            }
            "--pct-syskeys" => {
                syskeys = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(2.0);
                i += 1;
            }
            "-v" => verbose += 1,
            "-s" | "--throttle" | "--pct-touch" | "--pct-motion" | "--pct-trackball"
            | "--pct-nav" | "--pct-majornav" | "--pct-appswitch" | "--pct-anyevent"
            | "--pct-flip" | "--pct-pinchzoom" | "--pct-permission" => i += 1,
            s if !s.starts_with('-') => count = s.parse().ok(),
            _ => {}
        }
        i += 1;
    }
    let Some(count) = count else {
        ctx.errs("** Error: Count not specified\n");
        return 1;
    };
    if cats.is_empty() {
        cats = vec![
            "android.intent.category.LAUNCHER".into(),
            "android.intent.category.MONKEY".into(),
        ];
    }
    if verbose > 0 {
        ctx.outs(&format!(":Monkey: seed=0 count={count}\n"));
        for p in &pkgs {
            ctx.outs(&format!(":AllowPackage: {p}\n"));
        }
        for c in &cats {
            ctx.outs(&format!(":IncludeCategory: {c}\n"));
        }
    }
    if syskeys != 0.0 {
        ctx.errs(&format!(
            "** SYS_KEYS has no physical keys but with factor {syskeys:.1}%.\n"
        ));
        return 251;
    }
    let launcher_cat = cats.iter().any(|c| c == "android.intent.category.LAUNCHER");
    let target = dev.with(|w, _| {
        pkgs.iter().find_map(|p| {
            let pk = w.packages.get(p)?;
            if !launcher_cat {
                return None;
            }
            pk.main_activity.clone().map(|a| (p.clone(), a))
        })
    });
    let Some((pkg, cls)) = target else {
        ctx.errs("** No activities found to run, monkey aborted.\n");
        return 252;
    };
    let started = dev.now_us();
    let intent = format!(
        "act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10200000 cmp={}",
        World::short_component(&pkg, &cls)
    );
    let _ = dev.with(|w, now| w.start_activity(now, &pkg, &cls, &intent, 2000));
    dev.clock()
        .sleep_until(started + 60_000 + 1_000 * i64::from(count.min(1) as u8));
    let elapsed = (dev.now_us() - started) / 1000;
    if verbose > 0 {
        ctx.outs(&format!(":Switch: #Intent;action=android.intent.action.MAIN;category=android.intent.category.LAUNCHER;launchFlags=0x10200000;component={};end\n", World::short_component(&pkg, &cls)));
        ctx.outs(&format!(
            "    // Allowing start of Intent {{ {intent} }} in package {pkg}\n"
        ));
    }
    ctx.outs(&format!("Events injected: {}\n## Network stats: elapsed time={elapsed}ms (0ms mobile, 0ms wifi, {elapsed}ms not connected)\n", count.min(1)));
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_and_intents_describe_like_am() {
        assert_eq!(
            parse_component("com.x/.Main"),
            Some(("com.x".into(), "com.x.Main".into()))
        );
        assert_eq!(
            parse_component("com.x/org.y.Main"),
            Some(("com.x".into(), "org.y.Main".into()))
        );
        assert_eq!(parse_component("com.x"), None);
        let i = Intent {
            action: Some("android.intent.action.MAIN".into()),
            categories: vec!["android.intent.category.LAUNCHER".into()],
            data: None,
            component: parse_component("com.x/.Main"),
            package: None,
            flags: None,
        };
        assert_eq!(
            describe(&i, 0),
            "act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] cmp=com.x/.Main"
        );
        assert_eq!(
            describe(&i, 0x1000_0000),
            "act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10000000 cmp=com.x/.Main"
        );
    }
}
