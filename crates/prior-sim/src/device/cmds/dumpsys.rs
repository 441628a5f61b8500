//! `dumpsys` (appops, package, window, activity) and `appops` / `cmd appops`.

use crate::device::SimDevice;
use crate::device::apis;
use crate::device::appops::format_uid;
use crate::device::profile::Fact;
use crate::device::rng::fnv;
use crate::device::shell::Ctx;
use crate::device::world::{WinKind, World};

pub fn dumpsys(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(service) = args.first() else {
        ctx.outs("Currently running services:\n  activity\n  appops\n  package\n  window\n");
        return 0;
    };
    let rest = &args[1..];
    match service.as_str() {
        "appops" if !dev.profile().has(Fact::AppOpsDumpOptions) => {
            legacy_appops_dump(dev, rest, ctx)
        }
        "appops" => {
            let pkg = rest
                .iter()
                .position(|a| a == "--package")
                .and_then(|i| rest.get(i + 1))
                .cloned();
            let text = dev.with(|w, now| {
                let uids = w.appops_uids(pkg.as_deref())?;
                Ok::<String, crate::device::world::UnknownPackage>(w.appops.dump(
                    &uids,
                    pkg.as_deref(),
                    now,
                    w.tz.offset_s,
                ))
            });
            match text {
                Ok(t) => i32::from(!ctx.outs(&t)),
                Err(e) => {
                    ctx.outs(&format!("{e}\n"));
                    0
                }
            }
        }
        "package" => match rest.iter().find(|a| !a.starts_with('-')) {
            Some(p) => dump_package(dev, p, ctx),
            None => i32::from(!ctx.outs("Package manager dump (summary not simulated)\n")),
        },
        "window" => {
            let s = dev.with(|w, _| focus_lines(w));
            i32::from(!ctx.outs(&format!(
                "WINDOW MANAGER WINDOWS (dumpsys window windows)\n{s}"
            )))
        }
        "activity" => {
            let s = dev.with(|w, _| {
                let top = w.windows.iter().rev().find(|x| matches!(x.kind, WinKind::Activity | WinKind::Launcher));
                match top.and_then(|t| activity_of(w, t)) {
                    Some(a) => format!("ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)\n  ResumedActivity: ActivityRecord{{{:x} u0 {a} t{}}}\n  mResumedActivity: ActivityRecord{{{:x} u0 {a} t{}}}\n", fnv(&a) & 0xfff_ffff, 20 + fnv(&a) % 30, fnv(&a) & 0xfff_ffff, 20 + fnv(&a) % 30),
                    None => "ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)\n".into(),
                }
            });
            i32::from(!ctx.outs(&s))
        }
        other => {
            ctx.errs(&format!("Can't find service: {other}\n"));
            0
        }
    }
}

/// `dumpsys appops` before Android 9 (AppOpsService.dump of 7.x/8.x): `-h` prints the help,
/// `-a` is ignored, any other `-x` prints `Unknown option: -x` and anything else
/// `Unknown command: X` — and then nothing more (no dump). No arguments: the old layout.
fn legacy_appops_dump(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    for a in args {
        if a == "-h" {
            return i32::from(!ctx.outs("AppOps service (appops) dump options:\n  none\n"));
        } else if a == "-a" {
        } else if a.starts_with('-') {
            return i32::from(!ctx.outs(&format!("Unknown option: {a}\n")));
        } else {
            return i32::from(!ctx.outs(&format!("Unknown command: {a}\n")));
        }
    }
    let text = dev.with(|w, now| w.appops.dump_legacy(now));
    i32::from(!ctx.outs(&text))
}

fn activity_of(w: &World, win: &crate::device::world::Window) -> Option<String> {
    match &win.kind {
        WinKind::Launcher => {
            Some("com.google.android.apps.nexuslauncher/.NexusLauncherActivity".into())
        }
        WinKind::Permission { .. } => Some(format!(
            "{}/{}",
            crate::device::world::PERMCTRL_PKG,
            crate::device::world::GRANT_ACTIVITY
        )),
        _ => {
            let p = w.procs.get(&win.pid?)?;
            let comp = p.component.clone()?;
            let (pkg, cls) = comp.split_once('/')?;
            Some(World::short_component(pkg, cls))
        }
    }
}

fn focus_lines(w: &World) -> String {
    let Some(top) = w.windows.last() else {
        return String::new();
    };
    let name = activity_of(w, top).unwrap_or_default();
    let h = fnv(&name) & 0xfff_ffff;
    format!(
        "  mCurrentFocus=Window{{{h:x} u0 {name}}}\n  mFocusedApp=ActivityRecord{{{:x} u0 {name} t{}}}\n",
        h ^ 0x5a5a,
        20 + h % 30
    )
}

pub fn dump_package(dev: &SimDevice, pkg: &str, ctx: &mut Ctx) -> i32 {
    let s = dev.with(|w, _| {
        let p = w.packages.get(pkg)?;
        let h = fnv(pkg) & 0xfff_ffff;
        let mut s = format!("Packages:\n  Package [{pkg}] ({h:x}):\n    userId={}\n    pkg=Package{{{:x} {pkg}}}\n    codePath={}\n", p.uid, h ^ 0x33, p.path.rsplit_once('/').map_or("", |(d, _)| d));
        s.push_str(&format!("    versionCode={} minSdk=21 targetSdk={}\n    versionName={}\n", p.version_code, p.target_sdk, p.version_name));
        // Settings.dumpPackageLPr: `flags=` (ApplicationInfo.flags) and `pkgFlags=` through
        // printFlags with FLAG_DUMP_SPEC order: SYSTEM DEBUGGABLE HAS_CODE … ALLOW_CLEAR_USER_DATA
        // … ALLOW_BACKUP, each name followed by a space, inside `[ … ]`.
        let debuggable = w.models.get(pkg).is_some_and(|m| m.debuggable);
        let flags = format!(
            "[ {}{}HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]",
            if p.system { "SYSTEM " } else { "" },
            if debuggable { "DEBUGGABLE " } else { "" }
        );
        s.push_str(&format!("    flags={flags}\n    pkgFlags={flags}\n"));
        s.push_str("    requested permissions:\n");
        for r in &p.requested {
            s.push_str(&format!("      {r}\n"));
        }
        s.push_str("    install permissions:\n");
        for r in p.requested.iter().filter(|r| !apis::is_runtime(r)) {
            s.push_str(&format!("      {r}: granted=true\n"));
        }
        s.push_str(&format!("    User 0: ceDataInode=0 installed=true hidden=false suspended=false distractionFlags=0 stopped=false notLaunched=false enabled=0 instant=false virtual=false\n      appId={}\n      runtime permissions:\n", format_uid(p.uid)));
        for r in p.requested.iter().filter(|r| apis::is_runtime(r)) {
            let g = p.granted.contains(r);
            let flags = if g { "[ USER_SET|USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED ]" } else { "[ USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED ]" };
            s.push_str(&format!("        {r}: granted={g}, flags={flags}\n"));
        }
        Some(s)
    });
    match s {
        Some(s) => i32::from(!ctx.outs(&s)),
        None => {
            ctx.outs(&format!("Unable to find package: {pkg}\n"));
            0
        }
    }
}

pub fn appops(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(verb) = args.first() else {
        ctx.outs("AppOps service (appops) commands:\n  help\n    Print this help text.\n");
        return 0;
    };
    let rest: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with("--")).collect();
    match verb.as_str() {
        "get" => {
            let Some(pkg) = rest.first() else {
                ctx.errs("Error: No UID or package specified.\n");
                return 255;
            };
            let op = rest.get(1).map(|s| s.as_str());
            let r = dev.with(|w, now| {
                let p = w.packages.get(pkg.as_str())?;
                Some(w.appops.get_lines(p.uid, pkg, op, now))
            });
            let legacy = !dev.profile().has(Fact::AppOpsDumpOptions);
            match r {
                None if legacy => {
                    // AppOpsService.Shell.parseUserPackageOp (8.x) / AppOpsCommand (7.x)
                    ctx.errs(&format!("Error: No UID for {pkg} in user 0\n"));
                    255
                }
                None => {
                    ctx.errs(&format!("Error: Unknown package: {pkg}\n"));
                    255
                }
                Some(lines) if lines.is_empty() => {
                    ctx.outs("No operations.\n");
                    if op.is_some() && !legacy {
                        ctx.outs("Default mode: default\n");
                    }
                    0
                }
                Some(lines) => {
                    for l in lines {
                        ctx.outs(&format!("{l}\n"));
                    }
                    0
                }
            }
        }
        "set" | "reset" | "write-settings" | "read-settings" => {
            if verb == "reset" {
                if let Some(p) = rest.first() {
                    ctx.outs(&format!("Reset all modes for: user 0, package {p}\n"));
                } else {
                    ctx.outs("Reset all modes for: all users\n");
                }
            }
            0
        }
        other => {
            ctx.errs(&format!("Error: Unknown command: {other}\n"));
            255
        }
    }
}
