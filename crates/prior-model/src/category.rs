use serde::{Deserialize, Serialize};
use std::fmt;

/// A kind of personal data, as regulators and the personal-data catalog name it.
///
/// Serialised in `snake_case` (`device_identifiers`, `installed_apps`, …); the catalog and
/// rule profiles use the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// IMEI, MEID, IMSI, SIM serial, `Build.getSerial`, ANDROID_ID, advertising ID, OAID.
    DeviceIdentifiers,
    /// Wi-Fi/Bluetooth MAC, SSID/BSSID, Wi-Fi scan results, cell info.
    NetworkIdentifiers,
    /// Coarse or fine location.
    Location,
    /// The contacts provider.
    Contacts,
    /// The call log.
    CallLog,
    /// SMS and MMS.
    Sms,
    /// The calendar provider.
    Calendar,
    /// Accounts on the device.
    Accounts,
    /// The list of installed or running apps, usage stats.
    InstalledApps,
    /// The clipboard.
    Clipboard,
    /// The camera.
    Camera,
    /// The microphone.
    Microphone,
    /// The phone number.
    PhoneNumber,
    /// Photos, videos, audio and other shared storage.
    Media,
    /// Body and activity sensors.
    Sensors,
}

impl DataCategory {
    /// Every category, in a stable order.
    pub const ALL: [DataCategory; 15] = [
        DataCategory::DeviceIdentifiers,
        DataCategory::NetworkIdentifiers,
        DataCategory::Location,
        DataCategory::Contacts,
        DataCategory::CallLog,
        DataCategory::Sms,
        DataCategory::Calendar,
        DataCategory::Accounts,
        DataCategory::InstalledApps,
        DataCategory::Clipboard,
        DataCategory::Camera,
        DataCategory::Microphone,
        DataCategory::PhoneNumber,
        DataCategory::Media,
        DataCategory::Sensors,
    ];

    /// The serialised name, e.g. `device_identifiers`.
    pub fn as_str(self) -> &'static str {
        match self {
            DataCategory::DeviceIdentifiers => "device_identifiers",
            DataCategory::NetworkIdentifiers => "network_identifiers",
            DataCategory::Location => "location",
            DataCategory::Contacts => "contacts",
            DataCategory::CallLog => "call_log",
            DataCategory::Sms => "sms",
            DataCategory::Calendar => "calendar",
            DataCategory::Accounts => "accounts",
            DataCategory::InstalledApps => "installed_apps",
            DataCategory::Clipboard => "clipboard",
            DataCategory::Camera => "camera",
            DataCategory::Microphone => "microphone",
            DataCategory::PhoneNumber => "phone_number",
            DataCategory::Media => "media",
            DataCategory::Sensors => "sensors",
        }
    }

    /// A short human label, e.g. "device identifiers".
    pub fn label(self) -> &'static str {
        match self {
            DataCategory::DeviceIdentifiers => "device identifiers",
            DataCategory::NetworkIdentifiers => "network identifiers",
            DataCategory::Location => "location",
            DataCategory::Contacts => "contacts",
            DataCategory::CallLog => "call log",
            DataCategory::Sms => "SMS",
            DataCategory::Calendar => "calendar",
            DataCategory::Accounts => "accounts",
            DataCategory::InstalledApps => "installed apps",
            DataCategory::Clipboard => "clipboard",
            DataCategory::Camera => "camera",
            DataCategory::Microphone => "microphone",
            DataCategory::PhoneNumber => "phone number",
            DataCategory::Media => "media and storage",
            DataCategory::Sensors => "sensors",
        }
    }

    /// Parses the serialised name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for DataCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde() {
        for c in DataCategory::ALL {
            let j = serde_json::to_string(&c).unwrap();
            assert_eq!(j, format!("\"{}\"", c.as_str()));
            assert_eq!(DataCategory::from_name(c.as_str()), Some(c));
        }
    }
}
