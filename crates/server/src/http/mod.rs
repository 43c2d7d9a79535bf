//! The HTTP face of the service: routes, the layers every request passes (request id, tracing,
//! gzip both ways, size limit, timeout, protocol header, JSON errors) and the ways to run it.

mod error;
mod extract;
mod handlers;
mod listen;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rainstaff_core::protocol::{PROTOCOL_HEADER, PROTOCOL_VERSION};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use error::ApiError;
pub use handlers::HEAD_SEQ_HEADER;

use crate::error::ServiceError;
use crate::ratelimit::{RateLimit, RateLimiter};
use crate::service::Server;
use crate::store::{SqliteStore, Store};

#[derive(Debug, Clone, Copy)]
pub struct HttpConfig {
    /// The largest request body, after gzip decoding.
    pub body_limit: usize,
    /// How long a request may take to be answered; also how long the server waits on a client
    /// that stopped reading its answer.
    pub request_timeout: Duration,
    /// How long a client may take to send a request's headers (and its TLS handshake), and how
    /// long an idle connection stays open.
    pub header_timeout: Duration,
    /// Connections served at once; more wait until one closes.
    pub max_connections: usize,
    pub rate_limit: RateLimit,
    /// The dashboard's cookies only over TLS: set behind a TLS proxy (`--secure-cookies`); `serve`
    /// sets it itself when it speaks TLS.
    pub secure_cookies: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            body_limit: 16 * 1024 * 1024,
            request_timeout: Duration::from_secs(60),
            header_timeout: Duration::from_secs(15),
            // Each office PC holds one connection while it syncs: hundreds of PCs at once, and
            // far below the 1024 file descriptors a service gets by default.
            max_connections: 256,
            rate_limit: RateLimit::default(),
            secure_cookies: false,
        }
    }
}

/// How long open requests may finish after a shutdown signal before their connections close.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

pub struct AppState<S: Store> {
    server: Arc<Server<S>>,
    limiter: Arc<RateLimiter>,
}

impl<S: Store> Clone for AppState<S> {
    fn clone(&self) -> Self {
        Self { server: self.server.clone(), limiter: self.limiter.clone() }
    }
}

/// Runs a service call on tokio's blocking pool: the store's methods wait on SQLite and must not
/// hold up the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ApiError> {
    Ok(tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal(&e))??)
}

pub fn router<S: Store>(server: Arc<Server<S>>, config: HttpConfig) -> Router {
    let pages = crate::web::router(server.clone(), config.secure_cookies);
    let state = AppState { server, limiter: Arc::new(RateLimiter::new(config.rate_limit)) };
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let id = request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok());
            // The path only: no headers (tokens) and no query strings in the log.
            tracing::info_span!("request", id = id.unwrap_or("-"), method = %request.method(), path = request.uri().path())
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    Router::new()
        .route("/health", get(handlers::health::<S>))
        .route("/ready", get(handlers::ready::<S>))
        .route("/enroll", post(handlers::enroll::<S>))
        .route("/sync", post(handlers::sync::<S>))
        .route("/sync/changes", get(handlers::changes::<S>))
        .route("/sync/rejoin", post(handlers::rejoin::<S>))
        .route("/sync/download", get(handlers::download::<S>))
        .route("/sync/status", get(handlers::status::<S>))
        .route("/sync/conflicts", get(handlers::conflicts::<S>))
        .route("/sync/conflicts/{id}/resolve", post(handlers::resolve_conflict::<S>))
        .route("/sync/id-namespaces", post(handlers::id_namespaces::<S>))
        .with_state(state)
        // Devices get every error as JSON; the pages (and the unknown addresses, see
        // `web::router`) answer people in HTML.
        .layer(middleware::from_fn(json_errors))
        .merge(pages)
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(middleware::from_fn_with_state(config.request_timeout, timeout))
        .layer(RequestDecompressionLayer::new())
        .layer(middleware::map_response(protocol_header))
        // gzip level 2: the answer to a push of 500 rows is compressed on the push's path, and
        // the default level (6) took a seventh of a migration-day push's server time; level 2
        // takes less than half of that for bodies 4 % larger (level 1 made them 55 % larger).
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(2)))
        .layer(trace)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// A request that takes too long is answered; the work it started still commits or rolls back
/// as a whole, and a retry gets the stored outcome.
async fn timeout(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::from_status(axum::http::StatusCode::REQUEST_TIMEOUT).into_response(),
    }
}

/// Errors made by layers and the router (405, 413, 415 ...) come as plain text; clients get the
/// same JSON shape from every error.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        return ApiError::from_status(status).into_response();
    }
    response
}

async fn protocol_header(mut response: Response) -> Response {
    response.headers_mut().insert(PROTOCOL_HEADER, HeaderValue::from(PROTOCOL_VERSION));
    response
}

/// Serves on `listener`, over TLS when `tls` is given, until `shutdown` completes; then open
/// requests get `SHUTDOWN_GRACE` to finish.
pub async fn serve<S: Store>(
    listener: TcpListener,
    server: Arc<Server<S>>,
    config: HttpConfig,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let limits = listen::Limits {
        max_connections: config.max_connections,
        header_timeout: config.header_timeout,
        write_stall: config.request_timeout,
    };
    let config = HttpConfig { secure_cookies: config.secure_cookies || tls.is_some(), ..config };
    listen::run(listener, router(server, config), limits, tls, shutdown, SHUTDOWN_GRACE).await
}

/// The TLS side of `serve` from a PEM certificate chain and private key. It offers HTTP/1.1
/// only, the one protocol `serve` speaks.
pub async fn tls_acceptor(cert: &Path, key: &Path) -> io::Result<TlsAcceptor> {
    let loaded = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await?;
    let mut config = (*loaded.get_inner()).clone();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A server running inside this process (tests, benchmarks, simulations).
pub struct RunningServer<S: Store = SqliteStore> {
    addr: SocketAddr,
    server: Arc<Server<S>>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

impl<S: Store> RunningServer<S> {
    /// Starts serving `server` over plain HTTP on a free port of 127.0.0.1.
    pub async fn start(server: Arc<Server<S>>, config: HttpConfig) -> io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), server, config).await
    }

    /// Like `start`, on `addr`: a restarted server can take the address its clients know.
    pub async fn start_on(addr: SocketAddr, server: Arc<Server<S>>, config: HttpConfig) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, server.clone(), config, None, async {
            let _ = stopped.await;
        }));
        Ok(Self { addr, server, stop, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn server(&self) -> &Arc<Server<S>> {
        &self.server
    }

    /// Stops accepting, waits for open requests, and returns once the listener is closed.
    pub async fn stop(self) -> io::Result<()> {
        let _ = self.stop.send(());
        self.task.await.map_err(io::Error::other)?
    }
}
