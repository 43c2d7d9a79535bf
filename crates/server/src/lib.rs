//! Rainstaff's sync server as a library: the service (`Server`: enrollment, push, pull, snapshot,
//! status, conflicts, legacy uploads) over a store (`Store`, with `SqliteStore` and `PgStore`),
//! its HTTP face (`http::router`, `http::serve`, `http::RunningServer`) and the administration
//! the `rainstaff-server` binary exposes (`admin`).
//!
//! In-process use, as tests and the simulation do:
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use rainstaff_server::{Server, http::{HttpConfig, RunningServer}};
//! let server = Arc::new(Server::open(std::path::Path::new("server.db"))?);
//! let code = server.create_enroll_code("Ankara")?;
//! let running = RunningServer::start(server, HttpConfig::default()).await?;
//! println!("{} {}", running.url(), code.code);
//! running.stop().await?;
//! # Ok(()) }
//! ```

pub mod admin;
pub mod auth;
pub mod backup;
pub mod error;
pub mod http;
pub mod lineage;
pub mod ratelimit;
pub mod service;
pub mod snapshot;
mod sql_values;
pub mod store;
pub mod web;

pub use error::{ErrorKind, ServiceError, StoreError};
pub use service::{Clock, IssuedCode, Server};
pub use store::{Device, PgStore, SqliteStore, Store};
