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
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::Environment;

pub use page::{LANG_COOKIE, SESSION_COOKIE};

use crate::error::ServiceError;
use crate::service::Server;
use crate::store::Store;

pub struct WebState<S: Store> {
    server: Arc<Server<S>>,
    templates: Arc<Environment<'static>>,
    /// The server speaks TLS: cookies get `Secure`.
    secure: bool,
}

impl<S: Store> Clone for WebState<S> {
    fn clone(&self) -> Self {
        Self { server: self.server.clone(), templates: self.templates.clone(), secure: self.secure }
    }
}

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

pub fn router<S: Store>(server: Arc<Server<S>>, secure: bool) -> Router {
    let state = WebState { server, templates: Arc::new(templates::environment()), secure };
    Router::new()
        .route("/", get(sign_in::root::<S>))
        .route("/login", get(sign_in::form::<S>).post(sign_in::submit::<S>))
        .route("/logout", post(sign_in::sign_out::<S>))
        .route("/dashboard", get(data_pages::dashboard::<S>))
        .route("/employees", get(data_pages::employees::<S>))
        .route("/employees/{id}", get(data_pages::employee::<S>))
        .route("/vehicles", get(data_pages::vehicles::<S>))
        .route("/vehicles/{id}", get(data_pages::vehicle::<S>))
        .route("/reports", get(data_pages::reports))
        .route("/reports/month.xlsx", get(data_pages::download::<S>))
        .route("/devices", get(admin_pages::devices::<S>))
        .route("/devices/enroll-code", post(admin_pages::enroll_code::<S>))
        .route("/devices/{id}/revoke", post(admin_pages::revoke::<S>))
        .route("/conflicts", get(admin_pages::conflicts::<S>))
        .route("/conflicts/{id}/resolve", post(admin_pages::resolve::<S>))
        .route("/audit", get(admin_pages::audit::<S>))
        .route("/static/web.css", get(stylesheet))
        .with_state(state)
        .layer(middleware::from_fn(security_headers))
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
