//! Property tests of `Bundle::open` on damaged bundles: a sealed bundle whose `meta.json`,
//! `harness.jsonl` or `MANIFEST.sha256` is truncated, has a byte changed, or has bytes
//! inserted or removed. `Bundle::open` never panics; it returns a clear error (naming the
//! damaged file), or a bundle that says it is incomplete or modified — never a complete,
//! intact bundle whose content differs from what was sealed.

#![expect(clippy::unwrap_used, reason = "tests may unwrap")]

use prior_model::bundle::{
    AppInfo, Bundle, BundleError, BundleWriter, DeviceInfo, HARNESS_FILE, HarnessRecord,
    MANIFEST_FILE, META_FILE, Meta, RecordingState,
};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A sealed, complete bundle written once per test process (in a directory that lives as
/// long as the process).
fn template() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = tempfile::tempdir().unwrap().keep().join("sealed");
        let meta = Meta::new(
            "0.1.0",
            1_700_000_000_000_000,
            AppInfo {
                package: "com.example.shop".into(),
                version_name: Some("1.2.3".into()),
                ..AppInfo::default()
            },
            DeviceInfo {
                serial: "emulator-5554".into(),
                ..DeviceInfo::default()
            },
        );
        let mut w = BundleWriter::create(&root, meta).unwrap();
        for (i, m) in ["armed", "launched 同意", "consent tapped"]
            .iter()
            .enumerate()
        {
            w.record(
                1_700_000_000_000_000 + i as i64 * 1000,
                HarnessRecord::Marker {
                    message: (*m).into(),
                },
            )
            .unwrap();
        }
        w.write_raw(
            "raw/appops/001.txt",
            b"Uid 10123:\n  READ_PHONE_STATE: allow\n",
        )
        .unwrap();
        let mut f = w.append_raw("raw/logcat.txt").unwrap();
        f.write_all(b"1700000000.000100  1000  123  123 I prior   : hello\n")
            .unwrap();
        drop(f);
        w.finish(1_700_000_001_000_000, RecordingState::Complete, None)
            .unwrap();
        let b = Bundle::open(&root).unwrap();
        assert!(b.is_complete() && b.integrity.is_intact(), "{b:?}");
        root
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (p, t) = (e.path(), to.join(e.file_name()));
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// One way to damage a file's bytes.
#[derive(Debug, Clone)]
enum Damage {
    /// Keep only the first `at` bytes (as a crash mid-write leaves it).
    Truncate(usize),
    /// XOR one byte with a non-zero mask.
    Flip(usize, u8),
    /// Insert bytes.
    Insert(usize, Vec<u8>),
    /// Remove `len` bytes.
    Remove(usize, usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), 1u8..=255).prop_map(|(a, m)| Damage::Flip(a, m)),
        (
            any::<usize>(),
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..8),
                // Plausible text: digits, JSON punctuation, newlines.
                "[0-9a-f{}\":, \n]{1,8}".prop_map(String::into_bytes),
            ]
        )
            .prop_map(|(a, b)| Damage::Insert(a, b)),
        (any::<usize>(), 1usize..16).prop_map(|(a, n)| Damage::Remove(a, n)),
    ]
}

/// The damaged bytes; always different from `orig` (which is never empty).
fn apply(orig: &[u8], d: &Damage) -> Vec<u8> {
    let n = orig.len();
    let mut v = orig.to_vec();
    match d {
        Damage::Truncate(at) => v.truncate(at % n),
        Damage::Flip(at, mask) => v[at % n] ^= mask,
        Damage::Insert(at, bytes) => {
            let at = at % (n + 1);
            v.splice(at..at, bytes.iter().copied());
        }
        Damage::Remove(at, len) => {
            let at = at % n;
            v.drain(at..(at + len).min(n));
        }
    }
    v
}

/// The manifest's listing as `sha256sum -c` reads it: (path, lowercase hash) per line.
fn listing(text: &[u8]) -> Option<BTreeSet<(String, String)>> {
    let text = std::str::from_utf8(text).ok()?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (h, p) = l.split_once("  ").or_else(|| l.split_once(" *"))?;
            Some((p.to_string(), h.to_ascii_lowercase()))
        })
        .collect()
}

fn harness_json(b: &Bundle) -> Vec<String> {
    b.harness
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect()
}

/// Opens a copy of the template with `file` damaged; checks the properties every damage
/// must keep, and returns the result for damage-specific checks.
fn open_damaged(file: &str, d: &Damage) -> (Vec<u8>, Result<Bundle, BundleError>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("b");
    copy_dir(template(), &root);
    let orig = std::fs::read(root.join(file)).unwrap();
    let damaged = apply(&orig, d);
    assert_ne!(orig, damaged);
    std::fs::write(root.join(file), &damaged).unwrap();
    let r = Bundle::open(&root);
    if let Err(e) = &r {
        let msg = e.to_string();
        assert!(msg.contains(file), "the error names {file}: {msg}");
        if let BundleError::Malformed { line, .. } = e {
            let lines = damaged.split(|b| *b == b'\n').count() as u64;
            assert!(
                line.is_some_and(|l| (1..=lines).contains(&l)),
                "{msg}: line within 1..={lines}"
            );
        }
    }
    (damaged, r)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Damaged meta.json: an error naming it, or a bundle whose integrity check lists it as
    /// modified.
    #[test]
    fn damaged_meta_is_an_error_or_reported_modified(d in damage()) {
        let (_, r) = open_damaged(META_FILE, &d);
        if let Ok(b) = r {
            prop_assert!(!b.integrity.is_intact());
            prop_assert_eq!(b.integrity.modified, vec![META_FILE.to_string()]);
        }
    }

    /// Damaged harness.jsonl: an error naming it and the line, or a bundle that reports it
    /// modified; a truncated log (a crash mid-write) always loads, with exactly a prefix of
    /// the records.
    #[test]
    fn damaged_harness_is_an_error_or_reported_modified(d in damage()) {
        let original = harness_json(&Bundle::open(template()).unwrap());
        let (_, r) = open_damaged(HARNESS_FILE, &d);
        match (r, &d) {
            (Ok(b), Damage::Truncate(_)) => {
                prop_assert_eq!(&b.integrity.modified, &vec![HARNESS_FILE.to_string()]);
                let got = harness_json(&b);
                prop_assert!(got.len() <= original.len());
                prop_assert_eq!(&got[..], &original[..got.len()]);
            }
            (Ok(b), _) => {
                prop_assert_eq!(b.integrity.modified, vec![HARNESS_FILE.to_string()]);
            }
            (Err(e), Damage::Truncate(_)) => {
                // A cut leaves whole lines and at most one partial last line, which is
                // dropped: a crash mid-write always loads.
                prop_assert!(false, "a truncated harness must load: {}", e);
            }
            (Err(_), _) => {}
        }
    }

    /// Damaged MANIFEST.sha256: an error naming it, or a bundle that is not intact — unless
    /// the damage left the listing exactly as it was (e.g. a hash digit changed to upper
    /// case, which `sha256sum -c` accepts too).
    #[test]
    fn damaged_manifest_is_an_error_or_not_intact(d in damage()) {
        let orig = std::fs::read(template().join(MANIFEST_FILE)).unwrap();
        let (damaged, r) = open_damaged(MANIFEST_FILE, &d);
        if let Ok(b) = r {
            if b.integrity.is_intact() {
                prop_assert_eq!(listing(&damaged), listing(&orig), "{:?}", d);
            }
            // The sealed files themselves are untouched: a file can only be reported modified
            // because its line in the damaged manifest no longer matches it, and only files
            // the original manifest lists can be named.
            for f in &b.integrity.modified {
                prop_assert!(
                    listing(&orig).is_some_and(|l| l.iter().any(|(path, _)| path == f)),
                    "{:?} names {} which the manifest never listed", b.integrity, f
                );
            }
        }
    }
}

/// The properties above can fail: a damaged file is caught every time in these fixed cases.
#[test]
fn fixed_damage_cases() {
    // A cut mid-line in the harness: the line is dropped and the bundle says so.
    let len = std::fs::read(template().join(HARNESS_FILE)).unwrap().len();
    let (_, r) = open_damaged(HARNESS_FILE, &Damage::Truncate(len - 5));
    let b = r.unwrap();
    assert!(!b.is_complete());
    assert!(
        b.incomplete.iter().any(|r| r.contains("cut off mid-line")),
        "{:?}",
        b.incomplete
    );
    // A manifest cut before its last line leaves that file unlisted.
    let m = std::fs::read(template().join(MANIFEST_FILE)).unwrap();
    let last_line = m[..m.len() - 1].iter().rposition(|b| *b == b'\n').unwrap() + 1;
    let (_, r) = open_damaged(MANIFEST_FILE, &Damage::Truncate(last_line));
    let b = r.unwrap();
    assert_eq!(b.integrity.unlisted.len(), 1, "{:?}", b.integrity);
    // Garbage in meta.json is an error with its line.
    let (_, r) = open_damaged(META_FILE, &Damage::Insert(0, b"x".to_vec()));
    let e = r.unwrap_err().to_string();
    assert!(e.contains("meta.json line 1"), "{e}");
}

/// What a hostile bundle may put at a path.
#[derive(Debug, Clone)]
enum Plant {
    /// A regular file with these bytes.
    Bytes(Vec<u8>),
    /// A symbolic link to a file outside the bundle.
    LinkOut,
    /// A symbolic link to `/dev/zero`.
    LinkZero,
    /// A named pipe nobody writes to.
    Fifo,
    /// An empty directory.
    Dir,
}

fn plant() -> impl Strategy<Value = Plant> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256).prop_map(Plant::Bytes),
        // JSON-ish and manifest-ish garbage.
        "[0-9a-f{}\\[\\]\":, \n*./_a-z]{0,200}".prop_map(|s| Plant::Bytes(s.into_bytes())),
        Just(Plant::LinkOut),
        Just(Plant::LinkZero),
        Just(Plant::Fifo),
        Just(Plant::Dir),
    ]
}

fn put(path: &Path, p: &Plant, outside: &Path) {
    if path.symlink_metadata().is_ok() {
        if path.is_dir() && !path.is_symlink() {
            std::fs::remove_dir_all(path).unwrap();
        } else {
            std::fs::remove_file(path).unwrap();
        }
    }
    match p {
        Plant::Bytes(b) => std::fs::write(path, b).unwrap(),
        Plant::LinkOut => std::os::unix::fs::symlink(outside, path).unwrap(),
        Plant::LinkZero => std::os::unix::fs::symlink("/dev/zero", path).unwrap(),
        Plant::Fifo => {
            let st = std::process::Command::new("mkfifo")
                .arg(path)
                .status()
                .unwrap();
            assert!(st.success());
        }
        Plant::Dir => std::fs::create_dir(path).unwrap(),
    }
}

/// `Bundle::open` in a thread: a hang fails the test instead of blocking it.
fn open_within(root: &Path, secs: u64) -> Result<Bundle, BundleError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(Bundle::open(&root));
    });
    rx.recv_timeout(std::time::Duration::from_secs(secs))
        .expect("Bundle::open returned in time (no hang on a FIFO or /dev/zero)")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Whatever a bundle holds in place of meta.json, harness.jsonl, MANIFEST.sha256 and a raw
    /// file — random bytes, garbage JSON, links out of the bundle or to /dev/zero, FIFOs,
    /// directories — `Bundle::open` returns (no panic, no hang), and it never hands out a
    /// bundle that looks intact while an entry is not a regular file.
    #[test]
    fn hostile_entries_never_panic_hang_or_pass_as_intact(
        meta in proptest::option::of(plant()),
        harness in proptest::option::of(plant()),
        manifest in proptest::option::of(plant()),
        raw in proptest::option::of(plant()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        copy_dir(template(), &root);
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, b"outside\n").unwrap();
        let planted = [
            (META_FILE, &meta),
            (HARNESS_FILE, &harness),
            (MANIFEST_FILE, &manifest),
            ("raw/logcat.txt", &raw),
        ];
        for (name, p) in planted {
            if let Some(p) = p {
                put(&root.join(name), p, &outside);
            }
        }
        let r = open_within(&root, 20);
        let special = |p: &Option<Plant>| p.as_ref().is_some_and(|p| !matches!(p, Plant::Bytes(_)));
        for (name, p) in planted {
            // An empty directory in raw/ is harmless unless the manifest expects a file there.
            let unexpected_dir = name.starts_with("raw/")
                && matches!(p, Some(Plant::Dir))
                && manifest.is_some();
            if !special(p) || unexpected_dir {
                continue;
            }
            match &r {
                Ok(b) => {
                    prop_assert!(!b.integrity.is_intact(), "{name}: {:?}", b.integrity);
                    prop_assert!(
                        b.integrity.irregular.iter().any(|e| e.starts_with(name)),
                        "{name} is listed: {:?}", b.integrity
                    );
                    let refused = matches!(
                        b.read_file(name, 1 << 20),
                        Err(BundleError::NotRegular { .. })
                    );
                    prop_assert!(refused, "{} is never read", name);
                }
                Err(e) => {
                    let msg = e.to_string();
                    prop_assert!(msg.contains("meta.json") || msg.contains("harness.jsonl")
                        || msg.contains("MANIFEST.sha256") || msg.contains(name), "{msg}");
                }
            }
        }
    }
}
