//! `pm` / `cmd package`: list packages, path, install, uninstall, clear, grant, revoke,
//! resolve-activity, dump (PackageManagerShellCommand wording, `docs/device-formats.md` §1.4, §7, §5–8).

use crate::device::SimDevice;
use crate::device::apis;
use crate::device::packages::InstallFlags;
use crate::device::shell::Ctx;
use crate::device::world::World;

fn exception(ctx: &mut Ctx, verb: &str, line: &str) -> i32 {
    ctx.errs(&format!(
        "Exception occurred while executing '{verb}':\n{line}\n"
    ));
    255
}

pub fn pm(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(verb) = args.first() else {
        ctx.outs("Package manager (package) commands:\n  help\n    Print this help text.\n");
        return 0;
    };
    let rest: Vec<String> = args[1..].to_vec();
    let pid = ctx.pid;
    match verb.as_str() {
        "list" => match rest.first().map(String::as_str) {
            Some("packages") => list_packages(dev, &rest[1..], ctx),
            Some("users") => i32::from(!ctx.outs("Users:\n\tUserInfo{0:Owner:c13} running\n")),
            _ => {
                ctx.errs("Error: unknown list type\n");
                255
            }
        },
        "path" => {
            let Some(p) = rest.iter().find(|a| !a.starts_with('-')) else {
                ctx.errs("Error: package name not specified\n");
                return 255;
            };
            match dev.with(|w, _| w.packages.get(p).map(|p| p.path.clone())) {
                Some(path) => i32::from(!ctx.outs(&format!("package:{path}\n"))),
                None => 1,
            }
        }
        "install" | "install-streamed" => {
            let streamed = rest.iter().position(|a| a == "-S");
            let flags = InstallFlags::parse(&rest);
            let bytes = match streamed {
                Some(i) => {
                    let n: usize = rest.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(0);
                    let mut data = ctx.read_stdin();
                    data.truncate(n);
                    data
                }
                None => {
                    let Some(path) = rest.iter().rev().find(|a| !a.starts_with('-')) else {
                        ctx.errs("Error: APK content must be streamed\n");
                        return 1;
                    };
                    match dev.with(|w, _| w.fs.read(path).map(|d| d.as_ref().clone())) {
                        Ok(d) => d,
                        Err(e) => {
                            ctx.errs(&format!("Error: Can't open file: {path}\nException occurred while executing 'install':\njava.lang.IllegalArgumentException: Error: Can't open file: {path}: {}\n", e.text()));
                            return 255;
                        }
                    }
                }
            };
            let r = dev.with(|w, now| w.install(now, &bytes, flags));
            ctx.outs(&format!("{r}\n"));
            i32::from(r != "Success")
        }
        "uninstall" => {
            let Some(p) = rest.iter().find(|a| !a.starts_with('-')) else {
                ctx.errs("Error: package name not specified\n");
                return 255;
            };
            let r = dev.with(|w, now| w.uninstall(now, p, pid));
            ctx.outs(&format!("{r}\n"));
            i32::from(r != "Success")
        }
        "clear" => {
            let Some(p) = rest
                .iter()
                .find(|a| !a.starts_with('-') && a.as_str() != "0")
            else {
                ctx.errs("Error: no package specified\n");
                return 255;
            };
            let r = dev.with(|w, now| w.clear_data(now, p, pid));
            ctx.outs(&format!("{r}\n"));
            i32::from(r != "Success")
        }
        "grant" | "revoke" => {
            let pos: Vec<&String> = rest.iter().filter(|a| !a.starts_with('-')).collect();
            let (Some(pkg), Some(perm)) = (pos.first(), pos.get(1)) else {
                ctx.errs(&format!(
                    "Error: no package or permission specified for '{verb}'\n"
                ));
                return 255;
            };
            let verdict = dev.with(|w, now| {
                let Some(p) = w.packages.get(pkg.as_str()) else {
                    return Err(format!("java.lang.IllegalArgumentException: Unknown package: {pkg}"));
                };
                let requested = p.requested.iter().any(|r| r == *perm);
                if !apis::is_runtime(perm) {
                    return Err(if requested || perm.starts_with("android.permission.") {
                        format!("java.lang.SecurityException: Permission {perm} requested by {pkg} is not a changeable permission type")
                    } else {
                        format!("java.lang.IllegalArgumentException: Unknown permission: {perm}")
                    });
                }
                if !requested {
                    return Err(format!("java.lang.SecurityException: Package {pkg} has not requested permission {perm}"));
                }
                if verb == "grant" {
                    w.grant(pkg, perm);
                } else {
                    w.revoke(now, pkg, perm);
                }
                Ok(())
            });
            match verdict {
                Ok(()) => 0,
                Err(line) => exception(ctx, verb, &line),
            }
        }
        "resolve-activity" | "query-activities" => resolve_activity(dev, &rest, ctx),
        "dump" => {
            let Some(p) = rest.first() else { return 1 };
            super::dumpsys::dump_package(dev, p, ctx)
        }
        "log-visibility" | "set-permission-flags" | "trim-caches" | "compile" => 0,
        other => {
            ctx.errs(&format!("Unknown command: {other}\n"));
            255
        }
    }
}

fn list_packages(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let (mut third, mut system, mut uid, mut path) = (false, false, false, false);
    let mut filter: Option<String> = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-3" => third = true,
            "-s" => system = true,
            "-U" => uid = true,
            "-f" => path = true,
            "--user" => i += 1,
            s if s.starts_with('-') => {}
            s => filter = Some(s.to_owned()),
        }
        i += 1;
    }
    let lines: String = dev.with(|w, _| {
        w.packages
            .values()
            .filter(|p| (!third || !p.system) && (!system || p.system))
            .filter(|p| filter.as_ref().is_none_or(|f| p.name.contains(f.as_str())))
            .map(|p| {
                let mut s = String::from("package:");
                if path {
                    s.push_str(&format!("{}=", p.path));
                }
                s.push_str(&p.name);
                if uid {
                    s.push_str(&format!(" uid:{}", p.uid));
                }
                s.push('\n');
                s
            })
            .collect()
    });
    i32::from(!ctx.outs(&lines))
}

fn resolve_activity(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut brief = false;
    let mut components = false;
    let mut target: Option<String> = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "--brief" => brief = true,
            "--components" => components = true,
            "-a" | "-c" | "-d" | "-t" | "-n" | "--user" | "-f" => i += 1,
            s if s.starts_with('-') => {}
            s => target = Some(s.to_owned()),
        }
        i += 1;
    }
    let found = target.and_then(|p| {
        dev.with(|w, _| {
            w.packages.get(&p).and_then(|p| {
                p.main_activity
                    .clone()
                    .map(|a| World::short_component(&p.name, &a))
            })
        })
    });
    match found {
        None => i32::from(!ctx.outs("No activity found\n")),
        Some(c) => {
            let mut s = String::new();
            if brief && !components {
                s.push_str(
                    "priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=true\n",
                );
            }
            if brief || components {
                s.push_str(&format!("{c}\n"));
            } else {
                s.push_str(&format!("Activity Resolver Table:\n  Non-Data Actions:\n      android.intent.action.MAIN:\n        {c}\n"));
            }
            i32::from(!ctx.outs(&s))
        }
    }
}
