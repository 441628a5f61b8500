//! Hostile inputs end to end (issue 12): bundles, APKs and scenarios someone else wrote. Each
//! section is one area (`mod bundle`, `mod apk`, …); every case is a regression test of an attack
//! that once worked.

/// Hostile session bundles: a bundle cannot choose a file for Prior to read, make it follow a
/// link, block on a special file, read without a cap, or change a verdict silently.
mod bundle {
    use crate::util::{copy_dir, data, mkfifo, prior, reseal};
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    /// Generous: every case here finishes in well under a second; a hang fails the test.
    const TIMEOUT: Duration = Duration::from_secs(60);

    /// A copy of an example bundle.
    fn example(dir: &Path, name: &str) -> PathBuf {
        let b = dir.join(name);
        copy_dir(&data(&format!("bundles/{name}")), &b);
        b
    }

    fn edit_meta(b: &Path, f: impl FnOnce(&mut serde_json::Value)) {
        let p = b.join("meta.json");
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        f(&mut m);
        std::fs::write(&p, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    }

    /// Diagnostics as one line: miette wraps and frames long messages.
    fn flat(s: &str) -> String {
        s.split_whitespace()
            .filter(|w| *w != "│" && *w != "×")
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `prior analyze B [extra]` → (exit code, stdout, stderr with miette's wrapping undone).
    fn analyze(b: &Path, extra: &[&str]) -> (i32, String, String) {
        let o = prior()
            .arg("analyze")
            .arg(b)
            .args(extra)
            .timeout(TIMEOUT)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            flat(&String::from_utf8_lossy(&o.stderr)),
        )
    }

    fn json(b: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
        let mut args = vec!["--format", "json"];
        args.extend_from_slice(extra);
        let (code, out, err) = analyze(b, &args);
        let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
        (code, v)
    }

    fn source<'a>(r: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
        r["checked"]["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["source"] == name)
            .unwrap_or_else(|| panic!("no source {name}"))
    }

    // 1. A bundle may only name a built-in profile.

    #[test]
    fn a_profile_path_in_meta_is_refused_and_nothing_of_the_file_is_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let b = example(dir.path(), "leaky");
        std::fs::write(
            b.join("lenient.toml"),
            "name = \"lenient\"\ntitle = \"SECRET-TITLE\"\nrequired_sources = []\n",
        )
        .unwrap();
        for named in ["./lenient.toml", "lenient.toml", "/etc/passwd", "../x.toml"] {
            edit_meta(&b, |m| m["profile"] = named.into());
            reseal(&b);
            let (code, out, err) = analyze(&b, &[]);
            assert_eq!(code, 2, "{named}: {out}{err}");
            assert!(err.contains("may only name a built-in profile"), "{err}");
            assert!(err.contains("--profile FILE"), "{err}");
            for leak in ["SECRET-TITLE", "root:", named] {
                assert!(!err.contains(leak), "{named}: quoted {leak:?}: {err}");
            }
            assert!(!out.contains("PASS"), "{out}");
        }
        // The same file on the command line is the operator's choice: it is used and named.
        let (_, r) = json(&b, &["--profile", b.join("lenient.toml").to_str().unwrap()]);
        assert_eq!(r["profile"]["origin"], "file");
        assert_eq!(
            r["profile"]["file"],
            b.join("lenient.toml").display().to_string()
        );
        assert_eq!(r["profile"]["sha256"].as_str().unwrap().len(), 64);
        let (_, text, _) = analyze(&b, &["--profile", b.join("lenient.toml").to_str().unwrap()]);
        assert!(
            text.contains("from file") && text.contains("sha256"),
            "{text}"
        );
    }

    #[test]
    fn analysing_under_another_profile_than_the_recorded_one_is_said() {
        let dir = tempfile::tempdir().unwrap();
        let b = example(dir.path(), "leaky");
        let (_, r) = json(&b, &[]);
        let cn_miit = r["profile"]["sha256"].as_str().unwrap().to_string();
        assert!(r["profile"].get("differs_from_recorded").is_none(), "{r}");
        edit_meta(&b, |m| {
            m["profile_used"] = serde_json::json!({"name": "cn-miit", "sha256": cn_miit});
        });
        reseal(&b);
        let (_, r) = json(&b, &[]);
        assert!(r["profile"].get("differs_from_recorded").is_none(), "{r}");
        assert_eq!(r["profile"]["recorded"]["sha256"], cn_miit.as_str());
        let (_, r) = json(&b, &["--profile", "gdpr"]);
        let note = r["profile"]["differs_from_recorded"].as_str().unwrap();
        assert!(note.contains("cn-miit") && note.contains("gdpr"), "{note}");
        let (_, text, _) = analyze(&b, &["--profile", "gdpr"]);
        assert!(
            text.contains("NOTE: the session was recorded for profile cn-miit"),
            "{text}"
        );
    }

    // 2. Links and special files inside a bundle are never followed or read.

    #[test]
    fn a_symlinked_raw_file_with_a_matching_manifest_is_an_integrity_error() {
        let dir = tempfile::tempdir().unwrap();
        let b = example(dir.path(), "leaky");
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "OUTSIDE-SECRET line\n").unwrap();
        std::fs::remove_file(b.join("raw/logcat.txt")).unwrap();
        std::os::unix::fs::symlink(&outside, b.join("raw/logcat.txt")).unwrap();
        reseal(&b); // the manifest now lists the link (with the target's hash, if followed)
        let (code, out, err) = analyze(&b, &[]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(
            err.contains("raw/logcat.txt (a symbolic link)"),
            "names the path: {err}"
        );
        let (code, out, err) = analyze(&b, &["--allow-modified"]);
        assert_ne!(code, 0, "{out}{err}");
        assert!(!out.contains("OUTSIDE-SECRET") && !err.contains("OUTSIDE-SECRET"));
        assert!(out.contains("not a regular file"), "{out}");
        assert!(!out.contains("MANIFEST.sha256 verified"), "{out}");
    }

    #[test]
    fn a_symlinked_raw_directory_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let b = example(dir.path(), "leaky");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::rename(b.join("raw"), &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, b.join("raw")).unwrap();
        reseal(&b);
        let (code, _, err) = analyze(&b, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("raw (a symbolic link)"), "{err}");
        let (code, r) = json(&b, &["--allow-modified"]);
        assert_ne!(code, 0);
        assert_eq!(
            r["summary"]["data_access_events"], 0,
            "nothing read through the link"
        );
        assert_ne!(source(&r, "logcat")["status"], "analysed");
    }

    #[test]
    fn fifos_and_dev_zero_never_hang_even_with_allow_modified() {
        // harness.jsonl as a FIFO, raw/logcat.txt as a FIFO and as a link to /dev/zero,
        // meta.json as a FIFO.
        type Plant = fn(&Path);
        let cases: [(&str, Plant); 4] = [
            ("harness.jsonl", |p| mkfifo(p)),
            ("raw/logcat.txt", |p| mkfifo(p)),
            ("raw/logcat.txt", |p| {
                std::os::unix::fs::symlink("/dev/zero", p).unwrap()
            }),
            ("meta.json", |p| mkfifo(p)),
        ];
        for (name, plant) in cases {
            let dir = tempfile::tempdir().unwrap();
            let b = example(dir.path(), "clean");
            std::fs::remove_file(b.join(name)).unwrap();
            plant(&b.join(name));
            for extra in [&[][..], &["--allow-modified"][..]] {
                let (code, out, err) = analyze(&b, extra);
                assert!(
                    code == 2 || code == 4,
                    "{name} {extra:?}: {code} {out}{err}"
                );
                assert!(
                    err.contains(name) || out.contains(name),
                    "{name} is named: {out}{err}"
                );
            }
        }
    }

    // 4/6. Size caps.

    #[test]
    fn an_oversized_meta_json_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let b = example(dir.path(), "clean");
        // Sparse 1.5 GB: refused from its size, without reading (or allocating) it.
        std::fs::OpenOptions::new()
            .write(true)
            .open(b.join("meta.json"))
            .unwrap()
            .set_len(1_500_000_000)
            .unwrap();
        let (code, _, err) = analyze(&b, &["--allow-modified"]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("meta.json") && err.contains("more than"),
            "{err}"
        );
    }

    #[test]
    fn a_baseline_that_is_dev_zero_or_a_fifo_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("baseline.fifo");
        mkfifo(&fifo);
        for baseline in [Path::new("/dev/zero"), fifo.as_path()] {
            let o = prior()
                .arg("report")
                .arg(data("bundles/clean"))
                .arg("--baseline")
                .arg(baseline)
                .timeout(TIMEOUT)
                .output()
                .unwrap();
            let err = flat(&String::from_utf8_lossy(&o.stderr));
            assert_eq!(o.status.code(), Some(2), "{err}");
            assert!(err.contains("not a regular file"), "{err}");
        }
    }

    // 8. No silent change of the verdict.

    #[test]
    fn an_implausible_clock_offset_is_an_integrity_problem() {
        let dir = tempfile::tempdir().unwrap();
        let b = example(dir.path(), "leaky");
        std::fs::copy(data("net/loopback.pcap"), b.join("raw/net.pcap")).unwrap();
        edit_meta(&b, |m| m["device"]["clock_offset_us"] = i64::MAX.into());
        reseal(&b);
        let (code, _, err) = analyze(&b, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("implausible") && err.contains("clock_offset_us"),
            "{err}"
        );
        let (_, r) = json(&b, &["--allow-modified"]);
        let net = source(&r, "net");
        assert_eq!(net["status"], "failed", "{net}");
        assert!(
            net["detail"].as_str().unwrap().contains("more than a day"),
            "{net}"
        );
        assert_eq!(r["integrity"]["implausible"].as_array().unwrap().len(), 1);
    }

    /// A classic pcap with link type `link` and one 20-byte packet.
    fn pcap_with_link(link: u32) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&4u16.to_le_bytes());
        v.extend_from_slice(&0i32.to_le_bytes());
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&65535u32.to_le_bytes());
        v.extend_from_slice(&link.to_le_bytes());
        v.extend_from_slice(&1_700_000_000u32.to_le_bytes());
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&20u32.to_le_bytes());
        v.extend_from_slice(&20u32.to_le_bytes());
        v.extend_from_slice(&[0x45; 20]);
        v
    }

    #[test]
    fn a_capture_of_an_unsupported_link_type_is_not_analysed() {
        for link in [12u32, 14, 65535] {
            let dir = tempfile::tempdir().unwrap();
            let b = example(dir.path(), "clean");
            std::fs::write(b.join("raw/net.pcap"), pcap_with_link(link)).unwrap();
            reseal(&b);
            let (code, r) = json(&b, &[]);
            let net = source(&r, "net");
            assert_eq!(net["status"], "failed", "{link}: {net}");
            assert!(
                net["detail"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("unsupported link type {link}")),
                "{net}"
            );
            assert_ne!(code, 0, "a failed source cannot pass");
        }
    }

    #[test]
    fn a_complete_bundle_whose_harness_is_empty_or_has_no_end_is_incomplete() {
        for (what, keep) in [("empty", false), ("no end", true)] {
            let dir = tempfile::tempdir().unwrap();
            let b = example(dir.path(), "clean");
            let h = std::fs::read_to_string(b.join("harness.jsonl")).unwrap();
            let kept: String = if keep {
                h.lines()
                    .filter(|l| !l.contains("\"type\":\"end\""))
                    .map(|l| format!("{l}\n"))
                    .collect()
            } else {
                String::new()
            };
            assert_ne!(kept, h);
            std::fs::write(b.join("harness.jsonl"), kept).unwrap();
            reseal(&b);
            let (code, r) = json(&b, &[]);
            assert_ne!(code, 0, "{what}: {r}");
            assert_ne!(r["verdict"], "pass", "{what}");
            let reasons = r["incomplete"].to_string();
            assert!(
                reasons.contains(if keep { "no `end` record" } else { "is empty" }),
                "{what}: {reasons}"
            );
        }
    }

    #[test]
    fn a_missing_harness_is_not_also_reported_as_analysed() {
        let dir = tempfile::tempdir().unwrap();
        let b = example(dir.path(), "clean");
        std::fs::remove_file(b.join("harness.jsonl")).unwrap();
        reseal(&b);
        let (_, r) = json(&b, &[]);
        let h = source(&r, "harness");
        assert_eq!(h["status"], "failed", "{h}");
        assert_eq!(h["files"].as_array().unwrap().len(), 0, "{h}");
        let (_, text, _) = analyze(&b, &[]);
        assert!(!text.contains("harness.jsonl (analysed)"), "{text}");
        assert!(text.contains("missing"), "{text}");
    }

    // 9. Bundle directory names.

    #[test]
    fn concurrent_runs_into_one_out_directory_get_distinct_bundles() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("runs");
        let scenario = crate::util::root().join("scenarios/demo/leaky-shop.yaml");
        let children: Vec<_> = (0..3)
            .map(|_| {
                std::process::Command::new(assert_cmd::cargo::cargo_bin("prior"))
                    .arg("run")
                    .arg(&scenario)
                    .args(["--format", "json", "--out"])
                    .arg(&out)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert_ne!(o.status.code(), Some(3), "{err}");
            assert_ne!(o.status.code(), Some(2), "{err}");
        }
        let bundles: Vec<PathBuf> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(bundles.len(), 3, "{bundles:?}");
        for b in &bundles {
            let meta: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(b.join("meta.json")).unwrap())
                    .unwrap();
            assert_eq!(meta["status"]["state"], "complete", "{}", b.display());
            // The profile the run was made for is sealed by content.
            assert_eq!(meta["profile_used"]["name"], "cn-miit");
            assert_eq!(meta["profile_used"]["sha256"].as_str().unwrap().len(), 64);
        }
    }
}

/// Hostile APKs and APK paths (issue 12, items 3, 4 and 6): zip entries that lie about their
/// size, special files given as the APK or the UI dump. A clear error naming the file, exit 2,
/// bounded memory, never a hang.
mod apk {
    use crate::util::{mkfifo, prior, root};
    use prior_testkit::zip::{Entry, build, zeros_bomb};
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    /// No hostile input may keep a command running this long.
    const LIMIT: Duration = Duration::from_secs(60);

    fn polite_news() -> PathBuf {
        root().join("scenarios/demo/apps/polite-news.apk")
    }

    /// Polite News with its `AndroidManifest.xml` replaced by a DEFLATE stream that declares 100
    /// bytes and inflates to `inflates_to` (the real entries kept, stored).
    fn manifest_bomb(dir: &Path, inflates_to: u64) -> PathBuf {
        let apk = apk_entries(&polite_news())
            .into_iter()
            .filter(|e| e.name != "AndroidManifest.xml")
            .chain([Entry::deflated_declaring(
                "AndroidManifest.xml",
                zeros_bomb(inflates_to),
                100,
            )])
            .collect::<Vec<_>>();
        let p = dir.join("bomb.apk");
        std::fs::write(&p, build(&apk)).expect("write bomb");
        p
    }

    /// A real APK's entries as they are stored (compressed data, method, CRC, sizes), read from
    /// its central directory (APPNOTE 4.3.12, 4.3.16); signatures left out.
    fn apk_entries(path: &Path) -> Vec<Entry> {
        let bytes = std::fs::read(path).expect("read apk");
        let eocd = (0..bytes.len() - 21)
            .rev()
            .find(|&i| bytes[i..i + 4] == *b"PK\x05\x06")
            .expect("end record");
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
        let u32_at = |i: usize| {
            u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize
        };
        let (count, mut at) = (u16_at(eocd + 10), u32_at(eocd + 16));
        let mut out = Vec::new();
        for _ in 0..count {
            assert_eq!(&bytes[at..at + 4], b"PK\x01\x02");
            let method = u16_at(at + 10) as u16;
            let crc = u32_at(at + 16) as u32;
            let csize = u32_at(at + 20);
            let usize_ = u32_at(at + 24) as u32;
            let (nlen, xlen, clen) = (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32));
            let local = u32_at(at + 42);
            let name = String::from_utf8_lossy(&bytes[at + 46..at + 46 + nlen]).into_owned();
            let data_at = local + 30 + u16_at(local + 26) + u16_at(local + 28);
            if !name.starts_with("META-INF/") {
                out.push(Entry {
                    name,
                    data: bytes[data_at..data_at + csize].to_vec(),
                    method,
                    crc,
                    declared_size: usize_,
                });
            }
            at += 46 + nlen + xlen + clen;
        }
        out
    }

    fn scenario(dir: &Path, apk: &Path) -> PathBuf {
        let models = root().join("scenarios/demo/models");
        let text = format!(
            "name: hostile APK (test)\n\
             app: {{ apk: {apk:?} }}\n\
             device: {{ simulated: {{ models: {models:?} }} }}\n\
             profile: gdpr\n\
             consent:\n  mode: auto\n  timeout: 5s\n"
        );
        let p = dir.join("hostile.yaml");
        std::fs::write(&p, text).expect("write scenario");
        p
    }

    /// Runs `prior ARGS` with a deadline; returns (exit code, stderr).
    fn run(args: &[&std::ffi::OsStr]) -> (i32, String) {
        let out = prior()
            .args(args)
            .env("NO_COLOR", "1")
            .timeout(LIMIT)
            .output()
            .expect("run prior");
        let code = out.status.code().unwrap_or(-1);
        (code, unwrapped(&String::from_utf8_lossy(&out.stderr)))
    }

    /// Runs `prior ARGS` under an address-space limit of `kib` KiB (`ulimit -v`): a command
    /// that allocates past it dies (allocation failure aborts), which the exit code shows.
    fn run_limited(kib: u64, args: &[&std::ffi::OsStr]) -> (i32, String) {
        let bin = assert_cmd::cargo::cargo_bin("prior");
        let out = assert_cmd::Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
            .arg(bin)
            .args(args)
            .env("NO_COLOR", "1")
            .timeout(LIMIT)
            .output()
            .expect("run prior under ulimit");
        let code = out.status.code().unwrap_or(-1);
        (code, unwrapped(&String::from_utf8_lossy(&out.stderr)))
    }

    /// stderr with miette's line wrapping and frame undone: one space between words.
    fn unwrapped(stderr: &str) -> String {
        stderr
            .replace(['│', '×'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn os(s: &str) -> &std::ffi::OsStr {
        std::ffi::OsStr::new(s)
    }

    #[test]
    fn a_manifest_that_lies_about_its_size_is_an_error_in_bounded_memory() {
        let dir = tempfile::tempdir().expect("tempdir");
        // 1.5 GiB if inflated in full; Prior stops at its 256 MiB per-entry cap.
        let bomb = manifest_bomb(dir.path(), 3 << 29);
        let scen = scenario(dir.path(), &bomb);
        let shown = bomb.display().to_string();
        // 1 GiB of address space: enough for a real APK (checked first), not for the bomb.
        const KIB: u64 = 1 << 20;
        let (code, err) = run_limited(KIB, &[os("inspect"), polite_news().as_os_str()]);
        assert_eq!(code, 0, "a real APK under the same limit: {err}");
        for cmd in [
            vec![os("inspect"), bomb.as_os_str()],
            vec![os("sdks"), bomb.as_os_str()],
            vec![os("check"), scen.as_os_str()],
            vec![
                os("run"),
                scen.as_os_str(),
                os("--out"),
                dir.path().as_os_str(),
            ],
        ] {
            let (code, err) = run_limited(KIB, &cmd);
            assert_eq!(code, 2, "{cmd:?}: {err}");
            assert!(err.contains(&shown), "{cmd:?}: {err}");
            assert!(
                err.contains("AndroidManifest.xml inflates to more than 268435456 bytes"),
                "{cmd:?}: {err}"
            );
            assert!(err.contains("100 uncompressed"), "{cmd:?}: {err}");
        }
        // `prior run` stopped before touching a device: no bundle.
        let bundles = std::fs::read_dir(dir.path())
            .expect("out")
            .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_dir()))
            .count();
        assert_eq!(bundles, 0);
    }

    /// The special and wrong files of issue 12, item 4, each with what the error must say.
    fn special_files(dir: &Path) -> Vec<(PathBuf, &'static str)> {
        let fifo = dir.join("fifo.apk");
        mkfifo(&fifo);
        let empty = dir.join("empty.apk");
        std::fs::write(&empty, b"").expect("write");
        let text = dir.join("text.apk");
        std::fs::write(&text, b"this is not an APK\n").expect("write");
        let subdir = dir.join("dir.apk");
        std::fs::create_dir(&subdir).expect("mkdir");
        let zero_link = dir.join("zero.apk");
        std::os::unix::fs::symlink("/dev/zero", &zero_link).expect("symlink");
        vec![
            (fifo, "it is a FIFO (named pipe), not a regular file"),
            (
                PathBuf::from("/dev/zero"),
                "it is a character device, not a regular file",
            ),
            (zero_link, "it is a character device, not a regular file"),
            (subdir, "it is a directory, not a regular file"),
            (empty, "the file is empty"),
            (text, "not a zip archive"),
        ]
    }

    #[test]
    fn special_files_as_the_apk_are_rejected_by_check_run_inspect_and_sdks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = tempfile::tempdir().expect("tempdir");
        for (path, why) in special_files(dir.path()) {
            let scen = scenario(dir.path(), &path);
            let shown = format!("read APK {}: {why}", path.display());
            let mut cmds = vec![
                vec![os("check"), scen.as_os_str()],
                vec![
                    os("run"),
                    scen.as_os_str(),
                    os("--out"),
                    out.path().as_os_str(),
                ],
                vec![os("inspect"), path.as_os_str()],
            ];
            // `prior sdks DIR` reads a bundle directory, not an APK.
            if !path.is_dir() {
                cmds.push(vec![os("sdks"), path.as_os_str()]);
            }
            for cmd in cmds {
                let (code, err) = run(&cmd);
                assert_eq!(code, 2, "{cmd:?}: {err}");
                assert!(err.contains(&shown), "{cmd:?}: want {shown:?} in\n{err}");
            }
        }
        assert_eq!(std::fs::read_dir(out.path()).expect("out").count(), 0);
        // The same scenario with a real APK passes `prior check`.
        let scen = scenario(dir.path(), &polite_news());
        let (code, err) = run(&[os("check"), scen.as_os_str()]);
        assert_eq!(code, 0, "{err}");
    }

    #[test]
    fn ui_rejects_special_and_oversized_dumps_before_reading() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("dump.xml");
        mkfifo(&fifo);
        let sparse = dir.path().join("sparse.xml");
        std::fs::File::create(&sparse)
            .and_then(|f| f.set_len(3 << 30))
            .expect("sparse file");
        let cases: [(&Path, String); 4] = [
            (
                &fifo,
                "it is a FIFO (named pipe), not a regular file".into(),
            ),
            (
                Path::new("/dev/zero"),
                "it is a character device, not a regular file".into(),
            ),
            (dir.path(), "it is a directory, not a regular file".into()),
            (
                &sparse,
                format!("{} bytes or more, over the 33554432-byte limit", 3u64 << 30),
            ),
        ];
        for (path, why) in cases {
            // 512 MiB of address space: reading the 3 GiB sparse file would not fit.
            let (code, err) = run_limited(1 << 19, &[os("ui"), path.as_os_str()]);
            assert_eq!(code, 2, "{path:?}: {err}");
            let want = format!("failed to read {}: {why}", path.display());
            assert!(err.contains(&want), "want {want:?} in\n{err}");
        }
    }
}

/// Item 5: control characters and bidirectional overrides from a bundle or a scenario never
/// reach the terminal raw; their escaped form is shown instead.
mod escape {
    use crate::util::{copy_dir, data, prior, root};
    use std::path::{Path, PathBuf};

    /// ESC, BEL, a lone CR, a C1 CSI and a right-to-left override.
    const HOSTILE: &str = "x\u{1b}[31mred\u{7}\r\u{9b}2J\u{202e}gnp";

    /// Fails when `bytes` (a whole stdout or stderr) holds a raw ESC, BEL, lone CR, DEL, C1
    /// control or bidirectional formatting character.
    fn assert_clean(what: &str, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let raw: Vec<String> = text
            .char_indices()
            .filter(|&(i, c)| {
                let lone_cr = c == '\r' && !text[i + 1..].starts_with('\n');
                (c.is_control() && c != '\n' && c != '\t' && c != '\r')
                    || lone_cr
                    || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}')
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            })
            .map(|(i, c)| format!("U+{:04X} at byte {i}", c as u32))
            .collect();
        assert!(
            raw.is_empty(),
            "{what} holds raw {raw:?}:\n{}",
            text.escape_debug()
        );
    }

    /// A miette diagnostic's text with its wrapping undone: each line's margin (`×`, `│`,
    /// spaces) dropped and the lines joined without a separator.
    fn unwrapped(err: &str) -> String {
        err.lines()
            .map(|l| l.trim_start_matches([' ', '×', '│']))
            .collect()
    }

    /// The leaky example bundle in `dir`, with `edit` applied to its `meta.json`.
    fn bundle_with_meta(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
        let b = dir.join("bundle");
        copy_dir(&data("bundles/leaky"), &b);
        let meta = b.join("meta.json");
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
        edit(&mut m);
        std::fs::write(&meta, serde_json::to_string_pretty(&m).unwrap()).unwrap();
        b
    }

    fn output(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
        let out = cmd.output().expect("prior runs");
        assert_clean("stdout", &out.stdout);
        assert_clean("stderr", &out.stderr);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    #[test]
    fn a_status_state_quoted_in_the_meta_json_error_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let b = bundle_with_meta(dir.path(), |m| m["status"]["state"] = HOSTILE.into());
        let (code, _, err) = output(prior().arg("analyze").arg(&b));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("unknown variant"), "{err}");
        assert!(
            unwrapped(&err).contains(r"x\u{1b}[31mred\u{7}\u{d}\u{9b}2J\u{202e}gnp"),
            "{err}"
        );
    }

    #[test]
    fn a_harness_record_type_quoted_in_the_harness_error_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("bundle");
        copy_dir(&data("bundles/leaky"), &b);
        let harness = b.join("harness.jsonl");
        let text = std::fs::read_to_string(&harness).unwrap();
        let hostile = serde_json::to_string(HOSTILE).unwrap();
        let edited = text.replacen(
            r#""type":"appops_snapshot""#,
            &format!(r#""type":{hostile}"#),
            1,
        );
        assert_ne!(edited, text, "the fixture has an appops_snapshot record");
        std::fs::write(&harness, edited).unwrap();
        let (code, _, err) = output(prior().arg("analyze").arg(&b));
        assert_ne!(code, 0, "{err}");
        assert!(
            unwrapped(&err).contains(r"x\u{1b}[31mred\u{7}\u{d}\u{9b}2J\u{202e}gnp"),
            "{err}"
        );
    }

    #[test]
    fn a_file_name_not_listed_in_the_manifest_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("bundle");
        copy_dir(&data("bundles/leaky"), &b);
        std::fs::write(
            b.join("raw/ipc").join("e\u{1b}]0;owned\u{7}\u{202e}txt"),
            "x",
        )
        .unwrap();
        let (code, out, err) = output(prior().arg("analyze").arg(&b));
        assert_ne!(code, 0, "{out}{err}");
        let all = format!("{out}{err}");
        assert!(all.contains("not listed"), "{all}");
        assert!(
            unwrapped(&all).contains(r"raw/ipc/e\u{1b}]0;owned\u{7}\u{202e}txt"),
            "{all}"
        );
    }

    /// With `--format json` the escape is JSON's own: the output parses and the string
    /// decodes to the bundle's value, yet no raw control character is written.
    #[test]
    fn json_on_stdout_stays_valid_and_keeps_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let b = bundle_with_meta(dir.path(), |m| m["scenario"]["name"] = HOSTILE.into());
        let (_, out, err) = output(
            prior()
                .args(["analyze", "--allow-modified", "--format", "json"])
                .arg(&b),
        );
        let r: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| {
            panic!("stdout is JSON ({e}): {err}");
        });
        let shown = out.contains(r"\u202e") && out.contains(r"\u009b");
        assert!(shown, "escaped in JSON notation: {out}");
        fn holds(v: &serde_json::Value, s: &str) -> bool {
            match v {
                serde_json::Value::String(x) => x == s,
                serde_json::Value::Array(a) => a.iter().any(|v| holds(v, s)),
                serde_json::Value::Object(o) => o.values().any(|v| holds(v, s)),
                _ => false,
            }
        }
        assert!(
            holds(&r, HOSTILE),
            "the decoded value is the bundle's: {out}"
        );
    }

    /// A scenario for the polite-news demo app on the in-process simulated handset, named
    /// `name` (YAML double-quoted escapes: `\e`, `\a`, `\u202e`).
    fn polite_scenario(dir: &Path, name: &str) -> PathBuf {
        let apk = root().join("scenarios/demo/apps/polite-news.apk");
        let models = root().join("scenarios/demo/models");
        let text = format!(
            "name: \"{name}\"\n\
             app: {{ apk: {apk:?} }}\n\
             device: {{ simulated: {{ models: {models:?} }} }}\n\
             profile: gdpr\n\
             consent:\n  mode: auto\n  timeout: 15s\n  screen: {{ text: \"(?i)privacy\" }}\n  accept: {{ text: \"^Accept$\" }}\n\
             steps:\n  - launch\n  - accept_consent\n"
        );
        let path = dir.join("hostile.yaml");
        std::fs::write(&path, text).unwrap();
        path
    }

    const YAML_NAME: &str = r"Polite \e[2J\e]0;owned\a\r\u202e";
    const SHOWN_NAME: &str = r"Polite \u{1b}[2J\u{1b}]0;owned\u{7}\u{d}\u{202e}";

    #[test]
    fn a_scenario_name_is_escaped_by_prior_check() {
        let dir = tempfile::tempdir().unwrap();
        let s = polite_scenario(dir.path(), YAML_NAME);
        let (code, out, err) = output(prior().arg("check").arg(&s));
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains(&format!("({SHOWN_NAME})")), "{out}");
    }

    #[test]
    fn a_scenario_name_is_escaped_in_the_run_header_and_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let s = polite_scenario(dir.path(), YAML_NAME);
        let (code, out, err) = output(
            prior()
                .arg("run")
                .arg(&s)
                .arg("--out")
                .arg(dir.path().join("out")),
        );
        assert_eq!(code, 0, "{out}{err}");
        assert!(err.starts_with(SHOWN_NAME), "the header: {err}");
        let in_report = format!("scenario \"{SHOWN_NAME}\"");
        assert!(out.contains(&in_report), "the report: {out}");
    }

    /// The source snippet of a scenario diagnostic is escaped, and its label still underlines
    /// the offending key after the escapes lengthened the line.
    #[test]
    fn a_diagnostic_source_snippet_is_escaped_and_its_label_still_points_at_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.yaml");
        std::fs::write(
            &path,
            "name: x\napp: { apk: app.apk }\ndevice: any\nsteps:\n  - launch\n  \
             - tap: { text: \"\u{202e}\u{2066}abc\", bogus: 1 }\n",
        )
        .unwrap();
        let (code, _, err) = output(prior().arg("check").arg(&path));
        assert_ne!(code, 0, "{err}");
        let shown = r#"- tap: { text: "\u{202e}\u{2066}abc", bogus: 1 }"#;
        let line = err
            .lines()
            .find(|l| l.contains(shown))
            .unwrap_or_else(|| panic!("the escaped source line: {err}"));
        let key_col = line.find("bogus").unwrap();
        // The label's underline (the line after) starts under `bogus`.
        let lines: Vec<&str> = err.lines().collect();
        let at = lines.iter().position(|l| *l == line).unwrap();
        let underline = lines[at + 1];
        let start = underline
            .char_indices()
            .find(|&(_, c)| c == '─' || c == '┬' || c == '^')
            .map(|(i, _)| underline[..i].chars().count());
        assert_eq!(
            start,
            Some(line[..key_col].chars().count()),
            "label under `bogus`:\n{line}\n{underline}"
        );

        // A raw ESC the YAML parser stops at is shown escaped in message and snippet, the
        // label on the escape.
        std::fs::write(
            &path,
            "name: x\napp: { apk: app.apk }\ndevice: any\nsteps:\n  - launch\n  \
             - tap: { text: \"\u{202e}\u{1b}[2J\u{7}\" }\n",
        )
        .unwrap();
        let (code, _, err) = output(prior().arg("check").arg(&path));
        assert_ne!(code, 0, "{err}");
        assert!(err.contains(r"unexpected character: `\u{1b}'"), "{err}");
        let lines: Vec<&str> = err.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains(r#"- tap: { text: "\u{202e}\u{1b}[2J\u{7}" }"#))
            .unwrap_or_else(|| panic!("the escaped source line: {err}"));
        let escape_col = lines[at]
            .find(r"\u{1b}")
            .map(|i| lines[at][..i].chars().count());
        let marker_col = lines[at + 1]
            .char_indices()
            .find(|&(_, c)| matches!(c, '─' | '┬' | '▲'))
            .map(|(i, _)| lines[at + 1][..i].chars().count());
        assert_eq!(marker_col, escape_col, "{err}");
    }

    /// A bidi override in a hostile value's path is escaped in an I/O error too.
    #[test]
    fn a_missing_scenario_path_with_controls_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no\u{1b}[31mfile\u{202e}.yaml");
        let (code, _, err) = output(prior().arg("check").arg(&path));
        assert_ne!(code, 0, "{err}");
        assert!(err.contains(r"no\u{1b}[31mfile\u{202e}.yaml"), "{err}");
    }
}
