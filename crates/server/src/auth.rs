//! Secrets: device tokens, enrollment codes and user passwords. Only their hashes are stored;
//! a stolen database copy lets nobody sync or enroll.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng as PasswordRng;
use argon2::password_hash::{PasswordHasher, SaltString};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use crate::error::ServiceError;

/// Letters and digits nobody confuses when reading a code off a screen (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 12;

/// A shorter password is refused.
pub const MIN_PASSWORD_CHARS: usize = 12;

pub fn check_password(password: &str) -> Result<(), ServiceError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServiceError::invalid(
            "password_too_short",
            format!("the password must have at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// A new device token: 256 random bits, hex. Shown once, then only its hash exists.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Lower-case hex, written into one string: every pushed mutation's hash goes through here, and
/// a `format!` per byte made that 32 allocations each.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    text
}

pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// A new enrollment code like `K7QM-2WXC-9HTB` (about 59 bits; it also expires and works once).
pub fn new_enroll_code() -> String {
    let mut code = String::with_capacity(CODE_LEN + 2);
    for i in 0..CODE_LEN {
        if i > 0 && i % 4 == 0 {
            code.push('-');
        }
        let pick = (OsRng.next_u32() as usize) % CODE_ALPHABET.len();
        code.push(char::from(CODE_ALPHABET[pick]));
    }
    code
}

/// The hash of a code as typed: case, spaces and dashes do not matter to a person reading it out.
pub fn enroll_code_hash(typed: &str) -> String {
    let normalized: String =
        typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    sha256_hex(normalized.as_bytes())
}

/// Whether two secrets are equal, in a time that does not depend on where they first differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// Argon2id with the crate's default (OWASP-recommended) parameters.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut PasswordRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{PasswordHash, PasswordVerifier};

    fn verify_password(password: &str, hash: &str) -> bool {
        PasswordHash::new(hash)
            .is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    }

    #[test]
    fn codes_are_readable_and_typing_does_not_matter() {
        let code = new_enroll_code();
        assert_eq!(code.len(), 14);
        assert!(code.chars().all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8))));
        let sloppy = code.replace('-', " ").to_lowercase();
        assert_eq!(enroll_code_hash(&code), enroll_code_hash(&sloppy));
        assert_ne!(enroll_code_hash(&code), enroll_code_hash(&new_enroll_code()));
    }

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("uzun bir parola 123").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("uzun bir parola 123", &hash));
        assert!(!verify_password("uzun bir parola 124", &hash));
    }

    /// Stored hashes (device tokens, applied mutations) are compared with new ones: the text of
    /// a hash must stay the same lower-case hex.
    #[test]
    fn hashes_are_lower_case_hex_of_sha256() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    #[test]
    fn tokens_are_256_bits_and_distinct() {
        let token = new_token();
        assert_eq!(token.len(), 64);
        assert_ne!(token, new_token());
        assert_eq!(token_hash(&token).len(), 64);
    }
}
