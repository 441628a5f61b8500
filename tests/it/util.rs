//! Helpers shared by the end-to-end tests.

use std::path::PathBuf;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under `tests/data/`.
pub fn data(rel: &str) -> PathBuf {
    root().join("tests/data").join(rel)
}

/// The `prior` binary under test.
pub fn prior() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("prior").expect("the prior binary is built by cargo test")
}
