//! App-op bookkeeping and the Android 12/13 `dumpsys appops` / `appops get` layouts
//! (FORMATS.md §4): `Uid u0a123:`, `state=`, `capability=`, `appWidgetVisible=false`,
//! `Package P:`, `OP (mode): ` with its trailing space, `null=[`, `Access: [top-s] <local
//! time> (-rel)` and `Reject: [top-s]<time>` without a space after `]`.

use std::collections::BTreeMap;

use super::apis::op_code;
use super::clock::{DeviceUs, civil, format_duration_ms};

/// A uid process state, in `AppOpsManager` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UidState {
    Pers,
    Top,
    FgSvcL,
    FgSvc,
    Fg,
    Bg,
    Cch,
}

impl UidState {
    /// `getUidStateName`.
    pub fn name(self) -> &'static str {
        match self {
            UidState::Pers => "pers",
            UidState::Top => "top",
            UidState::FgSvcL => "fgsvcl",
            UidState::FgSvc => "fgsvc",
            UidState::Fg => "fg",
            UidState::Bg => "bg",
            UidState::Cch => "cch",
        }
    }
}

/// `s` self, `tpd` trusted proxied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpFlag {
    SelfAccess,
    TrustedProxied,
}

impl OpFlag {
    fn name(self) -> &'static str {
        match self {
            OpFlag::SelfAccess => "s",
            OpFlag::TrustedProxied => "tpd",
        }
    }
}

#[derive(Debug, Clone, Default)]
struct OpEntry {
    /// (state, flag) → (time, proxy text)
    access: BTreeMap<(UidState, OpFlag), (DeviceUs, Option<String>)>,
    reject: BTreeMap<(UidState, OpFlag), DeviceUs>,
    running_since: Option<DeviceUs>,
    /// Mode name as printed (`allow`, `ignore`, `default`, `foreground`).
    mode: String,
}

/// All recorded app-ops: uid → package → op.
#[derive(Debug, Default)]
pub struct AppOps {
    uids: BTreeMap<i32, BTreeMap<String, BTreeMap<String, OpEntry>>>,
}

/// What the dump needs to know about a uid besides its ops.
#[derive(Debug, Clone, Copy)]
pub struct UidInfo {
    pub state: UidState,
}

impl AppOps {
    fn entry(&mut self, uid: i32, pkg: &str, op: &str, mode: &str) -> &mut OpEntry {
        let e = self
            .uids
            .entry(uid)
            .or_default()
            .entry(pkg.to_owned())
            .or_default()
            .entry(op.to_owned())
            .or_default();
        e.mode = mode.to_owned();
        e
    }

    /// `noteOp` allowed.
    #[expect(
        clippy::too_many_arguments,
        reason = "an app-op note has that many facts"
    )]
    pub fn note_access(
        &mut self,
        uid: i32,
        pkg: &str,
        op: &str,
        mode: &str,
        state: UidState,
        flag: OpFlag,
        t: DeviceUs,
        proxy: Option<String>,
    ) {
        self.entry(uid, pkg, op, mode)
            .access
            .insert((state, flag), (t, proxy));
    }

    /// `noteOp` rejected.
    pub fn note_reject(
        &mut self,
        uid: i32,
        pkg: &str,
        op: &str,
        mode: &str,
        state: UidState,
        t: DeviceUs,
    ) {
        self.entry(uid, pkg, op, mode)
            .reject
            .insert((state, OpFlag::SelfAccess), t);
    }

    /// `startOp` (e.g. MONITOR_LOCATION): an Access entry that keeps running.
    pub fn start_op(
        &mut self,
        uid: i32,
        pkg: &str,
        op: &str,
        mode: &str,
        state: UidState,
        t: DeviceUs,
    ) {
        let e = self.entry(uid, pkg, op, mode);
        e.access.insert((state, OpFlag::SelfAccess), (t, None));
        if e.running_since.is_none() {
            e.running_since = Some(t);
        }
    }

    /// Ends every running op of a uid (process death).
    pub fn finish_all(&mut self, uid: i32) {
        if let Some(pkgs) = self.uids.get_mut(&uid) {
            for ops in pkgs.values_mut() {
                for e in ops.values_mut() {
                    e.running_since = None;
                }
            }
        }
    }

    /// Forgets a uid (uninstall).
    pub fn remove_uid(&mut self, uid: i32) {
        self.uids.remove(&uid);
    }

    /// Updates the printed mode of every recorded op backed by `perm` (grant/revoke).
    pub fn set_mode_for(&mut self, uid: i32, ops: &[&str], mode: &str) {
        if let Some(pkgs) = self.uids.get_mut(&uid) {
            for opmap in pkgs.values_mut() {
                for (name, e) in opmap.iter_mut() {
                    if ops.contains(&name.as_str()) {
                        e.mode = mode.to_owned();
                    }
                }
            }
        }
    }

    /// Whether anything is recorded for a package.
    pub fn has_package(&self, uid: i32, pkg: &str) -> bool {
        self.uids.get(&uid).is_some_and(|p| p.contains_key(pkg))
    }

    /// Uids with records.
    pub fn uids(&self) -> Vec<i32> {
        self.uids.keys().copied().collect()
    }

    /// `dumpsys appops` body for the given uids (all packages of each uid, or only `pkg`).
    pub fn dump(
        &self,
        uids: &[(i32, UidInfo)],
        only_pkg: Option<&str>,
        now: DeviceUs,
        offset_s: i32,
    ) -> String {
        let mut o = String::from("Current AppOps Service state:\n");
        o.push_str("  Settings:\n");
        o.push_str("    top_state_settle_time=+30s0ms\n");
        o.push_str("    fg_service_state_settle_time=+10s0ms\n");
        o.push_str("    bg_state_settle_time=+1s0ms\n");
        o.push('\n');
        for (uid, info) in uids {
            o.push_str(&format!("  Uid {}:\n", format_uid(*uid)));
            o.push_str(&format!("    state={}\n", info.state.name()));
            let cap = if info.state <= UidState::Top {
                "LCMN"
            } else {
                "----"
            };
            o.push_str(&format!("    capability={cap}\n"));
            o.push_str("    appWidgetVisible=false\n");
            let Some(pkgs) = self.uids.get(uid) else {
                continue;
            };
            for (pkg, ops) in pkgs {
                if only_pkg.is_some_and(|p| p != pkg) {
                    continue;
                }
                o.push_str(&format!("    Package {pkg}:\n"));
                let mut sorted: Vec<(&String, &OpEntry)> = ops.iter().collect();
                sorted.sort_by_key(|(name, _)| (op_code(name), (*name).clone()));
                for (name, e) in sorted {
                    o.push_str(&format!("      {name} ({}): \n", e.mode));
                    o.push_str("        null=[\n");
                    let mut keys: Vec<(UidState, OpFlag)> =
                        e.access.keys().chain(e.reject.keys()).copied().collect();
                    keys.sort();
                    keys.dedup();
                    for k in keys {
                        let key = format!("[{}-{}]", k.0.name(), k.1.name());
                        if let Some((t, proxy)) = e.access.get(&k) {
                            o.push_str(&format!(
                                "          Access: {key} {} ({})",
                                local_stamp(*t, offset_s),
                                format_duration_ms((*t - now) / 1000)
                            ));
                            if let Some(since) = e.running_since {
                                o.push_str(&format!(
                                    " duration={}",
                                    format_duration_ms((now - since) / 1000)
                                ));
                            }
                            if let Some(p) = proxy {
                                o.push(' ');
                                o.push_str(p);
                            }
                            o.push('\n');
                        }
                        if let Some(t) = e.reject.get(&k) {
                            o.push_str(&format!(
                                "          Reject: {key}{} ({})\n",
                                local_stamp(*t, offset_s),
                                format_duration_ms((*t - now) / 1000)
                            ));
                        }
                    }
                    if let Some(since) = e.running_since {
                        o.push_str(&format!(
                            "          Running start at: {}\n          startNesting=1\n",
                            format_duration_ms((now - since) / 1000)
                        ));
                    }
                    o.push_str("        ]\n");
                }
            }
        }
        o
    }

    /// `dumpsys appops` of Android 7–8.1 (API 24–27): no settings, no uid state, one line
    /// per op with the mode as a number and times relative to now:
    /// `      COARSE_LOCATION: mode=0; time=+5s12ms ago; rejectTime=+1s0ms ago (running)`.
    /// Source: AppOpsService.java `dump()` of an Android 8.0 tree (see docs/sim-models.md).
    pub fn dump_legacy(&self, now: DeviceUs) -> String {
        let mut o = String::from("Current AppOps Service state:\n");
        let mut any = false;
        for (uid, pkgs) in &self.uids {
            any = true;
            o.push_str(&format!("  Uid {}:\n", format_uid(*uid)));
            for (pkg, ops) in pkgs {
                o.push_str(&format!("    Package {pkg}:\n"));
                for (name, e) in sorted_ops(ops) {
                    o.push_str(&format!("      {name}: mode={}", mode_number(&e.mode)));
                    o.push_str(&legacy_times(e, now));
                    o.push('\n');
                }
            }
        }
        if any {
            o.push('\n');
        }
        o
    }

    /// `appops get <pkg> [op]` lines.
    pub fn get_lines(&self, uid: i32, pkg: &str, op: Option<&str>, now: DeviceUs) -> Vec<String> {
        let Some(ops) = self.uids.get(&uid).and_then(|p| p.get(pkg)) else {
            return Vec::new();
        };
        let mut sorted: Vec<(&String, &OpEntry)> = ops.iter().collect();
        sorted.sort_by_key(|(name, _)| (op_code(name), (*name).clone()));
        let mut out = Vec::new();
        for (name, e) in sorted {
            if op.is_some_and(|o| o != name) {
                continue;
            }
            out.push(format!("{name}: {}{}", e.mode, legacy_times(e, now)));
        }
        out
    }
}

fn sorted_ops(ops: &BTreeMap<String, OpEntry>) -> Vec<(&String, &OpEntry)> {
    let mut sorted: Vec<(&String, &OpEntry)> = ops.iter().collect();
    sorted.sort_by_key(|(name, _)| (op_code(name), (*name).clone()));
    sorted
}

/// `; time=+5s ago; rejectTime=+1s ago` and ` (running)`, as `appops get` and the old dump
/// print them (`TimeUtils.formatDuration(now - time)`).
fn legacy_times(e: &OpEntry, now: DeviceUs) -> String {
    let mut s = String::new();
    if let Some(t) = e.access.values().map(|(t, _)| *t).max() {
        s.push_str(&format!(
            "; time={} ago",
            format_duration_ms((now - t) / 1000)
        ));
    }
    if let Some(t) = e.reject.values().copied().max() {
        s.push_str(&format!(
            "; rejectTime={} ago",
            format_duration_ms((now - t) / 1000)
        ));
    }
    if e.running_since.is_some() {
        s.push_str(" (running)");
    }
    s
}

/// `AppOpsManager.MODE_*` as the old dump prints it (`mode=0`).
fn mode_number(mode: &str) -> u8 {
    match mode {
        "allow" => 0,
        "ignore" => 1,
        "deny" => 2,
        "foreground" => 4,
        _ => 3,
    }
}

/// `UserHandle.formatUid`: `u0a123` for apps, the number for system uids.
pub fn format_uid(uid: i32) -> String {
    if uid < 10_000 {
        return uid.to_string();
    }
    let user = uid / 100_000;
    let app = uid % 100_000;
    if (99_000..=99_999).contains(&app) {
        format!("u{user}i{}", app - 99_000)
    } else if app >= 10_000 {
        format!("u{user}a{}", app - 10_000)
    } else {
        format!("u{user}s{app}")
    }
}

/// `yyyy-MM-dd HH:mm:ss.SSS` in device-local time.
pub fn local_stamp(t: DeviceUs, offset_s: i32) -> String {
    let c = civil(t, offset_s);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        c.micros / 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_uid_matches_user_handle() {
        assert_eq!(format_uid(10_123), "u0a123");
        assert_eq!(format_uid(1000), "1000");
        assert_eq!(format_uid(99_005), "u0i5");
        assert_eq!(format_uid(1_010_150), "u10a150");
    }

    #[test]
    fn dump_layout_has_the_android_12_plus_shape() {
        let mut ops = AppOps::default();
        let t0 = 1_795_894_200_000_000;
        ops.note_reject(
            10_150,
            "com.x",
            "READ_DEVICE_IDENTIFIERS",
            "default",
            UidState::Top,
            t0,
        );
        ops.note_access(
            10_150,
            "com.x",
            "FINE_LOCATION",
            "allow",
            UidState::Top,
            OpFlag::SelfAccess,
            t0 + 1_000,
            None,
        );
        let now = t0 + 5_012_000;
        let d = ops.dump(
            &[(
                10_150,
                UidInfo {
                    state: UidState::Top,
                },
            )],
            Some("com.x"),
            now,
            8 * 3600,
        );
        let expected = "Current AppOps Service state:
  Settings:
    top_state_settle_time=+30s0ms
    fg_service_state_settle_time=+10s0ms
    bg_state_settle_time=+1s0ms

  Uid u0a150:
    state=top
    capability=LCMN
    appWidgetVisible=false
    Package com.x:
      FINE_LOCATION (allow): 
        null=[
          Access: [top-s] 2026-11-29 03:30:00.001 (-5s11ms)
        ]
      READ_DEVICE_IDENTIFIERS (default): 
        null=[
          Reject: [top-s]2026-11-29 03:30:00.000 (-5s12ms)
        ]
";
        assert_eq!(d, expected);
        let g = ops.get_lines(10_150, "com.x", None, now);
        assert_eq!(
            g,
            vec![
                "FINE_LOCATION: allow; time=+5s11ms ago",
                "READ_DEVICE_IDENTIFIERS: default; rejectTime=+5s12ms ago"
            ]
        );
        assert_eq!(
            ops.get_lines(10_150, "com.x", Some("FINE_LOCATION"), now)
                .len(),
            1
        );
    }
}
