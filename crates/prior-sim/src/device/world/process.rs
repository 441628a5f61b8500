//! Processes: pids, app start and launch, kills, deaths and shell processes.

use super::*;

impl World {
    /// A new pid (shared by apps and shell commands, as on Linux).
    pub fn alloc_pid(&mut self) -> i32 {
        self.next_pid += 1 + self.rng.range(0, 3) as i32;
        if self.next_pid > 32_000 {
            self.next_pid = 3100;
        }
        while self.procs.contains_key(&self.next_pid) {
            self.next_pid += 1;
        }
        self.next_pid
    }

    /// Registers a shell process (for `$$`, `ps`, `kill`).
    pub fn add_shell_proc(
        &mut self,
        name: &str,
        t: DeviceUs,
        flag: Arc<AtomicI32>,
        ppid: i32,
    ) -> i32 {
        let pid = self.alloc_pid();
        let mut p = Proc::new(pid, 2000, name, ProcKind::Shell, t);
        p.killed = Some(flag);
        p.ppid = ppid;
        self.procs.insert(pid, p);
        pid
    }

    /// The running app process of a package.
    pub fn app_pid(&self, pkg: &str) -> Option<i32> {
        self.procs
            .values()
            .find(|p| p.kind == ProcKind::App && p.name == pkg && !p.dying)
            .map(|p| p.pid)
    }

    pub(super) fn model_of(&self, pkg: &str) -> Option<Arc<AppModel>> {
        self.models.get(pkg).cloned()
    }

    pub(super) fn label_of(&self, pkg: &str) -> String {
        if let Some(l) = self.model_of(pkg).and_then(|m| m.label.clone()) {
            return l;
        }
        self.packages
            .get(pkg)
            .map(|p| p.label.clone())
            .unwrap_or_else(|| pkg.to_owned())
    }

    /// The uid-state an app is in for app-op keys.
    pub fn uid_state(&self, uid: i32) -> UidState {
        let top = self.windows.last();
        let on_top = top.is_some_and(|w| {
            w.pid
                .and_then(|p| self.procs.get(&p))
                .is_some_and(|p| p.uid == uid)
        });
        let launching = self
            .procs
            .values()
            .any(|p| p.uid == uid && p.kind == ProcKind::App && !p.created && !p.dying);
        if on_top || launching {
            UidState::Top
        } else {
            UidState::Cch
        }
    }

    /// `pkg/.Act` short form of a component.
    pub fn short_component(pkg: &str, cls: &str) -> String {
        match cls.strip_prefix(pkg) {
            Some(rest) if rest.starts_with('.') => format!("{pkg}/{rest}"),
            _ => format!("{pkg}/{cls}"),
        }
    }

    /// Starts an activity (am start, monkey, launcher tap). `cls` is fully qualified.
    pub fn start_activity(
        &mut self,
        t: DeviceUs,
        pkg: &str,
        cls: &str,
        intent: &str,
        caller_uid: i32,
    ) -> Result<LaunchOutcome, StartRefused> {
        let missing = || {
            StartRefused::NoSuchActivity(NoSuchActivity {
                package: pkg.to_owned(),
                class: cls.to_owned(),
            })
        };
        let Some(package) = self.packages.get(pkg) else {
            return Err(missing());
        };
        if !package.activities.iter().any(|a| a == cls) {
            return Err(missing());
        }
        if self.model_of(pkg).is_none() {
            return Err(StartRefused::NoModel(pkg.to_owned()));
        }
        let uid = package.uid;
        let short = World::short_component(pkg, cls);
        self.sys(
            t,
            "ActivityTaskManager",
            Priority::Info,
            &format!("START u0 {{{intent}}} from uid {caller_uid}"),
        );
        if let Some(pid) = self.app_pid(pkg) {
            // bring the task to the front
            let mut moved: Vec<Window> = Vec::new();
            self.windows.retain(|w| {
                if w.pid == Some(pid) {
                    moved.push(w.clone());
                    false
                } else {
                    true
                }
            });
            let has_activity = moved.iter().any(|w| w.kind == WinKind::Activity);
            self.windows.extend(moved);
            if !has_activity {
                let root = self.first_page(pkg);
                self.windows.push(Window {
                    pkg: pkg.to_owned(),
                    pid: Some(pid),
                    kind: WinKind::Activity,
                    screen: None,
                    root,
                });
            }
            return Ok(LaunchOutcome {
                pid,
                state: if has_activity { "HOT" } else { "WARM" },
                start_us: t,
                displayed_us: t + 35_000 + self.rng.range(0, 20) * 1000,
                component_short: short,
                brought_to_front: has_activity,
            });
        }
        let pid = self.alloc_pid();
        let proc_start = t + (8 + self.rng.range(0, 12)) * 1000;
        let model = self.model_of(pkg);
        let launch_ms = model.as_ref().map_or(450, |m| m.launch.0 as i64);
        let jitter = self.rng.range(0, 40);
        let displayed = proc_start + (launch_ms + jitter) * 1000;
        let created = proc_start + ((launch_ms * 3) / 5).max(1) * 1000;
        let mut p = Proc::new(pid, uid, pkg, ProcKind::App, proc_start);
        p.bg_tid = pid + 17 + self.rng.range(0, 30) as i32;
        p.token = 100_000_000 + (self.rng.next_u64() % 150_000_000) as u32;
        p.component = Some(format!("{pkg}/{cls}"));
        p.tracking = self.ipc_tracing;
        self.procs.insert(pid, p);
        self.schedule(
            proc_start,
            Job::ProcStart {
                pid,
                launcher_uid: caller_uid,
            },
        );
        self.schedule(created, Job::ActivityCreated { pid });
        self.schedule(displayed, Job::Displayed { pid, start_us: t });
        if let Some(m) = model {
            for a in m.on_start.clone() {
                let jit = self.rng.range(0, m.jitter.0 as i64);
                self.schedule(
                    proc_start + (a.at.0 as i64 + jit) * 1000,
                    Job::Model {
                        pid,
                        action: Box::new(a),
                    },
                );
            }
        }
        Ok(LaunchOutcome {
            pid,
            state: "COLD",
            start_us: t,
            displayed_us: displayed,
            component_short: short,
            brought_to_front: false,
        })
    }

    pub(super) fn job_proc_start(&mut self, t: DeviceUs, pid: i32, _caller: i32) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        let (uid, name, comp) = (
            p.uid,
            p.name.clone(),
            p.component.clone().unwrap_or_default(),
        );
        self.event(
            t,
            PID_SYSTEM,
            1000,
            "am_proc_start",
            &format!("[0,{pid},{uid},{name},pre-top-activity,{{{comp}}}]"),
        );
        self.sys(
            t,
            "ActivityManager",
            Priority::Info,
            &format!(
                "Start proc {pid}:{name}/{} for pre-top-activity {{{comp}}}",
                format_uid(uid)
            ),
        );
        if self.profile.vendor == crate::device::profile::Vendor::Xiaomi {
            // MIUI's vendor app-op noted at every app start (UNVERIFIED: which op and when;
            // the issue only shows that `MIUIOP(10033) (allow):` blocks appear in the dump)
            self.appops.note_access(
                uid,
                &name,
                "MIUIOP(10033)",
                "allow",
                UidState::Top,
                OpFlag::SelfAccess,
                t,
                None,
            );
        }
    }

    pub(super) fn first_page(&self, pkg: &str) -> Node {
        let label = self.label_of(pkg);
        let model = self.model_of(pkg);
        let screen = model
            .as_ref()
            .and_then(|m| m.first_screen.as_ref().and_then(|s| m.screens.get(s)));
        ui::page(pkg, &label, screen, &self.flags_of(pkg))
    }

    pub(super) fn job_activity_created(&mut self, t: DeviceUs, pid: i32) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        if p.dying {
            return;
        }
        p.created = true;
        let (uid, token, comp, pkg) = (
            p.uid,
            p.token,
            p.component.clone().unwrap_or_default(),
            p.name.clone(),
        );
        let dotted = comp
            .replace('/', ".")
            .replacen(&format!("{pkg}.{pkg}"), &pkg, 1);
        let cls = comp
            .split_once('/')
            .map(|(_, c)| c.to_owned())
            .unwrap_or(dotted);
        for (tag, reason) in [
            ("wm_on_create_called", "performCreate"),
            ("wm_on_start_called", "handleStartActivity"),
            ("wm_on_resume_called", "RESUME_ACTIVITY"),
            (
                "wm_on_top_resumed_gained_called",
                "topStateChangedWhenResumed",
            ),
        ] {
            self.event(t, pid, uid, tag, &format!("[{token},{cls},{reason}]"));
        }
        if !self
            .windows
            .iter()
            .any(|w| w.pid == Some(pid) && w.kind == WinKind::Activity)
        {
            let root = self.first_page(&pkg);
            let screen = self.model_of(&pkg).and_then(|m| m.first_screen.clone());
            // dialogs shown before the activity existed stay above it
            let pos = self
                .windows
                .iter()
                .position(|w| w.pid == Some(pid))
                .unwrap_or(self.windows.len());
            self.windows.insert(
                pos,
                Window {
                    pkg,
                    pid: Some(pid),
                    kind: WinKind::Activity,
                    screen,
                    root,
                },
            );
        }
    }

    pub(super) fn job_displayed(&mut self, t: DeviceUs, pid: i32, start_us: DeviceUs) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        if p.dying {
            return;
        }
        p.displayed = true;
        let (token, comp, pkg) = (
            p.token,
            p.component.clone().unwrap_or_default(),
            p.name.clone(),
        );
        let (_, cls) = comp.split_once('/').unwrap_or(("", ""));
        let short = World::short_component(&pkg, cls);
        let ms = (t - start_us) / 1000;
        self.event(
            t,
            PID_SYSTEM,
            1000,
            "wm_activity_launch_time",
            &format!("[0,{token},{short},{ms}]"),
        );
        self.sys(
            t,
            "ActivityTaskManager",
            Priority::Info,
            &format!(
                "Displayed {short}: {}",
                crate::device::clock::format_duration_ms(ms)
            ),
        );
    }

    /// Whether the process has drawn its first frame (or is gone).
    pub fn launch_settled(&self, pid: i32) -> bool {
        self.procs.get(&pid).is_none_or(|p| p.displayed)
    }

    /// Kills an app process now (force-stop, uninstall, clear).
    pub fn kill_app(&mut self, t: DeviceUs, pkg: &str, reason: &str, caller_pid: i32) {
        let Some(pid) = self.app_pid(pkg) else { return };
        let uid = self.procs.get(&pid).map_or(0, |p| p.uid);
        self.sys(
            t,
            "ActivityManager",
            Priority::Info,
            &format!("Force stopping {pkg} appid={uid} user=0: {reason}"),
        );
        self.sys(
            t,
            "ActivityManager",
            Priority::Info,
            &format!(
                "Killing {pid}:{pkg}/{} (adj 0): stop {pkg} due to from pid {caller_pid}",
                format_uid(uid)
            ),
        );
        self.event(
            t,
            PID_SYSTEM,
            1000,
            "am_kill",
            &format!("[0,{pid},{pkg},0,stop {pkg} due to from pid {caller_pid}]"),
        );
        self.remove_proc(t, pid);
    }

    pub(super) fn remove_proc(&mut self, t: DeviceUs, pid: i32) {
        let Some(p) = self.procs.remove(&pid) else {
            return;
        };
        self.windows.retain(|w| w.pid != Some(pid));
        self.appops.finish_all(p.uid);
        self.log_at(
            t,
            LogId::Main,
            PID_ZYGOTE,
            PID_ZYGOTE,
            0,
            Priority::Info,
            "Zygote",
            &format!("Process {pid} exited due to signal 9 (Killed)"),
        );
        self.event(
            t,
            PID_SYSTEM,
            1000,
            "am_proc_died",
            &format!("[0,{pid},{},0,2]", p.name),
        );
    }

    pub(super) fn die(&mut self, t: DeviceUs, pid: i32, reason: &str) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        let name = p.name.clone();
        self.sys(
            t,
            "ActivityManager",
            Priority::Info,
            &format!("Process {name} (pid {pid}) has died: {reason}"),
        );
        self.remove_proc(t, pid);
    }

    /// Sends `sig` to a shell process (`kill PID`): records it for the process to see.
    pub fn signal_shell(&mut self, pid: i32, sig: i32) -> bool {
        match self.procs.get(&pid).and_then(|p| p.killed.as_ref()) {
            Some(f) => {
                if sig != 0 {
                    let _ = f.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
                }
                true
            }
            None => false,
        }
    }
}
