//! Running Android SDK tools (`adb`, `emulator`, `avdmanager`…). This module is the only place
//! in Prior that creates a `std::process::Command` for them: it finds the tool, points it at the
//! same adb server as the rest of Prior, and never lets it read Prior's stdin.

use crate::error::DeviceError;
use std::net::SocketAddrV4;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Tools Prior may run.
pub const KNOWN_TOOLS: &[&str] = &["adb", "emulator", "avdmanager", "sdkmanager"];

/// Finds a tool: `$PATH` first, then the SDK (`$ANDROID_HOME`, `$ANDROID_SDK_ROOT`) in
/// `platform-tools/`, `emulator/` and `cmdline-tools/latest/bin/`.
pub fn find_tool(tool: &str) -> Option<PathBuf> {
    if !KNOWN_TOOLS.contains(&tool) {
        return None;
    }
    let is_exe = |p: &Path| p.is_file();
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(tool);
            if is_exe(&p) {
                return Some(p);
            }
        }
    }
    for var in ["ANDROID_HOME", "ANDROID_SDK_ROOT"] {
        if let Some(sdk) = std::env::var_os(var) {
            let sdk = PathBuf::from(sdk);
            for sub in [
                "platform-tools",
                "emulator",
                "cmdline-tools/latest/bin",
                "tools/bin",
            ] {
                let p = sdk.join(sub).join(tool);
                if is_exe(&p) {
                    return Some(p);
                }
            }
        }
    }
    None
}

/// A `Command` for an Android tool, with the adb server address in its environment
/// (`ANDROID_ADB_SERVER_PORT`, and `ADB_SERVER_SOCKET` for a non-loopback server) and stdin
/// closed.
pub fn tool_command(tool: &str, server: SocketAddrV4) -> Result<Command, DeviceError> {
    let path = find_tool(tool).ok_or_else(|| DeviceError::Tool {
        tool: tool.to_owned(),
        why: if KNOWN_TOOLS.contains(&tool) {
            "not found on PATH or in $ANDROID_HOME (install it, e.g. `apt-get install adb`)"
                .to_owned()
        } else {
            "not an Android tool Prior runs".to_owned()
        },
    })?;
    let mut cmd = Command::new(path);
    cmd.stdin(Stdio::null());
    cmd.env("ANDROID_ADB_SERVER_PORT", server.port().to_string());
    if server.ip().is_loopback() {
        cmd.env_remove("ADB_SERVER_SOCKET");
    } else {
        cmd.env("ADB_SERVER_SOCKET", format!("tcp:{server}"));
    }
    Ok(cmd)
}

/// Runs a tool to completion with a time limit; returns stdout, or an error with stderr.
pub fn run_tool(
    tool: &str,
    args: &[&str],
    server: SocketAddrV4,
    limit: Duration,
) -> Result<String, DeviceError> {
    let mut cmd = tool_command(tool, server)?;
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    let fail = |why: String| DeviceError::Tool {
        tool: format!("{tool} {}", args.join(" ")),
        why,
    };
    let mut child = cmd.spawn().map_err(|e| fail(e.to_string()))?;
    // Read both pipes on threads so a chatty tool cannot block on a full pipe.
    let reader = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out_t = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let err_t = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!("no result after {limit:?}")));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(fail(e.to_string())),
        }
    };
    // `adb start-server` leaves a daemon holding the pipes open: do not wait for EOF forever.
    let collect = |t: std::thread::JoinHandle<Vec<u8>>| {
        let deadline = Instant::now() + Duration::from_secs(2);
        while !t.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if t.is_finished() {
            t.join().unwrap_or_default()
        } else {
            Vec::new()
        }
    };
    let stdout = collect(out_t);
    let stderr = collect(err_t);
    if status.success() {
        Ok(String::from_utf8_lossy(&stdout).into_owned())
    } else {
        let mut msg = String::from_utf8_lossy(&stderr).trim().to_owned();
        if msg.is_empty() {
            msg = String::from_utf8_lossy(&stdout).trim().to_owned();
        }
        Err(fail(format!("{msg} ({status})")))
    }
}
