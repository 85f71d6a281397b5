//! Time-based one-time passwords (RFC 6238) for two-factor sign-in, with `totp-rs`:
//! SHA-1, 6 digits, 30-second steps, one step of drift either way — what every
//! authenticator app expects. Times come from the server's injected clock.

use totp_rs::{Algorithm, Secret, TOTP};

/// The name authenticator apps show beside the account.
pub const ISSUER: &str = "Sklad";

/// A fresh secret (160 random bits), base32 as apps and people type it.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    match Secret::Raw(bytes).to_encoded() {
        Secret::Encoded(text) => text,
        Secret::Raw(_) => unreachable!("to_encoded gives the encoded form"),
    }
}

/// Seconds per time step.
const STEP: i64 = 30;

fn totp(secret: &str, login: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP as u64,
        bytes,
        Some(ISSUER.to_owned()),
        login.to_owned(),
    )
    .ok()
}

/// The time step (30-second count since the epoch) whose code `code` is — the step of
/// `now` or one either side of it — or `None`. Spaces in the code are forgiven; the
/// codes are compared by digest, in constant time.
pub fn matching_step(secret: &str, login: &str, code: &str, now: jiff::Timestamp) -> Option<i64> {
    use sha2::{Digest, Sha256};
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let totp = totp(secret, login)?;
    if code.len() != 6 {
        return None;
    }
    let step = now.as_second().checked_div(STEP)?;
    let typed = Sha256::digest(code.as_bytes());
    (step - 1..=step + 1).find(|s| {
        u64::try_from(s * STEP)
            .is_ok_and(|at| Sha256::digest(totp.generate(at).as_bytes()) == typed)
    })
}

/// The enrolment as an inline SVG QR code of the `otpauth://` address (no XML
/// prologue, so it sits in the page).
pub fn qr_svg(secret: &str, login: &str) -> String {
    let Some(url) = totp(secret, login).map(|t| t.get_url()) else {
        return String::new();
    };
    let Ok(code) = qrcode::QrCode::new(url.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .build();
    match svg.find("<svg") {
        Some(start) => svg[start..].to_owned(),
        None => svg,
    }
}

/// The secret in groups of four, easier to type by hand.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_good_for_its_step_and_one_either_side() {
        let secret = new_secret();
        let now: jiff::Timestamp = "2026-11-30T10:00:15Z".parse().unwrap();
        let t = totp(&secret, "owner").unwrap();
        let code = t.generate(now.as_second() as u64);
        let step = Some(now.as_second() / 30);
        assert_eq!(matching_step(&secret, "owner", &code, now), step);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(&secret, "owner", &spaced, now), step);
        let later = now + jiff::SignedDuration::from_secs(30);
        assert_eq!(matching_step(&secret, "owner", &code, later), step);
        let too_late = now + jiff::SignedDuration::from_secs(90);
        assert_eq!(matching_step(&secret, "owner", &code, too_late), None);
        assert_eq!(matching_step(&secret, "owner", "12345", now), None);
        assert_eq!(matching_step("not base32!", "owner", &code, now), None);
    }

    #[test]
    fn the_qr_code_is_an_inline_svg() {
        let svg = qr_svg(&new_secret(), "owner");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
