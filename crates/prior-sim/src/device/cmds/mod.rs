//! Device commands (toybox tools, `pm`, `am`, `logcat`, …) as the simulated shell runs them.

mod am;
mod basic;
mod content;
mod dumpsys;
mod ident;
mod logcat;
mod pm;
mod screen;

use super::SimDevice;
use super::shell::Ctx;

/// Runs one command; `name` is argv[0] without its directory.
pub fn run(dev: &SimDevice, name: &str, argv: &[String], ctx: &mut Ctx) -> i32 {
    let args = &argv[1..];
    match name {
        "echo" => basic::echo(args, ctx),
        "cat" => basic::cat(dev, args, ctx),
        "rm" => basic::rm(dev, args, ctx),
        "ls" => basic::ls(dev, args, ctx),
        "mkdir" => basic::mkdir(dev, args, ctx),
        "touch" => basic::touch(dev, args, ctx),
        "date" => basic::date(dev, args, ctx),
        "sleep" => basic::sleep(dev, args, ctx),
        "id" => basic::id(args, ctx),
        "whoami" => i32::from(!ctx.outs("shell\n")),
        "uname" => basic::uname(args, ctx),
        "kill" => basic::kill(dev, args, ctx),
        "pkill" => basic::pkill(dev, args, ctx),
        "ps" => basic::ps(dev, args, ctx),
        "pidof" => basic::pidof(dev, args, ctx),
        "getprop" => basic::getprop(dev, args, ctx),
        "setprop" => basic::setprop(dev, args, ctx),
        "log" => basic::log(dev, args, ctx),
        "settings" => basic::settings(dev, args, ctx),
        "grep" => basic::grep(args, ctx),
        "head" | "tail" => basic::head_tail(name, args, ctx),
        "wc" => basic::wc(args, ctx),
        "test" | "[" => basic::test(dev, name, args, ctx),
        "getenforce" => i32::from(!ctx.outs("Enforcing\n")),
        "uptime" => basic::uptime(dev, ctx),
        "env" | "printenv" => basic::env(args, ctx),
        "wm" => screen::wm(args, ctx),
        "input" => screen::input(dev, args, ctx),
        "uiautomator" => screen::uiautomator(dev, args, ctx),
        "screencap" => screen::screencap(dev, args, ctx),
        "logcat" => logcat::logcat(dev, args, ctx),
        "pm" => pm::pm(dev, args, ctx),
        "am" => am::am(dev, args, ctx),
        "monkey" => am::monkey(dev, args, ctx),
        "dumpsys" => dumpsys::dumpsys(dev, args, ctx),
        "appops" => dumpsys::appops(dev, args, ctx),
        "cmd" => cmd(dev, args, ctx),
        "content" => content::content(dev, args, ctx),
        "service" => ident::service(dev, args, ctx),
        "su" => ident::su(dev, args, ctx),
        _ => {
            ctx.errs(&format!(
                "/system/bin/sh: {name}: inaccessible or not found\n"
            ));
            127
        }
    }
}

/// `cmd SERVICE ARGS…` (binder shell commands).
fn cmd(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(service) = args.first() else {
        ctx.errs("cmd: No service specified; use -l to list all running services. Use -w to start and wait for a service.\n");
        return 20;
    };
    let rest = &args[1..];
    match service.as_str() {
        "package" => pm::pm(dev, rest, ctx),
        "activity" => am::am(dev, rest, ctx),
        "appops" => dumpsys::appops(dev, rest, ctx),
        "settings" => basic::settings(dev, rest, ctx),
        "window" => screen::wm(rest, ctx),
        "input" => screen::input(dev, rest, ctx),
        "wifi" => ident::wifi(dev, rest, ctx),
        "statusbar" | "connectivity" | "phone" | "location" | "notification" | "power" | "deviceidle" | "overlay" | "jobscheduler" => 0,
        "-l" => i32::from(!ctx.outs("Currently running services:\n  activity\n  appops\n  input\n  package\n  settings\n  window\n")),
        other => {
            ctx.errs(&format!("cmd: Can't find service: {other}\n"));
            20
        }
    }
}
