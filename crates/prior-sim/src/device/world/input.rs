//! UI input: the window stack as a node tree, taps and keys.

use super::*;

impl World {
    /// The top window's content (the launcher's is built from the installed apps).
    pub fn top_root(&self) -> Node {
        match self.windows.last() {
            Some(w) => self.window_root(w),
            None => ui::launcher(&[]),
        }
    }

    /// A window's content.
    pub fn window_root(&self, w: &Window) -> Node {
        if w.kind == WinKind::Launcher {
            let apps: Vec<(String, String)> = self
                .packages
                .values()
                .filter(|p| !p.system && p.main_activity.is_some())
                .map(|p| (p.name.clone(), self.label_of(&p.name)))
                .collect();
            ui::launcher(&apps)
        } else {
            w.root.clone()
        }
    }

    /// `input tap X Y`.
    pub fn tap(&mut self, t: DeviceUs, x: i32, y: i32) {
        let Some(top) = self.windows.last().cloned() else {
            return;
        };
        let root = self.window_root(&top);
        let Some(action) = root.hit(x, y).cloned() else {
            return;
        };
        self.apply_tap(t, &top, action);
    }

    pub(super) fn apply_tap(&mut self, t: DeviceUs, win: &Window, action: Tap) {
        let pid = win.pid.unwrap_or(0);
        let is_dialog = win.kind == WinKind::Dialog;
        match action {
            Tap::Nothing => {}
            Tap::Goto(phase) => {
                if is_dialog {
                    self.pop_window(win);
                }
                self.start_phase(t, pid, &phase);
            }
            Tap::Show(screen) => self.show_screen(pid, &screen),
            Tap::Exit => self.exit_app(t, pid),
            Tap::PermAllow | Tap::PermDeny => {
                let WinKind::Permission {
                    perm,
                    on_grant,
                    on_deny,
                } = &win.kind
                else {
                    return;
                };
                self.pop_window(win);
                let allow = action == Tap::PermAllow;
                let pkg = self.procs.get(&pid).map(|p| p.name.clone());
                if allow && let Some(pkg) = pkg {
                    self.grant(&pkg, perm);
                }
                let next = if allow {
                    on_grant.clone()
                } else {
                    on_deny.clone()
                };
                if let Some(ph) = next {
                    self.start_phase(t, pid, &ph);
                }
            }
            Tap::Toggle(flag) => {
                let Some(pkg) = self.procs.get(&pid).map(|p| p.name.clone()) else {
                    return;
                };
                let Some(p) = self.packages.get_mut(&pkg) else {
                    return;
                };
                let on = !p.flags.contains(&flag);
                if on {
                    p.flags.insert(flag.clone());
                } else {
                    p.flags.remove(&flag);
                }
                for w in self.windows.iter_mut().filter(|w| w.pid == Some(pid)) {
                    w.root.set_checked(&flag, on);
                }
            }
            Tap::Gated {
                flag,
                then,
                otherwise,
            } => {
                let met = self
                    .procs
                    .get(&pid)
                    .map(|p| self.flags_of(&p.name).contains(&flag))
                    .unwrap_or(false);
                if met {
                    self.apply_tap(t, win, *then);
                } else if let Some(ph) = otherwise {
                    self.start_phase(t, pid, &ph);
                }
            }
            Tap::Launch(pkg) => {
                if let Some(cls) = self
                    .packages
                    .get(&pkg)
                    .and_then(|p| p.main_activity.clone())
                {
                    let intent = format!(
                        "act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10200000 cmp={} bnds=[{},{}][{},{}]",
                        World::short_component(&pkg, &cls),
                        100,
                        400,
                        300,
                        660
                    );
                    let _ = self.start_activity(t, &pkg, &cls, &intent, 10_113);
                }
            }
        }
    }

    /// The app-data flags of a package (empty when it is not installed).
    pub(super) fn flags_of(&self, pkg: &str) -> BTreeSet<String> {
        self.packages
            .get(pkg)
            .map(|p| p.flags.clone())
            .unwrap_or_default()
    }

    pub(super) fn pop_window(&mut self, win: &Window) {
        if let Some(i) = self
            .windows
            .iter()
            .rposition(|w| w.pid == win.pid && w.kind == win.kind)
        {
            self.windows.remove(i);
        }
    }

    /// `input keyevent` BACK (4) / HOME (3).
    pub fn key(&mut self, t: DeviceUs, code: i32) {
        let Some(top) = self.windows.last().cloned() else {
            return;
        };
        match code {
            3 => {
                if let Some(i) = self
                    .windows
                    .iter()
                    .position(|w| w.kind == WinKind::Launcher)
                {
                    let l = self.windows.remove(i);
                    self.windows.push(l);
                }
            }
            4 => {
                let pid = top.pid.unwrap_or(0);
                let on_back = top.screen.as_ref().and_then(|s| {
                    let pkg = self.procs.get(&pid).map(|p| p.name.clone())?;
                    self.model_of(&pkg)?.screens.get(s)?.on_back.clone()
                });
                match &top.kind {
                    WinKind::Launcher => {}
                    WinKind::Permission { .. } => self.apply_tap(t, &top, Tap::PermDeny),
                    WinKind::Dialog => {
                        if let Some(ph) = on_back {
                            self.pop_window(&top);
                            self.start_phase(t, pid, &ph);
                        }
                    }
                    WinKind::Activity => {
                        if let Some(ph) = on_back {
                            self.start_phase(t, pid, &ph);
                        } else {
                            self.pop_window(&top);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}
