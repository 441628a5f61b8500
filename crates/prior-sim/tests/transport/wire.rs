//! The test host's own adbd wire codec, written from the protocol description and NOT shared
//! with the simulator (`prior_sim::adbd::packet`), so that a mistake in the simulator's encoder
//! cannot cancel out against the same mistake in its decoder. It is checked against bytes that
//! Debian's `adb` really sent (`tests/data/adb-wire/`, see its PROVENANCE.md).
//!
//! The format (adb `protocol.txt`, `adb.h` `amessage`): a 24-byte header of six little-endian
//! `u32`s — command, arg0, arg1, data length, data checksum, magic — then the payload. The
//! command is four ASCII letters read as a little-endian `u32` (`"CNXN"` → 0x4e584e43); magic is
//! `command ^ 0xffffffff`; the checksum is the sum of the payload's bytes (mod 2^32), and is 0
//! once both sides speak protocol version 0x01000001 (`A_VERSION_SKIP_CHECKSUM`).

/// A command word from its four letters.
pub const fn word(name: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*name)
}

pub const CNXN: u32 = word(b"CNXN");
pub const AUTH: u32 = word(b"AUTH");
pub const OPEN: u32 = word(b"OPEN");
pub const OKAY: u32 = word(b"OKAY");
pub const WRTE: u32 = word(b"WRTE");
pub const CLSE: u32 = word(b"CLSE");
/// The protocol version adb 29+ sends in CNXN (skips payload checksums).
pub const VERSION_SKIP_CHECKSUM: u32 = 0x0100_0001;

/// Sum of the payload bytes, as protocol.txt's "data checksum".
pub fn sum(data: &[u8]) -> u32 {
    data.iter().fold(0u32, |a, &b| a.wrapping_add(u32::from(b)))
}

/// One packet's bytes; `checksum` fills the data-check field (CNXN before the handshake).
pub fn encode(command: u32, arg0: u32, arg1: u32, data: &[u8], checksum: bool) -> Vec<u8> {
    let len = u32::try_from(data.len()).expect("payload fits in u32");
    let mut out = Vec::with_capacity(24 + data.len());
    for field in [
        command,
        arg0,
        arg1,
        len,
        if checksum { sum(data) } else { 0 },
        command ^ 0xffff_ffff,
    ] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend_from_slice(data);
    out
}

/// The four letters of a command, or its hex value.
pub fn name(command: u32) -> String {
    let b = command.to_le_bytes();
    if b.iter().all(u8::is_ascii_uppercase) {
        String::from_utf8_lossy(&b).into_owned()
    } else {
        format!("{command:#010x}")
    }
}

/// A decoded packet: (command, arg0, arg1, check, payload).
pub type Decoded = (u32, u32, u32, u32, Vec<u8>);

/// Splits a captured byte stream into packets; `Err` names the offset of the first bad one.
pub fn decode_stream(mut bytes: &[u8]) -> Result<Vec<Decoded>, String> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    while !bytes.is_empty() {
        if bytes.len() < 24 {
            return Err(format!("truncated header at byte {offset}"));
        }
        let f = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let (command, arg0, arg1, len, check, magic) = (f(0), f(4), f(8), f(12), f(16), f(20));
        if magic != command ^ 0xffff_ffff {
            return Err(format!("bad magic at byte {offset}"));
        }
        let len = len as usize;
        if bytes.len() < 24 + len {
            return Err(format!("truncated payload at byte {offset}"));
        }
        out.push((command, arg0, arg1, check, bytes[24..24 + len].to_vec()));
        bytes = &bytes[24 + len..];
        offset += 24 + len;
    }
    Ok(out)
}
