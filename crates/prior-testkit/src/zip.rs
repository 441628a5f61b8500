//! Hand-built zip archives for hostile-input tests (PKWARE APPNOTE 6.3.10, sections 4.3.7,
//! 4.3.12, 4.3.16; RFC 1951 for DEFLATE): stored or deflated entries whose headers may lie
//! about their sizes, and DEFLATE "bombs" that inflate to many times their size. Nothing here
//! is a general zip writer; it writes exactly the bytes a test asks for.

/// One entry of [`build`].
#[derive(Debug, Clone)]
pub struct Entry {
    /// Name in both headers.
    pub name: String,
    /// The bytes written as the entry's data (already compressed when `method` is 8).
    pub data: Vec<u8>,
    /// 0 (stored) or 8 (deflated), in both headers.
    pub method: u16,
    /// CRC-32 written in both headers.
    pub crc: u32,
    /// The uncompressed size both headers declare (the truth or a lie).
    pub declared_size: u32,
}

impl Entry {
    /// A stored entry with honest headers.
    pub fn stored(name: &str, data: &[u8]) -> Entry {
        Entry {
            name: name.to_owned(),
            data: data.to_vec(),
            method: 0,
            crc: crc32(data),
            declared_size: u32::try_from(data.len()).unwrap_or(u32::MAX),
        }
    }

    /// A deflated entry holding `deflated` (raw DEFLATE), whose headers declare `declared_size`
    /// uncompressed bytes whatever the stream really inflates to.
    pub fn deflated_declaring(name: &str, deflated: Vec<u8>, declared_size: u32) -> Entry {
        Entry {
            name: name.to_owned(),
            data: deflated,
            method: 8,
            crc: 0,
            declared_size,
        }
    }
}

/// CRC-32 (IEEE), bitwise.
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xedb8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn u16le(v: usize) -> [u8; 2] {
    u16::try_from(v).unwrap_or(u16::MAX).to_le_bytes()
}

fn u32le(v: usize) -> [u8; 4] {
    u32::try_from(v).unwrap_or(u32::MAX).to_le_bytes()
}

/// A zip archive of `entries`: local headers and data, the central directory, the end record.
pub fn build(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let off = out.len();
        let fixed = |h: &mut Vec<u8>| {
            h.extend_from_slice(&e.method.to_le_bytes());
            h.extend_from_slice(&[0, 0, 0, 0]); // time, date
            h.extend_from_slice(&e.crc.to_le_bytes());
            h.extend_from_slice(&u32le(e.data.len()));
            h.extend_from_slice(&e.declared_size.to_le_bytes());
            h.extend_from_slice(&u16le(e.name.len()));
            h.extend_from_slice(&[0, 0]); // extra length
        };
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0]); // version needed, flags
        fixed(&mut out);
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&e.data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0]); // made by, needed, flags
        fixed(&mut central);
        central.extend_from_slice(&[0u8; 8]); // comment len, disk, internal, external attrs…
        central.extend_from_slice(&[0u8; 2]); // …external attrs (4 bytes in all)
        central.extend_from_slice(&u32le(off));
        central.extend_from_slice(e.name.as_bytes());
    }
    let cd_off = out.len();
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&u16le(entries.len()));
    out.extend_from_slice(&u16le(entries.len()));
    out.extend_from_slice(&u32le(central.len()));
    out.extend_from_slice(&u32le(cd_off));
    out.extend_from_slice(&[0, 0]);
    out
}

/// LSB-first bit writer (RFC 1951, 3.1.1).
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u64, bits: u32) {
        self.acc |= value << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push((self.acc & 0xff) as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, written most significant bit first (RFC 1951, 3.1.1).
    fn code(&mut self, code: u64, bits: u32) {
        let mut r = 0u64;
        for i in 0..bits {
            r |= ((code >> i) & 1) << (bits - 1 - i);
        }
        self.put(r, bits);
    }
}

/// Raw DEFLATE (one fixed-Huffman block, RFC 1951 3.2.6) that inflates to at least
/// `at_least` zero bytes: a literal 0, then matches of length 258 at distance 1. About 160:1.
pub fn zeros_bomb(at_least: u64) -> Vec<u8> {
    let mut b = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    b.put(1, 1); // BFINAL
    b.put(1, 2); // BTYPE = 01, fixed Huffman
    b.code(0b0011_0000, 8); // literal 0
    let mut made = 1u64;
    while made < at_least {
        b.code(0b1100_0101, 8); // length code 285 = 258 bytes
        b.code(0, 5); // distance code 0 = distance 1
        made += 258;
    }
    b.code(0, 7); // end of block (256)
    b.put(0, 7); // flush
    b.out
}

/// The number of bytes [`zeros_bomb`]`(at_least)` inflates to.
pub fn zeros_bomb_len(at_least: u64) -> u64 {
    if at_least <= 1 {
        1
    } else {
        1 + (at_least - 1).div_ceil(258) * 258
    }
}
