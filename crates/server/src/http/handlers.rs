//! One thin function per endpoint: extract, call the service on a blocking thread, answer.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rainstaff_core::protocol::{
    ChangesPage, ConflictRecord, EnrollRequest, EnrollResponse, PushRequest, PushResponse, StatusResponse,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{AuthDevice, check_protocol};
use super::{AppState, blocking};
use crate::error::ApiError;
use crate::service::timestamp;
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

pub async fn push<S: Store>(
    State(state): State<AppState<S>>,
    AuthDevice(device): AuthDevice,
    body: Result<Json<PushRequest>, JsonRejection>,
) -> Result<Json<PushResponse>, ApiError> {
    let Json(request) = body?;
    let server = state.server.clone();
    Ok(Json(blocking(move || server.push(&device, request)).await?))
}

#[derive(Debug, Deserialize)]
pub struct ChangesParams {
    #[serde(default)]
    since: i64,
    limit: Option<usize>,
}

pub async fn changes<S: Store>(
    State(state): State<AppState<S>>,
    AuthDevice(device): AuthDevice,
    params: Result<Query<ChangesParams>, QueryRejection>,
) -> Result<Json<ChangesPage>, ApiError> {
    let Query(params) = params?;
    let server = state.server.clone();
    Ok(Json(blocking(move || server.changes(&device, params.since, params.limit)).await?))
}

pub async fn download<S: Store>(
    State(state): State<AppState<S>>,
    AuthDevice(device): AuthDevice,
) -> Result<Response, ApiError> {
    let server = state.server.clone();
    let (head_seq, bytes) = blocking(move || {
        let dir = tempfile::tempdir().map_err(|e| ApiError::internal(&e))?;
        let path = dir.path().join("snapshot.db");
        let head_seq = server.snapshot(&device, &path)?;
        let bytes = std::fs::read(&path).map_err(|e| ApiError::internal(&e))?;
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
