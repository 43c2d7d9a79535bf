//! What every authenticated request must carry, checked before its body is read: a protocol
//! version this build serves, then a device token within its rate, then a token that is valid.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use rainstaff_core::protocol::{EPOCH_HEADER, MIN_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION};

use super::ApiError;
use super::{AppState, blocking};
use crate::auth::token_hash;
use crate::store::{Device, Store};

/// The device a request was authenticated as.
pub struct AuthDevice(pub Device);

impl<S: Store> FromRequestParts<AppState<S>> for AuthDevice {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<Self, ApiError> {
        check_protocol(&parts.headers, true)?;
        let token = bearer_token(&parts.headers)?;
        limit(state, &token_hash(&token))?;
        let version = app_version(&parts.headers);
        let server = state.server.clone();
        let device = blocking(move || {
            let device = server.authenticate(&token)?;
            match version {
                Some(v) if device.app_version.as_deref() != Some(v.as_str()) => {
                    server.note_app_version(&device, &v)
                }
                _ => Ok(device),
            }
        })
        .await?;
        Ok(AuthDevice(device))
    }
}

/// The app version a desktop names in its User-Agent (`rainstaff/0.1.0`), if it is one.
fn app_version(headers: &HeaderMap) -> Option<String> {
    let agent = headers.get(header::USER_AGENT)?.to_str().ok()?;
    let version = agent.strip_prefix("rainstaff/")?;
    let plausible = !version.is_empty()
        && version.len() <= 32
        && version.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
    plausible.then(|| version.to_string())
}

/// Proof that a request was made against the server's current epoch (or names none): a device
/// still on the history before a restore is told to rejoin before anything it sent is used.
pub struct CurrentEpoch;

impl<S: Store> FromRequestParts<AppState<S>> for CurrentEpoch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<Self, ApiError> {
        let claimed =
            parts.headers.get(EPOCH_HEADER).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let server = state.server.clone();
        blocking(move || server.check_epoch(claimed.as_deref())).await?;
        Ok(CurrentEpoch)
    }
}

/// Takes one request from the bucket of `key` (a credential's hash).
pub fn limit<S: Store>(state: &AppState<S>, key: &str) -> Result<(), ApiError> {
    state.limiter.check(key).map_err(|wait| {
        let mut e =
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests; slow down");
        e.retry_after = Some(wait.as_secs().max(1));
        e
    })
}

/// Refuses versions outside what this build serves. With `required`, a missing header is an error
/// too (only enrollment, which an installer may script, tolerates its absence).
pub fn check_protocol(headers: &HeaderMap, required: bool) -> Result<(), ApiError> {
    let Some(value) = headers.get(PROTOCOL_HEADER) else {
        return if required {
            Err(ApiError::bad_request(
                "protocol_missing",
                format!("the {PROTOCOL_HEADER} header is required"),
            ))
        } else {
            Ok(())
        };
    };
    let version: u32 = value.to_str().ok().and_then(|v| v.trim().parse().ok()).ok_or_else(|| {
        ApiError::bad_request("protocol_invalid", format!("{PROTOCOL_HEADER} must be a number"))
    })?;
    if version < MIN_PROTOCOL_VERSION {
        return Err(ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            "update_required",
            format!(
                "this Rainstaff is too old for the server (sync protocol {version}; the server needs \
                 {MIN_PROTOCOL_VERSION} to {PROTOCOL_VERSION}); install the current version"
            ),
        ));
    }
    if version > PROTOCOL_VERSION {
        return Err(ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            "update_required",
            format!(
                "this Rainstaff is newer than the server (sync protocol {version}; the server serves \
                 {MIN_PROTOCOL_VERSION} to {PROTOCOL_VERSION}); the server must be updated"
            ),
        ));
    }
    Ok(())
}

fn bearer_token(headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized("missing_token", "an Authorization: Bearer token is required")
    })?;
    value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::unauthorized("invalid_token", "the Authorization header must be `Bearer <token>`")
        })
}
