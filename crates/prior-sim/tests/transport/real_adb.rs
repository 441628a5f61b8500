//! Debian's real `adb` (29.0.6 here) against the simulator. Each test runs its own adb
//! server on a free port with a private `$HOME` holding the fixture key.

use crate::common::*;
use prior_sim::adbd::{AdbPublicKey, AuthPolicy, NewKeyPolicy};
use prior_sim::server::{SimOptions, SimServer};
use std::io::Read;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn connected(dev: &Arc<TestDevice>, options: SimOptions) -> (SimServer, AdbServer, String) {
    let sim = start(dev.clone(), options);
    let adb = AdbServer::start();
    adb.connect(sim.adbd_addr());
    let serial = sim.adbd_addr().to_string();
    (sim, adb, serial)
}

#[test]
fn connect_devices_shell_exit_codes_and_exec_out() {
    prior_testkit::require_tool!("adb");
    let dev = TestDevice::new();
    let (sim, adb, serial) = connected(&dev, SimOptions::default());

    let r = adb.adb(&["devices"], 10);
    assert!(r.out().contains(&format!("{serial}\tdevice\n")), "{r:?}");
    let r = adb.adb(&["devices", "-l"], 10);
    let line = r
        .out()
        .lines()
        .find(|l| l.starts_with(&serial))
        .unwrap_or_default()
        .to_owned();
    assert!(
        line.contains(" device product:sim_test model:SIMULATED_test device:simdev transport_id:"),
        "{line:?}"
    );
    let r = adb.adb(&["-s", &serial, "features"], 10);
    let mut got: Vec<_> = r.out().split_whitespace().map(str::to_owned).collect();
    got.sort();
    let mut want: Vec<_> = prior_sim::adbd::FEATURES
        .iter()
        .map(|s| s.to_string())
        .collect();
    want.sort();
    assert_eq!(got, want, "adb features = host ∩ device");

    // shell v2: stdout, stderr and exit codes.
    let r = adb.adb(
        &["-s", &serial, "shell", "getprop", "ro.build.version.sdk"],
        10,
    );
    assert_eq!((r.code, r.out().as_str()), (Some(0), "33\n"), "{r:?}");
    let r = adb.adb(&["-s", &serial, "shell", "exit 7"], 10);
    assert_eq!(r.code, Some(7), "{r:?}");
    let r = adb.adb(&["-s", &serial, "shell", "err", "boom"], 10);
    assert_eq!(
        (r.code, r.out().as_str(), r.err().as_str()),
        (Some(1), "", "boom\n"),
        "{r:?}"
    );
    let r = adb.adb(&["-s", &serial, "shell", "nosuchcmd"], 10);
    assert_eq!(r.code, Some(127), "{r:?}");
    // Quoting reaches the device verbatim (argv joined with spaces).
    let r = adb.adb(&["-s", &serial, "shell", "echo 'a  b' \"c\""], 10);
    assert_eq!(r.out(), "a  b c\n");
    assert!(
        dev.commands
            .lock()
            .unwrap()
            .contains(&"echo 'a  b' \"c\"".to_owned())
    );

    // shell v1 (-x): exit status is always 0, stderr merged into stdout.
    let r = adb.adb(&["-s", &serial, "shell", "-x", "exit 7"], 10);
    assert_eq!(r.code, Some(0), "{r:?}");
    let r = adb.adb(&["-s", &serial, "shell", "-x", "err", "boom"], 10);
    assert_eq!((r.code, r.out().as_str()), (Some(0), "boom\n"), "{r:?}");

    // exec-out: raw bytes, arguments single-quoted by adb.
    let r = adb.adb(&["-s", &serial, "exec-out", "big", "300000"], 10);
    assert_eq!(r.stdout, pattern(300_000));
    assert!(
        dev.commands
            .lock()
            .unwrap()
            .contains(&"big '300000'".to_owned())
    );

    // Piped stdin through shell v2 (stdin packets + close-stdin).
    let mut cmd = adb.command(&["-s", &serial, "shell", "cat"]);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"through stdin\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "through stdin\n");
    assert!(dev.saw_stdin_eof.load(Ordering::SeqCst));

    assert!(wait_until(5, || sim.stats().services_running == 0));
}

#[test]
fn push_and_pull_5_mb_byte_for_byte() {
    prior_testkit::require_tool!("adb");
    let dev = TestDevice::new();
    let (_sim, adb, serial) = connected(&dev, SimOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("big.bin");
    // 5 MB that is not periodic in 64 KiB chunks.
    let data: Vec<u8> = (0..5_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&local, &data).unwrap();

    let t = Instant::now();
    let r = adb.adb(
        &[
            "-s",
            &serial,
            "push",
            local.to_str().unwrap(),
            "/data/local/tmp/big.bin",
        ],
        30,
    );
    let push_s = t.elapsed().as_secs_f64();
    assert_eq!(r.code, Some(0), "{r:?}");
    let stored = dev
        .file("/data/local/tmp/big.bin")
        .expect("pushed file stored");
    assert!(stored == data, "pushed bytes differ");
    let mode = dev.files.lock().unwrap()["/data/local/tmp/big.bin"].1;
    assert_eq!(
        mode & 0o170_000,
        0o100_000,
        "regular file mode, got {mode:o}"
    );

    let back = dir.path().join("back.bin");
    let t = Instant::now();
    let r = adb.adb(
        &[
            "-s",
            &serial,
            "pull",
            "/data/local/tmp/big.bin",
            back.to_str().unwrap(),
        ],
        30,
    );
    let pull_s = t.elapsed().as_secs_f64();
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(std::fs::read(&back).unwrap() == data, "pulled bytes differ");
    eprintln!(
        "adb push 5 MB: {push_s:.2} s ({:.1} MB/s); adb pull: {pull_s:.2} s ({:.1} MB/s)",
        5.0 / push_s,
        5.0 / pull_s
    );

    // A missing file and a read-only destination fail as adb reports them.
    let r = adb.adb(
        &[
            "-s",
            &serial,
            "pull",
            "/data/nope",
            dir.path().join("x").to_str().unwrap(),
        ],
        10,
    );
    assert_eq!(r.code, Some(1));
    // adb 29 prints it on stdout: STA2 carried error 2 (ENOENT).
    assert!(
        (r.out() + &r.err())
            .contains("failed to stat remote object '/data/nope': No such file or directory"),
        "{r:?}"
    );
    let r = adb.adb(
        &[
            "-s",
            &serial,
            "push",
            local.to_str().unwrap(),
            "/system/big.bin",
        ],
        30,
    );
    assert_eq!(r.code, Some(1));
    assert!(
        (r.out() + &r.err()).contains("remote couldn't create file: Read-only file system"),
        "{r:?}"
    );
}

#[test]
fn install_success_failure_and_flags() {
    prior_testkit::require_tool!("adb");
    let dev = TestDevice::new();
    let (_sim, adb, serial) = connected(&dev, SimOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let apk = dir.path().join("app.apk");
    let bytes: Vec<u8> = pattern(2_500_000);
    std::fs::write(&apk, &bytes).unwrap();

    let r = adb.adb(&["-s", &serial, "install", apk.to_str().unwrap()], 30);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.out().contains("Success"), "{r:?}");
    let r = adb.adb(
        &["-s", &serial, "install", "-r", "-g", apk.to_str().unwrap()],
        30,
    );
    assert_eq!(r.code, Some(0), "{r:?}");

    let bad = dir.path().join("bad.apk");
    std::fs::write(&bad, b"BAD not an apk").unwrap();
    let r = adb.adb(&["-s", &serial, "install", bad.to_str().unwrap()], 30);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.err().contains("Failure [INSTALL_PARSE_FAILED_NOT_APK"),
        "{r:?}"
    );

    let installs = dev.installs.lock().unwrap();
    assert_eq!(installs.len(), 3);
    assert!(installs[0].1 == bytes, "APK bytes differ");
    assert!(installs[0].0.is_empty(), "{:?}", installs[0].0);
    assert_eq!(installs[1].0, vec!["-r".to_string(), "-g".to_string()]);
    assert_eq!(installs[2].1, b"BAD not an apk");
}

/// `adb logcat`-style streaming, interrupted by killing the adb client process: the
/// simulator must see the close and the command's thread must end. v2 and v1.
#[test]
fn killing_the_client_closes_a_streaming_command() {
    prior_testkit::require_tool!("adb");
    let dev = TestDevice::new();
    let (sim, adb, serial) = connected(&dev, SimOptions::default());
    for (round, extra) in [&[][..], &["-x"][..]].into_iter().enumerate() {
        let mut args = vec!["-s", serial.as_str(), "shell"];
        args.extend_from_slice(extra);
        args.push("stream");
        let mut child = adb
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while got.iter().filter(|&&b| b == b'\n').count() < 5 {
            let n = stdout.read(&mut buf).unwrap();
            assert!(n > 0, "stream ended early");
            got.extend_from_slice(&buf[..n]);
        }
        assert!(
            String::from_utf8_lossy(&got)
                .starts_with("11-28 19:39:00.000  1000  1000 I Test    : line 0\n")
        );
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            wait_until(5, || dev.streams_closed.load(Ordering::SeqCst) == round + 1),
            "round {round}: the command never learned the host closed"
        );
        assert!(wait_until(5, || sim.stats().services_running == 0));
    }
}

fn fixture_key() -> AdbPublicKey {
    AdbPublicKey::parse(&std::fs::read_to_string(fixture("adbkey.pub")).unwrap()).unwrap()
}

#[test]
fn auth_with_the_hosts_real_key_is_accepted() {
    prior_testkit::require_tool!("adb");
    let dev = TestDevice::new();
    let auth = AuthPolicy::Rsa {
        trusted_keys: vec![fixture_key()],
        new_keys: NewKeyPolicy::Refuse,
    };
    let (sim, adb, serial) = connected(
        &dev,
        SimOptions {
            auth,
            ..SimOptions::default()
        },
    );
    assert!(sim.stats().auth_accepted >= 1);
    let r = adb.adb(&["devices"], 10);
    assert!(r.out().contains(&format!("{serial}\tdevice\n")), "{r:?}");
    let r = adb.adb(&["-s", &serial, "shell", "echo", "signed"], 10);
    assert_eq!(r.out(), "signed\n");
}

#[test]
fn auth_new_key_accepted_like_a_user_tapping_allow() {
    prior_testkit::require_tool!("adb");
    let dev = TestDevice::new();
    let auth = AuthPolicy::Rsa {
        trusted_keys: vec![],
        new_keys: NewKeyPolicy::Accept,
    };
    let sim = start(
        dev.clone(),
        SimOptions {
            auth,
            ..SimOptions::default()
        },
    );
    let serial = sim.adbd_addr().to_string();
    let adb = AdbServer::start();
    // adb 29 returns from `connect` at the first AUTH ("failed to authenticate"), then offers
    // its public key; the simulated user allows it and the transport becomes `device`.
    let r = adb.adb(&["connect", &serial], 20);
    assert!(r.out().contains(&serial), "{r:?}");
    assert!(
        wait_until(10, || adb
            .adb(&["devices"], 10)
            .out()
            .contains(&format!("{serial}\tdevice\n"))),
        "never became `device`"
    );
    assert_eq!(sim.stats().auth_accepted, 1);
    let r = adb.adb(&["-s", &serial, "shell", "echo", "allowed"], 10);
    assert_eq!(r.out(), "allowed\n", "{r:?}");
    assert_eq!(sim.stats().keys_refused, 0);
}

#[test]
fn auth_refused_shows_unauthorized() {
    prior_testkit::require_tool!("adb");
    let dev = TestDevice::new();
    let auth = AuthPolicy::Rsa {
        trusted_keys: vec![],
        new_keys: NewKeyPolicy::Refuse,
    };
    let sim = start(
        dev.clone(),
        SimOptions {
            auth,
            ..SimOptions::default()
        },
    );
    let serial = sim.adbd_addr().to_string();
    let adb = AdbServer::start();
    let t = Instant::now();
    let r = adb.adb(&["connect", &serial], 30);
    eprintln!("refused `adb connect` took {:?}: {r:?}", t.elapsed());
    assert!(
        r.out().contains("failed to authenticate") || r.out().contains("connected to"),
        "adb connect: {r:?}"
    );
    assert!(
        wait_until(10, || sim.stats().keys_refused >= 1),
        "the host never offered its key"
    );
    let r = adb.adb(&["devices"], 10);
    assert!(
        r.out().contains(&format!("{serial}\tunauthorized\n")),
        "{r:?}"
    );
    let r = adb.adb(&["-s", &serial, "shell", "echo", "x"], 10);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.err().contains("unauthorized"), "{r:?}");
    assert!(dev.commands.lock().unwrap().is_empty());
}

/// One adb server, 8 simulators, 8 adb clients in parallel.
#[test]
fn one_adb_server_eight_simulators_in_parallel() {
    prior_testkit::require_tool!("adb");
    let adb = Arc::new(AdbServer::start());
    let devs: Vec<_> = (0..8).map(|_| TestDevice::new()).collect();
    let sims: Vec<_> = devs
        .iter()
        .map(|d| start(d.clone(), SimOptions::default()))
        .collect();
    for s in &sims {
        adb.connect(s.adbd_addr());
    }
    let t = Instant::now();
    let handles: Vec<_> = sims
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let adb = Arc::clone(&adb);
            let serial = s.adbd_addr().to_string();
            std::thread::spawn(move || {
                let r = adb.adb(&["-s", &serial, "shell", &format!("exit {}", i + 1)], 20);
                assert_eq!(r.code, Some(i as i32 + 1), "{r:?}");
                let r = adb.adb(&["-s", &serial, "exec-out", "big", "500000"], 20);
                assert!(
                    r.stdout == pattern(500_000),
                    "sim {i}: exec-out bytes differ"
                );
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert!(t.elapsed() < Duration::from_secs(20));
    for d in &devs {
        assert_eq!(d.commands.lock().unwrap().len(), 2);
    }
}
