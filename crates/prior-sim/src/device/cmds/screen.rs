//! `wm`, `input`, `uiautomator dump`, `screencap`.

use crate::device::SimDevice;
use crate::device::clock::strftime;
use crate::device::shell::Ctx;
use crate::device::ui;
use crate::device::world::render;

pub fn wm(args: &[String], ctx: &mut Ctx) -> i32 {
    match args.first().map(String::as_str) {
        Some("size") if args.len() == 1 => i32::from(!ctx.outs(&format!(
            "Physical size: {}x{}\n",
            ui::SCREEN_W,
            ui::SCREEN_H
        ))),
        Some("density") if args.len() == 1 => i32::from(!ctx.outs("Physical density: 420\n")),
        _ => 0,
    }
}

fn keycode(s: &str) -> Option<i32> {
    if let Ok(n) = s.parse::<i32>() {
        return Some(n);
    }
    let name = s.strip_prefix("KEYCODE_").unwrap_or(s);
    Some(match name {
        "HOME" => 3,
        "BACK" => 4,
        "CALL" => 5,
        "ENDCALL" => 6,
        "DPAD_UP" => 19,
        "DPAD_DOWN" => 20,
        "DPAD_LEFT" => 21,
        "DPAD_RIGHT" => 22,
        "DPAD_CENTER" => 23,
        "VOLUME_UP" => 24,
        "VOLUME_DOWN" => 25,
        "POWER" => 26,
        "TAB" => 61,
        "SPACE" => 62,
        "ENTER" => 66,
        "DEL" => 67,
        "MENU" => 82,
        "ESCAPE" => 111,
        "APP_SWITCH" => 187,
        "WAKEUP" => 224,
        "SLEEP" => 223,
        _ => return None,
    })
}

pub fn input(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    const SOURCES: [&str; 10] = [
        "keyboard",
        "mouse",
        "joystick",
        "touchnavigation",
        "touchpad",
        "trackball",
        "dpad",
        "stylus",
        "gamepad",
        "touchscreen",
    ];
    let mut a: Vec<&String> = args.iter().collect();
    if a.first().is_some_and(|s| SOURCES.contains(&s.as_str())) {
        a.remove(0);
    }
    if a.first().is_some_and(|s| s.as_str() == "-d") {
        a.drain(..2.min(a.len()));
    }
    let Some(cmd) = a.first().map(|s| s.as_str()) else {
        ctx.errs("Usage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]\n");
        return 1;
    };
    let nums: Vec<Option<f64>> = a[1..]
        .iter()
        .map(|s| s.parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect();
    match cmd {
        "tap" => {
            let (Some(Some(x)), Some(Some(y)), 2) = (nums.first(), nums.get(1), nums.len()) else {
                ctx.errs("Error: Invalid arguments for command: tap\n");
                return 1;
            };
            let (x, y) = (*x as i32, *y as i32);
            dev.with(|w, now| w.tap(now, x, y));
            0
        }
        "swipe" | "draganddrop" | "roll" | "motionevent" | "press" => {
            if cmd == "swipe" && (nums.len() < 4 || nums.iter().any(Option::is_none)) {
                ctx.errs("Error: Invalid arguments for command: swipe\n");
                return 1;
            }
            0
        }
        "text" => 0,
        "keyevent" | "keycombination" => {
            let keys: Vec<&&String> = a[1..].iter().filter(|k| !k.starts_with("--")).collect();
            if keys.is_empty() {
                ctx.errs("Error: Invalid arguments for command: keyevent\n");
                return 1;
            }
            for k in keys {
                let Some(code) = keycode(k) else {
                    ctx.errs(&format!("Error: Unknown keycode: {k}\n"));
                    return 1;
                };
                dev.with(|w, now| w.key(now, code));
            }
            0
        }
        other => {
            ctx.errs(&format!("Error: Unknown command: {other}\n"));
            1
        }
    }
}

pub fn uiautomator(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    match args.first().map(String::as_str) {
        Some("dump") if dev.profile().screen_never_idle => {
            // DumpCommand.java: waitForIdle times out → this line on stderr, the command
            // returns normally (status 0) and no file is written.
            ctx.errs("ERROR: could not get idle state.\n");
            0
        }
        Some("dump") => {
            let file = args[1..]
                .iter()
                .find(|a| !a.starts_with("--"))
                .cloned()
                .unwrap_or_else(|| "/sdcard/window_dump.xml".into());
            let xml = dev.with(|w, _| ui::dump_xml(&w.top_root()));
            if file == "/dev/tty" || file == "/dev/stdout" {
                ctx.outs(&xml);
            } else {
                let r =
                    dev.with(|w, now| w.fs.write(&file, xml.into_bytes(), 0o660, now / 1_000_000));
                if let Err(e) = r {
                    ctx.errs(&format!("ERROR: could not write {file}: {}\n", e.text()));
                    return 1;
                }
            }
            let shown = if file.starts_with('/') {
                file
            } else {
                format!("/{file}")
            };
            i32::from(!ctx.outs(&format!("UI hierchary dumped to: {shown}\n")))
        }
        Some(other) => {
            ctx.errs(&format!("Unknown command: {other}\n"));
            1
        }
        None => {
            ctx.outs("Usage: uiautomator <subcommand> [options]\n\nAvailable subcommands:\n\nhelp: displays help message\n\nruntest: executes UI automation tests\n    runtest <class spec> [options]\n\ndump: creates an XML dump of current UI hierarchy\n    dump [--verbose][file]\n      [--compressed]: dumps compressed layout information.\n      [file]: the location where the dumped XML should be stored, default is\n      /sdcard/window_dump.xml\n\nevents: prints out accessibility events until terminated\n");
            0
        }
    }
}

pub fn screencap(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let mut png = false;
    let mut file: Option<String> = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-p" => png = true,
            "-h" => {
                ctx.errs("usage: screencap [-hp] [-d display-id] [FILENAME]\n   -h: this message\n   -p: save the file as a png.\n   -d: specify the physical display ID to capture (default: 0)\n");
                return 0;
            }
            "-d" | "-a" => i += 1,
            s if !s.starts_with('-') => file = Some(s.to_owned()),
            _ => {}
        }
        i += 1;
    }
    if file.as_ref().is_some_and(|f| f.ends_with(".png")) {
        png = true;
    }
    let tz = dev.timezone();
    let canvas = dev.with(|w, now| render(w, &strftime("%H:%M", now, &tz)));
    let bytes = if png {
        match canvas.to_png() {
            Ok(b) => b,
            Err(e) => {
                ctx.errs(&format!("screencap: failed to encode the PNG: {e}\n"));
                return 1;
            }
        }
    } else {
        let (wd, ht) = (canvas.width as u32, canvas.height as u32);
        let mut raw = Vec::with_capacity(16 + canvas.width * canvas.height * 4);
        for v in [wd, ht, 1, 0] {
            raw.extend_from_slice(&v.to_le_bytes());
        }
        for y in 0..canvas.height {
            for x in 0..canvas.width {
                let p = canvas.pixel(x, y).unwrap_or([0, 0, 0]);
                raw.extend_from_slice(&[p[0], p[1], p[2], 255]);
            }
        }
        raw
    };
    match file {
        None => i32::from(!ctx.out(&bytes)),
        Some(f) => match dev.with(|w, now| w.fs.write(&f, bytes, 0o660, now / 1_000_000)) {
            Ok(()) => 0,
            Err(e) => {
                ctx.errs(&format!("Error opening file: {f} ({})\n", e.text()));
                1
            }
        },
    }
}
