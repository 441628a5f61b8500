//! The one check of an APK path before anything reads it: `prior run`, `prior check`,
//! `prior inspect` and `prior sdks` all go through [`open_apk_file`] (via
//! [`crate::ApkFacts::read`] and [`crate::Inventory::read`]), so `prior check` rejects exactly
//! what `prior run` cannot install.
//!
//! Order matters (issue 12, item 4): a FIFO opened for reading blocks until a writer appears and
//! `/dev/zero` never ends, so the path's type is checked from its metadata first, and the file is
//! then opened with `O_NONBLOCK` and checked again through the open handle (the path may have been
//! replaced in between). Only a regular, non-empty file of at most [`MAX_APK_BYTES`] that starts
//! with a zip signature is accepted.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;

/// The largest APK Prior reads (bytes). Choice, the issue is silent: 4 GiB, the largest archive
/// the classic (non-ZIP64) zip format can describe; every APK seen in practice is far smaller.
pub const MAX_APK_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// The most memory one zip entry (the manifest, `resources.arsc`, a dex file, a signature
/// block) may inflate to. The cap is enforced inside the zip reader's inflation loop, whatever
/// the central directory or the local header declares (`vendor/apk-info-zip/PRIOR-PATCH.md`).
pub const MAX_ENTRY_BYTES: u64 = apk_info::MAX_UNCOMPRESSED_SIZE as u64;

/// Why a path is not an APK Prior will read. Messages read after "failed to read APK PATH: ".
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ApkFileError {
    /// A FIFO, a device, a socket or a directory.
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
    /// Zero bytes.
    #[error("the file is empty")]
    Empty,
    /// Over [`MAX_APK_BYTES`].
    #[error("the file is {size} bytes, over the {max}-byte limit")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// Does not start with `PK\x03\x04` (or `PK\x05\x06`, an empty archive).
    #[error("not a zip archive (an APK starts with the bytes `PK\\x03\\x04`)")]
    NotZip,
}

/// What kind of file `meta` describes, for messages; `None` for a regular file.
fn special_kind(meta: &Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if t.is_char_device() {
        Some("a character device")
    } else if t.is_block_device() {
        Some("a block device")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        Some("not a regular file")
    }
}

fn check_regular(meta: &Metadata) -> Result<u64, ApkFileError> {
    match special_kind(meta) {
        Some(kind) => Err(ApkFileError::NotRegular(kind)),
        None => Ok(meta.len()),
    }
}

/// An error of [`open_apk_file`] and [`open_regular`]: the file could not be read, or it is
/// not what the caller needs.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// I/O.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The type, size or magic is wrong.
    #[error(transparent)]
    Invalid(#[from] ApkFileError),
}

/// Opens `path` for reading only if it is a regular file, without ever blocking: its metadata
/// is checked before the open (a FIFO or a device is never opened), the open uses
/// `O_NONBLOCK`, and the opened handle is checked again (the path may have changed in
/// between). Returns the file and its size. Also used for other inputs that must be regular
/// files (`prior ui`'s dump).
pub fn open_regular(path: &Path) -> Result<(File, u64), OpenError> {
    check_regular(&std::fs::metadata(path)?)?;
    let file = open_nonblocking(path)?;
    let size = check_regular(&file.metadata()?)?;
    Ok((file, size))
}

/// Checks `path` (type, size, zip signature) without blocking and returns it opened, with its
/// size. The handle is positioned after the 4 signature bytes; callers that read it again
/// seek or reopen.
pub fn open_apk_file(path: &Path) -> Result<(File, u64), OpenError> {
    let (mut file, size) = open_regular(path)?;
    if size == 0 {
        return Err(ApkFileError::Empty.into());
    }
    if size > MAX_APK_BYTES {
        return Err(ApkFileError::TooLarge {
            size,
            max: MAX_APK_BYTES,
        }
        .into());
    }
    let mut magic = [0u8; 4];
    file.read_exact(&mut magic).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            OpenError::Invalid(ApkFileError::NotZip)
        } else {
            OpenError::Io(e)
        }
    })?;
    if &magic != b"PK\x03\x04" && &magic != b"PK\x05\x06" {
        return Err(ApkFileError::NotZip.into());
    }
    Ok((file, size))
}

/// Opens read-only with `O_NONBLOCK`, so that a FIFO swapped in after the metadata check does not
/// block the open (a regular file ignores the flag).
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn invalid(path: &Path) -> ApkFileError {
        match open_apk_file(path) {
            Err(OpenError::Invalid(e)) => e,
            other => panic!("{path:?}: {other:?}"),
        }
    }

    #[test]
    fn special_and_wrong_files_are_rejected_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.apk");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        // Would block forever if opened for reading first.
        assert_eq!(
            invalid(&fifo),
            ApkFileError::NotRegular("a FIFO (named pipe)")
        );
        assert_eq!(
            invalid(Path::new("/dev/zero")),
            ApkFileError::NotRegular("a character device")
        );
        assert_eq!(invalid(dir.path()), ApkFileError::NotRegular("a directory"));
        let empty = dir.path().join("empty.apk");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(invalid(&empty), ApkFileError::Empty);
        let text = dir.path().join("text.apk");
        std::fs::write(&text, b"hello, I am a text file\n").unwrap();
        assert_eq!(invalid(&text), ApkFileError::NotZip);
        let short = dir.path().join("short.apk");
        std::fs::write(&short, b"PK").unwrap();
        assert_eq!(invalid(&short), ApkFileError::NotZip);
        // A sparse file over the limit: rejected from its metadata, never read.
        let huge = dir.path().join("huge.apk");
        let f = std::fs::File::create(&huge).unwrap();
        f.set_len(MAX_APK_BYTES + 1).unwrap();
        assert_eq!(
            invalid(&huge),
            ApkFileError::TooLarge {
                size: MAX_APK_BYTES + 1,
                max: MAX_APK_BYTES
            }
        );
        assert!(matches!(
            open_apk_file(&dir.path().join("missing.apk")),
            Err(OpenError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound
        ));
        // Both zip signatures pass this check (the zip reader decides the rest).
        let empty_zip = dir.path().join("empty-zip.apk");
        let mut eocd = b"PK\x05\x06".to_vec();
        eocd.extend_from_slice(&[0u8; 18]);
        std::fs::write(&empty_zip, &eocd).unwrap();
        assert_eq!(open_apk_file(&empty_zip).unwrap().1, 22);
        let real =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/apks/app-uiautomator.apk");
        assert_eq!(open_apk_file(&real).unwrap().1, 1_873_729);
    }
}
