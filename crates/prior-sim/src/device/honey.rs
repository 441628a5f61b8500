//! The handset's own identifiers and personal data, as Prior's honey step sets and reads them
//! (`docs/interception.md`, "Honey data"): the IMEI the telephony service answers, the Wi-Fi interface's MAC
//! and network name, the GPS fix the emulator console sets (`geo fix`), and the rows of the
//! contacts and calendar providers (`content insert`).
//!
//! [`SimDevice::honey_value`] gives every value by kind, so the app models' `send:` actions
//! (issue 18) can put exactly what the recorder recorded into their requests.

use std::collections::BTreeMap;

use prior_model::honey::HoneyKind;

use super::SimDevice;
use super::rng::Rng;

/// The IMEI the simulated modem reports (`service call iphonesubinfo 1`). A Luhn-valid
/// 15-digit number (TAC 35824005); Prior's own value.
pub const SIM_IMEI: &str = "358240051111110";
/// The Wi-Fi network the simulated handset is connected to (the emulator's virtual access
/// point is called `AndroidWifi`; UNVERIFIED for every image).
pub const SIM_SSID: &str = "AndroidWifi";

/// A value in a provider row.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Int(i64),
    Real(f64),
    Bool(bool),
}

impl Val {
    /// The text `content query` prints for it (`Cursor.getString`/`getInt`/`getFloat`).
    pub fn text(&self) -> String {
        match self {
            Val::Str(s) => s.clone(),
            Val::Int(i) => i.to_string(),
            // SQLite stores a Java boolean as an integer
            Val::Bool(b) => i32::from(*b).to_string(),
            Val::Real(f) => format!("{f:?}"),
        }
    }
}

/// One row: column → value (`_id` included).
pub type Row = BTreeMap<String, Val>;

/// The identifiers and personal data of the handset.
#[derive(Debug, Clone)]
pub struct Honey {
    /// `/sys/class/net/wlan0/address` (also written into the file system at boot).
    pub wifi_mac: String,
    /// The GPS fix set by the console's `geo fix`: (latitude, longitude).
    pub location: Option<(f64, f64)>,
    /// Provider tables by `authority/table`, e.g. `com.android.contacts/raw_contacts`.
    pub tables: BTreeMap<String, Vec<Row>>,
}

impl Honey {
    /// A handset's data at boot (no fix, empty providers, a locally administered MAC).
    pub fn new(rng: &mut Rng) -> Honey {
        let h = rng.hex(6);
        let wifi_mac = format!("02:15:b2:{}:{}:{}", &h[0..2], &h[2..4], &h[4..6]);
        Honey {
            wifi_mac,
            location: None,
            tables: BTreeMap::new(),
        }
    }

    /// Appends a row to `table`, giving it the next `_id`; returns that id.
    pub fn insert(&mut self, table: &str, mut row: Row) -> i64 {
        let rows = self.tables.entry(table.to_owned()).or_default();
        let id = rows
            .iter()
            .filter_map(|r| match r.get("_id") {
                Some(Val::Int(i)) => Some(*i),
                _ => None,
            })
            .max()
            .unwrap_or(0)
            + 1;
        row.insert("_id".into(), Val::Int(id));
        rows.push(row);
        id
    }

    /// The rows of `table`.
    pub fn rows(&self, table: &str) -> &[Row] {
        self.tables.get(table).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `data1` of the first contacts data row of `mimetype`.
    fn contact_data(&self, mimetype: &str) -> Option<String> {
        self.rows("com.android.contacts/data")
            .iter()
            .find(|r| r.get("mimetype") == Some(&Val::Str(mimetype.into())))
            .and_then(|r| r.get("data1"))
            .map(Val::text)
    }
}

impl SimDevice {
    /// The console's `geo fix <longitude> <latitude>` (emulator console, "geo" commands):
    /// sets the GPS fix. Longitude first, as the console takes it; out-of-range values are
    /// refused with the console's `KO:` reason.
    pub fn geo_fix(&self, longitude: f64, latitude: f64) -> Result<(), String> {
        if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
            return Err("longitude must be between -180 and 180".into());
        }
        if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
            return Err("latitude must be between -90 and 90".into());
        }
        self.with(|w, _| w.honey.location = Some((latitude, longitude)));
        Ok(())
    }

    /// The handset's current value of one honey kind, as an app on it would find it; `None`
    /// when the handset has none (no GMS: no advertising ID; no SIM line number, …).
    /// `location` is `lat,lon`; see [`SimDevice::honey_location`] for the numbers.
    pub fn honey_value(&self, kind: HoneyKind) -> Option<String> {
        self.with(|w, _| world_honey_value(w, kind))
    }

    /// The GPS fix (latitude, longitude), once `geo fix` set one.
    pub fn honey_location(&self) -> Option<(f64, f64)> {
        self.with(|w, _| w.honey.location)
    }

    /// Every honey value the handset has, by kind.
    pub fn honey_values(&self) -> BTreeMap<HoneyKind, String> {
        HoneyKind::ALL
            .into_iter()
            .filter_map(|k| self.honey_value(k).map(|v| (k, v)))
            .collect()
    }
}

/// [`SimDevice::honey_value`] on the handset's state: also what the app models' `send:`
/// placeholders take (`crate::http::honey_value`), so a request carries exactly the values the
/// recorder recorded.
pub(crate) fn world_honey_value(w: &super::world::World, kind: HoneyKind) -> Option<String> {
    match kind {
        HoneyKind::Imei => Some(SIM_IMEI.to_owned()),
        HoneyKind::Serial => w.props.get("ro.serialno").cloned(),
        HoneyKind::AndroidId => w
            .settings
            .get(&("secure".to_owned(), "android_id".to_owned()))
            .cloned(),
        HoneyKind::WifiMac => Some(w.honey.wifi_mac.clone()),
        HoneyKind::WifiSsid => Some(SIM_SSID.to_owned()),
        HoneyKind::Location => w.honey.location.map(|(la, lo)| format!("{la},{lo}")),
        HoneyKind::ContactName => w.honey.contact_data("vnd.android.cursor.item/name"),
        HoneyKind::ContactPhone => w.honey.contact_data("vnd.android.cursor.item/phone_v2"),
        HoneyKind::ContactEmail => w.honey.contact_data("vnd.android.cursor.item/email_v2"),
        HoneyKind::CalendarTitle => w
            .honey
            .rows("com.android.calendar/events")
            .first()
            .and_then(|r| r.get("title"))
            .map(Val::text),
        HoneyKind::PhoneNumber
        | HoneyKind::SimSerial
        | HoneyKind::Iccid
        | HoneyKind::Imsi
        | HoneyKind::AdvertisingId
        | HoneyKind::BtMac
        | HoneyKind::Clipboard => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DeviceProfile, SimConfig};
    use super::*;

    fn dev(profile: &str) -> std::sync::Arc<SimDevice> {
        SimDevice::new(SimConfig {
            profile: DeviceProfile::parse(profile).unwrap(),
            ..SimConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn contacts_inserted_with_content_are_queried_back_and_become_honey_values() {
        let d = dev("api33-user");
        let ins = d.run(
            "content insert --uri content://com.android.contacts/raw_contacts --bind starred:i:0",
        );
        assert_eq!(
            (ins.status, ins.text(), ins.stderr.len()),
            (0, String::new(), 0)
        );
        let q = d.run("content query --uri content://com.android.contacts/raw_contacts --projection _id --sort '_id DESC'");
        assert_eq!(q.text(), "Row: 0 _id=1\n");
        let ins = d.run("content insert --uri content://com.android.contacts/data --bind raw_contact_id:i:1 --bind mimetype:s:vnd.android.cursor.item/phone_v2 --bind 'data1:s:+86 138 0013 8000'");
        assert_eq!(ins.status, 0, "{ins:?}");
        let q = d.run("content query --uri content://com.android.contacts/data --projection mimetype:data1 --where raw_contact_id=1");
        assert_eq!(
            q.text(),
            "Row: 0 mimetype=vnd.android.cursor.item/phone_v2, data1=+86 138 0013 8000\n"
        );
        assert_eq!(
            d.honey_value(HoneyKind::ContactPhone).as_deref(),
            Some("+86 138 0013 8000")
        );
        let none = d.run("content query --uri content://com.android.calendar/events");
        assert_eq!(none.text(), "No result found.\n");
        // an unknown provider fails on stderr, exit 0, as Content.java does
        let bad = d.run("content insert --uri content://nope/x --bind a:s:b");
        assert_eq!(bad.status, 0);
        assert!(
            String::from_utf8_lossy(&bad.stderr)
                .starts_with("Error while accessing provider:nope\n")
        );
        // a malformed binding prints the usage and the error on stdout
        let bad = d.run("content insert --uri content://com.android.contacts/data --bind x");
        assert!(
            bad.text().ends_with("[ERROR] Binding not well formed: x\n"),
            "{}",
            bad.text()
        );
    }

    #[test]
    fn a_calendar_needs_the_sync_adapter_uri_and_an_event_its_required_columns() {
        let d = dev("api33-userdebug");
        let refused =
            d.run("content insert --uri content://com.android.calendar/calendars --bind name:s:x");
        assert!(String::from_utf8_lossy(&refused.stderr).contains("Only sync adapters may write"));
        let ok = d.run("content insert --uri 'content://com.android.calendar/calendars?caller_is_syncadapter=true&account_name=prior&account_type=LOCAL' --bind name:s:prior");
        assert!(ok.stderr.is_empty(), "{ok:?}");
        let no_end = d.run("content insert --uri content://com.android.calendar/events --bind calendar_id:i:1 --bind dtstart:l:1 --bind eventTimezone:s:UTC --bind title:s:T");
        assert!(String::from_utf8_lossy(&no_end.stderr).contains("DTEND"));
        assert_eq!(d.honey_value(HoneyKind::CalendarTitle), None);
        d.run("content insert --uri content://com.android.calendar/events --bind calendar_id:i:1 --bind dtstart:l:1 --bind dtend:l:2 --bind eventTimezone:s:UTC --bind title:s:T");
        assert_eq!(
            d.honey_value(HoneyKind::CalendarTitle).as_deref(),
            Some("T")
        );
    }

    #[test]
    fn identifiers_follow_the_profile() {
        let d = dev("api33-userdebug");
        let imei = d.run("service call iphonesubinfo 1 s16 com.android.shell");
        assert!(
            imei.text()
                .starts_with("Result: Parcel(\n  0x00000000: 00000000 0000000f")
        );
        let mac = d.run("cat /sys/class/net/wlan0/address");
        assert_eq!(
            mac.text(),
            format!("{}\n", d.honey_value(HoneyKind::WifiMac).unwrap())
        );
        let wifi = d.run("cmd wifi status");
        assert!(wifi.text().contains("Wifi is connected to \"AndroidWifi\""));
        let old = dev("api28-userdebug").run("cmd wifi status");
        assert_eq!(
            (old.status, old.text()),
            (255, "Unknown command: status\n".into())
        );
        // su: userdebug only
        let ad = d.run("su 0 cat /data/data/com.google.android.gms/shared_prefs/adid_settings.xml");
        assert!(
            String::from_utf8_lossy(&ad.stderr).contains("No such file"),
            "{ad:?}"
        );
        let user = dev("api33-user").run("su 0 id");
        assert_eq!(user.status, 127);
        // the serial and ANDROID_ID are the ones getprop and settings print
        assert_eq!(
            d.run("getprop ro.serialno").text(),
            format!("{}\n", d.honey_value(HoneyKind::Serial).unwrap())
        );
        assert_eq!(
            d.run("settings get secure android_id").text(),
            format!("{}\n", d.honey_value(HoneyKind::AndroidId).unwrap())
        );
    }

    #[test]
    fn geo_fix_takes_longitude_first_and_refuses_out_of_range_values() {
        let d = dev("api33-userdebug");
        assert_eq!(d.honey_value(HoneyKind::Location), None);
        d.geo_fix(116.397_128, 39.916_527).unwrap();
        assert_eq!(d.honey_location(), Some((39.916_527, 116.397_128)));
        assert_eq!(
            d.honey_value(HoneyKind::Location).as_deref(),
            Some("39.916527,116.397128")
        );
        assert!(d.geo_fix(10.0, 91.0).is_err());
        let all = d.honey_values();
        assert!(all.contains_key(&HoneyKind::Imei) && !all.contains_key(&HoneyKind::AdvertisingId));
    }
}
