//! `am trace-ipc`: per-process binder transaction stacks.

use super::*;

impl World {
    pub(super) fn record_ipc(
        &mut self,
        pid: i32,
        api_frames: &[&str],
        model_frames: &[String],
        main: bool,
    ) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        if !p.tracking {
            return;
        }
        let mut s = String::from("java.lang.Throwable\n");
        s.push_str(&format!("\tat {TRACE_HEAD}\n"));
        for f in api_frames {
            s.push_str(&format!("\tat {f}\n"));
        }
        for f in model_frames {
            s.push_str(&format!("\tat {}\n", frame(f)));
        }
        for f in if main { MAIN_TAIL } else { BG_TAIL } {
            s.push_str(&format!("\tat {f}\n"));
        }
        *p.ipc.entry(s).or_insert(0) += 1;
    }

    /// `am trace-ipc start`.
    pub fn ipc_start(&mut self) {
        self.ipc_tracing = true;
        for p in self.procs.values_mut() {
            if p.kind != ProcKind::Shell {
                p.tracking = true;
                p.ipc.clear();
            }
        }
    }

    /// `am trace-ipc stop`: the dump text, or `None` when tracing was off.
    pub fn ipc_stop(&mut self) -> Option<String> {
        if !self.ipc_tracing {
            return None;
        }
        self.ipc_tracing = false;
        let mut out = String::from("Binder transaction traces for all processes.\n\n");
        // AMS `processSanityChecksLPr`: a process is dumped only if
        // `Build.IS_DEBUGGABLE || process.isDebuggable()`; the others are skipped silently
        // (no `Traces for process:` line at all).
        let build_debuggable = self.profile.debuggable();
        let debuggable_apps: HashSet<String> = self
            .models
            .values()
            .filter(|m| m.debuggable)
            .map(|m| m.package.clone())
            .collect();
        let mut procs: Vec<&mut Proc> = self
            .procs
            .values_mut()
            .filter(|p| {
                p.kind != ProcKind::Shell
                    && (p.kind == ProcKind::App
                        || p.uid >= 1000
                            && p.name != "logd"
                            && p.name != "adbd"
                            && p.name != "cameraserver")
            })
            .filter(|p| {
                build_debuggable || p.kind == ProcKind::App && debuggable_apps.contains(&p.name)
            })
            .collect();
        procs.sort_by_key(|p| (p.kind == ProcKind::App, p.start_us, p.pid));
        for p in procs {
            out.push_str(&format!("Traces for process: {}\n", p.name));
            for (trace, count) in &p.ipc {
                out.push_str(&format!("Count: {count}\nTrace: {trace}\n\n"));
            }
            p.ipc.clear();
            p.tracking = false;
        }
        Some(out)
    }
}
