//! Opening files inside a bundle without ever leaving it.
//!
//! A bundle is a directory someone else may have written (docs/security.md). Every file Prior
//! reads from one is opened here: one path component at a time from the bundle root with
//! `openat(…, O_NOFOLLOW)`, so a symbolic link anywhere below the root (`raw/` itself, a
//! sub-directory, the file) is refused rather than followed, and with `O_NONBLOCK`, so a FIFO
//! cannot block the open. The opened file is then checked with `fstat`: only a regular file is
//! handed out. A symbolic link, FIFO, socket, device or directory where a file is expected is
//! reported as [`FileKind`], which callers turn into an integrity error naming the path.
//!
//! The bundle root itself is the directory the operator named and may be reached through a
//! link the operator made.

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::OwnedFd;
use std::path::Path;

/// What a bundle entry is when it is not what was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link (never followed).
    Symlink,
    /// A named pipe.
    Fifo,
    /// A socket.
    Socket,
    /// A character device (e.g. `/dev/zero`).
    CharDevice,
    /// A block device.
    BlockDevice,
    /// Anything else.
    Other,
}

impl FileKind {
    /// Words for a report, e.g. `a symbolic link`.
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::Regular => "a regular file",
            FileKind::Directory => "a directory",
            FileKind::Symlink => "a symbolic link",
            FileKind::Fifo => "a named pipe (FIFO)",
            FileKind::Socket => "a socket",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Other => "not a regular file",
        }
    }

    fn of(t: FileType) -> FileKind {
        match t {
            FileType::RegularFile => FileKind::Regular,
            FileType::Directory => FileKind::Directory,
            FileType::Symlink => FileKind::Symlink,
            FileType::Fifo => FileKind::Fifo,
            FileType::Socket => FileKind::Socket,
            FileType::CharacterDevice => FileKind::CharDevice,
            FileType::BlockDevice => FileKind::BlockDevice,
            _ => FileKind::Other,
        }
    }

    /// The kind of a `std` file type (from `symlink_metadata` or a directory entry).
    pub fn of_std(t: std::fs::FileType) -> FileKind {
        use std::os::unix::fs::FileTypeExt;
        if t.is_symlink() {
            FileKind::Symlink
        } else if t.is_dir() {
            FileKind::Directory
        } else if t.is_file() {
            FileKind::Regular
        } else if t.is_fifo() {
            FileKind::Fifo
        } else if t.is_socket() {
            FileKind::Socket
        } else if t.is_char_device() {
            FileKind::CharDevice
        } else if t.is_block_device() {
            FileKind::BlockDevice
        } else {
            FileKind::Other
        }
    }
}

/// The result of [`open_in`].
#[derive(Debug)]
pub enum Opened {
    /// A regular file and its size in bytes.
    File(File, u64),
    /// Nothing at that path.
    Missing,
    /// Something that is not a regular file, or a path through something that is not a
    /// directory: the kind of the first offending component and its `/`-separated path.
    Irregular(FileKind, String),
}

/// Opens `rel` (`/`-separated, already checked to be a plain relative path) under `root`
/// without following any symbolic link below `root` and without blocking on a FIFO.
pub fn open_in(root: &Path, rel: &str) -> io::Result<Opened> {
    let segs: Vec<&str> = rel.split('/').collect();
    let Some((last, dirs)) = segs.split_last() else {
        return Ok(Opened::Missing);
    };
    let dir_flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let mut dir: OwnedFd = match rustix::fs::open(root, dir_flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(e) if e == rustix::io::Errno::NOENT => return Ok(Opened::Missing),
        Err(e) => return Err(e.into()),
    };
    for (i, seg) in dirs.iter().enumerate() {
        match rustix::fs::openat(&dir, *seg, dir_flags | OFlags::NOFOLLOW, Mode::empty()) {
            Ok(fd) => dir = fd,
            Err(e) => return classify(&dir, seg, e, true, &segs[..=i]),
        }
    }
    let flags =
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let fd = match rustix::fs::openat(&dir, *last, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(e) => return classify(&dir, last, e, false, &segs),
    };
    let st = rustix::fs::fstat(&fd)?;
    let kind = FileKind::of(FileType::from_raw_mode(st.st_mode));
    if kind != FileKind::Regular {
        return Ok(Opened::Irregular(kind, rel.to_string()));
    }
    Ok(Opened::File(
        File::from(fd),
        u64::try_from(st.st_size).unwrap_or(0),
    ))
}

/// Why opening `name` in `dir` failed: missing, irregular (with its kind), or an I/O error.
fn classify(
    dir: &OwnedFd,
    name: &str,
    e: rustix::io::Errno,
    want_dir: bool,
    at: &[&str],
) -> io::Result<Opened> {
    if e == rustix::io::Errno::NOENT {
        return Ok(Opened::Missing);
    }
    match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => {
            let kind = FileKind::of(FileType::from_raw_mode(st.st_mode));
            let expected = if want_dir {
                FileKind::Directory
            } else {
                FileKind::Regular
            };
            if kind != expected {
                Ok(Opened::Irregular(kind, at.join("/")))
            } else {
                Err(e.into())
            }
        }
        Err(rustix::io::Errno::NOENT) => Ok(Opened::Missing),
        Err(_) => Err(e.into()),
    }
}

/// Reads a whole file opened by [`open_in`], refusing one larger than `cap` bytes (whatever
/// its size claims, at most `cap + 1` bytes are read). `Err(Some(size))` when too large.
pub fn read_all_capped(file: File, size: u64, cap: u64) -> io::Result<Result<Vec<u8>, u64>> {
    if size > cap {
        return Ok(Err(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Ok(Err(bytes.len() as u64));
    }
    Ok(Ok(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn regular_missing_and_irregular_entries() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("raw")).unwrap();
        std::fs::write(root.join("raw/a.txt"), b"abc").unwrap();
        std::fs::write(dir.path().join("outside.txt"), b"secret").unwrap();
        symlink(root.join("outside.txt"), root.join("raw/link.txt")).unwrap();
        symlink(root.join("raw"), root.join("rawlink")).unwrap();
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            root.join("raw/fifo"),
            Mode::from_raw_mode(0o600),
        )
        .unwrap();
        match open_in(root, "raw/a.txt").unwrap() {
            Opened::File(_, n) => assert_eq!(n, 3),
            o => panic!("{o:?}"),
        }
        assert!(matches!(
            open_in(root, "raw/nope").unwrap(),
            Opened::Missing
        ));
        assert!(matches!(
            open_in(root, "raw/link.txt").unwrap(),
            Opened::Irregular(FileKind::Symlink, _)
        ));
        assert!(matches!(
            open_in(root, "rawlink/a.txt").unwrap(),
            Opened::Irregular(FileKind::Symlink, ref at) if at == "rawlink"
        ));
        // A FIFO neither blocks the open nor is handed out.
        assert!(matches!(
            open_in(root, "raw/fifo").unwrap(),
            Opened::Irregular(FileKind::Fifo, _)
        ));
        assert!(matches!(
            open_in(root, "raw").unwrap(),
            Opened::Irregular(FileKind::Directory, _)
        ));
        assert!(matches!(
            open_in(root, "raw/a.txt/x").unwrap(),
            Opened::Irregular(FileKind::Regular, ref at) if at == "raw/a.txt"
        ));
    }

    #[test]
    fn capped_reads_refuse_large_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), vec![b'x'; 100]).unwrap();
        let Opened::File(f, n) = open_in(dir.path(), "f").unwrap() else {
            panic!()
        };
        assert_eq!(read_all_capped(f, n, 99).unwrap(), Err(100));
        let Opened::File(f, n) = open_in(dir.path(), "f").unwrap() else {
            panic!()
        };
        assert_eq!(read_all_capped(f, n, 100).unwrap().unwrap().len(), 100);
    }
}
