//! A bounded, panic-free reader of a DEX file's type tables.
//!
//! Reads the header, `string_ids`, `type_ids` and `class_defs` (only `class_idx` of each
//! entry) — enough to list every type the file references and every class it defines. Layout
//! facts are from the Dalvik Executable format page
//! (<https://source.android.com/docs/core/runtime/dex-format>): the 0x70-byte header with
//! `string_ids_size/off` at 0x38/0x3c, `type_ids_size/off` at 0x40/0x44, `class_defs_size/off`
//! at 0x60/0x64; a `string_id_item` is a u32 offset to a `string_data_item` (uleb128
//! UTF-16 length, then MUTF-8 bytes ending in NUL); a `type_id_item` is a u32 index into
//! `string_ids`; a `class_def_item` is 32 bytes starting with a u32 `class_idx`.
//!
//! Bounds: every offset and count is checked against the buffer before use; `type_ids` holds at
//! most 65 536 entries (type indices are 16-bit in the format); only the strings that
//! `type_ids` names are decoded, each at most [`MAX_DESCRIPTOR_BYTES`] bytes. A corrupt file
//! gives a [`DexError`] naming what is wrong; nothing here panics on input.

/// The longest type descriptor decoded (bytes of MUTF-8); longer ones are an error.
pub const MAX_DESCRIPTOR_BYTES: usize = 4096;
/// The most descriptor bytes decoded from one file, all types together. Real files stay far
/// below (65 536 types of 60 bytes are under 4 MiB); without it `type_ids` entries naming one
/// 4 KiB string make a 300 KiB file decode 256 MiB of strings.
pub const MAX_DESCRIPTOR_TOTAL_BYTES: usize = 32 << 20;
/// The format's limit on `type_ids` (type indices are 16-bit).
pub const MAX_TYPE_IDS: u32 = 65_536;
const HEADER_SIZE: usize = 0x70;
const ENDIAN_CONSTANT: u32 = 0x1234_5678;

/// Errors reading a DEX file. Messages read after "failed to …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DexError {
    /// Shorter than the header.
    #[error("read the dex header: the file has {0} bytes, fewer than the 112-byte header")]
    TooShort(usize),
    /// Wrong magic.
    #[error("read the dex header: bad magic {0:02x?} (expected \"dex\\n0NN\\0\")")]
    BadMagic([u8; 8]),
    /// Not little-endian or a different header size.
    #[error("read the dex header: {0}")]
    BadHeader(String),
    /// A table lies (partly) outside the file.
    #[error(
        "read the dex {table} table: {count} entries at offset {offset} overrun the {len}-byte file"
    )]
    TableOutOfBounds {
        /// Which table.
        table: &'static str,
        /// Declared entries.
        count: u32,
        /// Declared offset.
        offset: u32,
        /// File length.
        len: usize,
    },
    /// Too many type ids for the format.
    #[error("read the dex type_ids table: {0} entries, more than the format's 65536")]
    TooManyTypes(u32),
    /// An index points outside its table.
    #[error("read the dex {table} entry {entry}: index {index} is outside the {size}-entry table")]
    BadIndex {
        /// The table holding the bad index.
        table: &'static str,
        /// Which entry.
        entry: u32,
        /// The index found.
        index: u32,
        /// The size of the table indexed.
        size: u32,
    },
    /// The type descriptors together exceed [`MAX_DESCRIPTOR_TOTAL_BYTES`].
    #[error(
        "read the dex type_ids table: its descriptors exceed {MAX_DESCRIPTOR_TOTAL_BYTES} bytes by entry {entry}"
    )]
    TooMuchTypeData {
        /// The entry at which the limit was passed.
        entry: u32,
    },
    /// A string's data is truncated or too long.
    #[error("read dex string {index}: {why}")]
    BadString {
        /// `string_ids` index.
        index: u32,
        /// What is wrong.
        why: &'static str,
    },
}

/// A parsed DEX file: its version, checksum status and type tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DexFile {
    /// The version digits of the magic, e.g. `"035"`.
    pub version: String,
    /// Whether the header's Adler-32 checksum matches the file (a mismatch is reported, not
    /// fatal: the tables may still be readable).
    pub checksum_ok: bool,
    /// `string_ids_size`.
    pub string_count: u32,
    /// Every type descriptor of `type_ids`, in table order (`Lcom/example/Foo;`, `I`, `[B`…).
    pub types: Vec<String>,
    /// Indices into [`DexFile::types`] of the classes this file defines (`class_defs`), in
    /// table order.
    pub class_defs: Vec<u32>,
}

impl DexFile {
    /// Parses `data` (a whole `classesN.dex`).
    pub fn parse(data: &[u8]) -> Result<DexFile, DexError> {
        if data.len() < HEADER_SIZE {
            return Err(DexError::TooShort(data.len()));
        }
        let mut magic = [0u8; 8];
        magic.copy_from_slice(&data[..8]);
        if &magic[..4] != b"dex\n" || magic[7] != 0 || !magic[4..7].iter().all(u8::is_ascii_digit) {
            return Err(DexError::BadMagic(magic));
        }
        let version = String::from_utf8_lossy(&magic[4..7]).into_owned();
        let u32_at = |off: usize| -> u32 {
            // In bounds: the header is HEADER_SIZE bytes and every caller's offset is < it.
            data.get(off..off + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .unwrap_or(0)
        };
        let endian = u32_at(0x28);
        if endian != ENDIAN_CONSTANT {
            return Err(DexError::BadHeader(format!(
                "endian tag {endian:#010x} is not the little-endian constant 0x12345678"
            )));
        }
        let header_size = u32_at(0x24);
        if header_size as usize != HEADER_SIZE {
            return Err(DexError::BadHeader(format!(
                "header_size is {header_size}, not 112"
            )));
        }
        let checksum_ok = adler32(&data[12..]) == u32_at(8);

        let (string_count, string_off) = (u32_at(0x38), u32_at(0x3c));
        let (type_count, type_off) = (u32_at(0x40), u32_at(0x44));
        let (class_count, class_off) = (u32_at(0x60), u32_at(0x64));
        if type_count > MAX_TYPE_IDS {
            return Err(DexError::TooManyTypes(type_count));
        }
        let string_ids = table(data, "string_ids", string_count, string_off, 4)?;
        let type_ids = table(data, "type_ids", type_count, type_off, 4)?;
        let class_table = table(data, "class_defs", class_count, class_off, 32)?;

        let mut types = Vec::with_capacity(type_ids.len() / 4);
        let mut decoded = 0usize;
        for (i, chunk) in type_ids.chunks_exact(4).enumerate() {
            let entry = i as u32;
            let idx = le32(chunk);
            if idx >= string_count {
                return Err(DexError::BadIndex {
                    table: "type_ids",
                    entry,
                    index: idx,
                    size: string_count,
                });
            }
            let at = idx as usize * 4;
            let off = string_ids.get(at..at + 4).map(le32).unwrap_or(u32::MAX);
            let t = read_string(data, idx, off)?;
            decoded += t.len();
            if decoded > MAX_DESCRIPTOR_TOTAL_BYTES {
                return Err(DexError::TooMuchTypeData { entry });
            }
            types.push(t);
        }
        let mut class_defs = Vec::with_capacity(class_table.len() / 32);
        for (i, chunk) in class_table.chunks_exact(32).enumerate() {
            let idx = le32(chunk);
            if idx >= type_count {
                return Err(DexError::BadIndex {
                    table: "class_defs",
                    entry: i as u32,
                    index: idx,
                    size: type_count,
                });
            }
            class_defs.push(idx);
        }
        Ok(DexFile {
            version,
            checksum_ok,
            string_count,
            types,
            class_defs,
        })
    }

    /// The Java names (`com.example.Foo`, `a.b.C$Inner`) of the classes this file defines.
    pub fn defined_classes(&self) -> impl Iterator<Item = String> + '_ {
        self.class_defs
            .iter()
            .filter_map(|&i| self.types.get(i as usize))
            .filter_map(|d| descriptor_to_java(d))
    }

    /// The Java names of every class type the file references or defines (arrays and
    /// primitives left out).
    pub fn referenced_classes(&self) -> impl Iterator<Item = String> + '_ {
        self.types.iter().filter_map(|d| descriptor_to_java(d))
    }
}

/// `Lcom/example/Foo;` → `com.example.Foo`; `None` for primitives, arrays and malformed ones.
pub fn descriptor_to_java(descriptor: &str) -> Option<String> {
    let inner = descriptor.strip_prefix('L')?.strip_suffix(';')?;
    if inner.is_empty() {
        return None;
    }
    Some(inner.replace('/', "."))
}

fn le32(b: &[u8]) -> u32 {
    match b {
        [a, b, c, d, ..] => u32::from_le_bytes([*a, *b, *c, *d]),
        _ => 0,
    }
}

fn table<'a>(
    data: &'a [u8],
    name: &'static str,
    count: u32,
    offset: u32,
    item: usize,
) -> Result<&'a [u8], DexError> {
    let err = || DexError::TableOutOfBounds {
        table: name,
        count,
        offset,
        len: data.len(),
    };
    if count == 0 {
        return Ok(&[]);
    }
    let start = offset as usize;
    let end = (count as usize)
        .checked_mul(item)
        .and_then(|n| n.checked_add(start))
        .ok_or_else(err)?;
    data.get(start..end).ok_or_else(err)
}

/// Reads the `string_data_item` at `off`: uleb128 UTF-16 length, MUTF-8 bytes, NUL.
fn read_string(data: &[u8], index: u32, off: u32) -> Result<String, DexError> {
    let bad = |why| DexError::BadString { index, why };
    let rest = data
        .get(off as usize..)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| bad("its data offset is outside the file"))?;
    // uleb128: at most 5 bytes for a u32.
    let mut len_bytes = 0;
    loop {
        let b = *rest
            .get(len_bytes)
            .ok_or_else(|| bad("its length is truncated"))?;
        len_bytes += 1;
        if b & 0x80 == 0 {
            break;
        }
        if len_bytes >= 5 {
            return Err(bad("its length is not a valid uleb128"));
        }
    }
    let body = &rest[len_bytes..];
    let window = &body[..body.len().min(MAX_DESCRIPTOR_BYTES + 1)];
    let end = window.iter().position(|&b| b == 0).ok_or_else(|| {
        if body.len() > MAX_DESCRIPTOR_BYTES {
            bad("it is longer than 4096 bytes")
        } else {
            bad("it is not NUL-terminated before the end of the file")
        }
    })?;
    Ok(decode_mutf8(&window[..end]))
}

/// Decodes Modified UTF-8 (1-3 byte sequences of UTF-16 units; surrogate pairs as two
/// 3-byte sequences). Invalid sequences become U+FFFD.
fn decode_mutf8(bytes: &[u8]) -> String {
    if bytes.is_ascii() {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b0 = bytes[i];
        let cont = |k: usize| bytes.get(i + k).copied().filter(|b| b & 0xc0 == 0x80);
        if b0 < 0x80 {
            units.push(u16::from(b0));
            i += 1;
        } else if b0 & 0xe0 == 0xc0 {
            match cont(1) {
                Some(b1) => {
                    units.push((u16::from(b0 & 0x1f) << 6) | u16::from(b1 & 0x3f));
                    i += 2;
                }
                None => {
                    units.push(0xfffd);
                    i += 1;
                }
            }
        } else if b0 & 0xf0 == 0xe0 {
            match (cont(1), cont(2)) {
                (Some(b1), Some(b2)) => {
                    units.push(
                        (u16::from(b0 & 0x0f) << 12)
                            | (u16::from(b1 & 0x3f) << 6)
                            | u16::from(b2 & 0x3f),
                    );
                    i += 3;
                }
                _ => {
                    units.push(0xfffd);
                    i += 1;
                }
            }
        } else {
            units.push(0xfffd);
            i += 1;
        }
    }
    String::from_utf16_lossy(&units)
}

/// Adler-32 (RFC 1950 §8.2), the checksum of the DEX header.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds a minimal valid dex: strings, type_ids naming them, class_defs naming types.
    pub(crate) fn build_dex(strings: &[&str], types: &[u32], classes: &[u32]) -> Vec<u8> {
        let mut d = vec![0u8; HEADER_SIZE];
        d[..8].copy_from_slice(b"dex\n035\0");
        let put = |d: &mut Vec<u8>, off: usize, v: u32| {
            d[off..off + 4].copy_from_slice(&v.to_le_bytes());
        };
        put(&mut d, 0x24, HEADER_SIZE as u32);
        put(&mut d, 0x28, ENDIAN_CONSTANT);
        let string_ids_off = d.len();
        d.resize(d.len() + strings.len() * 4, 0);
        let type_ids_off = d.len();
        for t in types {
            d.extend_from_slice(&t.to_le_bytes());
        }
        let class_defs_off = d.len();
        for c in classes {
            d.extend_from_slice(&c.to_le_bytes());
            d.extend_from_slice(&[0u8; 28]);
        }
        for (i, s) in strings.iter().enumerate() {
            let off = d.len() as u32;
            put(&mut d, string_ids_off + i * 4, off);
            d.push(s.chars().count() as u8); // short strings: one-byte uleb128
            d.extend_from_slice(s.as_bytes());
            d.push(0);
        }
        put(&mut d, 0x38, strings.len() as u32);
        put(&mut d, 0x3c, string_ids_off as u32);
        put(&mut d, 0x40, types.len() as u32);
        put(&mut d, 0x44, type_ids_off as u32);
        put(&mut d, 0x60, classes.len() as u32);
        put(&mut d, 0x64, class_defs_off as u32);
        let len = d.len() as u32;
        put(&mut d, 0x20, len);
        let sum = adler32(&d[12..]);
        put(&mut d, 8, sum);
        d
    }

    /// Issue 16, item 7: 65 536 `type_ids` naming one 4 000-byte descriptor (a 300 KiB file)
    /// would decode 256 MiB; the reader stops at [`MAX_DESCRIPTOR_TOTAL_BYTES`] instead, while
    /// as many distinct short descriptors as the format allows still parse.
    #[test]
    fn repeated_long_descriptors_are_bounded() {
        let long = format!("L{};", "a/".repeat(1999));
        let d = build_dex(&[&long], &vec![0u32; 65_536], &[]);
        assert!(d.len() < 300 * 1024, "{}", d.len());
        let e = DexFile::parse(&d).unwrap_err();
        assert!(matches!(e, DexError::TooMuchTypeData { .. }), "{e}");
        assert!(e.to_string().contains("33554432 bytes"), "{e}");
        let names: Vec<String> = (0..65_536).map(|i| format!("Lp/C{i:05};")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let idx: Vec<u32> = (0..65_536).collect();
        let ok = DexFile::parse(&build_dex(&refs, &idx, &[7])).unwrap();
        assert_eq!(ok.types.len(), 65_536);
        assert_eq!(ok.defined_classes().collect::<Vec<_>>(), ["p.C00007"]);
    }

    #[test]
    fn parses_a_built_dex() {
        let d = build_dex(
            &["I", "Lcom/umeng/A;", "Lcom/example/App;", "[B"],
            &[0, 1, 2, 3],
            &[2, 1],
        );
        let dex = DexFile::parse(&d).unwrap();
        assert_eq!(dex.version, "035");
        assert!(dex.checksum_ok);
        assert_eq!(dex.types.len(), 4);
        let defined: Vec<String> = dex.defined_classes().collect();
        assert_eq!(defined, ["com.example.App", "com.umeng.A"]);
        let refs: Vec<String> = dex.referenced_classes().collect();
        assert_eq!(refs, ["com.umeng.A", "com.example.App"]);
    }

    #[test]
    fn checksum_mismatch_is_reported_not_fatal() {
        let mut d = build_dex(&["LA;"], &[0], &[0]);
        d[9] ^= 0xff;
        let dex = DexFile::parse(&d).unwrap();
        assert!(!dex.checksum_ok);
    }

    #[test]
    fn corrupt_files_give_clear_errors() {
        assert_eq!(DexFile::parse(b"dex\n"), Err(DexError::TooShort(4)));
        let good = build_dex(&["LA;"], &[0], &[0]);
        let mut bad = good.clone();
        bad[0] = b'x';
        assert!(matches!(DexFile::parse(&bad), Err(DexError::BadMagic(_))));
        let mut bad = good.clone();
        bad[0x28] = 0x21;
        let e = DexFile::parse(&bad).unwrap_err();
        assert!(e.to_string().contains("endian tag"), "{e}");
        let mut bad = good.clone();
        bad[0x44..0x48].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = DexFile::parse(&bad).unwrap_err();
        assert!(
            matches!(
                e,
                DexError::TableOutOfBounds {
                    table: "type_ids",
                    ..
                }
            ),
            "{e}"
        );
        let mut bad = good.clone();
        bad[0x40..0x44].copy_from_slice(&70_000u32.to_le_bytes());
        assert_eq!(DexFile::parse(&bad), Err(DexError::TooManyTypes(70_000)));
        // A type naming a string index past the table.
        let bad = build_dex(&["LA;"], &[5], &[]);
        let e = DexFile::parse(&bad).unwrap_err();
        assert!(
            matches!(
                e,
                DexError::BadIndex {
                    table: "type_ids",
                    index: 5,
                    ..
                }
            ),
            "{e}"
        );
        // A class naming a type index past the table.
        let bad = build_dex(&["LA;"], &[0], &[3]);
        assert!(matches!(
            DexFile::parse(&bad),
            Err(DexError::BadIndex {
                table: "class_defs",
                ..
            })
        ));
        // Truncated: the string data cut off before its NUL.
        let cut = &good[..good.len() - 1];
        let e = DexFile::parse(cut).unwrap_err();
        assert!(matches!(e, DexError::BadString { .. }), "{e}");
        assert!(e.to_string().contains("NUL-terminated"), "{e}");
    }

    #[test]
    fn decodes_modified_utf8() {
        // U+00E9 as 2 bytes, U+4E2D as 3 bytes, NUL as C0 80 (MUTF-8), a lone bad byte.
        let s = decode_mutf8(&[b'L', 0xc3, 0xa9, 0xe4, 0xb8, 0xad, 0xc0, 0x80, 0xff, b';']);
        assert_eq!(s, "L\u{e9}\u{4e2d}\u{0}\u{fffd};");
    }

    #[test]
    fn adler32_matches_rfc_example() {
        // "Wikipedia" → 0x11E60398, the well-known worked example of Adler-32.
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn never_panics_on_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = DexFile::parse(&data);
        }

        #[test]
        fn never_panics_on_mutated_or_truncated_dex(
            cut in 0usize..400,
            flips in proptest::collection::vec((0usize..400, any::<u8>()), 0..8),
        ) {
            let mut d = build_dex(
                &["I", "Lcom/umeng/A;", "Lcom/example/App;", "[B"],
                &[0, 1, 2, 3],
                &[2, 1],
            );
            for (at, v) in flips {
                if let Some(b) = d.get_mut(at) { *b = v; }
            }
            d.truncate(cut.min(d.len()));
            if let Ok(dex) = DexFile::parse(&d) {
                prop_assert!(dex.types.len() <= MAX_TYPE_IDS as usize);
                prop_assert!(dex.class_defs.iter().all(|&i| (i as usize) < dex.types.len()));
            }
        }
    }
}
