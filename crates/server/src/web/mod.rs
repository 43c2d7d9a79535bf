//! The admin web dashboard, on the sync server's own port: managers and administrators sign in
//! with a password (never a device token) and see the company, or their region, in a browser.
//! Pages are rendered on the server from compiled-in templates with one stylesheet and no
//! script at all, so they work on a LAN with no internet and a strict Content-Security-Policy.
//! Every page reads through the service with the signed-in `Viewer`, the same scope rule the
//! sync API applies to a device of that region.

mod admin_pages;
mod data_pages;
mod page;
mod sign_in;
mod templates;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::Semaphore;

pub use page::{LANG_COOKIE, SESSION_COOKIE};

use crate::error::ServiceError;
use crate::http::ApiError;
use crate::service::Server;
use crate::store::Store;

pub struct WebState<S: Store> {
    server: Arc<Server<S>>,
    /// Browsers reach the server over TLS (its own or a proxy's): cookies get `Secure`.
    secure: bool,
    /// Password checks running at once; each holds Argon2's memory (19 MiB).
    sign_ins: Arc<Semaphore>,
}

impl<S: Store> Clone for WebState<S> {
    fn clone(&self) -> Self {
        Self { server: self.server.clone(), secure: self.secure, sign_ins: self.sign_ins.clone() }
    }
}

/// Password checks at once: enough for an office's morning, a bounded amount of memory.
const SIGN_INS_AT_ONCE: usize = 4;

impl<S: Store> WebState<S> {
    /// Runs a service call on tokio's blocking pool, as the sync API does.
    async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Server<S>) -> Result<T, ServiceError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        let server = self.server.clone();
        tokio::task::spawn_blocking(move || f(&server)).await.map_err(|e| ServiceError::internal(&e))?
    }
}

const STYLESHEET: &str = include_str!("../../assets/web.css");

/// No script runs, styles come from this server only, no other site may frame a page or be the
/// target of its forms.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// The pages; `secure` when browsers reach the server over TLS.
pub fn router<S: Store>(server: Arc<Server<S>>, secure: bool) -> Router {
    let state = WebState { server, secure, sign_ins: Arc::new(Semaphore::new(SIGN_INS_AT_ONCE)) };
    Router::new()
        .route("/", get(sign_in::root::<S>))
        .route("/login", get(sign_in::form::<S>).post(sign_in::submit::<S>))
        .route("/logout", post(sign_in::sign_out::<S>))
        .route("/dashboard", get(data_pages::dashboard::<S>))
        .route("/employees", get(data_pages::employees::<S>))
        .route("/employees/{id}", get(data_pages::employee::<S>))
        .route("/vehicles", get(data_pages::vehicles::<S>))
        .route("/vehicles/{id}", get(data_pages::vehicle::<S>))
        .route("/reports", get(data_pages::reports::<S>))
        .route("/reports/month.xlsx", get(data_pages::download_month::<S>))
        .route("/puantaj", get(data_pages::puantaj::<S>))
        .route("/reports/puantaj.xlsx", get(data_pages::download_puantaj::<S>))
        .route("/devices", get(admin_pages::devices::<S>))
        .route("/devices/enroll-code", post(admin_pages::enroll_code::<S>))
        .route("/devices/{id}/revoke", post(admin_pages::revoke::<S>))
        .route("/conflicts", get(admin_pages::conflicts::<S>))
        .route("/conflicts/{id}/resolve", post(admin_pages::resolve::<S>))
        .route("/audit", get(admin_pages::audit::<S>))
        .route("/static/web.css", get(stylesheet))
        .fallback(not_found)
        .with_state(state)
        .layer(middleware::from_fn(html_errors))
        .layer(middleware::from_fn(security_headers))
}

/// An unknown address: a page for a browser, the sync API's JSON for a program.
async fn not_found(request: Request) -> Response {
    let (parts, _) = request.into_parts();
    if wants_html(&parts.headers) {
        let out = page::Renderer::plain(&parts);
        return out.error_page(StatusCode::NOT_FOUND, None, &out.not_found());
    }
    ApiError::from(ServiceError::not_found("not_found", "no such endpoint")).into_response()
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// Errors made before a page handler runs (a query, path or form that does not parse, a wrong
/// method) come from axum as plain text; a person gets them as a page in their language.
async fn html_errors(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let out = page::Renderer::plain(&parts);
    let response = next.run(Request::from_parts(parts, body)).await;
    let status = response.status();
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_page {
        return response;
    }
    let message = match status {
        StatusCode::NOT_FOUND => out.not_found(),
        StatusCode::METHOD_NOT_ALLOWED => {
            out.lang.pick("Bu adres böyle kullanılmaz.", "This address is not used that way.").to_string()
        }
        _ => out.lang.pick("İstek okunamadı.", "The request could not be read.").to_string(),
    };
    out.error_page(status, None, &message)
}

async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], STYLESHEET)
        .into_response()
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // Pages show payroll data: no copy in a shared browser's cache.
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}
