use crate::common::*;
use prior_sim::server::SimOptions;
use std::time::Instant;
#[test]
fn zz_measure_throughput() {
    let dev = TestDevice::new();
    let sim = start(
        dev.clone(),
        SimOptions {
            smart_socket: true,
            ..SimOptions::default()
        },
    );
    let adb = AdbServer::start();
    adb.connect(sim.adbd_addr());
    let serial = sim.adbd_addr().to_string();
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("big.bin");
    let n = 50_000_000usize;
    std::fs::write(&local, pattern(n)).unwrap();
    for round in 0..3 {
        let t = Instant::now();
        let r = adb.adb(
            &[
                "-s",
                &serial,
                "push",
                local.to_str().unwrap(),
                "/data/local/tmp/big.bin",
            ],
            60,
        );
        assert_eq!(r.code, Some(0));
        let p = t.elapsed().as_secs_f64();
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
            60,
        );
        assert_eq!(r.code, Some(0));
        let q = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let r = adb.adb(&["-s", &serial, "exec-out", "big", &n.to_string()], 60);
        assert_eq!(r.stdout.len(), n);
        let e = t.elapsed().as_secs_f64();
        eprintln!(
            "round {round}: 50 MB push {:.0} MB/s, pull {:.0} MB/s, exec-out {:.0} MB/s",
            50.0 / p,
            50.0 / q,
            50.0 / e
        );
    }
    // smart socket with the adb client binary
    let port = sim.smart_socket_addr().unwrap().port().to_string();
    let run = |args: &[&str]| {
        let mut c = std::process::Command::new("adb");
        c.arg("-P").arg(&port).args(args).env("HOME", dir.path());
        run_with_deadline(c, 60)
    };
    let t = Instant::now();
    assert_eq!(
        run(&[
            "-s",
            &serial,
            "push",
            local.to_str().unwrap(),
            "/data/local/tmp/b2"
        ])
        .code,
        Some(0)
    );
    let p = t.elapsed().as_secs_f64();
    let t = Instant::now();
    assert_eq!(
        run(&[
            "-s",
            &serial,
            "pull",
            "/data/local/tmp/b2",
            dir.path().join("b3").to_str().unwrap()
        ])
        .code,
        Some(0)
    );
    let q = t.elapsed().as_secs_f64();
    eprintln!(
        "smart socket: 50 MB push {:.0} MB/s, pull {:.0} MB/s",
        50.0 / p,
        50.0 / q
    );
}
