//! Hostile APKs (issue 12, items 3 and 4): zip entries that lie about their size, mutated real
//! APK bytes. Never a panic, memory bounded by [`crate::MAX_ENTRY_BYTES`] per entry.
#![allow(clippy::unwrap_used)]

use crate::{ApkFacts, Inventory, InventoryError, MAX_ENTRY_BYTES, SdkCatalog};
use prior_testkit::zip::{Entry, build, zeros_bomb, zeros_bomb_len};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/apks/app-uiautomator.apk")
}

/// The real APK's entries (stored, honest), signatures left out, `replace` swapped in by name.
fn real_entries(replace: Vec<Entry>) -> Vec<Entry> {
    let apk = apk_info::Apk::new(fixture()).unwrap();
    let mut out: Vec<Entry> = apk
        .namelist()
        .filter(|n| !n.starts_with("META-INF/"))
        .filter(|n| !replace.iter().any(|r| r.name == *n))
        .map(|n| Entry::stored(n, &apk.read(n).unwrap().0))
        .collect();
    out.extend(replace);
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn the_bomb_generator_inflates_to_what_it_says() {
    // A small "bomb" under the cap is read in full, whatever the headers declare.
    let n = 1 << 20;
    let zip = build(&[Entry::deflated_declaring("x", zeros_bomb(n), 100)]);
    let z = apk_info::ZipEntry::new(zip).unwrap();
    let (data, kind) = z.read("x").unwrap();
    assert_eq!(data.len() as u64, zeros_bomb_len(n));
    assert!(data.iter().all(|&b| b == 0));
    assert_eq!(kind, apk_info::FileCompressionType::DeflatedTampered);
}

#[test]
fn a_manifest_that_lies_about_its_size_stops_at_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = zeros_bomb(MAX_ENTRY_BYTES + (16 << 20));
    let compressed = bomb.len();
    let entries = real_entries(vec![Entry::deflated_declaring(
        "AndroidManifest.xml",
        bomb,
        100,
    )]);
    let apk = write(dir.path(), "bomb.apk", &build(&entries));
    let want = format!(
        "AndroidManifest.xml inflates to more than {MAX_ENTRY_BYTES} bytes (the zip headers \
         declare {compressed} compressed, 100 uncompressed)"
    );
    for e in [
        ApkFacts::read(&apk).unwrap_err(),
        Inventory::read(&apk, &SdkCatalog::builtin().unwrap()).unwrap_err(),
    ] {
        assert!(matches!(e, InventoryError::Apk { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!("read APK {}: ", apk.display())),
            "{msg}"
        );
        assert!(msg.contains(&want), "{msg}");
    }
}

#[test]
fn a_dex_that_lies_about_its_size_is_reported_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = zeros_bomb(MAX_ENTRY_BYTES + (16 << 20));
    let entries = real_entries(vec![Entry::deflated_declaring("classes2.dex", bomb, 100)]);
    let apk = write(dir.path(), "dexbomb.apk", &build(&entries));
    // `prior run` reads the manifest only.
    assert_eq!(
        ApkFacts::read(&apk).unwrap().package,
        "com.github.uiautomator"
    );
    let inv = Inventory::read(&apk, &SdkCatalog::builtin().unwrap()).unwrap();
    assert_eq!(inv.dex.len(), 2);
    assert!(inv.dex[0].error.is_none(), "{:?}", inv.dex[0]);
    assert_eq!(inv.dex[0].classes, 1714);
    let err = inv.dex[1].error.as_deref().unwrap();
    assert!(
        err.starts_with(&format!(
            "classes2.dex inflates to more than {MAX_ENTRY_BYTES} bytes"
        )),
        "{err}"
    );
    assert!(
        inv.to_text()
            .contains("classes2.dex: unreadable: classes2.dex inflates")
    );
}

#[test]
fn an_entry_declaring_more_than_the_cap_is_named() {
    // Declared over the cap: refused before inflating anything.
    let dir = tempfile::tempdir().unwrap();
    let declared = u32::try_from(MAX_ENTRY_BYTES + 1).unwrap();
    let entries = real_entries(vec![Entry::deflated_declaring(
        "AndroidManifest.xml",
        zeros_bomb(1000),
        declared,
    )]);
    let apk = write(dir.path(), "big.apk", &build(&entries));
    let e = ApkFacts::read(&apk).unwrap_err().to_string();
    assert!(
        e.contains(&format!(
            "AndroidManifest.xml is over Prior's {MAX_ENTRY_BYTES}-byte limit for one zip entry"
        )),
        "{e}"
    );
    assert!(e.contains(&format!("{declared} uncompressed")), "{e}");
}

#[test]
fn an_app_container_is_not_an_installable_apk() {
    // An xapk-style container: no usable root manifest, a base.apk inside. `adb install`
    // cannot install it, so neither `prior check` nor `prior run` accepts it.
    let dir = tempfile::tempdir().unwrap();
    let inner = std::fs::read(fixture()).unwrap();
    let apk = write(
        dir.path(),
        "app.xapk",
        &build(&[Entry::stored("base.apk", &inner)]),
    );
    let e = ApkFacts::read(&apk).unwrap_err();
    assert!(e.to_string().contains("an app container"), "{e}");
}

/// Mutations of the real APK's bytes: flipped bytes, overwritten 4-byte fields (sizes,
/// offsets), truncation.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let base = std::fs::read(fixture()).unwrap();
    let len = base.len();
    (
        prop::collection::vec((0..len, any::<u8>()), 0..8),
        prop::collection::vec((0..len.saturating_sub(4), any::<u32>()), 0..4),
        prop::option::of(0..len),
        // Aim some mutations at the tail (central directory, end record) where sizes live.
        prop::collection::vec((0..4096usize, any::<u32>()), 0..4),
    )
        .prop_map(move |(flips, words, cut, tail)| {
            let mut b = base.clone();
            for (i, v) in flips {
                b[i] = v;
            }
            for (i, v) in words {
                b[i..i + 4].copy_from_slice(&v.to_le_bytes());
            }
            for (back, v) in tail {
                let i = len.saturating_sub(4 + back % (len - 4));
                b[i..i + 4].copy_from_slice(&v.to_le_bytes());
            }
            if let Some(c) = cut {
                b.truncate(c);
            }
            b
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// The zip reader, the manifest reader and the dex reader on mutated real bytes: an answer
    /// or an error, never a panic; every entry read stays under the cap (the reader enforces
    /// it, so a mutation that turns an entry into a bomb ends as an error).
    #[test]
    fn mutated_real_apks_never_panic(bytes in mutated()) {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "m.apk", &bytes);
        let cat = SdkCatalog::builtin().unwrap();
        let _ = ApkFacts::read(&p);
        if let Ok(inv) = Inventory::read(&p, &cat) {
            let _ = inv.to_text();
            for d in &inv.dex {
                prop_assert!(d.classes <= 1 << 24);
            }
        }
        if let Ok(z) = apk_info::ZipEntry::new(bytes) {
            let names: Vec<String> = z.namelist().map(str::to_owned).collect();
            for n in names.iter().take(64) {
                if let Ok((data, _)) = z.read(n) {
                    prop_assert!(data.len() as u64 <= MAX_ENTRY_BYTES);
                    if n.ends_with(".dex") {
                        let _ = crate::DexFile::parse(&data);
                    }
                }
            }
        }
    }

    /// The manifest (AXML) and resource-table readers alone on mutated real bytes, and the
    /// whole APK with the mutated manifest in it: never a panic.
    #[test]
    fn mutated_real_manifest_never_panics(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        words in prop::collection::vec((any::<prop::sample::Index>(), any::<u32>()), 0..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let apk = apk_info::Apk::new(fixture()).unwrap();
        let mut m = apk.read("AndroidManifest.xml").unwrap().0;
        let arsc_bytes = apk.read("resources.arsc").unwrap().0;
        for (i, v) in flips {
            let k = i.index(m.len());
            m[k] = v;
        }
        for (i, v) in words {
            let k = i.index(m.len() - 3);
            m[k..k + 4].copy_from_slice(&v.to_le_bytes());
        }
        m.truncate(cut.index(m.len() + 1));
        let arsc = apk_info::ARSC::new(&mut &arsc_bytes[..]).ok();
        let _ = apk_info::AXML::new(&mut &m[..], arsc.as_ref());
        let mut a = arsc_bytes.clone();
        let k = a.len() / 2;
        a[k] ^= 0xff;
        let _ = apk_info::ARSC::new(&mut &a[..]);
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "m.apk",
            &build(&real_entries(vec![Entry::stored("AndroidManifest.xml", &m)])),
        );
        if let Ok(f) = ApkFacts::read(&p) {
            prop_assert!(!f.package.is_empty());
        }
    }

    /// The dex reader alone on mutated real dex bytes.
    #[test]
    fn mutated_real_dex_never_panics(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16),
        cut in any::<prop::sample::Index>(),
    ) {
        let apk = apk_info::Apk::new(fixture()).unwrap();
        let mut dex = apk.read("classes.dex").unwrap().0;
        for (i, v) in flips {
            let k = i.index(dex.len());
            dex[k] = v;
        }
        let k = cut.index(dex.len() + 1);
        dex.truncate(k);
        let _ = crate::DexFile::parse(&dex);
    }
}
