//! The `sync:` service (file transfer), device side.
//!
//! Wire format from AOSP `file_sync_protocol.h` / `daemon/file_sync_service.cpp` (FORMATS.md
//! §1a and §8.2): requests are `[4 ASCII id][u32 LE length]` + that many bytes; all integers
//! little-endian. Served: `STAT`, `STA2`/`LST2`, `LIST`, `LIS2`, `SEND`, `RECV`, `QUIT`.
//! Not served (not advertised): `SND2`/`RCV2` (`sendrecv_v2`). Like adbd, a failed request
//! is answered with `FAIL` + message and ends the service.

use super::services::ServiceContext;
use super::stream::{Stream, StreamReader};
use crate::FileStat;

/// Largest `DATA` payload either side may send (`SYNC_DATA_MAX`).
pub const SYNC_DATA_MAX: usize = 64 * 1024;
/// Longest path accepted in a request (adbd's limit).
pub const SYNC_MAX_PATH: usize = 1024;
/// `ENOENT`, reported in STA2/LST2 `error` for a missing path.
const ENOENT: u32 = 2;

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// Sends `FAIL` + message.
fn fail(stream: &dyn Stream, msg: &str) {
    let mut out = b"FAIL".to_vec();
    out.extend_from_slice(&(msg.len() as u32).to_le_bytes());
    out.extend_from_slice(msg.as_bytes());
    stream.send(&out);
}

/// A stable pseudo inode number for a path (FNV-1a), so `adb` sees distinct files.
fn inode(path: &str) -> u64 {
    path.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The `stat_v2` body after `id` (68 bytes): error, dev, ino, mode, nlink, uid, gid, size,
/// atime, mtime, ctime.
fn stat_v2_body(out: &mut Vec<u8>, path: &str, st: Option<FileStat>) {
    match st {
        None => {
            out.extend_from_slice(&ENOENT.to_le_bytes());
            out.extend_from_slice(&[0u8; 64]);
        }
        Some(st) => {
            out.extend_from_slice(&0u32.to_le_bytes()); // error
            out.extend_from_slice(&0xfd00u64.to_le_bytes()); // dev
            out.extend_from_slice(&inode(path).to_le_bytes());
            out.extend_from_slice(&st.mode.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes()); // nlink
            out.extend_from_slice(&0u32.to_le_bytes()); // uid
            out.extend_from_slice(&0u32.to_le_bytes()); // gid
            out.extend_from_slice(&st.size.to_le_bytes());
            for _ in 0..3 {
                out.extend_from_slice(&st.mtime.to_le_bytes()); // atime, mtime, ctime
            }
        }
    }
}

/// Runs the sync protocol until `QUIT`, an error, or the host closing.
pub fn run(stream: &dyn Stream, ctx: &ServiceContext<'_>) {
    let mut r = StreamReader::new(stream);
    loop {
        let Some(req) = r.read_exact(8) else { return };
        let id: [u8; 4] = [req[0], req[1], req[2], req[3]];
        let len = le32(&req[4..]) as usize;
        if &id == b"QUIT" {
            return;
        }
        if !matches!(
            &id,
            b"STAT" | b"STA2" | b"LST2" | b"LIST" | b"LIS2" | b"SEND" | b"RECV"
        ) {
            fail(stream, "unknown command");
            return;
        }
        if len > SYNC_MAX_PATH {
            fail(stream, "path too long");
            return;
        }
        let Some(path) = r.read_exact(len) else {
            return;
        };
        let path = String::from_utf8_lossy(&path).into_owned();
        let ok = match &id {
            b"STAT" => {
                let st = ctx.handler.stat(&path);
                let mut out = b"STAT".to_vec();
                let (mode, size, mtime) =
                    st.map_or((0, 0, 0), |s| (s.mode, s.size as u32, s.mtime as u32));
                for w in [mode, size, mtime] {
                    out.extend_from_slice(&w.to_le_bytes());
                }
                stream.send(&out)
            }
            b"STA2" | b"LST2" => {
                let mut out = id.to_vec();
                stat_v2_body(&mut out, &path, ctx.handler.stat(&path));
                stream.send(&out)
            }
            b"LIST" => list(stream, ctx, &path, false),
            b"LIS2" => list(stream, ctx, &path, true),
            b"RECV" => recv(stream, ctx, &path),
            _ => send(&mut r, ctx, &path),
        };
        if !ok {
            return;
        }
    }
}

/// `LIST`/`LIS2`: one `DENT`/`DNT2` per entry, then `DONE` of the same size.
fn list(stream: &dyn Stream, ctx: &ServiceContext<'_>, path: &str, v2: bool) -> bool {
    let mut out = Vec::new();
    for (name, st) in ctx.handler.list_dir(path) {
        let name = name.as_bytes();
        let name = &name[..name.len().min(SYNC_MAX_PATH)];
        if v2 {
            out.extend_from_slice(b"DNT2");
            stat_v2_body(
                &mut out,
                &format!("{path}/{}", String::from_utf8_lossy(name)),
                Some(st),
            );
        } else {
            out.extend_from_slice(b"DENT");
            for w in [st.mode, st.size as u32, st.mtime as u32] {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(name);
        if out.len() >= SYNC_DATA_MAX {
            if !stream.send(&out) {
                return false;
            }
            out.clear();
        }
    }
    out.extend_from_slice(b"DONE");
    // dent_v1 is 20 bytes, dent_v2 76: the DONE record has the same size, zero-filled.
    out.extend_from_slice(&[0u8; 72][..if v2 { 72 } else { 16 }]);
    stream.send(&out)
}

/// `RECV`: `DATA` chunks of at most 64 KiB then `DONE`, or `FAIL`.
fn recv(stream: &dyn Stream, ctx: &ServiceContext<'_>, path: &str) -> bool {
    match ctx.handler.read_file(path) {
        Ok(data) => {
            for chunk in data.chunks(SYNC_DATA_MAX) {
                let mut head = b"DATA".to_vec();
                head.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
                if !stream.send(&head) || !stream.send(chunk) {
                    return false;
                }
            }
            stream.send(b"DONE\0\0\0\0")
        }
        Err(msg) => {
            fail(stream, &format!("open failed: {msg}"));
            false
        }
    }
}

/// The mode of `SEND path,mode` as adbd reads it (`strtoul(…, 0)`: `0x` hex, leading `0` octal,
/// else decimal — adb sends decimal `33188`, adb_client octal `0777`). Bare permission bits
/// get the regular-file type, which is what adbd creates for them.
fn parse_mode(text: &str) -> Option<u32> {
    let text = text.trim();
    let mode = if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16).ok()?
    } else if text.len() > 1 && text.starts_with('0') {
        u32::from_str_radix(&text[1..], 8).ok()?
    } else {
        text.parse::<u32>().ok()?
    };
    Some(if mode & 0o170_000 == 0 {
        mode | 0o100_000
    } else {
        mode
    })
}

/// `SEND path,mode` then `DATA`… `DONE(mtime)`; answers `OKAY` or `FAIL`.
fn send(r: &mut StreamReader<'_>, ctx: &ServiceContext<'_>, spec: &str) -> bool {
    let stream = r.stream();
    let Some((path, mode)) = spec.rsplit_once(',') else {
        fail(stream, "missing , in ID_SEND");
        return false;
    };
    let Some(mode) = parse_mode(mode) else {
        fail(stream, "bad mode");
        return false;
    };
    let mut data = Vec::new();
    let mut too_big = false;
    loop {
        let Some(head) = r.read_exact(8) else {
            return false;
        };
        let len = le32(&head[4..]) as usize;
        match &head[..4] {
            b"DATA" => {
                if len > SYNC_DATA_MAX {
                    fail(stream, "oversize data message");
                    return false;
                }
                if too_big || data.len() + len > ctx.max_transfer {
                    too_big = true;
                    data = Vec::new();
                    if !r.skip_exact(len) {
                        return false;
                    }
                } else if !r.read_into(&mut data, len) {
                    return false;
                }
            }
            b"DONE" => {
                let mtime = i64::from(le32(&head[4..]));
                if too_big {
                    fail(
                        stream,
                        &format!(
                            "write failed: No space left on device (the simulator keeps files up to {} bytes)",
                            ctx.max_transfer
                        ),
                    );
                    return false;
                }
                return match ctx.handler.write_file(path, &data, mode, mtime) {
                    Ok(()) => stream.send(b"OKAY\0\0\0\0"),
                    Err(msg) => {
                        fail(stream, &format!("couldn't create file: {msg}"));
                        false
                    }
                };
            }
            _ => {
                fail(stream, "invalid data message");
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adbd::stream::testing::MemStream;
    use crate::{Banner, DeviceHandler, ShellIo};
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// path → (bytes, mode, mtime)
    type FileMap = HashMap<String, (Vec<u8>, u32, i64)>;

    #[derive(Default)]
    struct Files(Mutex<FileMap>);

    impl DeviceHandler for Files {
        fn banner(&self) -> Banner {
            Banner {
                product_name: "p".into(),
                model: "m".into(),
                device: "d".into(),
            }
        }
        fn shell(&self, _: &str, _: &mut dyn ShellIo) -> i32 {
            0
        }
        fn install(&self, _: &[String], _: &[u8]) -> String {
            "Success".into()
        }
        fn abb_exec(&self, _: &[String]) -> Vec<u8> {
            Vec::new()
        }
        fn stat(&self, path: &str) -> Option<FileStat> {
            self.0.lock().unwrap().get(path).map(|(d, m, t)| FileStat {
                mode: *m,
                size: d.len() as u64,
                mtime: *t,
            })
        }
        fn read_file(&self, path: &str) -> Result<Vec<u8>, crate::FileError> {
            self.0
                .lock()
                .unwrap()
                .get(path)
                .map(|f| f.0.clone())
                .ok_or_else(|| "No such file or directory".into())
        }
        fn write_file(
            &self,
            path: &str,
            data: &[u8],
            mode: u32,
            mtime: i64,
        ) -> Result<(), crate::FileError> {
            if path.starts_with("/system/") {
                return Err("Read-only file system".into());
            }
            self.0
                .lock()
                .unwrap()
                .insert(path.into(), (data.to_vec(), mode, mtime));
            Ok(())
        }
        fn list_dir(&self, dir: &str) -> Vec<(String, FileStat)> {
            let prefix = format!("{dir}/");
            let mut v: Vec<_> = self
                .0
                .lock()
                .unwrap()
                .iter()
                .filter_map(|(p, (d, m, t))| {
                    p.strip_prefix(&prefix).map(|n| {
                        (
                            n.to_string(),
                            FileStat {
                                mode: *m,
                                size: d.len() as u64,
                                mtime: *t,
                            },
                        )
                    })
                })
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        }
    }

    fn req(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = id.to_vec();
        v.extend_from_slice(&(body.len() as u32).to_le_bytes());
        v.extend_from_slice(body);
        v
    }

    fn run_with(files: &Files, chunks: &[&[u8]], max_transfer: usize) -> Vec<u8> {
        let stream = MemStream::new(chunks, true);
        run(
            &stream,
            &ServiceContext {
                handler: files,
                max_transfer,
            },
        );
        stream.output()
    }

    #[test]
    fn push_as_adb_29_sends_it_then_stat_and_pull() {
        let files = Files::default();
        let content: Vec<u8> = (0..150_000u32).map(|i| (i * 7) as u8).collect();
        // SEND + DATA packed into WRTEs arbitrarily, 65528-byte chunks as adb 29 sends them.
        let mut wire = req(b"SEND", b"/data/local/tmp/x,33188");
        for chunk in content.chunks(65528) {
            wire.extend_from_slice(&req(b"DATA", chunk));
        }
        wire.extend_from_slice(b"DONE");
        wire.extend_from_slice(&1_700_000_000u32.to_le_bytes());
        wire.extend_from_slice(&req(b"QUIT", b""));
        let pieces: Vec<&[u8]> = wire.chunks(4096).collect();
        assert_eq!(run_with(&files, &pieces, 1 << 20), b"OKAY\0\0\0\0");
        let (data, mode, mtime) = files.0.lock().unwrap()["/data/local/tmp/x"].clone();
        assert_eq!((data == content, mode, mtime), (true, 33188, 1_700_000_000));

        // STAT v1 and STA2 of the file, then of a missing path.
        let out = run_with(
            &files,
            &[&req(b"STAT", b"/data/local/tmp/x"), &req(b"STA2", b"/nope")],
            1 << 20,
        );
        assert_eq!(&out[..4], b"STAT");
        assert_eq!(le32(&out[4..]), 33188);
        assert_eq!(le32(&out[8..]), 150_000);
        assert_eq!(le32(&out[12..]), 1_700_000_000);
        assert_eq!(&out[16..20], b"STA2");
        assert_eq!(out.len(), 16 + 72);
        assert_eq!(le32(&out[20..]), ENOENT);
        assert!(out[24..].iter().all(|&b| b == 0));

        // Pull: DATA ≤ 64 KiB each, then DONE.
        let out = run_with(&files, &[&req(b"RECV", b"/data/local/tmp/x")], 1 << 20);
        let mut got = Vec::new();
        let mut i = 0;
        loop {
            let len = le32(&out[i + 4..]) as usize;
            match &out[i..i + 4] {
                b"DATA" => {
                    assert!(len <= SYNC_DATA_MAX);
                    got.extend_from_slice(&out[i + 8..i + 8 + len]);
                    i += 8 + len;
                }
                b"DONE" => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(got, content);
        assert_eq!(i + 8, out.len());
    }

    #[test]
    fn send_modes_parse_like_strtoul_base_0() {
        assert_eq!(parse_mode("33188"), Some(0o100_644));
        assert_eq!(parse_mode("0777"), Some(0o100_777));
        assert_eq!(parse_mode("0x1ed"), Some(0o100_755));
        assert_eq!(parse_mode("41471"), Some(0o120_777)); // a symlink keeps its type
        assert_eq!(parse_mode("0"), Some(0o100_000));
        assert_eq!(parse_mode("rw"), None);
        let files = Files::default();
        assert!(run_with(&files, &[&req(b"SEND", b"/data/x,rw")], 1 << 20).ends_with(b"bad mode"));
    }

    #[test]
    fn sta2_of_existing_file_has_mode_and_size_at_their_offsets() {
        let files = Files::default();
        files
            .write_file("/sdcard/a", b"12345", 0o100_600, 42)
            .unwrap();
        let out = run_with(&files, &[&req(b"LST2", b"/sdcard/a")], 1 << 20);
        assert_eq!(out.len(), 72);
        assert_eq!(&out[..4], b"LST2");
        assert_eq!(le32(&out[4..]), 0);
        assert_eq!(le32(&out[24..]), 0o100_600);
        assert_eq!(u64::from_le_bytes(out[40..48].try_into().unwrap()), 5);
        assert_eq!(i64::from_le_bytes(out[56..64].try_into().unwrap()), 42);
    }

    #[test]
    fn list_v1_and_v2_end_with_done_records_of_entry_size() {
        let files = Files::default();
        files.write_file("/d/b", b"xy", 0o100_644, 1).unwrap();
        files.write_file("/d/a", b"", 0o100_644, 2).unwrap();
        let out = run_with(&files, &[&req(b"LIST", b"/d")], 1 << 20);
        assert_eq!(out.len(), (20 + 1) * 2 + 20);
        assert_eq!(&out[..4], b"DENT");
        assert_eq!(&out[20..21], b"a");
        assert_eq!(&out[42..46], b"DONE");
        let out = run_with(&files, &[&req(b"LIS2", b"/d")], 1 << 20);
        assert_eq!(out.len(), (76 + 1) * 2 + 76);
        assert_eq!(&out[..4], b"DNT2");
        assert_eq!(&out[77..81], b"DNT2");
        assert_eq!(&out[77 + 72..77 + 76], &1u32.to_le_bytes()); // namelen of "b"
        assert_eq!(&out[154..158], b"DONE");
    }

    #[test]
    fn failures_are_reported_and_end_the_service() {
        let files = Files::default();
        let out = run_with(
            &files,
            &[&req(b"RECV", b"/nope"), &req(b"STAT", b"/x")],
            1 << 20,
        );
        assert_eq!(out, req(b"FAIL", b"open failed: No such file or directory"));

        let mut wire = req(b"SEND", b"/system/x,33188");
        wire.extend_from_slice(&req(b"DATA", b"abc"));
        wire.extend_from_slice(b"DONE\0\0\0\0");
        assert_eq!(
            run_with(&files, &[&wire], 1 << 20),
            req(b"FAIL", b"couldn't create file: Read-only file system")
        );

        let mut wire = req(b"SEND", b"/data/big,33188");
        wire.extend_from_slice(&req(b"DATA", &[1u8; 100]));
        wire.extend_from_slice(&req(b"DATA", &[1u8; 100]));
        wire.extend_from_slice(b"DONE\0\0\0\0");
        let out = run_with(&files, &[&wire], 150);
        assert!(out.starts_with(b"FAIL"));
        assert!(files.stat("/data/big").is_none());

        assert!(
            run_with(&files, &[&req(b"SEND", b"/data/nocomma")], 1 << 20)
                .ends_with(b"missing , in ID_SEND")
        );
        assert!(run_with(&files, &[&req(b"XXXX", b"")], 1 << 20).ends_with(b"unknown command"));
        assert!(
            run_with(&files, &[&req(b"STAT", &[b'a'; 1025])], 1 << 20).ends_with(b"path too long")
        );
        let mut wire = req(b"SEND", b"/data/x,33188");
        wire.extend_from_slice(b"DATA");
        wire.extend_from_slice(&(70_000u32).to_le_bytes());
        assert!(run_with(&files, &[&wire], 1 << 20).ends_with(b"oversize data message"));
        // Truncated request: the host vanished; nothing is written, nothing sent.
        assert_eq!(run_with(&files, &[b"STA"], 1 << 20), b"");
    }
}
