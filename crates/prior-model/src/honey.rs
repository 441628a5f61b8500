//! Honey data: the known values Prior sets on, or reads from, the device before the app's
//! first launch, kept in the bundle as `raw/device/honey.json` (`docs/interception.md`, "Honey data").
//!
//! A later analysis (issue 18) searches intercepted traffic for these values; this module is
//! only the file's shape, shared by the recorder (writer) and the analyzer (reader).
//!
//! ```
//! use prior_model::honey::{HoneyFile, HoneyKind, HoneyValue};
//! let mut f = HoneyFile::default();
//! f.values.push(HoneyValue::read(HoneyKind::Serial, "EMULATOR34X1X1X0", "adb shell getprop ro.serialno"));
//! f.values.push(HoneyValue::unavailable(HoneyKind::AdvertisingId, "no Google Play services"));
//! let json = serde_json::to_string(&f).unwrap();
//! let back: HoneyFile = serde_json::from_str(&json).unwrap();
//! assert_eq!(back, f);
//! assert_eq!(back.get(HoneyKind::Serial).unwrap().value.as_deref(), Some("EMULATOR34X1X1X0"));
//! ```

use crate::DataCategory;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where the file lives in a bundle.
pub const HONEY_FILE: &str = "raw/device/honey.json";

/// The file format version written by this Prior.
pub const HONEY_FORMAT: u32 = 1;

/// What a honey value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoneyKind {
    Imei,
    Serial,
    PhoneNumber,
    SimSerial,
    Iccid,
    Imsi,
    AndroidId,
    AdvertisingId,
    WifiMac,
    WifiSsid,
    BtMac,
    Location,
    ContactName,
    ContactPhone,
    ContactEmail,
    CalendarTitle,
    Clipboard,
}

impl HoneyKind {
    /// Every kind, in the order the recorder writes them.
    pub const ALL: [HoneyKind; 17] = [
        HoneyKind::Imei,
        HoneyKind::Serial,
        HoneyKind::PhoneNumber,
        HoneyKind::SimSerial,
        HoneyKind::Iccid,
        HoneyKind::Imsi,
        HoneyKind::AndroidId,
        HoneyKind::AdvertisingId,
        HoneyKind::WifiMac,
        HoneyKind::WifiSsid,
        HoneyKind::BtMac,
        HoneyKind::Location,
        HoneyKind::ContactName,
        HoneyKind::ContactPhone,
        HoneyKind::ContactEmail,
        HoneyKind::CalendarTitle,
        HoneyKind::Clipboard,
    ];

    /// The serialised name, e.g. `wifi_mac`.
    pub fn as_str(self) -> &'static str {
        match self {
            HoneyKind::Imei => "imei",
            HoneyKind::Serial => "serial",
            HoneyKind::PhoneNumber => "phone_number",
            HoneyKind::SimSerial => "sim_serial",
            HoneyKind::Iccid => "iccid",
            HoneyKind::Imsi => "imsi",
            HoneyKind::AndroidId => "android_id",
            HoneyKind::AdvertisingId => "advertising_id",
            HoneyKind::WifiMac => "wifi_mac",
            HoneyKind::WifiSsid => "wifi_ssid",
            HoneyKind::BtMac => "bt_mac",
            HoneyKind::Location => "location",
            HoneyKind::ContactName => "contact_name",
            HoneyKind::ContactPhone => "contact_phone",
            HoneyKind::ContactEmail => "contact_email",
            HoneyKind::CalendarTitle => "calendar_title",
            HoneyKind::Clipboard => "clipboard",
        }
    }

    /// The kind called `name` (the serialised name).
    pub fn parse(name: &str) -> Option<HoneyKind> {
        HoneyKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The personal-data catalog category the value belongs to.
    pub fn category(self) -> DataCategory {
        match self {
            HoneyKind::Imei
            | HoneyKind::Serial
            | HoneyKind::SimSerial
            | HoneyKind::Iccid
            | HoneyKind::Imsi
            | HoneyKind::AndroidId
            | HoneyKind::AdvertisingId => DataCategory::DeviceIdentifiers,
            HoneyKind::PhoneNumber => DataCategory::PhoneNumber,
            HoneyKind::WifiMac | HoneyKind::WifiSsid | HoneyKind::BtMac => {
                DataCategory::NetworkIdentifiers
            }
            HoneyKind::Location => DataCategory::Location,
            HoneyKind::ContactName | HoneyKind::ContactPhone | HoneyKind::ContactEmail => {
                DataCategory::Contacts
            }
            HoneyKind::CalendarTitle => DataCategory::Calendar,
            HoneyKind::Clipboard => DataCategory::Clipboard,
        }
    }
}

impl fmt::Display for HoneyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a honey value came to be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoneyState {
    /// Prior put the value on the device (location, contact, calendar entry, clipboard).
    Set,
    /// Prior read the value the device already had (identifiers).
    Read,
    /// Prior could not obtain it; `reason` says why.
    Unavailable,
}

impl HoneyState {
    /// The serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            HoneyState::Set => "set",
            HoneyState::Read => "read",
            HoneyState::Unavailable => "unavailable",
        }
    }
}

/// One value of `raw/device/honey.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoneyValue {
    pub kind: HoneyKind,
    /// The catalog category (`kind`'s, written out for readers of the file).
    pub category: DataCategory,
    /// The value as text (`lat,lon` for a location); absent when unavailable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Latitude of a location, degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    /// Longitude of a location, degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    pub state: HoneyState,
    /// The command (or console line) that set or read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obtained: Option<String>,
    /// Why it is unavailable, or a caveat about a value that was obtained (e.g. what an app
    /// sees instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl HoneyValue {
    fn new(kind: HoneyKind, state: HoneyState) -> HoneyValue {
        HoneyValue {
            kind,
            category: kind.category(),
            value: None,
            lat: None,
            lon: None,
            state,
            obtained: None,
            reason: None,
        }
    }

    /// A value read from the device with `obtained`.
    pub fn read(kind: HoneyKind, value: &str, obtained: &str) -> HoneyValue {
        HoneyValue {
            value: Some(value.to_string()),
            obtained: Some(obtained.to_string()),
            ..HoneyValue::new(kind, HoneyState::Read)
        }
    }

    /// A value Prior put on the device with `obtained`.
    pub fn set(kind: HoneyKind, value: &str, obtained: &str) -> HoneyValue {
        HoneyValue {
            value: Some(value.to_string()),
            obtained: Some(obtained.to_string()),
            ..HoneyValue::new(kind, HoneyState::Set)
        }
    }

    /// A location Prior set.
    pub fn location(lat: f64, lon: f64, obtained: &str) -> HoneyValue {
        HoneyValue {
            value: Some(format!("{lat},{lon}")),
            lat: Some(lat),
            lon: Some(lon),
            obtained: Some(obtained.to_string()),
            ..HoneyValue::new(HoneyKind::Location, HoneyState::Set)
        }
    }

    /// A value Prior could not obtain, and why.
    pub fn unavailable(kind: HoneyKind, reason: &str) -> HoneyValue {
        HoneyValue {
            reason: Some(reason.to_string()),
            ..HoneyValue::new(kind, HoneyState::Unavailable)
        }
    }

    /// The same value with a caveat (`reason`) added.
    pub fn with_reason(mut self, reason: &str) -> HoneyValue {
        self.reason = Some(reason.to_string());
        self
    }

    /// The same value with how it was attempted (for an unavailable one).
    pub fn with_obtained(mut self, obtained: &str) -> HoneyValue {
        self.obtained = Some(obtained.to_string());
        self
    }
}

/// `raw/device/honey.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoneyFile {
    /// [`HONEY_FORMAT`].
    pub format: u32,
    pub values: Vec<HoneyValue>,
}

impl Default for HoneyFile {
    fn default() -> Self {
        HoneyFile {
            format: HONEY_FORMAT,
            values: Vec::new(),
        }
    }
}

impl HoneyFile {
    /// The first value of `kind`.
    pub fn get(&self, kind: HoneyKind) -> Option<&HoneyValue> {
        self.values.iter().find(|v| v.kind == kind)
    }

    /// The values that were obtained (set or read) and have a value.
    pub fn known(&self) -> impl Iterator<Item = &HoneyValue> {
        self.values
            .iter()
            .filter(|v| v.state != HoneyState::Unavailable && v.value.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_example_parses_and_round_trips() {
        let text = r#"{ "format": 1,
  "values": [
    { "kind": "imei", "category": "device_identifiers",
      "value": "358240051111110", "state": "read", "obtained": "adb shell service call iphonesubinfo 1 (API 33)" },
    { "kind": "location", "category": "location", "value": "39.9042,116.4074",
      "lat": 39.9042, "lon": 116.4074, "state": "set", "obtained": "emulator console: geo fix 116.4074 39.9042" },
    { "kind": "android_id", "category": "device_identifiers", "state": "unavailable", "reason": "per signing key" }
  ] }"#;
        let f: HoneyFile = serde_json::from_str(text).unwrap();
        assert_eq!(f.values.len(), 3);
        assert_eq!(f.get(HoneyKind::Location).unwrap().lat, Some(39.9042));
        assert_eq!(f.known().count(), 2);
        let back: HoneyFile = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
        // an unavailable value writes no `value` key at all
        let json = serde_json::to_string(&f.values[2]).unwrap();
        assert!(!json.contains("\"value\""), "{json}");
    }

    #[test]
    fn every_kind_has_a_name_that_parses_back_and_a_category() {
        for k in HoneyKind::ALL {
            assert_eq!(HoneyKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(
            HoneyKind::WifiMac.category(),
            DataCategory::NetworkIdentifiers
        );
        assert_eq!(HoneyKind::parse("mind"), None);
    }
}
