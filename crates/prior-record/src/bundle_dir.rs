//! Naming and creating a new bundle directory in an output directory (`prior run --out`).
//!
//! Names are `<stem>-<UTC date>T<time>.<microseconds>Z`, e.g.
//! `consent-20261128T193001.123456Z`, and the directory is created here, exclusively
//! (`mkdir`, which fails if the name exists): two runs started in the same microsecond into
//! the same `--out` — in one process or in several — get `…Z` and `…Z-2` (then `-3`, …),
//! never the same directory. The recorder then writes into the empty directory.

use std::io;
use std::path::{Path, PathBuf};

/// Most names tried for one stem and instant before giving up.
pub const MAX_NAME_ATTEMPTS: u32 = 10_000;

/// The base name for a bundle of `stem` started at host time `now_us` (µs since the epoch).
pub fn bundle_name(stem: &str, now_us: i64) -> String {
    let now = prior_model::format_micros_utc(now_us);
    // 2026-11-28T19:30:01.123456Z → 20261128T193001.123456Z
    let (secs, frac) = now.split_once('.').unwrap_or((now.as_str(), "000000Z"));
    let compact: String = secs
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    format!("{stem}-{compact}.{frac}")
}

/// Creates a new, empty bundle directory under `out` (creating `out` as needed) whose name
/// no other run has taken, and returns its path.
pub fn create_bundle_dir(out: &Path, stem: &str, now_us: i64) -> io::Result<PathBuf> {
    std::fs::create_dir_all(out).map_err(|e| with_path(out, e))?;
    let base = bundle_name(stem, now_us);
    for n in 1..=MAX_NAME_ATTEMPTS {
        let dir = if n == 1 {
            out.join(&base)
        } else {
            out.join(format!("{base}-{n}"))
        };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(with_path(&dir, e)),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{}: {MAX_NAME_ATTEMPTS} bundle directories named {base} already exist",
            out.display()
        ),
    ))
}

fn with_path(p: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", p.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_microseconds() {
        assert_eq!(
            bundle_name("consent", 1_764_358_201_123_456),
            "consent-20251128T193001.123456Z"
        );
    }

    #[test]
    fn concurrent_creation_in_the_same_microsecond_gives_distinct_directories() {
        let out = tempfile::tempdir().unwrap();
        let out = out.path().join("runs");
        let dirs: Vec<PathBuf> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..16)
                .map(|_| s.spawn(|| create_bundle_dir(&out, "sc", 1_764_358_201_000_000).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let unique: std::collections::BTreeSet<_> = dirs.iter().collect();
        assert_eq!(unique.len(), 16, "{dirs:?}");
        for d in &dirs {
            assert!(d.is_dir());
            assert_eq!(std::fs::read_dir(d).unwrap().count(), 0);
        }
        assert!(unique.contains(&out.join("sc-20251128T193001.000000Z")));
        assert!(unique.contains(&out.join("sc-20251128T193001.000000Z-16")));
    }
}
