//! Running Android SDK tools from the device layer (only `adb start-server` today). The tool
//! is found by [`prior_tools::Locator`] — Prior's one search order (the SDK named by
//! `ANDROID_HOME`, else `ANDROID_SDK_ROOT`, then `PATH`), the same one `prior doctor` and
//! `prior-emulator` use — and run by [`prior_tools::run_tool`] (argument vector, stdin closed,
//! own process group, time limit, output cap). This module only adds the adb server address
//! to the tool's environment.

use crate::error::DeviceError;
use prior_tools::{Locator, Tool};
use std::ffi::OsString;
use std::net::SocketAddrV4;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How much of a tool's stdout and of its stderr is kept.
const MAX_TOOL_OUTPUT: usize = 1 << 20;

/// Finds a tool by name (`adb`, `emulator`, `avdmanager`, `sdkmanager`) in the process
/// environment, with [`prior_tools::Locator`]. `None` for any other name.
pub fn find_tool(tool: &str) -> Option<PathBuf> {
    Locator::from_process().find(Tool::from_name(tool)?).ok()
}

/// The environment changes that point a tool at `server`: `ANDROID_ADB_SERVER_PORT`, and
/// `ADB_SERVER_SOCKET` for a non-loopback server (removed for a loopback one).
pub fn server_env(server: SocketAddrV4) -> Vec<(OsString, Option<OsString>)> {
    vec![
        (
            "ANDROID_ADB_SERVER_PORT".into(),
            Some(server.port().to_string().into()),
        ),
        (
            "ADB_SERVER_SOCKET".into(),
            (!server.ip().is_loopback()).then(|| format!("tcp:{server}").into()),
        ),
    ]
}

/// Runs a tool to completion with a time limit, pointed at `server`; returns stdout, or an
/// error with stderr (stdout when stderr is empty).
pub fn run_tool(
    tool: &str,
    args: &[&str],
    server: SocketAddrV4,
    limit: Duration,
) -> Result<String, DeviceError> {
    let fail = |why: String| DeviceError::Tool {
        tool: format!("{tool} {}", args.join(" ")),
        why,
    };
    let Some(kind) = Tool::from_name(tool) else {
        return Err(DeviceError::Tool {
            tool: tool.to_owned(),
            why: "not an Android tool Prior runs".to_owned(),
        });
    };
    let path = Locator::from_process()
        .find(kind)
        .map_err(|e| DeviceError::Tool {
            tool: tool.to_owned(),
            why: e.to_string(),
        })?;
    run_at(&path, args, server, limit).map_err(fail)
}

fn run_at(
    path: &Path,
    args: &[&str],
    server: SocketAddrV4,
    limit: Duration,
) -> Result<String, String> {
    let out = prior_tools::run_tool(
        path,
        args,
        &server_env(server),
        None,
        limit,
        MAX_TOOL_OUTPUT,
    )
    .map_err(|e| e.to_string())?;
    let Some(status) = out.status else {
        return Err(format!("no result after {limit:?}"));
    };
    if status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let mut msg = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        if msg.is_empty() {
            msg = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        }
        Err(format!("{msg} ({status})"))
    }
}

#[cfg(test)]
mod unit {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn the_server_address_reaches_the_tool_environment() {
        let local = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 5999);
        let out = run_at(
            Path::new("/bin/sh"),
            &[
                "-c",
                "echo \"$ANDROID_ADB_SERVER_PORT/${ADB_SERVER_SOCKET-unset}\"",
            ],
            local,
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(out, "5999/unset\n");
        let remote = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 5037);
        let out = run_at(
            Path::new("/bin/sh"),
            &["-c", "echo \"$ADB_SERVER_SOCKET\""],
            remote,
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(out, "tcp:10.0.0.2:5037\n");
        let err = run_at(
            Path::new("/bin/sh"),
            &["-c", "echo out; echo bad >&2; exit 3"],
            local,
            Duration::from_secs(10),
        )
        .unwrap_err();
        assert!(err.starts_with("bad ("), "{err}");
        let err = run_at(
            Path::new("/bin/sh"),
            &["-c", "sleep 20"],
            local,
            Duration::from_millis(200),
        )
        .unwrap_err();
        assert!(err.starts_with("no result after"), "{err}");
        assert!(find_tool("sh").is_none());
    }
}
