//! The honey step (issue 18, `docs/interception.md`, "Honey data"): before the app's first launch, Prior puts
//! known, distinctive values on the device (a GPS fix, a contact, a calendar entry) and reads
//! the identifiers the device already has, and writes them with how each was obtained to
//! `raw/device/honey.json`. A later analysis looks for these values in intercepted traffic.
//!
//! Every device command is a [`Cmd`] (values quoted by `prior-device`); every reply is parsed
//! by `prior_parse::honey`. What cannot be obtained is `unavailable` with the reason, never
//! guessed. The emulator console (`geo fix`) is reached through a [`GeoConsole`] hook the CLI
//! gives (the emulator's console, or the simulated handset's modelled one).

use prior_device::{Cmd, DeviceError, Output};
use prior_model::bundle::CollectorCause;
use prior_model::honey::{HoneyFile, HoneyKind, HoneyState, HoneyValue};
use prior_parse::honey as parse;

/// Prior's honey location: latitude (degrees). Six decimals, so that rounding to 2–4 decimals
/// can be told apart from the exact value.
pub const HONEY_LAT: f64 = 39.916_527;
/// Prior's honey location: longitude (degrees).
pub const HONEY_LON: f64 = 116.397_128;
/// The honey contact's display name.
pub const HONEY_CONTACT_NAME: &str = "Priorhoney Lindqvist";
/// The honey contact's mobile number (E.164, no separators).
pub const HONEY_CONTACT_PHONE: &str = "+8613900427123";
/// The honey contact's e-mail address (`.invalid`, RFC 2606: never delivered).
pub const HONEY_CONTACT_EMAIL: &str = "lindqvist.7q4f@priorhoney.invalid";
/// The honey calendar entry's title.
pub const HONEY_CALENDAR_TITLE: &str = "Priorhoney dentist 7Q4F";
/// The calendar Prior creates for its entry (name and account, a local account).
pub const HONEY_CALENDAR_ACCOUNT: &str = "priorhoney";

/// Sets the emulator's GPS fix through its console.
pub trait GeoConsole: Send {
    /// `geo fix <longitude> <latitude>`; `Err` holds the console's reason (`KO: …`) or why
    /// it could not be reached.
    fn geo_fix(&mut self, longitude: f64, latitude: f64) -> Result<(), String>;
    /// What console this is, for `obtained` (e.g. `emulator console on port 5554`).
    fn describe(&self) -> String;
}

/// What the step knows of the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceSide {
    /// `ro.build.version.sdk`.
    pub api: Option<u32>,
    /// `ro.debuggable` (userdebug/eng builds have `su` for the shell user).
    pub debuggable: bool,
    /// Whether Prior may write to the device's contacts and calendar (an emulator or the
    /// simulated handset, or a scenario that says `honey: true`).
    pub write: bool,
    /// Device time now, ms since the epoch (the calendar entry is put a day later).
    pub now_ms: i64,
}

/// Runs one shell command on the device.
pub type Shell<'a> = dyn FnMut(&Cmd) -> Result<Output, DeviceError> + 'a;

/// Sets and reads every honey value. Device errors end nothing: the value is unavailable with
/// the error as its reason.
pub fn collect(
    sh: &mut Shell<'_>,
    dev: DeviceSide,
    console: Option<&mut dyn GeoConsole>,
) -> HoneyFile {
    let mut f = HoneyFile::default();
    f.values.push(imei(sh, dev));
    f.values.push(serial(sh, dev));
    for (kind, what) in [
        (HoneyKind::PhoneNumber, "the line-1 number"),
        (HoneyKind::SimSerial, "the SIM serial (ICCID)"),
        (HoneyKind::Iccid, "the ICCID"),
        (HoneyKind::Imsi, "the IMSI"),
    ] {
        f.values.push(HoneyValue::unavailable(
            kind,
            &format!(
                "not read: {what} is only reachable from the shell through `service call iphonesubinfo N`, whose transaction number N differs between API levels and is not verified here; Prior does not guess"
            ),
        ));
    }
    f.values.push(android_id(sh, dev));
    f.values.push(advertising_id(sh, dev));
    f.values.push(wifi_mac(sh));
    f.values.push(wifi_ssid(sh, dev));
    f.values.push(bt_mac(sh));
    f.values.push(location(console));
    if dev.write {
        f.values.extend(contact(sh));
        f.values.push(calendar(sh, dev));
    } else {
        let why = "not inserted: a physical device, and the scenario does not say `honey: true` (Prior does not write to a phone's contacts or calendar unasked)";
        for k in [
            HoneyKind::ContactName,
            HoneyKind::ContactPhone,
            HoneyKind::ContactEmail,
            HoneyKind::CalendarTitle,
        ] {
            f.values.push(HoneyValue::unavailable(k, why));
        }
    }
    f.values.push(HoneyValue::unavailable(
        HoneyKind::Clipboard,
        "not set: AOSP documents no shell command that sets the clipboard (a `cmd clipboard` shell command is UNVERIFIED per release), and a shell-set clip is not an app's clip on Android 10+ anyway",
    ));
    f
}

/// The command line as `obtained` shows it.
fn shown(cmd: &Cmd) -> String {
    format!("adb shell {}", cmd.as_str())
}

/// A short, one-line excerpt of a reply for a reason.
fn excerpt(out: &Output) -> String {
    let text = if out.stdout.iter().all(u8::is_ascii_whitespace) {
        out.stderr_text()
    } else {
        out.stdout_text()
    };
    let line: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(2)
        .collect::<Vec<_>>()
        .join(" / ");
    let line = prior_model::text::escape_controls(&line).into_owned();
    if line.chars().count() > 160 {
        format!("{}…", line.chars().take(160).collect::<String>())
    } else if line.is_empty() {
        "nothing".to_string()
    } else {
        format!("`{line}`")
    }
}

fn run(sh: &mut Shell<'_>, cmd: &Cmd) -> Result<Output, String> {
    sh(cmd).map_err(|e| format!("device error: {e}"))
}

fn api_text(dev: DeviceSide) -> String {
    dev.api.map_or("API unknown".into(), |a| format!("API {a}"))
}

fn imei(sh: &mut Shell<'_>, dev: DeviceSide) -> HoneyValue {
    let cmd = Cmd::new("service").raw("call iphonesubinfo 1 s16 com.android.shell");
    let how = format!(
        "{} (IPhoneSubInfo.getDeviceId, {}; the shell holds READ_PRIVILEGED_PHONE_STATE)",
        shown(&cmd),
        api_text(dev)
    );
    let out = match run(sh, &cmd) {
        Ok(o) => o,
        Err(e) => return HoneyValue::unavailable(HoneyKind::Imei, &e).with_obtained(&how),
    };
    let reason = match parse::parse_service_string(&out.stdout_text()) {
        Some(parse::ServiceString::Value(v)) if parse::is_imei(&v) => {
            return HoneyValue::read(HoneyKind::Imei, &v, &how);
        }
        Some(parse::ServiceString::Value(_)) => {
            "the reply holds a string that is no IMEI (transaction 1 is another method on this API level?)".to_string()
        }
        Some(parse::ServiceString::Null) => "the telephony service answered null (no modem?)".to_string(),
        Some(parse::ServiceString::Exception(c)) => {
            format!("the call threw (exception code {c}): not permitted or another method on this API level")
        }
        None => format!("no parcel in the reply: {}", excerpt(&out)),
    };
    HoneyValue::unavailable(HoneyKind::Imei, &reason).with_obtained(&how)
}

fn serial(sh: &mut Shell<'_>, dev: DeviceSide) -> HoneyValue {
    let cmd = Cmd::new("getprop").raw("ro.serialno");
    match run(sh, &cmd) {
        Ok(o) => {
            let v = o.stdout_text().trim().to_string();
            if v.is_empty() || v == "unknown" {
                return HoneyValue::unavailable(HoneyKind::Serial, "ro.serialno is empty")
                    .with_obtained(&shown(&cmd));
            }
            let v = HoneyValue::read(HoneyKind::Serial, &v, &shown(&cmd));
            if dev.api.is_some_and(|a| a >= 29) {
                v.with_reason("since API 29 Build.getSerial() needs READ_PRIVILEGED_PHONE_STATE: an ordinary app gets `unknown` or an exception")
            } else {
                v
            }
        }
        Err(e) => HoneyValue::unavailable(HoneyKind::Serial, &e).with_obtained(&shown(&cmd)),
    }
}

fn android_id(sh: &mut Shell<'_>, dev: DeviceSide) -> HoneyValue {
    if dev.api.is_none_or(|a| a >= 26) {
        return HoneyValue::unavailable(
            HoneyKind::AndroidId,
            "since API 26 an app's ANDROID_ID is scoped to its signing key, user and device; `settings get secure android_id` gives another value, so Prior cannot know the one the app sees",
        );
    }
    let cmd = Cmd::new("settings").raw("get secure android_id");
    match run(sh, &cmd) {
        Ok(o) => {
            let v = o.stdout_text().trim().to_ascii_lowercase();
            if !v.is_empty() && v.len() <= 16 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
                HoneyValue::read(HoneyKind::AndroidId, &v, &shown(&cmd))
            } else {
                HoneyValue::unavailable(
                    HoneyKind::AndroidId,
                    &format!("no ANDROID_ID in the reply: {}", excerpt(&o)),
                )
                .with_obtained(&shown(&cmd))
            }
        }
        Err(e) => HoneyValue::unavailable(HoneyKind::AndroidId, &e).with_obtained(&shown(&cmd)),
    }
}

fn advertising_id(sh: &mut Shell<'_>, dev: DeviceSide) -> HoneyValue {
    if !dev.debuggable {
        return HoneyValue::unavailable(
            HoneyKind::AdvertisingId,
            "needs root: the advertising ID lives in Google Play services' private data, and a user build has no `su`",
        );
    }
    let cmd = Cmd::new("su")
        .raw("0 cat /data/data/com.google.android.gms/shared_prefs/adid_settings.xml");
    match run(sh, &cmd) {
        Ok(o) => match parse::parse_adid_settings(&o.stdout_text()) {
            Some(v) => HoneyValue::read(HoneyKind::AdvertisingId, &v, &shown(&cmd)),
            None => HoneyValue::unavailable(
                HoneyKind::AdvertisingId,
                &format!(
                    "no advertising ID (Google Play services absent or never asked for one): {}",
                    excerpt(&o)
                ),
            )
            .with_obtained(&shown(&cmd)),
        },
        Err(e) => HoneyValue::unavailable(HoneyKind::AdvertisingId, &e).with_obtained(&shown(&cmd)),
    }
}

fn wifi_mac(sh: &mut Shell<'_>) -> HoneyValue {
    let cmd = Cmd::new("cat").raw("/sys/class/net/wlan0/address");
    match run(sh, &cmd) {
        Ok(o) => match parse::parse_mac(&o.stdout_text()) {
            Some(v) => HoneyValue::read(HoneyKind::WifiMac, &v, &shown(&cmd)).with_reason(
                "apps get 02:00:00:00:00:00 from the Wi-Fi APIs since API 23; only an app that found the interface's address another way can send this one",
            ),
            None => HoneyValue::unavailable(
                HoneyKind::WifiMac,
                &format!("no wlan0 MAC: {}", excerpt(&o)),
            )
            .with_obtained(&shown(&cmd)),
        },
        Err(e) => HoneyValue::unavailable(HoneyKind::WifiMac, &e).with_obtained(&shown(&cmd)),
    }
}

fn wifi_ssid(sh: &mut Shell<'_>, dev: DeviceSide) -> HoneyValue {
    let cmd = Cmd::new("cmd").raw("wifi status");
    if dev.api.is_some_and(|a| a < 30) {
        return HoneyValue::unavailable(
            HoneyKind::WifiSsid,
            "`cmd wifi status` needs Android 11 (API 30); older releases print no SSID to the shell user",
        );
    }
    match run(sh, &cmd) {
        Ok(o) => match parse::parse_wifi_status_ssid(&o.stdout_text()) {
            Some(v) => HoneyValue::read(HoneyKind::WifiSsid, &v, &shown(&cmd)),
            None => HoneyValue::unavailable(
                HoneyKind::WifiSsid,
                &format!(
                    "not connected to Wi-Fi, or no SSID in the reply: {}",
                    excerpt(&o)
                ),
            )
            .with_obtained(&shown(&cmd)),
        },
        Err(e) => HoneyValue::unavailable(HoneyKind::WifiSsid, &e).with_obtained(&shown(&cmd)),
    }
}

fn bt_mac(sh: &mut Shell<'_>) -> HoneyValue {
    let cmd = Cmd::new("settings").raw("get secure bluetooth_address");
    match run(sh, &cmd) {
        Ok(o) => match parse::parse_mac(&o.stdout_text()) {
            Some(v) => HoneyValue::read(HoneyKind::BtMac, &v, &shown(&cmd)),
            None => HoneyValue::unavailable(
                HoneyKind::BtMac,
                &format!(
                    "the secure setting bluetooth_address is not set (no Bluetooth, or never enabled): {}",
                    excerpt(&o)
                ),
            )
            .with_obtained(&shown(&cmd)),
        },
        Err(e) => HoneyValue::unavailable(HoneyKind::BtMac, &e).with_obtained(&shown(&cmd)),
    }
}

fn location(console: Option<&mut dyn GeoConsole>) -> HoneyValue {
    let Some(c) = console else {
        return HoneyValue::unavailable(
            HoneyKind::Location,
            "not set: only an emulator's console can set the GPS fix (`geo fix`), and this device has none Prior can reach",
        );
    };
    let line = format!("geo fix {HONEY_LON} {HONEY_LAT}");
    let how = format!("{}: {line}", c.describe());
    match c.geo_fix(HONEY_LON, HONEY_LAT) {
        Ok(()) => HoneyValue::location(HONEY_LAT, HONEY_LON, &how),
        Err(e) => HoneyValue::unavailable(
            HoneyKind::Location,
            &format!("the console refused `{line}`: {e}"),
        )
        .with_obtained(&how),
    }
}

/// `content query` reply rows, or why there are none.
fn query(sh: &mut Shell<'_>, cmd: &Cmd, cols: &[&str]) -> Result<Vec<parse::ContentRow>, String> {
    let out = run(sh, cmd)?;
    let rows = parse::parse_content_rows(&out.stdout_text(), cols);
    if rows.is_empty() {
        return Err(format!(
            "`{}` found nothing: {}",
            cmd.as_str(),
            excerpt(&out)
        ));
    }
    Ok(rows)
}

/// `content insert`: succeeds when it printed nothing (Content.java prints only errors).
fn insert(sh: &mut Shell<'_>, cmd: &Cmd) -> Result<(), String> {
    let out = run(sh, cmd)?;
    if out.stdout_text().trim().is_empty() && out.stderr_text().trim().is_empty() {
        Ok(())
    } else {
        Err(format!("`{}` failed: {}", cmd.as_str(), excerpt(&out)))
    }
}

fn contact(sh: &mut Shell<'_>) -> Vec<HoneyValue> {
    let fields = [
        (
            HoneyKind::ContactName,
            "vnd.android.cursor.item/name",
            HONEY_CONTACT_NAME,
        ),
        (
            HoneyKind::ContactPhone,
            "vnd.android.cursor.item/phone_v2",
            HONEY_CONTACT_PHONE,
        ),
        (
            HoneyKind::ContactEmail,
            "vnd.android.cursor.item/email_v2",
            HONEY_CONTACT_EMAIL,
        ),
    ];
    let failed = |why: &str| {
        fields
            .iter()
            .map(|(k, _, _)| {
                HoneyValue::unavailable(*k, &format!("the contact was not inserted: {why}"))
            })
            .collect::<Vec<_>>()
    };
    let result = (|| -> Result<(i64, Vec<parse::ContentRow>, String), String> {
        let raw = Cmd::new("content")
            .raw("insert --uri content://com.android.contacts/raw_contacts --bind starred:i:0");
        insert(sh, &raw)?;
        let q = Cmd::new("content").raw(
            "query --uri content://com.android.contacts/raw_contacts --projection _id --sort '_id DESC'",
        );
        let id = query(sh, &q, &["_id"])?
            .first()
            .and_then(|r| r.get("_id"))
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| "no raw contact id in the reply".to_string())?;
        let mut lines = vec![shown(&raw)];
        for (_, mime, value) in fields {
            let mut cmd = Cmd::new("content")
                .raw("insert --uri content://com.android.contacts/data --bind")
                .arg(&format!("raw_contact_id:i:{id}"))
                .and_then(|c| c.raw("--bind").arg(&format!("mimetype:s:{mime}")))
                .and_then(|c| c.raw("--bind").arg(&format!("data1:s:{value}")))
                .map_err(|e| e.to_string())?;
            if mime.ends_with("phone_v2") {
                // Phone.TYPE_MOBILE
                cmd = cmd.raw("--bind data2:i:2");
            } else if mime.ends_with("email_v2") {
                // Email.TYPE_HOME
                cmd = cmd.raw("--bind data2:i:1");
            }
            insert(sh, &cmd)?;
            lines.push(shown(&cmd));
        }
        let check = Cmd::new("content")
            .raw("query --uri content://com.android.contacts/data --projection mimetype:data1 --where")
            .arg(&format!("raw_contact_id={id}"))
            .map_err(|e| e.to_string())?;
        let rows = query(sh, &check, &["mimetype", "data1"])?;
        lines.push(shown(&check));
        Ok((id, rows, lines.join(" ; ")))
    })();
    let (_, rows, how) = match result {
        Ok(r) => r,
        Err(e) => return failed(&e),
    };
    fields
        .iter()
        .map(|(kind, mime, value)| {
            let found = rows.iter().any(|r| {
                r.get("mimetype").map(String::as_str) == Some(*mime)
                    && r.get("data1").map(String::as_str) == Some(*value)
            });
            if found {
                HoneyValue::set(*kind, value, &how)
            } else {
                HoneyValue::unavailable(
                    *kind,
                    "inserted, but the contacts provider did not give the row back",
                )
                .with_obtained(&how)
            }
        })
        .collect()
}

fn calendar(sh: &mut Shell<'_>, dev: DeviceSide) -> HoneyValue {
    let result = (|| -> Result<String, String> {
        let cal = Cmd::new("content")
            .raw("insert --uri 'content://com.android.calendar/calendars?caller_is_syncadapter=true&account_name=priorhoney&account_type=LOCAL' --bind account_name:s:priorhoney --bind account_type:s:LOCAL --bind name:s:priorhoney --bind calendar_displayName:s:Priorhoney --bind calendar_access_level:i:700 --bind ownerAccount:s:priorhoney --bind visible:i:1 --bind sync_events:i:1");
        insert(sh, &cal)?;
        let q = Cmd::new("content").raw(
            "query --uri content://com.android.calendar/calendars --projection _id --where \"name='priorhoney'\" --sort '_id DESC'",
        );
        let id = query(sh, &q, &["_id"])?
            .first()
            .and_then(|r| r.get("_id"))
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| "no calendar id in the reply".to_string())?;
        // a day after the device's now, one hour long, in UTC
        let start = dev.now_ms.saturating_add(86_400_000);
        let ev = Cmd::new("content")
            .raw("insert --uri content://com.android.calendar/events --bind")
            .arg(&format!("calendar_id:i:{id}"))
            .and_then(|c| {
                c.raw("--bind")
                    .arg(&format!("title:s:{HONEY_CALENDAR_TITLE}"))
            })
            .map_err(|e| e.to_string())?
            .raw("--bind")
            .arg(&format!("dtstart:l:{start}"))
            .and_then(|c| {
                c.raw("--bind")
                    .arg(&format!("dtend:l:{}", start.saturating_add(3_600_000)))
            })
            .map_err(|e| e.to_string())?
            .raw("--bind eventTimezone:s:UTC");
        insert(sh, &ev)?;
        let check = Cmd::new("content")
            .raw("query --uri content://com.android.calendar/events --projection title --where")
            .arg(&format!("calendar_id={id}"))
            .map_err(|e| e.to_string())?;
        let rows = query(sh, &check, &["title"])?;
        if !rows
            .iter()
            .any(|r| r.get("title").map(String::as_str) == Some(HONEY_CALENDAR_TITLE))
        {
            return Err("inserted, but the calendar provider did not give the event back".into());
        }
        Ok([shown(&cal), shown(&ev), shown(&check)].join(" ; "))
    })();
    match result {
        Ok(how) => HoneyValue::set(HoneyKind::CalendarTitle, HONEY_CALENDAR_TITLE, &how),
        Err(e) => HoneyValue::unavailable(
            HoneyKind::CalendarTitle,
            &format!("the calendar entry was not inserted: {e}"),
        ),
    }
}

/// Why a value is unavailable, as a collector record's typed cause: the build type or the
/// API level where the step decided from them, else `other` (the reason's words say why).
pub fn cause_of(v: &HoneyValue, dev: DeviceSide) -> CollectorCause {
    let api = dev.api.unwrap_or(0);
    match v.kind {
        HoneyKind::AdvertisingId if !dev.debuggable => CollectorCause::UserBuild,
        HoneyKind::AndroidId if dev.api.is_none_or(|a| a >= 26) => CollectorCause::ApiLevel,
        HoneyKind::WifiSsid if dev.api.is_some() && api < 30 => CollectorCause::ApiLevel,
        _ => CollectorCause::Other,
    }
}

/// The harness note: what was set, read, and not obtained.
pub fn summary(f: &HoneyFile) -> String {
    let names = |s: HoneyState| {
        let v: Vec<&str> = f
            .values
            .iter()
            .filter(|v| v.state == s)
            .map(|v| v.kind.as_str())
            .collect();
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    format!(
        "honey data in {}: set {}; read {}; unavailable {}",
        prior_model::honey::HONEY_FILE,
        names(HoneyState::Set),
        names(HoneyState::Read),
        names(HoneyState::Unavailable)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use prior_sim::device::{DeviceProfile, SimConfig, SimDevice};
    use std::sync::Arc;

    /// A console that logs what it was asked.
    struct LogConsole(Vec<(f64, f64)>, Option<String>);

    impl GeoConsole for LogConsole {
        fn geo_fix(&mut self, longitude: f64, latitude: f64) -> Result<(), String> {
            self.0.push((longitude, latitude));
            self.1.clone().map_or(Ok(()), Err)
        }
        fn describe(&self) -> String {
            "test console".into()
        }
    }

    /// The simulated handset as the step's shell.
    fn sim_shell(sim: &Arc<SimDevice>) -> impl FnMut(&Cmd) -> Result<Output, DeviceError> {
        let sim = Arc::clone(sim);
        move |c: &Cmd| {
            let o = sim.run(c.as_str());
            Ok(Output {
                stdout: o.stdout,
                stderr: o.stderr,
                exit: o.status,
            })
        }
    }

    fn sim(profile: &str) -> Arc<SimDevice> {
        SimDevice::new(SimConfig {
            profile: DeviceProfile::parse(profile).unwrap(),
            ..SimConfig::default()
        })
        .unwrap()
    }

    fn side(sim: &SimDevice) -> DeviceSide {
        DeviceSide {
            api: Some(sim.profile().api),
            debuggable: sim.profile().debuggable(),
            write: true,
            now_ms: 1_733_280_000_000,
        }
    }

    fn state(f: &HoneyFile, k: HoneyKind) -> (HoneyState, Option<String>) {
        let v = f.get(k).unwrap_or_else(|| panic!("no {k}"));
        (v.state, v.value.clone())
    }

    #[test]
    fn on_the_userdebug_handset_every_kind_has_a_state_and_the_values_are_the_handsets() {
        let d = sim("api33-userdebug");
        let mut sh = sim_shell(&d);
        let mut console = LogConsole(Vec::new(), None);
        let f = collect(&mut sh, side(&d), Some(&mut console));
        // every kind once, in the documented order
        let kinds: Vec<HoneyKind> = f.values.iter().map(|v| v.kind).collect();
        assert_eq!(kinds, HoneyKind::ALL.to_vec());
        // longitude first on the console
        assert_eq!(console.0, vec![(HONEY_LON, HONEY_LAT)]);
        let loc = f.get(HoneyKind::Location).unwrap();
        assert_eq!((loc.lat, loc.lon), (Some(HONEY_LAT), Some(HONEY_LON)));
        assert_eq!(
            loc.obtained.as_deref(),
            Some("test console: geo fix 116.397128 39.916527")
        );
        for (k, want) in [
            (HoneyKind::ContactName, HONEY_CONTACT_NAME),
            (HoneyKind::ContactPhone, HONEY_CONTACT_PHONE),
            (HoneyKind::ContactEmail, HONEY_CONTACT_EMAIL),
            (HoneyKind::CalendarTitle, HONEY_CALENDAR_TITLE),
        ] {
            assert_eq!(
                state(&f, k),
                (HoneyState::Set, Some(want.to_string())),
                "{k}"
            );
            // and the handset now has exactly that value
            assert_eq!(d.honey_value(k).as_deref(), Some(want), "{k}");
        }
        for k in [
            HoneyKind::Imei,
            HoneyKind::Serial,
            HoneyKind::WifiMac,
            HoneyKind::WifiSsid,
        ] {
            assert_eq!(state(&f, k), (HoneyState::Read, d.honey_value(k)), "{k}");
        }
        for k in [
            HoneyKind::PhoneNumber,
            HoneyKind::SimSerial,
            HoneyKind::Iccid,
            HoneyKind::Imsi,
            HoneyKind::AndroidId,
            HoneyKind::AdvertisingId,
            HoneyKind::BtMac,
            HoneyKind::Clipboard,
        ] {
            let v = f.get(k).unwrap();
            assert_eq!(v.state, HoneyState::Unavailable, "{k}");
            assert!(v.value.is_none() && v.reason.is_some(), "{k}");
        }
        assert!(
            f.get(HoneyKind::AndroidId)
                .unwrap()
                .reason
                .as_deref()
                .unwrap()
                .contains("API 26")
        );
        // userdebug: the advertising ID was looked for with su, and GMS is absent
        let ad = f.get(HoneyKind::AdvertisingId).unwrap();
        assert!(
            ad.obtained.as_deref().unwrap().contains("su 0 cat"),
            "{ad:?}"
        );
        assert!(
            ad.reason.as_deref().unwrap().contains("No such file"),
            "{ad:?}"
        );
        // the contact's values reached the shell quoted
        let how = f
            .get(HoneyKind::ContactPhone)
            .unwrap()
            .obtained
            .clone()
            .unwrap();
        assert!(how.contains("--bind 'data1:s:+8613900427123'"), "{how}");
    }

    #[test]
    fn a_user_build_and_an_old_api_level_change_what_can_be_obtained() {
        let d = sim("api33-user");
        let f = collect(&mut sim_shell(&d), side(&d), None);
        let ad = f.get(HoneyKind::AdvertisingId).unwrap();
        assert_eq!(ad.state, HoneyState::Unavailable);
        assert!(
            ad.reason
                .as_deref()
                .unwrap()
                .contains("user build has no `su`")
        );
        assert_eq!(ad.obtained, None, "nothing was run");
        // no console: the location is unavailable, and says why
        let loc = f.get(HoneyKind::Location).unwrap();
        assert_eq!(loc.state, HoneyState::Unavailable);
        assert!(loc.reason.as_deref().unwrap().contains("console"));
        assert_eq!(cause_of(ad, side(&d)), CollectorCause::UserBuild);
        let aid = f.get(HoneyKind::AndroidId).unwrap();
        assert_eq!(cause_of(aid, side(&d)), CollectorCause::ApiLevel);
        assert_eq!(cause_of(loc, side(&d)), CollectorCause::Other);
        // content insert needs no root: still set on a user build
        assert_eq!(state(&f, HoneyKind::ContactName).0, HoneyState::Set);

        // not allowed to write (a phone without `honey: true`): nothing inserted, and why
        let ro = collect(
            &mut sim_shell(&d),
            DeviceSide {
                write: false,
                ..side(&d)
            },
            None,
        );
        let c = ro.get(HoneyKind::ContactName).unwrap();
        assert_eq!(c.state, HoneyState::Unavailable);
        assert!(
            c.reason.as_deref().unwrap().contains("honey: true"),
            "{c:?}"
        );
        assert_eq!(ro.get(HoneyKind::Imei).unwrap().state, HoneyState::Read);

        let old = sim("api24-user");
        let f = collect(&mut sim_shell(&old), side(&old), None);
        // before API 26 the shell's ANDROID_ID is the one apps see
        assert_eq!(
            state(&f, HoneyKind::AndroidId),
            (HoneyState::Read, old.honey_value(HoneyKind::AndroidId))
        );
        let ssid = f.get(HoneyKind::WifiSsid).unwrap();
        assert_eq!(ssid.state, HoneyState::Unavailable);
        assert!(ssid.reason.as_deref().unwrap().contains("API 30"));
    }

    /// Canned replies in the layouts of real devices, one per command prefix.
    fn canned(
        replies: &'static [(&'static str, &'static str, &'static str)],
    ) -> impl FnMut(&Cmd) -> Result<Output, DeviceError> {
        move |c: &Cmd| {
            let (_, out, err) = replies
                .iter()
                .find(|(p, _, _)| c.as_str().starts_with(p))
                .copied()
                .unwrap_or(("", "", "/system/bin/sh: not found"));
            Ok(Output {
                stdout: out.as_bytes().to_vec(),
                stderr: err.as_bytes().to_vec(),
                exit: 0,
            })
        }
    }

    #[test]
    fn refusals_and_hostile_replies_become_reasons_never_values() {
        static REPLIES: &[(&str, &str, &str)] = &[
            // a permission failure: the parcel starts with an exception code
            (
                "service call",
                "Result: Parcel(ffffffff 00000000 '........')\n",
                "",
            ),
            ("getprop ro.serialno", "\n", ""),
            (
                "cat /sys",
                "",
                "cat: /sys/class/net/wlan0/address: No such file or directory\x1b[31m\n",
            ),
            ("cmd wifi", "Wifi is disabled\n", ""),
            ("settings get secure bluetooth_address", "null\n", ""),
            (
                "content insert",
                "",
                "Error while accessing provider:com.android.contacts\njava.lang.SecurityException: Permission Denial\n",
            ),
        ];
        let mut sh = canned(REPLIES);
        let mut console = LogConsole(Vec::new(), Some("KO: bad argument".into()));
        let dev = DeviceSide {
            api: Some(34),
            debuggable: false,
            write: true,
            now_ms: 0,
        };
        let f = collect(&mut sh, dev, Some(&mut console));
        assert_eq!(f.known().count(), 0, "{f:?}");
        let reason = |k| f.get(k).unwrap().reason.clone().unwrap();
        assert!(reason(HoneyKind::Imei).contains("threw"));
        assert!(reason(HoneyKind::Serial).contains("empty"));
        let mac = reason(HoneyKind::WifiMac);
        assert!(
            mac.contains("No such file") && !mac.contains('\x1b'),
            "{mac}"
        );
        assert!(reason(HoneyKind::WifiSsid).contains("not connected"));
        assert!(reason(HoneyKind::BtMac).contains("not set"));
        assert!(reason(HoneyKind::ContactEmail).contains("Permission Denial"));
        assert!(reason(HoneyKind::CalendarTitle).contains("Permission Denial"));
        assert!(reason(HoneyKind::Location).contains("KO: bad argument"));
        let note = summary(&f);
        assert!(
            note.starts_with(
                "honey data in raw/device/honey.json: set none; read none; unavailable imei, serial"
            ),
            "{note}"
        );
    }
}
