//! Commands that read the handset's identifiers (Prior's honey step, `docs/interception.md`, "Honey data"):
//! `service call iphonesubinfo`, `cmd wifi status`, and `su` (userdebug builds only).

use super::super::SimDevice;
use super::super::honey::{SIM_IMEI, SIM_SSID};
use super::super::profile::Fact;
use super::super::shell::Ctx;

/// `service call SERVICE CODE [s16 STR | i32 N]…` / `service list` / `service check`.
///
/// `service call iphonesubinfo 1 s16 PKG` is `IPhoneSubInfo.getDeviceId(callingPackage)`, the
/// IMEI (the shell holds READ_PRIVILEGED_PHONE_STATE, packages/Shell/AndroidManifest.xml). The
/// reply is printed as `cmds/service` prints a `Parcel`: `Result: Parcel(` and a hex dump of
/// 32-bit words with the ASCII column. Other codes answer a null string.
pub fn service(_dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let usage = "Usage: service [-h|-?]\n       service list\n       service check SERVICE\n       service call SERVICE CODE [i32 N | i64 N | f N | d N | s16 STR | null | fd f | nfd n | afd f ] ...\nOptions:\n   i32: Write the 32-bit integer N into the send parcel.\n   s16: Write the UTF-16 string STR into the send parcel.\n";
    match args.first().map(String::as_str) {
        Some("call") => {}
        Some("check") => {
            let name = args.get(1).map(String::as_str).unwrap_or("");
            let found = [
                "iphonesubinfo",
                "phone",
                "wifi",
                "clipboard",
                "activity",
                "package",
            ]
            .contains(&name);
            let s = if found { "found" } else { "not found" };
            return i32::from(!ctx.outs(&format!("Service {name}: {s}\n")));
        }
        _ => {
            ctx.errs(usage);
            return 0;
        }
    }
    let (Some(svc), Some(code)) = (args.get(1), args.get(2)) else {
        ctx.errs(usage);
        return 0;
    };
    if svc != "iphonesubinfo" {
        ctx.errs(&format!("service: Service {svc} does not exist\n"));
        return 10;
    }
    let Ok(code) = code.parse::<u32>() else {
        ctx.errs(usage);
        return 0;
    };
    let reply = if code == 1 {
        parcel_string(Some(SIM_IMEI))
    } else {
        parcel_string(None)
    };
    i32::from(!ctx.outs(&format!("Result: {}\n", dump_parcel(&reply))))
}

/// A reply parcel holding "no exception" and one `String16` (`None` writes length -1).
fn parcel_string(s: Option<&str>) -> Vec<u8> {
    let mut p = 0i32.to_le_bytes().to_vec();
    match s {
        None => p.extend_from_slice(&(-1i32).to_le_bytes()),
        Some(s) => {
            let units: Vec<u16> = s.encode_utf16().collect();
            p.extend_from_slice(&(units.len() as i32).to_le_bytes());
            for u in units.iter().chain([0u16].iter()) {
                p.extend_from_slice(&u.to_le_bytes());
            }
            while !p.len().is_multiple_of(4) {
                p.push(0);
            }
        }
    }
    p
}

/// `Parcel(…)` as libbinder prints it: up to 16 bytes on one line; longer data one line of
/// four 32-bit little-endian words per 16 bytes, each `0x%08x: ` prefixed, with the bytes
/// as ASCII (`.` for the rest) between quotes.
fn dump_parcel(data: &[u8]) -> String {
    let line = |chunk: &[u8], pad: bool| {
        let words: Vec<String> = chunk
            .chunks(4)
            .map(|w| {
                let mut b = [0u8; 4];
                b[..w.len()].copy_from_slice(w);
                format!("{:08x}", u32::from_le_bytes(b))
            })
            .collect();
        let mut hex = words.join(" ");
        let ascii: String = chunk
            .iter()
            .map(|&c| {
                if (0x20..0x7f).contains(&c) {
                    c as char
                } else {
                    '.'
                }
            })
            .collect();
        let mut ascii = ascii;
        if pad {
            while hex.len() < 35 {
                hex.push(' ');
            }
            while ascii.len() < 16 {
                ascii.push(' ');
            }
        }
        format!("{hex} '{ascii}'")
    };
    if data.len() <= 16 {
        return format!("Parcel({})", line(data, false));
    }
    let mut out = String::from("Parcel(\n");
    let n = data.len().div_ceil(16);
    for (i, chunk) in data.chunks(16).enumerate() {
        out.push_str(&format!("  0x{:08x}: {}", i * 16, line(chunk, true)));
        out.push_str(if i + 1 == n { ")" } else { "\n" });
    }
    out
}

/// `cmd wifi SUBCOMMAND`: `status` (Android 11+, WifiShellCommand) says whether Wi-Fi is on
/// and the network it is connected to. Before, the shell command has no `status`.
pub fn wifi(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    match args.first().map(String::as_str) {
        Some("status") if dev.profile().has(Fact::WifiStatusCommand) => {
            let mac = dev.with(|w, _| w.honey.wifi_mac.clone());
            let text = format!(
                "Wifi is enabled\nWifi scanning is always available\n==== Primary ClientModeManager instance ====\nWifi is connected to \"{SIM_SSID}\"\nWifiInfo: SSID: \"{SIM_SSID}\", BSSID: 00:13:10:85:fe:01, MAC: {mac}, Supplicant state: COMPLETED, Wi-Fi standard: 4, RSSI: -50, Link speed: 11Mbps, Frequency: 2447MHz, Net ID: 0, Metered hint: false, score: 60\n"
            );
            i32::from(!ctx.outs(&text))
        }
        None | Some("-h" | "help") => {
            ctx.outs("Wi-Fi (wifi) commands:\n  help or -h\n    Print this help text.\n");
            0
        }
        Some(other) => {
            ctx.outs(&format!("Unknown command: {other}\n"));
            255
        }
    }
}

/// `su [UID|root] COMMAND…`: only userdebug builds have `su` (`/system/xbin/su`, for the
/// shell user); a user build has none.
pub fn su(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    if !dev.profile().debuggable() {
        ctx.errs("/system/bin/sh: su: inaccessible or not found\n");
        return 127;
    }
    let rest: Vec<String> = match args.first().map(String::as_str) {
        Some("0" | "root") => args[1..].to_vec(),
        _ => args.to_vec(),
    };
    let Some(name) = rest.first() else {
        // an interactive root shell: nothing to do without a terminal
        return 0;
    };
    let name = name.rsplit('/').next().unwrap_or(name).to_owned();
    super::run(dev, &name, &rest, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_reply_dumps_as_libbinder_prints_it() {
        let d = dump_parcel(&parcel_string(Some(SIM_IMEI)));
        assert_eq!(
            d,
            "Parcel(\n  0x00000000: 00000000 0000000f 00350033 00320038 '........3.5.8.2.'\n  0x00000010: 00300034 00350030 00310031 00310031 '4.0.0.5.1.1.1.1.'\n  0x00000020: 00310031 00000030                   '1.1.0...        ')"
        );
        assert_eq!(
            dump_parcel(&parcel_string(None)),
            "Parcel(00000000 ffffffff '........')"
        );
    }
}
