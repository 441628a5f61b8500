//! An in-memory file system for the parts of the device Prior touches: `/sdcard`
//! (= `/storage/emulated/0`), `/data/local/tmp`, installed APKs under `/data/app`.
//!
//! The shell user may write only below `/sdcard` and `/data/local/tmp`; `/system` is
//! read-only; the rest answers `Permission denied`. The total size is bounded.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Regular file mode bits.
pub const S_IFREG: u32 = 0o100_000;
/// Directory mode bits.
pub const S_IFDIR: u32 = 0o040_000;

/// Most bytes the file system holds.
pub const FS_CAPACITY: usize = 768 * 1024 * 1024;

#[derive(Debug, Clone)]
enum Node {
    File {
        data: Arc<Vec<u8>>,
        mode: u32,
        mtime: i64,
    },
    Dir {
        mode: u32,
        mtime: i64,
    },
}

/// A file's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// Mode with type bits.
    pub mode: u32,
    pub size: u64,
    pub mtime: i64,
}

impl Meta {
    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        self.mode & 0o170_000 == S_IFDIR
    }
}

/// Errors as the shell prints them (`strerror`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    IsDir,
    NotDir,
    Denied,
    ReadOnly,
    NoSpace,
    NotEmpty,
    Exists,
}

impl FsError {
    /// The `strerror` text.
    pub fn text(self) -> &'static str {
        match self {
            FsError::NotFound => "No such file or directory",
            FsError::IsDir => "Is a directory",
            FsError::NotDir => "Not a directory",
            FsError::Denied => "Permission denied",
            FsError::ReadOnly => "Read-only file system",
            FsError::NoSpace => "No space left on device",
            FsError::NotEmpty => "Directory not empty",
            FsError::Exists => "File exists",
        }
    }
}

/// The file tree.
#[derive(Debug)]
pub struct MemFs {
    nodes: BTreeMap<String, Node>,
    used: usize,
}

/// Normalises a path: absolute (relative paths are taken from `/`), no `.`/`..`, no
/// trailing slash, `/storage/emulated/0` and `/storage/self/primary` folded into `/sdcard`.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut s = String::from("/");
    s.push_str(&parts.join("/"));
    for alias in [
        "/storage/emulated/0",
        "/storage/self/primary",
        "/mnt/sdcard",
    ] {
        if s == alias {
            return "/sdcard".to_owned();
        }
        if let Some(rest) = s.strip_prefix(alias).filter(|r| r.starts_with('/')) {
            return format!("/sdcard{rest}");
        }
    }
    s
}

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

fn writable(path: &str) -> Result<(), FsError> {
    let under = |root: &str| path == root || path.starts_with(&format!("{root}/"));
    if under("/sdcard") || under("/data/local/tmp") {
        Ok(())
    } else if under("/system") || under("/vendor") || under("/product") || path == "/" {
        Err(FsError::ReadOnly)
    } else {
        Err(FsError::Denied)
    }
}

impl Default for MemFs {
    fn default() -> Self {
        MemFs::new(0)
    }
}

impl MemFs {
    /// The standard tree, directories stamped `mtime`.
    pub fn new(mtime: i64) -> MemFs {
        let mut fs = MemFs {
            nodes: BTreeMap::new(),
            used: 0,
        };
        for d in [
            "/",
            "/sdcard",
            "/sdcard/Download",
            "/sdcard/Pictures",
            "/sdcard/DCIM",
            "/data",
            "/data/local",
            "/data/local/tmp",
            "/data/app",
            "/system",
            "/system/bin",
            "/vendor",
            "/dev",
            "/proc",
            "/storage",
            "/product",
            "/apex",
            "/mnt",
            "/etc",
            "/sys",
        ] {
            fs.nodes.insert(
                d.to_owned(),
                Node::Dir {
                    mode: S_IFDIR | 0o771,
                    mtime,
                },
            );
        }
        fs
    }

    /// Metadata, `None` if absent.
    pub fn stat(&self, path: &str) -> Option<Meta> {
        let p = normalize(path);
        match self.nodes.get(&p)? {
            Node::File { data, mode, mtime } => Some(Meta {
                mode: *mode,
                size: data.len() as u64,
                mtime: *mtime,
            }),
            Node::Dir { mode, mtime } => Some(Meta {
                mode: *mode,
                size: 4096,
                mtime: *mtime,
            }),
        }
    }

    /// A file's bytes.
    pub fn read(&self, path: &str) -> Result<Arc<Vec<u8>>, FsError> {
        match self.nodes.get(&normalize(path)) {
            Some(Node::File { data, .. }) => Ok(Arc::clone(data)),
            Some(Node::Dir { .. }) => Err(FsError::IsDir),
            None => Err(FsError::NotFound),
        }
    }

    /// Writes a file as the shell user would (permission rules apply).
    pub fn write(
        &mut self,
        path: &str,
        data: Vec<u8>,
        mode: u32,
        mtime: i64,
    ) -> Result<(), FsError> {
        let p = normalize(path);
        writable(&p)?;
        self.write_system(&p, data, mode, mtime)
    }

    /// Appends to a file (created if absent) as the shell user.
    pub fn append(&mut self, path: &str, data: &[u8], mtime: i64) -> Result<(), FsError> {
        let p = normalize(path);
        writable(&p)?;
        let mut cur = match self.nodes.get(&p) {
            Some(Node::File { data, .. }) => data.as_ref().clone(),
            Some(Node::Dir { .. }) => return Err(FsError::IsDir),
            None => Vec::new(),
        };
        cur.extend_from_slice(data);
        self.write_system(&p, cur, 0o666, mtime)
    }

    /// Writes a file without the shell's permission rules (the system's own files).
    pub fn write_system(
        &mut self,
        path: &str,
        data: Vec<u8>,
        mode: u32,
        mtime: i64,
    ) -> Result<(), FsError> {
        let p = normalize(path);
        match self.nodes.get(parent(&p)) {
            Some(Node::Dir { .. }) => {}
            Some(Node::File { .. }) => return Err(FsError::NotDir),
            None => return Err(FsError::NotFound),
        }
        let old = match self.nodes.get(&p) {
            Some(Node::Dir { .. }) => return Err(FsError::IsDir),
            Some(Node::File { data, .. }) => data.len(),
            None => 0,
        };
        let new_used = self.used - old + data.len();
        if new_used > FS_CAPACITY {
            return Err(FsError::NoSpace);
        }
        self.used = new_used;
        let mode = S_IFREG | (mode & 0o7777);
        self.nodes.insert(
            p,
            Node::File {
                data: Arc::new(data),
                mode,
                mtime,
            },
        );
        Ok(())
    }

    /// `mkdir [-p]`.
    pub fn mkdir(
        &mut self,
        path: &str,
        parents: bool,
        mtime: i64,
        check: bool,
    ) -> Result<(), FsError> {
        let p = normalize(path);
        if check {
            writable(&p)?;
        }
        if let Some(n) = self.nodes.get(&p) {
            return match n {
                Node::Dir { .. } if parents => Ok(()),
                _ => Err(FsError::Exists),
            };
        }
        if !matches!(self.nodes.get(parent(&p)), Some(Node::Dir { .. })) {
            if parents && parent(&p) != p {
                self.mkdir(parent(&p), true, mtime, check)?;
            } else {
                return Err(FsError::NotFound);
            }
        }
        self.nodes.insert(
            p,
            Node::Dir {
                mode: S_IFDIR | 0o775,
                mtime,
            },
        );
        Ok(())
    }

    /// `rm [-r]` as the shell user.
    pub fn remove(&mut self, path: &str, recursive: bool) -> Result<(), FsError> {
        let p = normalize(path);
        writable(&p)?;
        self.remove_system(&p, recursive)
    }

    /// Removes without permission rules.
    pub fn remove_system(&mut self, path: &str, recursive: bool) -> Result<(), FsError> {
        let p = normalize(path);
        match self.nodes.get(&p) {
            None => Err(FsError::NotFound),
            Some(Node::File { data, .. }) => {
                self.used -= data.len();
                self.nodes.remove(&p);
                Ok(())
            }
            Some(Node::Dir { .. }) => {
                let prefix = format!("{p}/");
                let children: Vec<String> = self
                    .nodes
                    .range(prefix.clone()..)
                    .take_while(|(k, _)| k.starts_with(&prefix))
                    .map(|(k, _)| k.clone())
                    .collect();
                if !children.is_empty() && !recursive {
                    return Err(FsError::IsDir);
                }
                if !recursive {
                    return Err(FsError::IsDir);
                }
                for c in children {
                    if let Some(Node::File { data, .. }) = self.nodes.remove(&c) {
                        self.used -= data.len();
                    }
                }
                self.nodes.remove(&p);
                Ok(())
            }
        }
    }

    /// Direct children of a directory: (name, metadata), sorted by name.
    pub fn list(&self, path: &str) -> Result<Vec<(String, Meta)>, FsError> {
        let p = normalize(path);
        match self.nodes.get(&p) {
            None => return Err(FsError::NotFound),
            Some(Node::File { .. }) => return Err(FsError::NotDir),
            Some(Node::Dir { .. }) => {}
        }
        let prefix = if p == "/" {
            "/".to_owned()
        } else {
            format!("{p}/")
        };
        let mut out = Vec::new();
        for (k, _) in self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
        {
            let rest = &k[prefix.len()..];
            if rest.is_empty() || rest.contains('/') {
                continue;
            }
            if let Some(m) = self.stat(k) {
                out.push((rest.to_owned(), m));
            }
        }
        Ok(out)
    }

    /// Bytes stored.
    pub fn used(&self) -> usize {
        self.used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise_and_alias_sdcard() {
        assert_eq!(
            normalize("/storage/emulated/0/window_dump.xml"),
            "/sdcard/window_dump.xml"
        );
        assert_eq!(
            normalize("//data/./local/tmp/../tmp/x"),
            "/data/local/tmp/x"
        );
        assert_eq!(normalize("/"), "/");
        assert_eq!(normalize("/storage/emulated/00"), "/storage/emulated/00");
    }

    #[test]
    fn write_read_list_remove_with_permissions() {
        let mut fs = MemFs::new(5);
        fs.write("/data/local/tmp/a.txt", b"hi".to_vec(), 0o644, 7)
            .unwrap();
        assert_eq!(fs.read("/data/local/tmp/a.txt").unwrap().as_slice(), b"hi");
        let st = fs.stat("/data/local/tmp/a.txt").unwrap();
        assert_eq!((st.mode, st.size, st.mtime), (0o100_644, 2, 7));
        assert_eq!(
            fs.write("/system/x", vec![], 0o644, 0),
            Err(FsError::ReadOnly)
        );
        assert_eq!(fs.write("/data/x", vec![], 0o644, 0), Err(FsError::Denied));
        assert_eq!(
            fs.write("/sdcard/no/such/x", vec![], 0o644, 0),
            Err(FsError::NotFound)
        );
        assert_eq!(fs.read("/sdcard"), Err(FsError::IsDir));
        let names: Vec<String> = fs
            .list("/data/local/tmp")
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, vec!["a.txt"]);
        assert_eq!(fs.used(), 2);
        fs.remove("/data/local/tmp/a.txt", false).unwrap();
        assert_eq!(fs.used(), 0);
        assert_eq!(
            fs.remove("/data/local/tmp/a.txt", false),
            Err(FsError::NotFound)
        );
        fs.mkdir("/sdcard/x/y", true, 0, true).unwrap();
        fs.write("/sdcard/x/y/z", b"1".to_vec(), 0o644, 0).unwrap();
        assert_eq!(fs.remove("/sdcard/x", false), Err(FsError::IsDir));
        fs.remove("/sdcard/x", true).unwrap();
        assert!(fs.stat("/sdcard/x/y/z").is_none());
        assert!(fs.stat("/sdcard/x").is_none());
    }
}
