//! Secrets at rest: the shop's API key and our webhook header secret are sealed with
//! XChaCha20-Poly1305 under a 32-byte key that lives outside the database (a file
//! named by the server's configuration, or `secret.key` in the data directory, created
//! with owner-only permissions on first start). A stolen database or firm backup alone
//! does not reveal a shop's key.
//!
//! Sealed text: `v1:` + hex(24-byte random nonce ‖ ciphertext ‖ tag). The purpose is
//! bound as associated data, so a sealed webhook secret cannot pass for an API key.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::path::Path;

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 24;

/// What a sealed value is for (bound as associated data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A shop's API key.
    ShopApiKey,
    /// The value of our custom header on the shop's webhook deliveries.
    HookSecret,
}

impl Purpose {
    fn aad(self) -> &'static [u8] {
        match self {
            Purpose::ShopApiKey => b"sklad/shop-api-key/v1",
            Purpose::HookSecret => b"sklad/hook-secret/v1",
        }
    }
}

/// Why a secret could not be sealed, opened or the key loaded. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The key file could not be read or created.
    #[error("the secret key file {path}: {reason}")]
    KeyFile {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A sealed value does not open with this key (another key, or damaged).
    #[error("a stored secret cannot be opened with the server's key")]
    Unreadable,
}

/// The sealing key. `Debug` shows nothing of it.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(<key redacted>)")
    }
}

impl SecretBox {
    /// A box with this 32-byte key.
    pub fn new(key: [u8; 32]) -> SecretBox {
        SecretBox {
            cipher: XChaCha20Poly1305::new(Key::from_slice(&key)),
        }
    }

    /// A box with a fresh random key (tests, the demo).
    pub fn random() -> SecretBox {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        SecretBox::new(key)
    }

    /// Reads the key file (64 hex characters). With `create`, a missing file is created
    /// with a new random key, readable by the owner only; the returned flag says so.
    pub fn load(path: &Path, create: bool) -> Result<(SecretBox, bool), SecretError> {
        let fail = |reason: String| SecretError::KeyFile {
            path: path.display().to_string(),
            reason,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim())
                    .map_err(|_| fail("not 64 hexadecimal characters".into()))?;
                let key: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| fail("not 64 hexadecimal characters".into()))?;
                Ok((SecretBox::new(key), false))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let mut key = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                write_owner_only(path, &hex::encode(key)).map_err(|e| fail(e.to_string()))?;
                Ok((SecretBox::new(key), true))
            }
            Err(e) => Err(fail(e.kind().to_string())),
        }
    }

    /// Seals `plain` for `purpose`.
    pub fn seal(&self, purpose: Purpose, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: purpose.aad(),
                },
            )
            // Encryption fails only for messages beyond 256 GiB.
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", hex::encode(out))
    }

    /// Opens what [`SecretBox::seal`] sealed for `purpose`.
    pub fn open(&self, purpose: Purpose, sealed: &str) -> Result<String, SecretError> {
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|h| hex::decode(h).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or(SecretError::Unreadable)?;
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: purpose.aad(),
                },
            )
            .map_err(|_| SecretError::Unreadable)?;
        String::from_utf8(plain).map_err(|_| SecretError::Unreadable)
    }
}

/// Writes `text` to a new file only its owner may read (mode 0600 on Unix).
fn write_owner_only(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// A random token of `bytes` bytes as hex (path tokens, header secrets).
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Compares two secrets in constant time (for equal lengths).
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_purpose() {
        let a = SecretBox::random();
        let b = SecretBox::random();
        let sealed = a.seal(Purpose::ShopApiKey, "ZP0000SECRET");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("ZP0000SECRET"));
        assert_eq!(
            a.open(Purpose::ShopApiKey, &sealed).unwrap(),
            "ZP0000SECRET"
        );
        assert_eq!(
            b.open(Purpose::ShopApiKey, &sealed),
            Err(SecretError::Unreadable)
        );
        assert_eq!(
            a.open(Purpose::HookSecret, &sealed),
            Err(SecretError::Unreadable)
        );
        assert_ne!(
            sealed,
            a.seal(Purpose::ShopApiKey, "ZP0000SECRET"),
            "fresh nonce"
        );
        for garbage in ["", "v1:", "v1:zz", "v2:00", &sealed[..sealed.len() - 2]] {
            assert_eq!(
                a.open(Purpose::ShopApiKey, garbage),
                Err(SecretError::Unreadable)
            );
        }
        assert_eq!(format!("{a:?}"), "SecretBox(<key redacted>)");
    }

    #[test]
    fn the_key_file_is_created_once_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("secret.key");
        assert!(SecretBox::load(&path, false).is_err());
        let (first, created) = SecretBox::load(&path, true).unwrap();
        assert!(created);
        let (second, created) = SecretBox::load(&path, true).unwrap();
        assert!(!created);
        let sealed = first.seal(Purpose::HookSecret, "h");
        assert_eq!(second.open(Purpose::HookSecret, &sealed).unwrap(), "h");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "short").unwrap();
        assert!(SecretBox::load(&path, true).is_err());
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert_eq!(random_token(16).len(), 32);
    }
}
