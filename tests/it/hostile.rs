//! Hostile inputs end to end (issue 12). Each section is one area; every case is a regression
//! test of an attack that once worked.

/// Hostile APKs and APK paths (issue 12, items 3, 4 and 6): zip entries that lie about their
/// size, special files given as the APK or the UI dump. A clear error naming the file, exit 2,
/// bounded memory, never a hang.
mod apk {
    use crate::util::{prior, root};
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

    fn mkfifo(p: &Path) {
        let st = std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .expect("run mkfifo");
        assert!(st.success());
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
