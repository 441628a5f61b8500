//! `prior doctor`: checks adb, the adb server and devices, the SDK tools, hardware
//! acceleration, AVDs and images, and disk space; prints each problem with the command that
//! fixes it. Exit 0 only when a run on a real device can start, else 3 (environment error,
//! `docs/exit-codes.md`). The checks live in `prior_emulator::doctor`; this file renders them.

use crate::{
    CliResult,
    exit::{self, Outcome},
};
use prior_emulator::doctor::{Check, Diagnosis, DoctorEnv, Status, diagnose, printable};
use std::path::PathBuf;

/// Output format of `prior doctor`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// One line per check, with fixes.
    Text,
    /// One JSON object (for CI).
    Json,
}

/// Arguments of `prior doctor`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Where bundles will be written (as `prior run --out`): its free space is checked.
    #[arg(long, value_name = "DIR", default_value = "prior-runs")]
    out: PathBuf,
}

/// Runs `prior doctor`.
pub fn run(args: Args) -> CliResult {
    let mut diagnosis = diagnose(&DoctorEnv::from_process(args.out));
    // Interception (issue 18) is optional: it never changes readiness.
    let mitm = prior_intercept::locate().and_then(|p| {
        let v = prior_intercept::version(&p)?;
        Ok((p, v))
    });
    diagnosis
        .checks
        .push(mitmproxy_check(mitm.map_err(|e| match e {
            prior_intercept::InterceptError::NotFound(_) => {
                "not found (no PRIOR_MITMDUMP, no `mitmdump` on PATH)".to_string()
            }
            other => format!("failed to {other}"),
        })));
    let outcome = if diagnosis.ready {
        Outcome::Done
    } else {
        Outcome::NotReady
    };
    let code = exit::code_of(&outcome);
    let text = match args.format {
        Format::Text => render_text(&diagnosis, code),
        Format::Json => render_json(&diagnosis, code),
    };
    super::out(&text)?;
    Ok(outcome)
}

/// `prior doctor`'s mitmproxy check: `mitmdump --version` against the pinned release
/// (`network: { intercept: mitmproxy }`, docs/interception.md). Missing or another version is
/// a warning with the install command: only intercepting scenarios need it.
pub(crate) fn mitmproxy_check(found: Result<(PathBuf, String), String>) -> Check {
    let pinned = prior_intercept::PINNED_VERSION;
    let install = format!("pipx install mitmproxy=={pinned}");
    let (status, text, fix) = match found {
        Ok((path, v)) if v == pinned => (
            Status::Ok,
            format!("mitmproxy {v} ({})", path.display()),
            None,
        ),
        Ok((path, v)) => (
            Status::Warn,
            format!(
                "mitmproxy {v} ({}); Prior is tested with {pinned}",
                path.display()
            ),
            Some(install),
        ),
        Err(e) => (Status::Warn, e, Some(install)),
    };
    Check {
        area: "interception",
        name: "mitmdump".into(),
        status,
        found: printable(&text),
        fix: fix.into_iter().collect(),
        note: (status != Status::Ok).then(|| {
            printable(&format!(
                "only scenarios with `network: {{ intercept: mitmproxy }}` (or `prior run --intercept`) \
                 need it; {}",
                prior_intercept::install_hint()
            ))
        }),
    }
}

/// The text report. Every string from the environment was escaped by the checks.
fn render_text(d: &Diagnosis, code: u8) -> String {
    let mut out = String::from("prior doctor: can a run on a real device start here?\n");
    let mut area = "";
    for c in &d.checks {
        if c.area != area {
            area = c.area;
            out.push_str(&format!("\n{area}\n"));
        }
        out.push_str(&format!(
            "  {:<5} {:<24} {}\n",
            c.status.label(),
            c.name,
            c.found
        ));
        for f in &c.fix {
            out.push_str(&format!("        fix:  {f}\n"));
        }
        if let Some(n) = &c.note {
            out.push_str(&format!("        note: {n}\n"));
        }
    }
    if !d.ran.is_empty() {
        out.push_str("\ncommands run\n");
        for r in &d.ran {
            out.push_str(&format!("  {r}\n"));
        }
    }
    out.push_str(&format!("\n{} (exit {code})\n", d.verdict));
    out
}

fn render_json(d: &Diagnosis, code: u8) -> String {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("exit_code".into(), code.into());
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod mitm_tests {
    use super::*;

    #[test]
    fn the_mitmproxy_check_names_the_pinned_version_and_how_to_install_it() {
        let ok = mitmproxy_check(Ok(("/v/bin/mitmdump".into(), "11.0.2".into())));
        assert_eq!(ok.status, Status::Ok);
        assert!(ok.fix.is_empty() && ok.note.is_none());
        let other = mitmproxy_check(Ok(("/v/bin/mitmdump".into(), "10.1.0".into())));
        assert_eq!(other.status, Status::Warn);
        assert!(
            other.found.contains("tested with 11.0.2"),
            "{}",
            other.found
        );
        let missing = mitmproxy_check(Err("find mitmdump: no `mitmdump` on PATH".into()));
        assert_eq!(missing.status, Status::Warn);
        assert_eq!(
            missing.fix,
            vec!["pipx install mitmproxy==11.0.2".to_string()]
        );
        assert!(
            missing
                .note
                .as_deref()
                .is_some_and(|n| n.contains("PRIOR_MITMDUMP"))
        );
    }
}
