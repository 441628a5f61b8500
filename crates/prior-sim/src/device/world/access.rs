//! Personal-data accesses through the named APIs of the models (`access:` actions).

use super::*;

impl World {
    pub(super) fn do_access(
        &mut self,
        t: DeviceUs,
        pid: i32,
        spec: &AccessSpec,
        default_tag: &str,
    ) {
        let Some(api) = apis::lookup(&spec.api) else {
            return;
        };
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        let (uid, pkg) = (p.uid, p.name.clone());
        let main = spec.thread.as_deref() != Some("background");
        let tid = if main { pid } else { p.bg_tid };
        let state = self.uid_state(uid);
        let cached = api.cached && p.cache.contains(api.name);
        let first_use = !api.first_use_frames.is_empty()
            && !p.cache.contains(&format!("provider:{}", api.name));
        let mut denied: Option<String> = None;
        match api.rule {
            Rule::Open => {
                if !cached {
                    self.record_ipc(pid, api.frames, &spec.stack, main);
                }
            }
            Rule::DeviceIdentifier { method, logger } => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                // TelephonyPermissions.checkReadDeviceIdentifiers notes this op from
                // Android 10 (API 29) on; older releases have no such op
                if self.profile.api >= 29 {
                    self.appops.note_reject(
                        uid,
                        &pkg,
                        "READ_DEVICE_IDENTIFIERS",
                        "default",
                        state,
                        t,
                    );
                }
                if self.reported_ids.insert((pkg.clone(), method.to_owned())) {
                    let (lp, lu) = match logger {
                        Logger::Phone => (PID_PHONE, 1001),
                        Logger::SystemServer => (PID_SYSTEM, 1000),
                    };
                    let line = format!(
                        "reportAccessDeniedToReadIdentifiers:{pkg}:{method}:{}",
                        if logger == Logger::Phone { "1" } else { "-1" }
                    );
                    self.log_at(
                        t,
                        LogId::Main,
                        lp,
                        lp + 30,
                        lu,
                        Priority::Warn,
                        "TelephonyPermissions",
                        &line,
                    );
                }
                denied = Some(format!(
                    "{method}: The user {uid} does not meet the requirements to access device identifiers."
                ));
            }
            Rule::Location { monitor } => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                let fine = self.granted(&pkg, "android.permission.ACCESS_FINE_LOCATION");
                let coarse = self.granted(&pkg, "android.permission.ACCESS_COARSE_LOCATION");
                if fine || coarse {
                    let op = if fine {
                        "FINE_LOCATION"
                    } else {
                        "COARSE_LOCATION"
                    };
                    self.appops.note_access(
                        uid,
                        &pkg,
                        op,
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                    if monitor {
                        self.appops
                            .start_op(uid, &pkg, "MONITOR_LOCATION", "allow", state, t);
                    }
                } else {
                    denied = Some(format!(
                        "uid {uid} does not have android.permission.ACCESS_COARSE_LOCATION or android.permission.ACCESS_FINE_LOCATION."
                    ));
                }
            }
            Rule::CellInfo => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                if self.granted(&pkg, "android.permission.ACCESS_FINE_LOCATION") {
                    self.appops.note_access(
                        uid,
                        &pkg,
                        "FINE_LOCATION",
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                } else {
                    denied = Some("Not allowed to access cell info".into());
                }
            }
            Rule::WifiInfo | Rule::WifiScan => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                if self.granted(&pkg, "android.permission.ACCESS_FINE_LOCATION") {
                    self.appops.note_access(
                        uid,
                        &pkg,
                        "FINE_LOCATION",
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                    self.appops.note_access(
                        uid,
                        &pkg,
                        "WIFI_SCAN",
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                } else if api.rule == Rule::WifiScan {
                    self.sys(t, "WifiService", Priority::Warn, &format!(
                        "Permission violation - getScanResults not allowed for uid={uid}, packageName={pkg}, reason=java.lang.SecurityException: UID {uid} has no location permission"
                    ));
                }
            }
            Rule::Provider {
                permission,
                write_permission,
                op,
                provider_class,
                provider_pkg,
                refused_on_acquire,
                uri,
            } => {
                if first_use {
                    self.record_ipc(pid, api.first_use_frames, &spec.stack, main);
                }
                let ok = self.granted(&pkg, permission);
                let provider_uid = self.packages.get(provider_pkg).map_or(1000, |p| p.uid);
                if ok {
                    if let Some(p) = self.procs.get_mut(&pid) {
                        p.cache.insert(format!("provider:{}", api.name));
                    }
                    self.record_ipc(pid, api.frames, &spec.stack, main);
                    let proxy = format!(
                        "proxy[uid={provider_uid}, pkg={provider_pkg}, attributionTag=null]"
                    );
                    self.appops.note_access(
                        uid,
                        &pkg,
                        op,
                        "allow",
                        state,
                        OpFlag::TrustedProxied,
                        t,
                        Some(proxy),
                    );
                } else if refused_on_acquire {
                    let hash = format!("{:07x}", fnv(&format!("{pid}{pkg}")) & 0xfff_ffff);
                    let msg = format!(
                        "Permission Denial: opening provider {provider_class} from ProcessRecord{{{hash} {pid}:{pkg}/{}}} (pid={pid}, uid={uid}) requires {permission} or {write_permission}",
                        format_uid(uid)
                    );
                    self.sys(t, "ActivityManager", Priority::Warn, &msg);
                    denied = Some(msg);
                } else {
                    if let Some(p) = self.procs.get_mut(&pid) {
                        p.cache.insert(format!("provider:{}", api.name));
                    }
                    self.record_ipc(pid, api.frames, &spec.stack, main);
                    let msg = format!(
                        "Permission Denial: reading {provider_class} uri {uri} from pid={pid}, uid={uid} requires {permission}, or grantUriPermission()"
                    );
                    let text = format!(
                        "Writing exception to parcel\njava.lang.SecurityException: {msg}\n\tat android.content.ContentProvider.enforceReadPermissionInner(ContentProvider.java:1031)\n\tat android.content.ContentProvider$Transport.enforceReadPermission(ContentProvider.java:761)\n\tat android.content.ContentProvider$Transport.query(ContentProvider.java:267)\n\tat android.content.ContentProviderNative.onTransact(ContentProviderNative.java:107)\n\tat android.os.Binder.execTransactInternal(Binder.java:1285)\n\tat android.os.Binder.execTransact(Binder.java:1244)"
                    );
                    self.log_at(
                        t,
                        LogId::Main,
                        PID_PHONE,
                        PID_PHONE + 41,
                        1001,
                        Priority::Error,
                        "DatabaseUtils",
                        &text,
                    );
                    denied = Some(msg);
                }
            }
            Rule::Clipboard => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                if state == UidState::Top {
                    self.appops.note_access(
                        uid,
                        &pkg,
                        "READ_CLIPBOARD",
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                } else {
                    self.sys(t, "ClipboardService", Priority::Error, &format!("Denying clipboard access to {pkg}, application is not in focus nor is it a system service for user 0"));
                }
            }
            Rule::PhoneNumber => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                let ok = [
                    "android.permission.READ_PHONE_NUMBERS",
                    "android.permission.READ_SMS",
                ]
                .iter()
                .any(|p| self.granted(&pkg, p));
                if ok {
                    self.appops.note_access(
                        uid,
                        &pkg,
                        "READ_PHONE_NUMBERS",
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                } else {
                    denied = Some(format!(
                        "getLine1NumberForDisplay: Neither user {uid} nor current process has android.permission.READ_PHONE_STATE, android.permission.READ_SMS, or android.permission.READ_PHONE_NUMBERS"
                    ));
                }
            }
            Rule::UsageStats => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                self.appops
                    .note_reject(uid, &pkg, "GET_USAGE_STATS", "default", state, t);
            }
            Rule::Camera => {
                self.record_ipc(pid, api.frames, &spec.stack, main);
                if self.granted(&pkg, "android.permission.CAMERA") {
                    self.appops.note_access(
                        uid,
                        &pkg,
                        "CAMERA",
                        "allow",
                        state,
                        OpFlag::SelfAccess,
                        t,
                        None,
                    );
                    self.log_at(t, LogId::Main, PID_CAMERA, PID_CAMERA + 12, 1047, Priority::Info, "CameraService", &format!("CameraService::connect call (PID {pid} \"{pkg}\", camera ID 0) and Camera API version 2"));
                } else {
                    self.log_at(
                        t,
                        LogId::Main,
                        PID_CAMERA,
                        PID_CAMERA + 12,
                        1047,
                        Priority::Error,
                        "CameraService",
                        &format!("Permission Denial: can't use the camera pid={pid}, uid={uid}"),
                    );
                    denied = Some(format!(
                        "validateClientPermissionsLocked:1297: Caller \"{pkg}\" (PID {uid}, UID {pid}) cannot open camera \"0\" without camera permission"
                    ));
                }
            }
        }
        if api.cached
            && let Some(p) = self.procs.get_mut(&pid)
        {
            p.cache.insert(api.name.to_owned());
        }
        if let (Some(msg), true) = (denied, spec.log_exception) {
            let tag = spec
                .exception_tag
                .clone()
                .unwrap_or_else(|| default_tag.to_owned());
            let text = exception_text(api, &msg, &spec.stack);
            self.log_at(t, LogId::Main, pid, tid, uid, Priority::Warn, &tag, &text);
        }
    }
}
