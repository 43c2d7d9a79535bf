//! The two kinds of failure: `ServiceError` is what a caller is told (kind, stable code,
//! message), `StoreError` is what went wrong underneath and is only ever logged. Neither knows
//! HTTP: `http::ApiError` gives a `ServiceError` its status code, so the service and any store
//! can be used, and tested, without a web server.

use rainstaff_core::protocol::ErrorDetail;
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

/// What kind of refusal an error is, in the service's words; the HTTP layer alone turns it into
/// a status code, so another face (the CLI, a dashboard, a simulation) needs no HTTP to tell
/// them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request itself is wrong (a field, a region, a mutation id); sending it again fails again.
    Invalid,
    /// The caller did not prove who it is, or its credential no longer works.
    Unauthenticated,
    /// The caller is known but may not do this.
    Forbidden,
    NotFound,
    /// The request clashes with the state the server holds (a replayed or skipped mutation id,
    /// an earlier epoch, an existing administrator).
    Conflict,
    /// What the request names existed and is spent for good (a used or expired enrollment code).
    Gone,
    /// The database does not answer at the moment; a later try may work.
    Unavailable,
    /// The server itself failed; the cause is in the log, never in the answer.
    Internal,
}

/// A refusal or failure of the service. `code` is stable and machine-readable; clients branch
/// on it, people read `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
    /// What a device needs to mend the refusal by itself (a restored server or PC); boxed, as
    /// most errors have none and every `Result` of the service carries this type.
    pub detail: Option<Box<ErrorDetail>>,
}

impl ServiceError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Self { kind, code, message: message.into(), detail: None }
    }

    pub fn with_detail(mut self, detail: ErrorDetail) -> Self {
        self.detail = Some(Box::new(detail));
        self
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, code, message)
    }

    pub fn unauthenticated(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthenticated, code, message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, message)
    }

    pub fn gone(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Gone, code, message)
    }

    pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, code, message)
    }

    /// A failure of the server itself. The cause goes to the log; the caller learns only that it
    /// happened, because store errors can quote SQL and data.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorKind::Internal, "internal", "internal server error")
    }
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ServiceError {}

impl From<StoreError> for ServiceError {
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

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        // Its own text is only "db error"; what the database said is in the source.
        match e.as_db_error() {
            Some(db) => Self::msg(format!("PostgreSQL: {db}")),
            None => Self(Box::new(e)),
        }
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
