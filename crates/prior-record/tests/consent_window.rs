//! The consent window on a clock the test controls. The recorder brackets its consent tap
//! with two logcat markers sent in ONE shell call (`log begin; input tap; log end`), so the
//! window between them is as narrow as the device makes it. On the real clock that width
//! depends on the host's load (a loaded 2-core machine stretches it), so it is measured by
//! `benches/consent-window.sh`, not asserted; here the simulated handset runs a manual clock
//! that moves only when the recorder sends a shell command (a fixed step per command), which
//! makes the width exact: a recorder that split the tap over several commands would widen it
//! by at least one step.

#![expect(clippy::unwrap_used, reason = "tests may unwrap")]

use prior_device::AdbServer;
use prior_model::bundle::{Bundle, ConsentAction, HarnessRecord, RecordingState};
use prior_record::record::{AppUnderTest, RecordOptions, Silent, record};
use prior_scenario::{LoadOptions, Scenario, Vars};
use prior_sim::device::clock::ClockMode;
use prior_sim::device::{SimConfig, SimDevice};
use prior_sim::server::{SimOptions, SimServer};
use prior_sim::{Banner, DeviceHandler, FileError, FileStat, ShellIo};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Device time each shell command costs before it runs.
const STEP: Duration = Duration::from_millis(40);

/// The simulated handset whose manual clock advances by [`STEP`] before every shell command,
/// so device time moves with the recorder's activity and never with the host's load.
struct Stepped(Arc<SimDevice>);

impl DeviceHandler for Stepped {
    fn banner(&self) -> Banner {
        self.0.banner()
    }
    fn shell(&self, command: &str, io: &mut dyn ShellIo) -> i32 {
        self.0.clock().advance(STEP);
        self.0.shell(command, io)
    }
    fn install(&self, args: &[String], apk: &[u8]) -> String {
        self.0.install(args, apk)
    }
    fn abb_exec(&self, argv: &[String]) -> Vec<u8> {
        self.0.clock().advance(STEP);
        self.0.abb_exec(argv)
    }
    fn stat(&self, path: &str) -> Option<FileStat> {
        self.0.stat(path)
    }
    fn read_file(&self, path: &str) -> Result<Vec<u8>, FileError> {
        self.0.read_file(path)
    }
    fn write_file(&self, path: &str, data: &[u8], mode: u32, mtime: i64) -> Result<(), FileError> {
        self.0.write_file(path, data, mode, mtime)
    }
    fn list_dir(&self, path: &str) -> Vec<(String, FileStat)> {
        self.0.list_dir(path)
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The device time (µs) of the logcat line carrying `marker` (`-v epoch`: `SECS.USEC …`),
/// and its line index.
fn marker_time(logcat: &str, marker: &str) -> (usize, i64) {
    let (i, line) = logcat
        .lines()
        .enumerate()
        .find(|(_, l)| l.ends_with(marker))
        .unwrap_or_else(|| panic!("{marker:?} is not in raw/logcat.txt"));
    let stamp = line.split_whitespace().next().unwrap();
    let (s, us) = stamp.split_once('.').unwrap();
    assert_eq!(us.len(), 6, "-v usec: {line}");
    (
        i,
        s.parse::<i64>().unwrap() * 1_000_000 + us.parse::<i64>().unwrap(),
    )
}

#[test]
fn the_consent_markers_bracket_the_tap_within_one_shell_call() {
    let start_us = 1_780_000_000_000_000; // 2026-05-28, fixed
    let sim = SimDevice::new(SimConfig {
        model_dirs: vec![repo().join("scenarios/demo/models")],
        clock: ClockMode::Manual { start_us },
        ..SimConfig::default()
    })
    .unwrap();
    let handler: Arc<dyn DeviceHandler> = Arc::new(Stepped(Arc::clone(&sim)));
    let server = SimServer::start(
        handler,
        SimOptions {
            smart_socket: true,
            ..SimOptions::default()
        },
    )
    .unwrap();
    let Some(SocketAddr::V4(smart)) = server.smart_socket_addr() else {
        panic!("no smart socket")
    };
    let dev = AdbServer::new(smart).device(server.serial()).unwrap();

    let text = "name: consent window\napp: { apk: apps/leaky-shop.apk }\n\
                device: { simulated: { models: models } }\n\
                consent: { mode: auto, timeout: 60s, screen: { text: \"隐私|个人信息\" }, accept: { text: \"^同意$\" } }\n\
                steps:\n  - launch\n  - accept_consent\n  - wait: 1s\n";
    let scenario = Scenario::parse(
        &repo().join("scenarios/demo/consent-window.yaml"),
        text,
        &Vars::new(),
        LoadOptions::default(),
    )
    .unwrap();
    let app = AppUnderTest {
        package: "com.prior.demo.leakyshop".into(),
        component: Some("com.prior.demo.leakyshop/.ui.SplashActivity".into()),
        apk: Some(repo().join("scenarios/demo/apps/leaky-shop.apk")),
        ..AppUnderTest::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let mut opts = RecordOptions::new(dir.path().join("bundle"), "0.0.0-test");
    opts.simulated = true;
    let rec = record(&scenario, &app, &dev, &opts, &Silent).unwrap();
    assert_eq!(rec.state, RecordingState::Complete, "{:?}", rec.reason);

    let bundle = Bundle::open(&rec.bundle_dir).unwrap();
    let (begin, end) = bundle
        .harness
        .iter()
        .find_map(|e| match &e.record {
            HarnessRecord::ConsentTap {
                action: ConsentAction::Accept,
                begin_marker,
                end_marker,
                ..
            } => Some((begin_marker.clone(), end_marker.clone())),
            _ => None,
        })
        .expect("the recorder tapped accept");
    let logcat = std::fs::read_to_string(bundle.path("raw/logcat.txt")).unwrap();
    let (line_a, a) = marker_time(&logcat, &begin);
    let (line_b, b) = marker_time(&logcat, &end);
    assert!(line_a < line_b, "begin is logged before end");
    // One shell call: no step of device time between the markers. The old end-to-end
    // bound (20 ms on the real clock) holds exactly here.
    assert_eq!(b - a, 0, "the consent window is {} µs wide", b - a);
    assert!(b - a < 20_000);
    // The tap landed between the markers: the app's accepted phase (its home screen 50 ms and
    // its log line 120 ms after the tap, scenarios/demo/models/leaky-shop.model) follows.
    let (_, accepted) = marker_time(&logcat, "privacy consent accepted");
    assert!(
        (120_000..120_000 + 2 * 25_000 + 1).contains(&(accepted - a)),
        "accepted {} µs after the begin marker",
        accepted - a
    );
    // Everything the app did before the dialog is on the same clock, before the window.
    assert!(a > start_us, "{a}");
}
