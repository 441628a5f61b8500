//! Runtime permissions: grant, revoke and the app-ops that follow them.

use super::*;

impl World {
    /// Grants a runtime permission (no checks).
    pub fn grant(&mut self, pkg: &str, perm: &str) {
        let Some(p) = self.packages.get_mut(pkg) else {
            return;
        };
        p.granted.insert(perm.to_owned());
        let uid = p.uid;
        let ops = ops_of_permission(perm);
        self.appops.set_mode_for(uid, &ops, "allow");
    }

    /// Revokes a runtime permission; the app is killed (as Android does).
    pub fn revoke(&mut self, t: DeviceUs, pkg: &str, perm: &str) {
        let Some(p) = self.packages.get_mut(pkg) else {
            return;
        };
        let had = p.granted.remove(perm);
        let uid = p.uid;
        let ops = ops_of_permission(perm);
        self.appops.set_mode_for(uid, &ops, "ignore");
        if had && let Some(pid) = self.app_pid(pkg) {
            self.sys(
                t,
                "ActivityManager",
                Priority::Info,
                &format!(
                    "Killing {pid}:{pkg}/{} (adj 0): permissions revoked",
                    format_uid(uid)
                ),
            );
            self.remove_proc(t, pid);
        }
    }

    pub(super) fn granted(&self, pkg: &str, perm: &str) -> bool {
        self.packages
            .get(pkg)
            .is_some_and(|p| p.granted.contains(perm))
    }
}

/// The app-ops whose uid mode follows a runtime permission (granting sets them `allow`,
/// revoking `ignore`).
fn ops_of_permission(perm: &str) -> Vec<&'static str> {
    [
        "COARSE_LOCATION",
        "FINE_LOCATION",
        "MONITOR_LOCATION",
        "WIFI_SCAN",
        "READ_CONTACTS",
        "READ_CALL_LOG",
        "READ_CALENDAR",
        "READ_SMS",
        "CAMERA",
        "RECORD_AUDIO",
        "READ_PHONE_STATE",
        "READ_PHONE_NUMBERS",
    ]
    .into_iter()
    .filter(|op| apis::op_permission(op) == Some(perm))
    .collect()
}
