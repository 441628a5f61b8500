//! The app-model runtime: phases, actions, exits and crashes, screens and permission requests.

use super::*;

impl World {
    pub(super) fn start_phase(&mut self, t: DeviceUs, pid: i32, phase: &str) {
        let Some(pkg) = self.procs.get(&pid).map(|p| p.name.clone()) else {
            return;
        };
        let Some(m) = self.model_of(&pkg) else { return };
        let Some(list) = m.phases.get(phase) else {
            return;
        };
        for a in list.clone() {
            let jit = self.rng.range(0, m.jitter.0 as i64);
            // at least 1 ms after the trigger: a phase that starts itself cannot spin in zero
            // device time
            self.schedule(
                t + ((a.at.0 as i64 + jit) * 1000).max(1000),
                Job::Model {
                    pid,
                    action: Box::new(a),
                },
            );
        }
    }

    pub(super) fn run_action(&mut self, t: DeviceUs, pid: i32, a: &Action) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        if p.dying {
            return;
        }
        let pkg = p.name.clone();
        let uid = p.uid;
        let flags = self
            .packages
            .get(&pkg)
            .map(|p| p.flags.clone())
            .unwrap_or_default();
        if a.when.as_ref().is_some_and(|f| !flags.contains(f))
            || a.unless.as_ref().is_some_and(|f| flags.contains(f))
        {
            return;
        }
        let model = self.model_of(&pkg);
        let default_tag = model
            .as_ref()
            .and_then(|m| m.log_tag.clone())
            .unwrap_or_else(|| short_tag(&pkg));
        if let Some(l) = &a.log {
            let prio = l
                .priority
                .as_ref()
                .and_then(|p| p.chars().next())
                .and_then(Priority::from_letter)
                .unwrap_or(Priority::Info);
            let buf = l
                .buffer
                .as_deref()
                .and_then(LogId::from_name)
                .unwrap_or(LogId::Main);
            let tag = l.tag.clone().unwrap_or(default_tag);
            self.log_at(t, buf, pid, pid, uid, prio, &tag, &l.text);
        } else if let Some(b) = &a.log_burst {
            let tag = b.tag.clone().unwrap_or(default_tag);
            let end = t + (b.duration.0 as DeviceUs) * 1000;
            self.schedule(
                t,
                Job::Burst {
                    pid,
                    tag,
                    text: b.text.clone(),
                    rate: b.rate,
                    start: t,
                    end,
                    emitted: 0,
                },
            );
        } else if let Some(acc) = &a.access {
            self.do_access(t, pid, acc, &default_tag);
        } else if let Some(s) = &a.show {
            self.show_screen(pid, s);
        } else if let Some(r) = &a.request_permission {
            self.request_permission(t, pid, &r.permission, r.on_grant.clone(), r.on_deny.clone());
        } else if let Some(g) = &a.goto {
            self.start_phase(t, pid, g);
        } else if let Some(c) = &a.contact {
            if self.net.len() >= MAX_NET_RECORDS {
                self.net.remove(0);
            }
            let rec = NetRecord {
                time_us: t,
                pid,
                uid,
                package: pkg,
                host: c.host.clone(),
                port: c.port,
                protocol: c.protocol.clone().unwrap_or_else(|| "tls".into()),
            };
            if let Some(cap) = self.capture.as_mut() {
                cap.record(&rec);
            }
            self.net.push(rec);
        } else if let Some(sp) = &a.send {
            self.send_http(t, pid, uid, &pkg, sp);
        } else if let Some(c) = &a.crash {
            self.crash(t, pid, c);
        } else if a.exit == Some(true) {
            self.exit_app(t, pid);
        } else if let Some(f) = &a.set
            && let Some(p) = self.packages.get_mut(&pkg)
        {
            p.flags.insert(f.clone());
        }
    }

    /// `send:`: the contact (DNS/TLS or HTTP in the pcap) and, when intercepting, the real
    /// request through the proxy (`crate::http`).
    fn send_http(&mut self, t: DeviceUs, pid: i32, uid: i32, pkg: &str, sp: &SendSpec) {
        let out = crate::http::outgoing(sp, &|k| crate::http::honey_value(self, k));
        let (host, port, scheme) = match &out {
            Ok(o) => (o.host.clone(), o.port, o.scheme.clone()),
            Err(_) => match crate::http::split_url(&sp.url) {
                Some((s, h, p, _)) => (h, p, s),
                None => return,
            },
        };
        if self.net.len() >= MAX_NET_RECORDS {
            self.net.remove(0);
        }
        let rec = NetRecord {
            time_us: t,
            pid,
            uid,
            package: pkg.to_owned(),
            host,
            port,
            protocol: if scheme == "https" { "tls" } else { "http" }.into(),
        };
        if let Some(cap) = self.capture.as_mut() {
            cap.record(&rec);
        }
        self.net.push(rec);
        match (out, self.http.as_ref()) {
            (Ok(o), Some(sender)) => sender.queue(o),
            (Err(e), Some(_)) => tracing::warn!(package = pkg, error = %e, "send: not rendered"),
            _ => {}
        }
    }

    pub(super) fn exit_app(&mut self, t: DeviceUs, pid: i32) {
        if let Some(p) = self.procs.get_mut(&pid) {
            p.dying = true;
        }
        self.windows.retain(|w| w.pid != Some(pid));
        self.schedule(
            t + 60_000,
            Job::Die {
                pid,
                reason: "cch+5 CEM".into(),
            },
        );
    }

    pub(super) fn crash(&mut self, t: DeviceUs, pid: i32, c: &Crash) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        p.dying = true;
        let (uid, pkg, comp) = (
            p.uid,
            p.name.clone(),
            p.component.clone().unwrap_or_default(),
        );
        let msg = c.message.clone().unwrap_or_default();
        let head = if msg.is_empty() {
            c.exception.clone()
        } else {
            format!("{}: {msg}", c.exception)
        };
        let mut text = format!("FATAL EXCEPTION: main\nProcess: {pkg}, PID: {pid}\n{head}");
        for f in &c.stack {
            text.push_str(&format!("\n\tat {}", frame(f)));
        }
        self.log_at(
            t,
            LogId::Crash,
            pid,
            pid,
            uid,
            Priority::Error,
            "AndroidRuntime",
            &text,
        );
        let (file, line) = c
            .stack
            .first()
            .map(|f| file_line(&frame(f)))
            .unwrap_or(("Unknown Source".into(), 0));
        self.event(
            t,
            PID_SYSTEM,
            1000,
            "am_crash",
            &format!(
                "[0,{pid},{pkg},952647236,{},{msg},{file},{line},0]",
                c.exception
            ),
        );
        let (_, cls) = comp.split_once('/').unwrap_or(("", ""));
        let short = World::short_component(&pkg, cls);
        self.sys(
            t,
            "ActivityTaskManager",
            Priority::Warn,
            &format!("  Force finishing activity {short}"),
        );
        self.log_at(
            t,
            LogId::Main,
            pid,
            pid,
            uid,
            Priority::Info,
            "Process",
            &format!("Sending signal. PID: {pid} SIG: 9"),
        );
        self.windows.retain(|w| w.pid != Some(pid));
        let delay = 40_000 + self.rng.range(0, 40) * 1000;
        self.schedule(
            t + delay,
            Job::Die {
                pid,
                reason: "fg  TOP".into(),
            },
        );
    }

    pub(super) fn show_screen(&mut self, pid: i32, name: &str) {
        let Some(pkg) = self.procs.get(&pid).map(|p| p.name.clone()) else {
            return;
        };
        let Some(m) = self.model_of(&pkg) else { return };
        let Some(screen) = m.screens.get(name) else {
            return;
        };
        let label = self.label_of(&pkg);
        let flags = self.flags_of(&pkg);
        if screen.kind == "page" {
            let root = ui::page(&pkg, &label, Some(screen), &flags);
            self.windows
                .retain(|w| !(w.pid == Some(pid) && w.kind == WinKind::Dialog));
            if let Some(w) = self
                .windows
                .iter_mut()
                .find(|w| w.pid == Some(pid) && w.kind == WinKind::Activity)
            {
                w.root = root;
                w.screen = Some(name.to_owned());
            } else {
                self.windows.push(Window {
                    pkg,
                    pid: Some(pid),
                    kind: WinKind::Activity,
                    screen: Some(name.to_owned()),
                    root,
                });
            }
        } else {
            self.windows
                .retain(|w| !(w.pid == Some(pid) && w.kind == WinKind::Dialog));
            let root = ui::dialog(&pkg, screen, &flags);
            self.windows.push(Window {
                pkg,
                pid: Some(pid),
                kind: WinKind::Dialog,
                screen: Some(name.to_owned()),
                root,
            });
        }
    }

    pub(super) fn request_permission(
        &mut self,
        t: DeviceUs,
        pid: i32,
        perm: &str,
        on_grant: Option<String>,
        on_deny: Option<String>,
    ) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        let (uid, pkg) = (p.uid, p.name.clone());
        self.record_ipc(pid, &[
            "android.app.IActivityTaskManager$Stub$Proxy.startActivity(IActivityTaskManager.java:2293)",
            "android.app.Instrumentation.execStartActivity(Instrumentation.java:1758)",
            "android.app.Activity.startActivityForResult(Activity.java:5404)",
            "android.app.Activity.requestPermissions(Activity.java:5596)",
        ], &[], true);
        let (requested, granted) = self
            .packages
            .get(&pkg)
            .map(|p| {
                (
                    p.requested.iter().any(|r| r == perm),
                    p.granted.contains(perm),
                )
            })
            .unwrap_or((false, false));
        if granted || !requested {
            // no dialog: the answer comes back at once
            let next = if granted { on_grant } else { on_deny };
            if let Some(ph) = next {
                self.start_phase(t, pid, &ph);
            }
            return;
        }
        self.sys(t, "ActivityTaskManager", Priority::Info, &format!(
            "START u0 {{act=android.content.pm.action.REQUEST_PERMISSIONS pkg={PERMCTRL_PKG} cmp={PERMCTRL_PKG}/{GRANT_ACTIVITY} (has extras)}} from uid {uid}"
        ));
        let label = self.label_of(&pkg);
        self.windows.push(Window {
            pkg: PERMCTRL_PKG.to_owned(),
            pid: Some(pid),
            kind: WinKind::Permission {
                perm: perm.to_owned(),
                on_grant,
                on_deny,
            },
            screen: None,
            root: ui::permission_dialog(&label, perm),
        });
    }
}
