//! The sync transport over HTTP(S): JSON bodies, gzip both ways, the protocol header, the
//! device token. Bodies are compressed and decompressed here rather than by reqwest so that the
//! run's report can say how many bytes really crossed the wire.

use std::io::{Read, Write};
use std::time::Duration;

use rainstaff_core::ids::IdNamespaces;
use rainstaff_core::protocol::{
    ChangesPage, ConflictRecord, EPOCH_HEADER, EnrollRequest, EnrollResponse, ErrorBody, IdNamespacesRequest,
    IdNamespacesResponse, PROTOCOL_HEADER, PROTOCOL_VERSION, PushRequest, PushResponse, RejoinRequest,
    RejoinResponse,
};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::db::sync::{SyncError, Transport};

pub struct HttpTransport {
    client: reqwest::Client,
    base: String,
    token: String,
}

const USER_AGENT: &str = concat!("rainstaff/", env!("CARGO_PKG_VERSION"));

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        // Bodies are gunzipped here (`body`), after counting what crossed the wire; reqwest must
        // not do it first, as it would when another crate of the build enables its gzip feature.
        .no_gzip()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120))
        .build()
        .expect("the TLS backend is compiled in")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).and_then(|()| enc.finish()).unwrap_or_default()
}

/// Reads a response: the raw length on the wire and the decoded body.
async fn body(response: reqwest::Response) -> Result<(StatusCode, Vec<u8>, u64), SyncError> {
    let status = response.status();
    let gzipped = response
        .headers()
        .get(reqwest::header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let raw = response.bytes().await.map_err(|e| SyncError::Offline(e.to_string()))?;
    let wire = raw.len() as u64;
    let decoded = if gzipped {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| SyncError::Server(format!("bad gzip body: {e}")))?;
        out
    } else {
        raw.to_vec()
    };
    Ok((status, decoded, wire))
}

/// The bytes of a request's line and headers as HTTP/1.1 sends them; the client adds `host`, and
/// `content-length` for a body. With the bodies, what a sync reports is what crossed the wire.
fn request_head(request: &reqwest::Request, body_len: u64) -> u64 {
    let url = request.url();
    let target = url.path().len() + url.query().map_or(0, |q| q.len() + 1);
    let mut bytes = request.method().as_str().len() + 1 + target + " HTTP/1.1\r\n".len();
    bytes += header_lines(request.headers());
    let host = url.host_str().unwrap_or_default().len() + url.port().map_or(0, |p| p.to_string().len() + 1);
    bytes += "host: \r\n".len() + host;
    if body_len > 0 {
        bytes += "content-length: \r\n".len() + body_len.to_string().len();
    }
    (bytes + 2) as u64
}

/// The bytes of a response's status line and headers.
fn response_head(response: &reqwest::Response) -> u64 {
    let status = response.status();
    let reason = status.canonical_reason().unwrap_or_default().len();
    ("HTTP/1.1 200 \r\n".len() + reason + header_lines(response.headers()) + 2) as u64
}

fn header_lines(headers: &reqwest::header::HeaderMap) -> usize {
    headers.iter().map(|(name, value)| name.as_str().len() + ": \r\n".len() + value.len()).sum()
}

fn error_for(status: StatusCode, body: &[u8]) -> SyncError {
    let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_else(|_| ErrorBody {
        message: String::from_utf8_lossy(body).chars().take(200).collect(),
        ..ErrorBody::default()
    });
    SyncError::from_response(status.as_u16(), &parsed)
}

impl HttpTransport {
    pub fn new(base: &str, token: &str) -> Self {
        HttpTransport {
            client: client(),
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
        }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        epoch: Option<&str>,
        payload: Option<&impl Serialize>,
    ) -> Result<(T, u64, u64), SyncError> {
        let (bytes, sent, received) = self.exchange(method, path, epoch, payload, "application/json").await?;
        let value = serde_json::from_slice(&bytes)
            .map_err(|e| SyncError::Server(format!("unreadable answer from {path}: {e}")))?;
        Ok((value, sent, received))
    }

    /// One request; the answer's body (decompressed) and the bytes sent and received.
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        epoch: Option<&str>,
        payload: Option<&impl Serialize>,
        accept: &'static str,
    ) -> Result<(Vec<u8>, u64, u64), SyncError> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header(reqwest::header::ACCEPT, accept)
            .header(reqwest::header::ACCEPT_ENCODING, "gzip")
            // The server's devices page shows which version each PC runs. Set on the request, not
            // the client, so `request_bytes` counts it.
            .header(reqwest::header::USER_AGENT, USER_AGENT);
        if let Some(epoch) = epoch {
            request = request.header(EPOCH_HEADER, epoch);
        }
        let mut sent = 0;
        if let Some(payload) = payload {
            let json = serde_json::to_vec(payload).map_err(|e| SyncError::Local(e.to_string()))?;
            let compressed = gzip(&json);
            sent = compressed.len() as u64;
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(reqwest::header::CONTENT_ENCODING, "gzip")
                .body(compressed);
        }
        let request = request.build().map_err(|e| SyncError::Local(describe(&e)))?;
        sent += request_head(&request, sent);
        let response = self.client.execute(request).await.map_err(|e| SyncError::Offline(describe(&e)))?;
        let head = response_head(&response);
        let chunked = response.headers().get(reqwest::header::TRANSFER_ENCODING).is_some();
        let (status, bytes, received) = body(response).await?;
        // A body sent in chunks (compressed as it is written) comes framed: one chunk, as a rule.
        let framing = if chunked { format!("{received:x}\r\n\r\n0\r\n\r\n").len() as u64 } else { 0 };
        if !status.is_success() {
            return Err(error_for(status, &bytes));
        }
        Ok((bytes, sent, received + head + framing))
    }
}

impl HttpTransport {
    /// The id namespaces of `regions` (the server makes them when first needed).
    pub async fn id_namespaces(&self, regions: &[String]) -> Result<IdNamespaces, SyncError> {
        let request = IdNamespacesRequest { regions: regions.to_vec() };
        let (answer, _, _): (IdNamespacesResponse, u64, u64) =
            self.call(Method::POST, "/sync/id-namespaces", None, Some(&request)).await?;
        Ok(answer.id_namespaces)
    }
}

/// reqwest's errors nest their cause; people need the innermost one ("connection refused").
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text
}

impl Transport for HttpTransport {
    async fn push(
        &mut self,
        epoch: Option<&str>,
        request: &PushRequest,
    ) -> Result<(PushResponse, u64, u64), SyncError> {
        self.call(Method::POST, "/sync", epoch, Some(request)).await
    }

    async fn changes(
        &mut self,
        epoch: Option<&str>,
        since: i64,
        limit: usize,
        answered: Option<i64>,
    ) -> Result<(ChangesPage, u64, u64), SyncError> {
        let mut path = format!("/sync/changes?since={since}&limit={limit}");
        if let Some(answered) = answered {
            path.push_str(&format!("&answered={answered}"));
        }
        self.call(Method::GET, &path, epoch, None::<&()>).await
    }

    async fn rejoin(
        &mut self,
        epoch: &str,
        request: &RejoinRequest,
    ) -> Result<(RejoinResponse, u64, u64), SyncError> {
        self.call(Method::POST, "/sync/rejoin", Some(epoch), Some(request)).await
    }

    async fn conflicts(&mut self) -> Result<(Vec<ConflictRecord>, u64, u64), SyncError> {
        self.call(Method::GET, "/sync/conflicts", None, None::<&()>).await
    }

    async fn download(&mut self) -> Result<(Vec<u8>, u64, u64), SyncError> {
        self.exchange(Method::GET, "/sync/download", None, None::<&()>, "application/vnd.sqlite3").await
    }

    async fn resolve_conflict(&mut self, id: i64) -> Result<(u64, u64), SyncError> {
        let (_, sent, received): (serde_json::Value, u64, u64) =
            self.call(Method::POST, &format!("/sync/conflicts/{id}/resolve"), None, None::<&()>).await?;
        Ok((sent, received))
    }
}

/// Exchanges a one-time code for this PC's device id, token and region.
pub async fn enroll(server: &str, code: &str, name: &str) -> Result<EnrollResponse, SyncError> {
    let url = format!("{}/enroll", server.trim_end_matches('/'));
    let response = client()
        .post(url)
        .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
        .json(&EnrollRequest { code: code.trim().to_string(), name: name.to_string() })
        .send()
        .await
        .map_err(|e| SyncError::Offline(describe(&e)))?;
    let (status, bytes, _) = body(response).await?;
    if !status.is_success() {
        return Err(error_for(status, &bytes));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| SyncError::Server(format!("unreadable enrollment answer: {e}")))
}
