//! adb's RSA authentication, device side.
//!
//! The host keeps an RSA-2048 key in `~/.android/adbkey`; `adbkey.pub` holds the base64 of
//! Android's `RSAPublicKey` struct (`libcrypto_utils/android_pubkey.cpp`): `u32 len` (modulus
//! size in 32-bit words), `u32 n0inv` (−1/n mod 2³²), `u32 modulus[len]` (little-endian words,
//! least significant first), `u32 rr[len]` (R² mod n), `u32 exponent` — all little-endian, so
//! the modulus bytes are simply the little-endian encoding of n. It is followed by
//! ` user@host`.
//!
//! The host answers a 20-byte `AUTH(TOKEN)` with `RSA_sign(NID_sha1, token, 20, …)`: a PKCS#1
//! v1.5 signature in which the *token itself* stands where the SHA-1 digest would be (it is not
//! hashed again).

use base64::Engine as _;
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};

/// Largest modulus accepted, in 32-bit words (8192 bits); adb itself uses 64 (2048 bits).
const MAX_WORDS: usize = 256;
/// Smallest modulus accepted, in 32-bit words (512 bits).
const MIN_WORDS: usize = 16;

/// Why a public key could not be used.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The text is not `<base64> [comment]`.
    #[error("decode the adb public key: {0}")]
    Base64(String),
    /// The blob is not an Android `RSAPublicKey`.
    #[error("read the adb public key: {0}")]
    Blob(String),
}

/// One public key the simulated device trusts (an entry of adbd's `adb_keys`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdbPublicKey {
    key: RsaPublicKey,
    comment: String,
}

impl AdbPublicKey {
    /// Parses the text of an `adbkey.pub` file, or the payload of an `AUTH(RSAPUBLICKEY)`
    /// packet: `<base64 blob>[ <comment>]`, trailing NULs and whitespace ignored.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
        let (b64, comment) = match text.split_once(char::is_whitespace) {
            Some((b, c)) => (b, c.trim()),
            None => (text, ""),
        };
        let blob = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| KeyError::Base64(e.to_string()))?;
        let mut key = Self::from_android_blob(&blob)?;
        key.comment = comment.to_owned();
        Ok(key)
    }

    /// Decodes the binary `RSAPublicKey` struct.
    pub fn from_android_blob(blob: &[u8]) -> Result<Self, KeyError> {
        let word = |i: usize| -> Option<u32> {
            let b = blob.get(i * 4..i * 4 + 4)?;
            Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let len = word(0).ok_or_else(|| KeyError::Blob("shorter than 4 bytes".into()))? as usize;
        if !(MIN_WORDS..=MAX_WORDS).contains(&len) {
            return Err(KeyError::Blob(format!(
                "modulus of {len} words is out of range"
            )));
        }
        let expected = 4 * (3 + 2 * len);
        if blob.len() != expected {
            return Err(KeyError::Blob(format!(
                "{} bytes, expected {expected} for a {}-bit key",
                blob.len(),
                len * 32
            )));
        }
        let n0inv = word(1).unwrap_or(0);
        let modulus = &blob[8..8 + 4 * len];
        let n0 = word(2).unwrap_or(0);
        if n0.wrapping_mul(n0inv) != u32::MAX {
            return Err(KeyError::Blob("n0inv does not match the modulus".into()));
        }
        let exponent = word(2 + 2 * len).unwrap_or(0);
        let n = BigUint::from_bytes_le(modulus);
        let key = RsaPublicKey::new_with_max_size(n, BigUint::from(exponent), MAX_WORDS * 32)
            .map_err(|e| KeyError::Blob(e.to_string()))?;
        Ok(Self {
            key,
            comment: String::new(),
        })
    }

    /// The text after the base64 blob (`user@host`), possibly empty.
    pub fn comment(&self) -> &str {
        &self.comment
    }

    /// Whether `signature` is this key's signature of `token` (PKCS#1 v1.5, SHA-1 DigestInfo,
    /// token in place of the digest — what `adb` sends in `AUTH(SIGNATURE)`).
    pub fn verify(&self, token: &[u8], signature: &[u8]) -> bool {
        self.key
            .verify(Pkcs1v15Sign::new::<sha1::Sha1>(), token, signature)
            .is_ok()
    }
}

/// 20 fresh random bytes for an `AUTH(TOKEN)` packet (adbd's `TOKEN_SIZE`).
pub fn new_token() -> [u8; 20] {
    let mut token = [0u8; 20];
    if getrandom::fill(&mut token).is_err() {
        // No OS randomness: fall back to the clock and a counter. A simulator's token only has
        // to differ between attempts; it protects nothing.
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let c = COUNTER.fetch_add(1, Ordering::Relaxed);
        token[..16].copy_from_slice(&nanos.to_le_bytes());
        token[16..].copy_from_slice(&c.to_le_bytes()[..4]);
    }
    token
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::RsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;

    const PUB: &str = include_str!("../../../../tests/data/sim/adbkey.pub");
    const PRIV: &str = include_str!("../../../../tests/data/sim/adbkey");

    fn private_key() -> RsaPrivateKey {
        RsaPrivateKey::from_pkcs8_pem(PRIV).unwrap()
    }

    #[test]
    fn parses_adb_generated_public_key_matching_its_private_key() {
        let key = AdbPublicKey::parse(PUB).unwrap();
        assert_eq!(key.key, private_key().to_public_key());
        assert!(!key.comment().is_empty());
    }

    #[test]
    fn verifies_signature_made_like_adb_and_rejects_others() {
        let key = AdbPublicKey::parse(PUB).unwrap();
        let token = new_token();
        let sig = private_key()
            .sign(Pkcs1v15Sign::new::<sha1::Sha1>(), &token)
            .unwrap();
        assert_eq!(sig.len(), 256);
        assert!(key.verify(&token, &sig));

        let mut other = token;
        other[0] ^= 0x80;
        assert!(
            !key.verify(&other, &sig),
            "signature of another token accepted"
        );
        let mut bad = sig.clone();
        bad[100] ^= 1;
        assert!(!key.verify(&token, &bad), "corrupted signature accepted");
        assert!(!key.verify(&token, &sig[..255]), "short signature accepted");
        assert!(!key.verify(&token, &[]));
    }

    #[test]
    fn auth_packet_payload_with_trailing_nul_parses() {
        let payload = format!("{} @unknown\0", PUB.split_whitespace().next().unwrap());
        let key = AdbPublicKey::parse(&payload).unwrap();
        assert_eq!(key.comment(), "@unknown");
    }

    #[test]
    fn rejects_malformed_keys() {
        assert!(matches!(
            AdbPublicKey::parse("not base64!"),
            Err(KeyError::Base64(_))
        ));
        assert!(matches!(AdbPublicKey::parse(""), Err(KeyError::Blob(_))));
        let b64 = PUB.split_whitespace().next().unwrap();
        let blob = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(blob.len(), 524);
        // Truncated.
        assert!(AdbPublicKey::from_android_blob(&blob[..520]).is_err());
        // Word count lying about the size.
        let mut lying = blob.clone();
        lying[0] = 200;
        assert!(AdbPublicKey::from_android_blob(&lying).is_err());
        // n0inv inconsistent with the modulus.
        let mut wrong = blob.clone();
        wrong[4] ^= 2;
        assert!(AdbPublicKey::from_android_blob(&wrong).is_err());
        assert!(AdbPublicKey::from_android_blob(&blob).is_ok());
    }

    #[test]
    fn tokens_differ() {
        assert_ne!(new_token(), new_token());
    }
}
