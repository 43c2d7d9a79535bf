//! The two kinds of failure: `ApiError` is what a caller is told (status, stable code, message),
//! `StoreError` is what went wrong underneath and is only ever logged.

use axum::Json;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rainstaff_core::protocol::{ErrorBody, ErrorDetail};
use rainstaff_core::quote::{excerpt, printable};

/// How much of a value from the request (a table name, a region, a header) an error message
/// quotes: enough to recognise it, never the whole of a hostile or oversized input.
const QUOTE_CHARS: usize = 40;
/// How much of the start and of the end of a parser's own explanation an answer carries: serde
/// and the legacy reader quote the offending input in the middle, the path before it and what
/// was expected (and where) after it.
const DETAIL_HEAD_CHARS: usize = 200;
const DETAIL_TAIL_CHARS: usize = 100;

/// `input` for an error message: a short printable excerpt in quotes.
pub fn quoted(input: &str) -> String {
    format!("\"{}\"", excerpt(input, QUOTE_CHARS))
}

/// A parser's explanation for an error message: whole when short, else its start and its end.
pub fn detail(explanation: &str) -> String {
    let chars = explanation.chars().count();
    if chars <= DETAIL_HEAD_CHARS + DETAIL_TAIL_CHARS {
        return printable(explanation).into_owned();
    }
    let tail: String = explanation.chars().skip(chars - DETAIL_TAIL_CHARS).collect();
    format!("{}{}", excerpt(explanation, DETAIL_HEAD_CHARS), printable(&tail))
}

/// An answer that is not a success. `code` is stable and machine-readable; clients branch on it,
/// people read `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds a rate-limited client should wait, sent as `Retry-After`.
    pub retry_after: Option<u64>,
    /// What a device needs to mend the refusal by itself (a restored server or PC); boxed, as
    /// most errors have none and every `Result` of the service carries this type.
    pub detail: Option<Box<ErrorDetail>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after: None, detail: None }
    }

    pub fn with_detail(mut self, detail: ErrorDetail) -> Self {
        self.detail = Some(Box::new(detail));
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// A failure of the server itself. The cause goes to the log; the caller learns only that it
    /// happened, because store errors can quote SQL and data.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal server error")
    }

    /// A generic error for a status produced outside our handlers (a layer, the router).
    pub fn from_status(status: StatusCode) -> Self {
        let code = match status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::REQUEST_TIMEOUT => "request_timeout",
            StatusCode::TOO_MANY_REQUESTS => "rate_limited",
            s if s.is_server_error() => "internal",
            _ => "bad_request",
        };
        let message = status.canonical_reason().unwrap_or("request failed").to_string();
        Self::new(status, code, message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.to_string(),
            message: self.message,
            detail: self.detail.map(|d| *d).unwrap_or_default(),
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonSyntaxError(e) => Self::bad_request("malformed_json", detail(&e.body_text())),
            JsonRejection::JsonDataError(e) => Self::bad_request("invalid_body", detail(&e.body_text())),
            JsonRejection::MissingJsonContentType(e) => {
                Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", e.body_text())
            }
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", e.body_text())
            }
            other => Self::bad_request("unreadable_body", detail(&other.body_text())),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request("invalid_query", detail(&rejection.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::bad_request("invalid_path", detail(&rejection.body_text()))
    }
}

impl From<MultipartRejection> for ApiError {
    fn from(rejection: MultipartRejection) -> Self {
        Self::bad_request("invalid_multipart", detail(&rejection.body_text()))
    }
}

impl From<MultipartError> for ApiError {
    fn from(e: MultipartError) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", e.body_text())
        } else {
            Self::bad_request("invalid_multipart", detail(&e.body_text()))
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::internal(&e)
    }
}

/// A failure of the database or the file system beneath the store.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(Box<dyn std::error::Error + Send + Sync>);

impl StoreError {
    pub fn msg(message: impl Into<String>) -> Self {
        Self(message.into().into())
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self(Box::new(e))
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self(Box::new(e))
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        Self(Box::new(e))
    }
}

impl From<uuid::Error> for StoreError {
    fn from(e: uuid::Error) -> Self {
        Self(Box::new(e))
    }
}
