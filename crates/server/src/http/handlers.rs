//! One thin function per endpoint: extract, call the service on a blocking thread, answer.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rainstaff_core::protocol::{
    ChangesPage, ConflictRecord, EnrollRequest, EnrollResponse, IdNamespacesRequest, IdNamespacesResponse,
    PushRequest, RejoinRequest, RejoinResponse, StatusResponse,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiError;
use super::extract::{AuthDevice, CurrentEpoch, check_protocol, limit};
use super::{AppState, blocking};
use crate::auth::token_hash;
use crate::error::ServiceError;
use crate::service::{LegacyImportResponse, timestamp};
use crate::store::Store;

/// The header next to a snapshot that says which change seq it is consistent with.
pub const HEAD_SEQ_HEADER: &str = "x-rainstaff-head-seq";

pub async fn health<S: Store>(State(state): State<AppState<S>>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "service": "rainstaff",
        "version": env!("CARGO_PKG_VERSION"),
        "timestamp": timestamp(state.server.now()),
    }))
}

pub async fn ready<S: Store>(State(state): State<AppState<S>>) -> Result<Json<Value>, ApiError> {
    let server = state.server.clone();
    blocking(move || server.ready()).await?;
    Ok(Json(json!({ "status": "ready", "timestamp": timestamp(state.server.now()) })))
}

pub async fn enroll<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    body: Result<Json<EnrollRequest>, JsonRejection>,
) -> Result<Json<EnrollResponse>, ApiError> {
    check_protocol(&headers, false)?;
    let Json(request) = body?;
    let server = state.server.clone();
    Ok(Json(blocking(move || server.enroll(request)).await?))
}

/// `POST /sync`: a JSON push from a Rainstaff desktop, or, as multipart, a legacy PC's upload.
pub async fn sync<S: Store>(
    State(state): State<AppState<S>>,
    request: Request,
) -> Result<Response, ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        return Ok(legacy_upload(state, request).await?.into_response());
    }
    let (mut parts, body) = request.into_parts();
    let AuthDevice(device) = AuthDevice::from_request_parts(&mut parts, &state).await?;
    CurrentEpoch::from_request_parts(&mut parts, &state).await?;
    let Json(push) = Json::<PushRequest>::from_request(Request::from_parts(parts, body), &state).await?;
    let server = state.server.clone();
    Ok(Json(blocking(move || server.push(&device, push)).await?).into_response())
}

/// `POST /sync/rejoin`: a device sends back what a restored server may have lost.
pub async fn rejoin<S: Store>(
    State(state): State<AppState<S>>,
    AuthDevice(device): AuthDevice,
    _: CurrentEpoch,
    body: Result<Json<RejoinRequest>, JsonRejection>,
) -> Result<Json<RejoinResponse>, ApiError> {
    let Json(request) = body?;
    let server = state.server.clone();
    Ok(Json(blocking(move || server.rejoin(&device, request)).await?))
}

/// A header's text; bytes that are not text still count as present (and then fail to match).
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// The legacy upload: multipart field `db` with the whole file, `X-API-KEY` and `X-Region`.
async fn legacy_upload<S: Store>(
    state: AppState<S>,
    request: Request,
) -> Result<Json<LegacyImportResponse>, ApiError> {
    let (key, region) =
        (header_text(request.headers(), "x-api-key"), header_text(request.headers(), "x-region"));
    if let Some(key) = &key {
        limit(&state, &format!("legacy:{}", token_hash(key)))?;
    }
    // The key is checked before the upload is read, so a stranger cannot make the server buffer it.
    let server = state.server.clone();
    let checked = key.clone();
    blocking(move || server.check_legacy_key(checked.as_deref())).await?;
    let mut multipart = Multipart::from_request(request, &state).await?;
    let dir = tempfile::tempdir().map_err(|e| ApiError::internal(&e))?;
    let path = dir.path().join("upload.db");
    let mut found = false;
    while let Some(field) = multipart.next_field().await? {
        if field.name() == Some("db") {
            let bytes = field.bytes().await?;
            tokio::fs::write(&path, &bytes).await.map_err(|e| ApiError::internal(&e))?;
            found = true;
            break;
        }
    }
    if !found {
        return Err(ApiError::bad_request(
            "missing_file",
            "the multipart field `db` with the database file is required",
        ));
    }
    let server = state.server.clone();
    let response = blocking(move || {
        let response = server.import_legacy(key.as_deref(), region.as_deref(), &path);
        drop(dir);
        response
    })
    .await?;
    Ok(Json(response))
}

#[derive(Debug, Deserialize)]
pub struct ChangesParams {
    #[serde(default)]
    since: i64,
    limit: Option<usize>,
    /// The last mutation id whose answer the device holds (`Server::changes`).
    answered: Option<i64>,
}

pub async fn changes<S: Store>(
    State(state): State<AppState<S>>,
    AuthDevice(device): AuthDevice,
    _: CurrentEpoch,
    params: Result<Query<ChangesParams>, QueryRejection>,
) -> Result<Json<ChangesPage>, ApiError> {
    let Query(params) = params?;
    let server = state.server.clone();
    Ok(Json(blocking(move || server.changes(&device, params.since, params.limit, params.answered)).await?))
}

pub async fn download<S: Store>(
    State(state): State<AppState<S>>,
    AuthDevice(device): AuthDevice,
) -> Result<Response, ApiError> {
    let server = state.server.clone();
    let (head_seq, bytes) = blocking(move || {
        let dir = tempfile::tempdir().map_err(|e| ServiceError::internal(&e))?;
        let path = dir.path().join("snapshot.db");
        let head_seq = server.snapshot(&device, &path)?;
        let bytes = std::fs::read(&path).map_err(|e| ServiceError::internal(&e))?;
        Ok((head_seq, bytes))
    })
    .await?;
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("application/vnd.sqlite3")),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"rainstaff-snapshot.db\""),
        ),
        (header::HeaderName::from_static(HEAD_SEQ_HEADER), HeaderValue::from(head_seq)),
    ];
    Ok((headers, bytes).into_response())
}

pub async fn status<S: Store>(
    State(state): State<AppState<S>>,
    AuthDevice(device): AuthDevice,
) -> Result<Json<StatusResponse>, ApiError> {
    let server = state.server.clone();
    Ok(Json(blocking(move || server.status(&device)).await?))
}

#[derive(Debug, Deserialize)]
pub struct ConflictParams {
    #[serde(default)]
    include_resolved: bool,
}

pub async fn conflicts<S: Store>(
    State(state): State<AppState<S>>,
    AuthDevice(device): AuthDevice,
    params: Result<Query<ConflictParams>, QueryRejection>,
) -> Result<Json<Vec<ConflictRecord>>, ApiError> {
    let Query(params) = params?;
    let server = state.server.clone();
    Ok(Json(blocking(move || server.conflicts(&device, params.include_resolved)).await?))
}

pub async fn resolve_conflict<S: Store>(
    State(state): State<AppState<S>>,
    AuthDevice(device): AuthDevice,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<ConflictRecord>, ApiError> {
    let Path(id) = id?;
    let server = state.server.clone();
    Ok(Json(blocking(move || server.resolve_conflict(&device, id)).await?))
}

pub async fn id_namespaces<S: Store>(
    State(state): State<AppState<S>>,
    AuthDevice(device): AuthDevice,
    body: Result<Json<IdNamespacesRequest>, JsonRejection>,
) -> Result<Json<IdNamespacesResponse>, ApiError> {
    let Json(request) = body?;
    let server = state.server.clone();
    let id_namespaces = blocking(move || server.id_namespaces(&device, &request.regions)).await?;
    Ok(Json(IdNamespacesResponse { id_namespaces }))
}
