//! The catalog of personal-data APIs a model can call, with the side effects an Android 13
//! device shows for each (source: `docs/personal-data.md` of the project's shared notes, which
//! cites AOSP/LineageOS files; line numbers in frames are plausible Android 13 values, not
//! checked against one build).

/// What the device does when the API is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// No permission and no app-op: the call always succeeds silently.
    Open,
    /// READ_PRIVILEGED_PHONE_STATE (never granted to a third-party app): app-op
    /// `READ_DEVICE_IDENTIFIERS` is rejected, the serving process logs
    /// `W TelephonyPermissions: reportAccessDeniedToReadIdentifiers:<pkg>:<method>:<subId>`
    /// once per package and method, and the app gets a SecurityException.
    DeviceIdentifier {
        /// Method name in the log line and the exception message.
        method: &'static str,
        /// Which process logs the denial.
        logger: Logger,
    },
    /// Coarse or fine location; app-op FINE_LOCATION or COARSE_LOCATION when granted,
    /// SecurityException without either permission.
    Location {
        /// Also starts MONITOR_LOCATION (location updates).
        monitor: bool,
    },
    /// `TelephonyManager.getAllCellInfo`: FINE_LOCATION app-op when granted, else a
    /// SecurityException.
    CellInfo,
    /// Wi-Fi connection info: readable without location but redacted; with fine
    /// location the FINE_LOCATION and WIFI_SCAN app-ops are noted.
    WifiInfo,
    /// Wi-Fi scan results: FINE_LOCATION + WIFI_SCAN when granted; without, an empty list
    /// and system_server's `W WifiService: Permission violation - getScanResults …` line.
    WifiScan,
    /// A content provider guarded by a runtime permission.
    Provider {
        permission: &'static str,
        write_permission: &'static str,
        op: &'static str,
        provider_class: &'static str,
        provider_pkg: &'static str,
        /// `true`: the permission is checked when acquiring the provider (system_server logs
        /// template A); `false`: the provider process throws (DatabaseUtils logs template B).
        refused_on_acquire: bool,
        uri: &'static str,
    },
    /// The clipboard: READ_CLIPBOARD noted while the app has focus, else a denial line.
    Clipboard,
    /// `getLine1Number`: READ_PHONE_NUMBERS noted when granted, else a SecurityException.
    PhoneNumber,
    /// Usage stats: GET_USAGE_STATS rejected (special access not granted), empty result.
    UsageStats,
    /// Camera: CAMERA app-op and CameraService lines when granted, else a denial.
    Camera,
}

/// Which system process serves (and logs for) a device-identifier call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logger {
    Phone,
    SystemServer,
}

/// One catalog entry.
#[derive(Debug, Clone, Copy)]
pub struct Api {
    /// The name models use.
    pub name: &'static str,
    /// The Java API it stands for (documentation and exception text).
    pub java: &'static str,
    /// Prior's data category.
    pub category: &'static str,
    /// Binder frames under `android.os.BinderProxy.transact`: the AIDL proxy first.
    pub frames: &'static [&'static str],
    /// A separate transaction made only on the first use in a process (provider acquire).
    pub first_use_frames: &'static [&'static str],
    /// Repeated calls are answered from an in-process cache (no binder call).
    pub cached: bool,
    pub rule: Rule,
}

const ITEL: &str = "com.android.internal.telephony.ITelephony$Stub$Proxy";
const _: &str = ITEL;

static CATALOG: &[Api] = &[
    Api {
        name: "android_id",
        java: "Settings.Secure.getString(ANDROID_ID)",
        category: "device_identifiers",
        frames: &[
            "android.content.ContentProviderProxy.call(ContentProviderNative.java:732)",
            "android.provider.Settings$NameValueCache.getStringForUser(Settings.java:3072)",
            "android.provider.Settings$Secure.getStringForUser(Settings.java:6184)",
            "android.provider.Settings$Secure.getString(Settings.java:6168)",
        ],
        first_use_frames: &[],
        cached: true,
        rule: Rule::Open,
    },
    Api {
        name: "imei",
        java: "TelephonyManager.getImei()",
        category: "device_identifiers",
        frames: &[
            "com.android.internal.telephony.ITelephony$Stub$Proxy.getImeiForSlot(ITelephony.java:10430)",
            "android.telephony.TelephonyManager.getImei(TelephonyManager.java:2283)",
            "android.telephony.TelephonyManager.getImei(TelephonyManager.java:2239)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::DeviceIdentifier {
            method: "getImeiForSlot",
            logger: Logger::Phone,
        },
    },
    Api {
        name: "meid",
        java: "TelephonyManager.getMeid()",
        category: "device_identifiers",
        frames: &[
            "com.android.internal.telephony.ITelephony$Stub$Proxy.getMeidForSlot(ITelephony.java:10468)",
            "android.telephony.TelephonyManager.getMeid(TelephonyManager.java:2347)",
            "android.telephony.TelephonyManager.getMeid(TelephonyManager.java:2311)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::DeviceIdentifier {
            method: "getMeidForSlot",
            logger: Logger::Phone,
        },
    },
    Api {
        name: "device_id",
        java: "TelephonyManager.getDeviceId()",
        category: "device_identifiers",
        frames: &[
            "com.android.internal.telephony.ITelephony$Stub$Proxy.getDeviceIdWithFeature(ITelephony.java:11025)",
            "android.telephony.TelephonyManager.getDeviceId(TelephonyManager.java:2154)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::DeviceIdentifier {
            method: "getDeviceId",
            logger: Logger::Phone,
        },
    },
    Api {
        name: "subscriber_id",
        java: "TelephonyManager.getSubscriberId()",
        category: "device_identifiers",
        frames: &[
            "com.android.internal.telephony.IPhoneSubInfo$Stub$Proxy.getSubscriberIdForSubscriber(IPhoneSubInfo.java:1032)",
            "android.telephony.TelephonyManager.getSubscriberId(TelephonyManager.java:4544)",
            "android.telephony.TelephonyManager.getSubscriberId(TelephonyManager.java:4511)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::DeviceIdentifier {
            method: "getSubscriberId",
            logger: Logger::Phone,
        },
    },
    Api {
        name: "sim_serial",
        java: "TelephonyManager.getSimSerialNumber()",
        category: "device_identifiers",
        frames: &[
            "com.android.internal.telephony.IPhoneSubInfo$Stub$Proxy.getIccSerialNumberForSubscriber(IPhoneSubInfo.java:935)",
            "android.telephony.TelephonyManager.getSimSerialNumber(TelephonyManager.java:3956)",
            "android.telephony.TelephonyManager.getSimSerialNumber(TelephonyManager.java:3918)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::DeviceIdentifier {
            method: "getIccSerialNumber",
            logger: Logger::Phone,
        },
    },
    Api {
        name: "serial",
        java: "Build.getSerial()",
        category: "device_identifiers",
        frames: &[
            "android.os.IDeviceIdentifiersPolicyService$Stub$Proxy.getSerialForPackage(IDeviceIdentifiersPolicyService.java:164)",
            "android.os.Build.getSerial(Build.java:187)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::DeviceIdentifier {
            method: "getSerial",
            logger: Logger::SystemServer,
        },
    },
    Api {
        name: "phone_number",
        java: "TelephonyManager.getLine1Number()",
        category: "phone_number",
        frames: &[
            "com.android.internal.telephony.ITelephony$Stub$Proxy.getLine1NumberForDisplay(ITelephony.java:8723)",
            "android.telephony.TelephonyManager.getLine1Number(TelephonyManager.java:5180)",
            "android.telephony.TelephonyManager.getLine1Number(TelephonyManager.java:5145)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::PhoneNumber,
    },
    Api {
        name: "installed_packages",
        java: "PackageManager.getInstalledPackages()",
        category: "installed_apps",
        frames: &[
            "android.content.pm.IPackageManager$Stub$Proxy.getInstalledPackages(IPackageManager.java:5724)",
            "android.app.ApplicationPackageManager.getInstalledPackagesAsUser(ApplicationPackageManager.java:1116)",
            "android.app.ApplicationPackageManager.getInstalledPackages(ApplicationPackageManager.java:1091)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::Open,
    },
    Api {
        name: "installed_applications",
        java: "PackageManager.getInstalledApplications()",
        category: "installed_apps",
        frames: &[
            "android.content.pm.IPackageManager$Stub$Proxy.getInstalledApplications(IPackageManager.java:5766)",
            "android.app.ApplicationPackageManager.getInstalledApplicationsAsUser(ApplicationPackageManager.java:1148)",
            "android.app.ApplicationPackageManager.getInstalledApplications(ApplicationPackageManager.java:1131)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::Open,
    },
    Api {
        name: "query_intent_activities",
        java: "PackageManager.queryIntentActivities()",
        category: "installed_apps",
        frames: &[
            "android.content.pm.IPackageManager$Stub$Proxy.queryIntentActivities(IPackageManager.java:6107)",
            "android.app.ApplicationPackageManager.queryIntentActivitiesAsUser(ApplicationPackageManager.java:1493)",
            "android.app.ApplicationPackageManager.queryIntentActivities(ApplicationPackageManager.java:1470)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::Open,
    },
    Api {
        name: "running_apps",
        java: "ActivityManager.getRunningAppProcesses()",
        category: "installed_apps",
        frames: &[
            "android.app.IActivityManager$Stub$Proxy.getRunningAppProcesses(IActivityManager.java:4790)",
            "android.app.ActivityManager.getRunningAppProcesses(ActivityManager.java:3893)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::Open,
    },
    Api {
        name: "last_location",
        java: "LocationManager.getLastKnownLocation()",
        category: "location",
        frames: &[
            "android.location.ILocationManager$Stub$Proxy.getLastLocation(ILocationManager.java:1190)",
            "android.location.LocationManager.getLastKnownLocation(LocationManager.java:832)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::Location { monitor: false },
    },
    Api {
        name: "location_updates",
        java: "LocationManager.requestLocationUpdates()",
        category: "location",
        frames: &[
            "android.location.ILocationManager$Stub$Proxy.registerLocationListener(ILocationManager.java:1289)",
            "android.location.LocationManager.requestLocationUpdates(LocationManager.java:1475)",
            "android.location.LocationManager.requestLocationUpdates(LocationManager.java:1318)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::Location { monitor: true },
    },
    Api {
        name: "cell_info",
        java: "TelephonyManager.getAllCellInfo()",
        category: "location",
        frames: &[
            "com.android.internal.telephony.ITelephony$Stub$Proxy.getAllCellInfo(ITelephony.java:7260)",
            "android.telephony.TelephonyManager.getAllCellInfo(TelephonyManager.java:6712)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::CellInfo,
    },
    Api {
        name: "wifi_info",
        java: "WifiManager.getConnectionInfo()",
        category: "network_identifiers",
        frames: &[
            "android.net.wifi.IWifiManager$Stub$Proxy.getConnectionInfo(IWifiManager.java:2538)",
            "android.net.wifi.WifiManager.getConnectionInfo(WifiManager.java:3585)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::WifiInfo,
    },
    Api {
        name: "wifi_scan_results",
        java: "WifiManager.getScanResults()",
        category: "location",
        frames: &[
            "android.net.wifi.IWifiManager$Stub$Proxy.getScanResults(IWifiManager.java:2623)",
            "android.net.wifi.WifiManager.getScanResults(WifiManager.java:3311)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::WifiScan,
    },
    Api {
        name: "contacts",
        java: "ContentResolver.query(ContactsContract.Contacts.CONTENT_URI)",
        category: "contacts",
        frames: &[
            "android.content.ContentProviderProxy.query(ContentProviderNative.java:474)",
            "android.content.ContentResolver.query(ContentResolver.java:1218)",
            "android.content.ContentResolver.query(ContentResolver.java:1150)",
            "android.content.ContentResolver.query(ContentResolver.java:1106)",
        ],
        first_use_frames: &[
            "android.app.IActivityManager$Stub$Proxy.getContentProvider(IActivityManager.java:5627)",
            "android.app.ActivityThread.acquireProvider(ActivityThread.java:7383)",
            "android.app.ContextImpl$ApplicationContentResolver.acquireUnstableProvider(ContextImpl.java:3662)",
            "android.content.ContentResolver.acquireUnstableProvider(ContentResolver.java:2491)",
            "android.content.ContentResolver.query(ContentResolver.java:1183)",
            "android.content.ContentResolver.query(ContentResolver.java:1150)",
            "android.content.ContentResolver.query(ContentResolver.java:1106)",
        ],
        cached: false,
        rule: Rule::Provider {
            permission: "android.permission.READ_CONTACTS",
            write_permission: "android.permission.WRITE_CONTACTS",
            op: "READ_CONTACTS",
            provider_class: "com.android.providers.contacts.ContactsProvider2",
            provider_pkg: "com.android.providers.contacts",
            refused_on_acquire: true,
            uri: "content://com.android.contacts/contacts",
        },
    },
    Api {
        name: "call_log",
        java: "ContentResolver.query(CallLog.Calls.CONTENT_URI)",
        category: "call_log",
        frames: &[
            "android.content.ContentProviderProxy.query(ContentProviderNative.java:474)",
            "android.content.ContentResolver.query(ContentResolver.java:1218)",
            "android.content.ContentResolver.query(ContentResolver.java:1150)",
            "android.content.ContentResolver.query(ContentResolver.java:1106)",
        ],
        first_use_frames: &[
            "android.app.IActivityManager$Stub$Proxy.getContentProvider(IActivityManager.java:5627)",
            "android.app.ActivityThread.acquireProvider(ActivityThread.java:7383)",
            "android.app.ContextImpl$ApplicationContentResolver.acquireUnstableProvider(ContextImpl.java:3662)",
            "android.content.ContentResolver.acquireUnstableProvider(ContentResolver.java:2491)",
            "android.content.ContentResolver.query(ContentResolver.java:1183)",
            "android.content.ContentResolver.query(ContentResolver.java:1150)",
            "android.content.ContentResolver.query(ContentResolver.java:1106)",
        ],
        cached: false,
        rule: Rule::Provider {
            permission: "android.permission.READ_CALL_LOG",
            write_permission: "android.permission.WRITE_CALL_LOG",
            op: "READ_CALL_LOG",
            provider_class: "com.android.providers.contacts.CallLogProvider",
            provider_pkg: "com.android.providers.contacts",
            refused_on_acquire: true,
            uri: "content://call_log/calls",
        },
    },
    Api {
        name: "calendar",
        java: "ContentResolver.query(CalendarContract.Events.CONTENT_URI)",
        category: "calendar",
        frames: &[
            "android.content.ContentProviderProxy.query(ContentProviderNative.java:474)",
            "android.content.ContentResolver.query(ContentResolver.java:1218)",
            "android.content.ContentResolver.query(ContentResolver.java:1150)",
            "android.content.ContentResolver.query(ContentResolver.java:1106)",
        ],
        first_use_frames: &[
            "android.app.IActivityManager$Stub$Proxy.getContentProvider(IActivityManager.java:5627)",
            "android.app.ActivityThread.acquireProvider(ActivityThread.java:7383)",
            "android.app.ContextImpl$ApplicationContentResolver.acquireUnstableProvider(ContextImpl.java:3662)",
            "android.content.ContentResolver.acquireUnstableProvider(ContentResolver.java:2491)",
            "android.content.ContentResolver.query(ContentResolver.java:1183)",
            "android.content.ContentResolver.query(ContentResolver.java:1150)",
            "android.content.ContentResolver.query(ContentResolver.java:1106)",
        ],
        cached: false,
        rule: Rule::Provider {
            permission: "android.permission.READ_CALENDAR",
            write_permission: "android.permission.WRITE_CALENDAR",
            op: "READ_CALENDAR",
            provider_class: "com.android.providers.calendar.CalendarProvider2",
            provider_pkg: "com.android.providers.calendar",
            refused_on_acquire: true,
            uri: "content://com.android.calendar/events",
        },
    },
    Api {
        name: "sms",
        java: "ContentResolver.query(Telephony.Sms.CONTENT_URI)",
        category: "sms",
        frames: &[
            "android.content.ContentProviderProxy.query(ContentProviderNative.java:474)",
            "android.content.ContentResolver.query(ContentResolver.java:1218)",
            "android.content.ContentResolver.query(ContentResolver.java:1150)",
            "android.content.ContentResolver.query(ContentResolver.java:1106)",
        ],
        first_use_frames: &[
            "android.app.IActivityManager$Stub$Proxy.getContentProvider(IActivityManager.java:5627)",
            "android.app.ActivityThread.acquireProvider(ActivityThread.java:7383)",
            "android.app.ContextImpl$ApplicationContentResolver.acquireUnstableProvider(ContextImpl.java:3662)",
            "android.content.ContentResolver.acquireUnstableProvider(ContentResolver.java:2491)",
            "android.content.ContentResolver.query(ContentResolver.java:1183)",
            "android.content.ContentResolver.query(ContentResolver.java:1150)",
            "android.content.ContentResolver.query(ContentResolver.java:1106)",
        ],
        cached: false,
        rule: Rule::Provider {
            permission: "android.permission.READ_SMS",
            write_permission: "android.permission.WRITE_SMS",
            op: "READ_SMS",
            provider_class: "com.android.providers.telephony.SmsProvider",
            provider_pkg: "com.android.providers.telephony",
            refused_on_acquire: false,
            uri: "content://sms/inbox",
        },
    },
    Api {
        name: "clipboard",
        java: "ClipboardManager.getPrimaryClip()",
        category: "clipboard",
        frames: &[
            "android.content.IClipboard$Stub$Proxy.getPrimaryClip(IClipboard.java:437)",
            "android.content.ClipboardManager.getPrimaryClip(ClipboardManager.java:227)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::Clipboard,
    },
    Api {
        name: "accounts",
        java: "AccountManager.getAccounts()",
        category: "accounts",
        frames: &[
            "android.accounts.IAccountManager$Stub$Proxy.getAccountsAsUser(IAccountManager.java:1497)",
            "android.accounts.AccountManager.getAccountsByTypeAsUser(AccountManager.java:598)",
            "android.accounts.AccountManager.getAccountsByType(AccountManager.java:571)",
            "android.accounts.AccountManager.getAccounts(AccountManager.java:467)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::Open,
    },
    Api {
        name: "advertising_id",
        java: "AdvertisingIdClient.getAdvertisingIdInfo()",
        category: "device_identifiers",
        frames: &[
            "android.app.IActivityManager$Stub$Proxy.bindServiceInstance(IActivityManager.java:5963)",
            "android.app.ContextImpl.bindServiceCommon(ContextImpl.java:2002)",
            "android.app.ContextImpl.bindService(ContextImpl.java:1905)",
            "android.content.ContextWrapper.bindService(ContextWrapper.java:827)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::Open,
    },
    Api {
        name: "usage_stats",
        java: "UsageStatsManager.queryUsageStats()",
        category: "installed_apps",
        frames: &[
            "android.app.usage.IUsageStatsManager$Stub$Proxy.queryUsageStats(IUsageStatsManager.java:832)",
            "android.app.usage.UsageStatsManager.queryUsageStats(UsageStatsManager.java:466)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::UsageStats,
    },
    Api {
        name: "camera",
        java: "CameraManager.openCamera()",
        category: "camera",
        frames: &[
            "android.hardware.ICameraService$Stub$Proxy.connectDevice(ICameraService.java:1088)",
            "android.hardware.camera2.CameraManager.openCameraDeviceUserAsync(CameraManager.java:820)",
            "android.hardware.camera2.CameraManager.openCameraForUid(CameraManager.java:1055)",
            "android.hardware.camera2.CameraManager.openCamera(CameraManager.java:973)",
        ],
        first_use_frames: &[],
        cached: false,
        rule: Rule::Camera,
    },
];

/// Looks an API up by name.
pub fn lookup(name: &str) -> Option<&'static Api> {
    CATALOG.iter().find(|a| a.name == name)
}

/// All API names (for error messages and docs).
pub fn names() -> Vec<&'static str> {
    CATALOG.iter().map(|a| a.name).collect()
}

/// The whole catalog.
pub fn all() -> &'static [Api] {
    CATALOG
}

/// Runtime ("dangerous") permissions on Android 13: the only ones `pm grant` changes and a
/// fresh install leaves ungranted.
pub const RUNTIME_PERMISSIONS: &[&str] = &[
    "android.permission.ACCESS_FINE_LOCATION",
    "android.permission.ACCESS_COARSE_LOCATION",
    "android.permission.ACCESS_BACKGROUND_LOCATION",
    "android.permission.ACCESS_MEDIA_LOCATION",
    "android.permission.ACTIVITY_RECOGNITION",
    "android.permission.BODY_SENSORS",
    "android.permission.BLUETOOTH_CONNECT",
    "android.permission.BLUETOOTH_SCAN",
    "android.permission.BLUETOOTH_ADVERTISE",
    "android.permission.CALL_PHONE",
    "android.permission.CAMERA",
    "android.permission.GET_ACCOUNTS",
    "android.permission.NEARBY_WIFI_DEVICES",
    "android.permission.POST_NOTIFICATIONS",
    "android.permission.READ_CALENDAR",
    "android.permission.WRITE_CALENDAR",
    "android.permission.READ_CALL_LOG",
    "android.permission.WRITE_CALL_LOG",
    "android.permission.READ_CONTACTS",
    "android.permission.WRITE_CONTACTS",
    "android.permission.READ_EXTERNAL_STORAGE",
    "android.permission.WRITE_EXTERNAL_STORAGE",
    "android.permission.READ_MEDIA_AUDIO",
    "android.permission.READ_MEDIA_IMAGES",
    "android.permission.READ_MEDIA_VIDEO",
    "android.permission.READ_PHONE_NUMBERS",
    "android.permission.READ_PHONE_STATE",
    "android.permission.READ_SMS",
    "android.permission.RECEIVE_SMS",
    "android.permission.SEND_SMS",
    "android.permission.RECORD_AUDIO",
];

/// Whether a permission is a runtime permission.
pub fn is_runtime(perm: &str) -> bool {
    RUNTIME_PERMISSIONS.contains(&perm)
}

/// App-op codes on Android 13 (order of ops inside a package block).
pub fn op_code(op: &str) -> u32 {
    match op {
        "COARSE_LOCATION" => 0,
        "FINE_LOCATION" => 1,
        "READ_CONTACTS" => 4,
        "READ_CALL_LOG" => 6,
        "READ_CALENDAR" => 8,
        "WIFI_SCAN" => 10,
        "READ_SMS" => 14,
        "CAMERA" => 26,
        "RECORD_AUDIO" => 27,
        "READ_CLIPBOARD" => 29,
        "MONITOR_LOCATION" => 41,
        "MONITOR_HIGH_POWER_LOCATION" => 42,
        "GET_USAGE_STATS" => 43,
        "READ_PHONE_STATE" => 51,
        "READ_EXTERNAL_STORAGE" => 59,
        "GET_ACCOUNTS" => 62,
        "READ_PHONE_NUMBERS" => 65,
        "READ_DEVICE_IDENTIFIERS" => 89,
        _ => 1000,
    }
}

/// The runtime permission behind an op (for its mode), if any.
pub fn op_permission(op: &str) -> Option<&'static str> {
    Some(match op {
        "COARSE_LOCATION" => "android.permission.ACCESS_COARSE_LOCATION",
        "FINE_LOCATION" | "MONITOR_LOCATION" | "WIFI_SCAN" => {
            "android.permission.ACCESS_FINE_LOCATION"
        }
        "READ_CONTACTS" => "android.permission.READ_CONTACTS",
        "READ_CALL_LOG" => "android.permission.READ_CALL_LOG",
        "READ_CALENDAR" => "android.permission.READ_CALENDAR",
        "READ_SMS" => "android.permission.READ_SMS",
        "CAMERA" => "android.permission.CAMERA",
        "RECORD_AUDIO" => "android.permission.RECORD_AUDIO",
        "READ_PHONE_STATE" => "android.permission.READ_PHONE_STATE",
        "READ_PHONE_NUMBERS" => "android.permission.READ_PHONE_NUMBERS",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_has_a_proxy_frame_first_and_unique_name() {
        let mut seen = std::collections::HashSet::new();
        for a in all() {
            assert!(seen.insert(a.name), "duplicate {}", a.name);
            let first = a.frames[0];
            assert!(
                first.contains("Proxy.") || first.contains("Proxy$"),
                "{}: {first}",
                a.name
            );
            assert!(first.ends_with(')'));
        }
        assert!(lookup("imei").is_some());
        assert!(lookup("nope").is_none());
        assert!(is_runtime("android.permission.ACCESS_FINE_LOCATION"));
        assert!(!is_runtime("android.permission.INTERNET"));
        assert!(op_code("COARSE_LOCATION") < op_code("READ_DEVICE_IDENTIFIERS"));
    }
}
