//! The 24-byte adbd packet header and its constants.
//!
//! Facts from AOSP `packages/modules/adb` (`adb.h`, `types.h`, `protocol.txt`), as summarised
//! in Prior's FORMATS.md §1a: six little-endian u32 `command, arg0, arg1, data_length,
//! data_check, magic` with `magic = command ^ 0xffff_ffff`; `data_check` is the plain byte
//! sum of the payload (not a CRC).

use std::io::{self, Read};

/// `CNXN`: connect; arg0 = version, arg1 = max payload, payload = system identity.
pub const A_CNXN: u32 = 0x4e58_4e43;
/// `AUTH`: arg0 = type (token / signature / RSA public key).
pub const A_AUTH: u32 = 0x4854_5541;
/// `OPEN`: arg0 = opener's local id, payload = service name.
pub const A_OPEN: u32 = 0x4e45_504f;
/// `OKAY`: ready / acknowledgement; arg0 = sender's local id, arg1 = sender's remote id.
pub const A_OKAY: u32 = 0x5941_4b4f;
/// `CLSE`: close a stream.
pub const A_CLSE: u32 = 0x4553_4c43;
/// `WRTE`: stream data.
pub const A_WRTE: u32 = 0x4554_5257;
/// `STLS`: TLS upgrade (wireless debugging only; never sent by this simulator).
pub const A_STLS: u32 = 0x534c_5453;
/// `SYNC`: obsolete, never on the wire.
pub const A_SYNC: u32 = 0x434e_5953;

/// AUTH arg0: the device's 20-byte random token.
pub const AUTH_TOKEN: u32 = 1;
/// AUTH arg0: the host's signature of the token.
pub const AUTH_SIGNATURE: u32 = 2;
/// AUTH arg0: the host's public key (`"<base64> user@host\0"`).
pub const AUTH_RSAPUBLICKEY: u32 = 3;

/// Lowest protocol version (checksums on every packet).
pub const A_VERSION_MIN: u32 = 0x0100_0000;
/// "Skip checksum" version (Dec 2017); the version this simulator speaks.
pub const A_VERSION: u32 = 0x0100_0001;
/// Maximum payload of a CNXN/AUTH packet and of protocol-v1 peers.
pub const MAX_PAYLOAD_V1: u32 = 4096;
/// Maximum payload current adb offers (1 MiB).
pub const MAX_PAYLOAD: u32 = 1024 * 1024;
/// Smallest max-payload a peer may announce; anything smaller is treated as hostile.
pub const MIN_PEER_PAYLOAD: u32 = 256;
/// Size of the header.
pub const HEADER_LEN: usize = 24;

/// A decoded header (payload read separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// `CNXN`, `OPEN`, …
    pub command: u32,
    /// First argument.
    pub arg0: u32,
    /// Second argument.
    pub arg1: u32,
    /// Payload length in bytes.
    pub data_length: u32,
}

/// Why a header was rejected; the connection is closed in every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    /// `magic != command ^ 0xffffffff`.
    BadMagic,
    /// `data_length` above what this side accepts.
    TooLong(u32),
}

/// Parses and checks a header against the receive limit `max_payload` (adbd's `check_header`;
/// `data_check` is not verified, as modern adb does not either).
pub fn decode_header(raw: &[u8; HEADER_LEN], max_payload: u32) -> Result<Header, HeaderError> {
    let word = |i: usize| u32::from_le_bytes([raw[i], raw[i + 1], raw[i + 2], raw[i + 3]]);
    let command = word(0);
    let magic = word(20);
    if magic != command ^ 0xffff_ffff {
        return Err(HeaderError::BadMagic);
    }
    let data_length = word(12);
    if data_length > max_payload {
        return Err(HeaderError::TooLong(data_length));
    }
    Ok(Header {
        command,
        arg0: word(4),
        arg1: word(8),
        data_length,
    })
}

/// The byte sum adb calls `data_check`.
pub fn checksum(data: &[u8]) -> u32 {
    data.iter()
        .fold(0u32, |sum, &b| sum.wrapping_add(u32::from(b)))
}

/// Encodes one packet (header + payload) into a single buffer, so one `write` carries it.
pub fn encode(command: u32, arg0: u32, arg1: u32, data: &[u8], with_checksum: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + data.len());
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let check = if with_checksum { checksum(data) } else { 0 };
    for word in [command, arg0, arg1, len, check, command ^ 0xffff_ffff] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    out.extend_from_slice(data);
    out
}

/// Reads one header, or `Ok(None)` on a clean EOF before its first byte.
pub fn read_header(r: &mut impl Read) -> io::Result<Option<[u8; HEADER_LEN]>> {
    let mut raw = [0u8; HEADER_LEN];
    let mut got = 0;
    while got < HEADER_LEN {
        match r.read(&mut raw[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(raw))
}

/// The command's four ASCII letters, for log lines.
pub fn command_name(command: u32) -> String {
    command
        .to_le_bytes()
        .iter()
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_constants_spell_their_names() {
        for (cmd, name) in [
            (A_CNXN, "CNXN"),
            (A_AUTH, "AUTH"),
            (A_OPEN, "OPEN"),
            (A_OKAY, "OKAY"),
            (A_CLSE, "CLSE"),
            (A_WRTE, "WRTE"),
            (A_STLS, "STLS"),
            (A_SYNC, "SYNC"),
        ] {
            assert_eq!(&cmd.to_le_bytes(), name.as_bytes());
            assert_eq!(command_name(cmd), name);
        }
    }

    #[test]
    fn encode_then_decode_round_trips() {
        let pkt = encode(A_WRTE, 7, 9, b"hello", true);
        assert_eq!(pkt.len(), HEADER_LEN + 5);
        let raw: [u8; HEADER_LEN] = pkt[..HEADER_LEN].try_into().unwrap();
        let h = decode_header(&raw, MAX_PAYLOAD).unwrap();
        assert_eq!(
            h,
            Header {
                command: A_WRTE,
                arg0: 7,
                arg1: 9,
                data_length: 5
            }
        );
        assert_eq!(u32::from_le_bytes(raw[16..20].try_into().unwrap()), 532); // b"hello" sum
        let no_sum = encode(A_WRTE, 7, 9, b"hello", false);
        assert_eq!(&no_sum[16..20], &[0, 0, 0, 0]);
    }

    #[test]
    fn rejects_bad_magic_and_oversized_payload() {
        let mut pkt = encode(A_OKAY, 1, 2, b"", false);
        pkt[20] ^= 1;
        let raw: [u8; HEADER_LEN] = pkt[..HEADER_LEN].try_into().unwrap();
        assert_eq!(decode_header(&raw, MAX_PAYLOAD), Err(HeaderError::BadMagic));

        let pkt = encode(A_WRTE, 1, 2, &[0u8; 4097], false);
        let raw: [u8; HEADER_LEN] = pkt[..HEADER_LEN].try_into().unwrap();
        assert_eq!(decode_header(&raw, 4096), Err(HeaderError::TooLong(4097)));
        assert!(decode_header(&raw, 4097).is_ok());
    }

    #[test]
    fn read_header_distinguishes_clean_eof_from_truncation() {
        let mut empty: &[u8] = &[];
        assert!(read_header(&mut empty).unwrap().is_none());
        let mut short: &[u8] = &[1, 2, 3];
        assert_eq!(
            read_header(&mut short).unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Any 24 bytes: no panic; an accepted header has the right magic and a length
            /// within the limit, exactly as adbd's `check_header` demands.
            #[test]
            fn any_header_is_accepted_only_when_well_formed(
                raw in proptest::array::uniform24(any::<u8>()),
                max in 0u32..=MAX_PAYLOAD,
            ) {
                let word = |i: usize| u32::from_le_bytes([raw[i], raw[i + 1], raw[i + 2], raw[i + 3]]);
                match decode_header(&raw, max) {
                    Ok(h) => {
                        prop_assert_eq!(word(20), h.command ^ 0xffff_ffff);
                        prop_assert!(h.data_length <= max);
                        prop_assert_eq!((h.arg0, h.arg1, h.data_length), (word(4), word(8), word(12)));
                    }
                    Err(HeaderError::BadMagic) => prop_assert_ne!(word(20), word(0) ^ 0xffff_ffff),
                    Err(HeaderError::TooLong(n)) => {
                        prop_assert_eq!(n, word(12));
                        prop_assert!(n > max);
                    }
                }
            }

            /// Whatever the header claims, reading it consumes exactly 24 bytes or reports a
            /// truncation; it never reads ahead into the payload.
            #[test]
            fn read_header_never_over_reads(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
                let mut r: &[u8] = &bytes;
                match read_header(&mut r) {
                    Ok(Some(_)) => prop_assert_eq!(r.len(), bytes.len() - HEADER_LEN),
                    Ok(None) => prop_assert!(bytes.is_empty()),
                    Err(e) => {
                        prop_assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
                        prop_assert!(!bytes.is_empty() && bytes.len() < HEADER_LEN);
                    }
                }
            }

            #[test]
            fn encode_then_decode_round_trips_any_packet(
                command in any::<u32>(), arg0 in any::<u32>(), arg1 in any::<u32>(),
                data in proptest::collection::vec(any::<u8>(), 0..512), sum in any::<bool>(),
            ) {
                let pkt = encode(command, arg0, arg1, &data, sum);
                let raw: [u8; HEADER_LEN] = pkt[..HEADER_LEN].try_into().map_err(|_| TestCaseError::fail("short"))?;
                let h = decode_header(&raw, MAX_PAYLOAD).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                prop_assert_eq!((h.command, h.arg0, h.arg1, h.data_length as usize), (command, arg0, arg1, data.len()));
                prop_assert_eq!(&pkt[HEADER_LEN..], &data[..]);
            }
        }
    }
}
