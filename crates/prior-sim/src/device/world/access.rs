//! Personal-data accesses through the named APIs of the models (`access:` actions): one
//! function per [`Rule`], each returning the SecurityException message when the call is
//! denied.

use super::*;

/// The calling app and the call, as every rule needs them.
struct Call<'a> {
    t: DeviceUs,
    pid: i32,
    uid: i32,
    pkg: String,
    /// On the main thread (the IPC trace's tail, the exception's thread).
    main: bool,
    state: UidState,
    api: &'static Api,
    /// The model's own frames under the framework frames.
    stack: &'a [String],
}

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
        let main = spec.thread.as_deref() != Some("background");
        let tid = if main { pid } else { p.bg_tid };
        let cached = api.cached && p.cache.contains(api.name);
        let first_use = !api.first_use_frames.is_empty()
            && !p.cache.contains(&format!("provider:{}", api.name));
        let c = Call {
            t,
            pid,
            uid: p.uid,
            pkg: p.name.clone(),
            main,
            state: self.uid_state(p.uid),
            api,
            stack: &spec.stack,
        };
        let denied = match api.rule {
            Rule::Open => {
                if !cached {
                    self.trace(&c, api.frames);
                }
                None
            }
            Rule::DeviceIdentifier { method, logger } => self.device_identifier(&c, method, logger),
            Rule::Location { monitor } => self.location(&c, monitor),
            Rule::CellInfo => self.cell_info(&c),
            Rule::WifiInfo | Rule::WifiScan => self.wifi(&c),
            Rule::Provider { .. } => self.provider(&c, first_use),
            Rule::Clipboard => self.clipboard(&c),
            Rule::PhoneNumber => self.phone_number(&c),
            Rule::UsageStats => {
                self.trace(&c, api.frames);
                self.appops
                    .note_reject(c.uid, &c.pkg, "GET_USAGE_STATS", "default", c.state, t);
                None
            }
            Rule::Camera => self.camera(&c),
        };
        if api.cached
            && let Some(p) = self.procs.get_mut(&pid)
        {
            p.cache.insert(api.name.to_owned());
        }
        if let (Some(msg), true) = (denied, spec.log_exception) {
            let tag = spec.exception_tag.as_deref().unwrap_or(default_tag);
            let text = exception_text(api, &msg, &spec.stack);
            self.log_at(t, LogId::Main, pid, tid, c.uid, Priority::Warn, tag, &text);
        }
    }

    /// Records the binder transaction of the call in the IPC trace.
    fn trace(&mut self, c: &Call, frames: &[&str]) {
        self.record_ipc(c.pid, frames, c.stack, c.main);
    }

    /// `noteOp` of `op`, allowed, by the app itself.
    fn allow_op(&mut self, c: &Call, op: &str) {
        self.appops.note_access(
            c.uid,
            &c.pkg,
            op,
            "allow",
            c.state,
            OpFlag::SelfAccess,
            c.t,
            None,
        );
    }

    fn device_identifier(&mut self, c: &Call, method: &str, logger: Logger) -> Option<String> {
        self.trace(c, c.api.frames);
        // TelephonyPermissions.checkReadDeviceIdentifiers notes this op from
        // Android 10 (API 29) on; older releases have no such op
        if self.profile.api >= 29 {
            self.appops.note_reject(
                c.uid,
                &c.pkg,
                "READ_DEVICE_IDENTIFIERS",
                "default",
                c.state,
                c.t,
            );
        }
        if self.reported_ids.insert((c.pkg.clone(), method.to_owned())) {
            let (lp, lu) = match logger {
                Logger::Phone => (PID_PHONE, 1001),
                Logger::SystemServer => (PID_SYSTEM, 1000),
            };
            let line = format!(
                "reportAccessDeniedToReadIdentifiers:{}:{method}:{}",
                c.pkg,
                if logger == Logger::Phone { "1" } else { "-1" }
            );
            self.log_at(
                c.t,
                LogId::Main,
                lp,
                lp + 30,
                lu,
                Priority::Warn,
                "TelephonyPermissions",
                &line,
            );
        }
        Some(format!(
            "{method}: The user {} does not meet the requirements to access device identifiers.",
            c.uid
        ))
    }

    fn location(&mut self, c: &Call, monitor: bool) -> Option<String> {
        self.trace(c, c.api.frames);
        let fine = self.granted(&c.pkg, "android.permission.ACCESS_FINE_LOCATION");
        let coarse = self.granted(&c.pkg, "android.permission.ACCESS_COARSE_LOCATION");
        if !fine && !coarse {
            return Some(format!(
                "uid {} does not have android.permission.ACCESS_COARSE_LOCATION or android.permission.ACCESS_FINE_LOCATION.",
                c.uid
            ));
        }
        self.allow_op(
            c,
            if fine {
                "FINE_LOCATION"
            } else {
                "COARSE_LOCATION"
            },
        );
        if monitor {
            self.appops
                .start_op(c.uid, &c.pkg, "MONITOR_LOCATION", "allow", c.state, c.t);
        }
        None
    }

    fn cell_info(&mut self, c: &Call) -> Option<String> {
        self.trace(c, c.api.frames);
        if !self.granted(&c.pkg, "android.permission.ACCESS_FINE_LOCATION") {
            return Some("Not allowed to access cell info".into());
        }
        self.allow_op(c, "FINE_LOCATION");
        None
    }

    fn wifi(&mut self, c: &Call) -> Option<String> {
        self.trace(c, c.api.frames);
        if self.granted(&c.pkg, "android.permission.ACCESS_FINE_LOCATION") {
            self.allow_op(c, "FINE_LOCATION");
            self.allow_op(c, "WIFI_SCAN");
        } else if c.api.rule == Rule::WifiScan {
            self.sys(c.t, "WifiService", Priority::Warn, &format!(
                "Permission violation - getScanResults not allowed for uid={uid}, packageName={pkg}, reason=java.lang.SecurityException: UID {uid} has no location permission",
                uid = c.uid,
                pkg = c.pkg
            ));
        }
        None
    }

    fn provider(&mut self, c: &Call, first_use: bool) -> Option<String> {
        let Rule::Provider {
            permission,
            write_permission,
            op,
            provider_class,
            provider_pkg,
            refused_on_acquire,
            uri,
        } = c.api.rule
        else {
            return None;
        };
        let (pid, uid, pkg) = (c.pid, c.uid, c.pkg.as_str());
        if first_use {
            self.trace(c, c.api.first_use_frames);
        }
        let ok = self.granted(pkg, permission);
        if !ok && refused_on_acquire {
            let hash = format!("{:07x}", fnv(&format!("{pid}{pkg}")) & 0xfff_ffff);
            let msg = format!(
                "Permission Denial: opening provider {provider_class} from ProcessRecord{{{hash} {pid}:{pkg}/{}}} (pid={pid}, uid={uid}) requires {permission} or {write_permission}",
                format_uid(uid)
            );
            self.sys(c.t, "ActivityManager", Priority::Warn, &msg);
            return Some(msg);
        }
        if let Some(p) = self.procs.get_mut(&pid) {
            p.cache.insert(format!("provider:{}", c.api.name));
        }
        self.trace(c, c.api.frames);
        if ok {
            let provider_uid = self.packages.get(provider_pkg).map_or(1000, |p| p.uid);
            let proxy =
                format!("proxy[uid={provider_uid}, pkg={provider_pkg}, attributionTag=null]");
            self.appops.note_access(
                uid,
                pkg,
                op,
                "allow",
                c.state,
                OpFlag::TrustedProxied,
                c.t,
                Some(proxy),
            );
            return None;
        }
        let msg = format!(
            "Permission Denial: reading {provider_class} uri {uri} from pid={pid}, uid={uid} requires {permission}, or grantUriPermission()"
        );
        let text = format!(
            "Writing exception to parcel\njava.lang.SecurityException: {msg}\n\tat android.content.ContentProvider.enforceReadPermissionInner(ContentProvider.java:1031)\n\tat android.content.ContentProvider$Transport.enforceReadPermission(ContentProvider.java:761)\n\tat android.content.ContentProvider$Transport.query(ContentProvider.java:267)\n\tat android.content.ContentProviderNative.onTransact(ContentProviderNative.java:107)\n\tat android.os.Binder.execTransactInternal(Binder.java:1285)\n\tat android.os.Binder.execTransact(Binder.java:1244)"
        );
        self.log_at(
            c.t,
            LogId::Main,
            PID_PHONE,
            PID_PHONE + 41,
            1001,
            Priority::Error,
            "DatabaseUtils",
            &text,
        );
        Some(msg)
    }

    fn clipboard(&mut self, c: &Call) -> Option<String> {
        self.trace(c, c.api.frames);
        if c.state == UidState::Top {
            self.allow_op(c, "READ_CLIPBOARD");
        } else {
            self.sys(c.t, "ClipboardService", Priority::Error, &format!("Denying clipboard access to {}, application is not in focus nor is it a system service for user 0", c.pkg));
        }
        None
    }

    fn phone_number(&mut self, c: &Call) -> Option<String> {
        self.trace(c, c.api.frames);
        let ok = [
            "android.permission.READ_PHONE_NUMBERS",
            "android.permission.READ_SMS",
        ]
        .iter()
        .any(|p| self.granted(&c.pkg, p));
        if !ok {
            return Some(format!(
                "getLine1NumberForDisplay: Neither user {} nor current process has android.permission.READ_PHONE_STATE, android.permission.READ_SMS, or android.permission.READ_PHONE_NUMBERS",
                c.uid
            ));
        }
        self.allow_op(c, "READ_PHONE_NUMBERS");
        None
    }

    fn camera(&mut self, c: &Call) -> Option<String> {
        self.trace(c, c.api.frames);
        let (pid, uid, pkg) = (c.pid, c.uid, c.pkg.as_str());
        if self.granted(pkg, "android.permission.CAMERA") {
            self.allow_op(c, "CAMERA");
            self.log_at(c.t, LogId::Main, PID_CAMERA, PID_CAMERA + 12, 1047, Priority::Info, "CameraService", &format!("CameraService::connect call (PID {pid} \"{pkg}\", camera ID 0) and Camera API version 2"));
            return None;
        }
        self.log_at(
            c.t,
            LogId::Main,
            PID_CAMERA,
            PID_CAMERA + 12,
            1047,
            Priority::Error,
            "CameraService",
            &format!("Permission Denial: can't use the camera pid={pid}, uid={uid}"),
        );
        Some(format!(
            "validateClientPermissionsLocked:1297: Caller \"{pkg}\" (PID {uid}, UID {pid}) cannot open camera \"0\" without camera permission"
        ))
    }
}
