//! Blocking access to PostgreSQL for a synchronous store. The `Store` trait blocks (handlers run
//! it on tokio's blocking pool, a simulation or a test calls it straight from wherever it is), so
//! the async client tokio-postgres is driven by a runtime of the store's own, on a thread of its
//! own, and callers wait on a plain channel for each answer. Waiting on a channel is allowed
//! anywhere, inside an async test's body included, where blocking on a runtime (what the
//! `postgres` crate does per call) would panic. The connections are pooled here: a fixed most,
//! opened when first needed, dropped instead of reused when broken or when a panic unwound
//! through the transaction that held one.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use futures_util::future::try_join_all;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Row, Statement};

use crate::error::StoreError;

/// A statement argument the database thread can take.
pub type Param = Box<dyn ToSql + Sync + Send>;

/// The runtime every connection of a store is driven by.
pub struct Link {
    runtime: Option<tokio::runtime::Runtime>,
}

impl Link {
    pub fn new() -> Result<Self, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("rainstaff-postgres")
            .enable_all()
            .build()?;
        Ok(Self { runtime: Some(runtime) })
    }

    /// Runs `work` on the store's runtime and waits for its result.
    pub fn run<T: Send + 'static>(&self, work: impl Future<Output = T> + Send + 'static) -> T {
        let (answer, answered) = std::sync::mpsc::sync_channel(1);
        self.runtime.as_ref().expect("the runtime lives as long as the link").spawn(async move {
            let _ = answer.send(work.await);
        });
        answered.recv().expect("the database runtime stopped while a call was waiting")
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which is refused inside an async context (a test that drops
        // its server); letting it go in the background is allowed anywhere.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn refs(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| &**p as _).collect()
}

/// One connection with the statements prepared on it.
pub struct Conn {
    client: Arc<Client>,
    statements: HashMap<String, Statement>,
    /// Writes whose answer nobody needs yet, sent with the next statement that has one.
    deferred: Vec<(Statement, Vec<Param>)>,
}

impl Conn {
    fn statement(&mut self, link: &Link, sql: &str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let (client, text) = (self.client.clone(), sql.to_string());
        let statement = link.run(async move { client.prepare(&text).await })?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    /// Runs `sql` after the deferred writes, in the same round trip, and returns its rows.
    pub fn query(&mut self, link: &Link, sql: &str, params: Vec<Param>) -> Result<Vec<Row>, StoreError> {
        let statement = self.statement(link, sql)?;
        let (client, deferred) = (self.client.clone(), std::mem::take(&mut self.deferred));
        Ok(link.run(async move {
            let deferred_refs: Vec<_> = deferred.iter().map(|(s, p)| (s, refs(p))).collect();
            let read_refs = refs(&params);
            // tokio-postgres sends the requests of futures polled together without waiting for
            // each answer (pipelining), in the order they are first polled, and the server runs
            // them in that order; the first error wins, as it would one statement at a time.
            let writes = try_join_all(deferred_refs.iter().map(|(s, p)| client.execute(*s, p)));
            let read = client.query(&statement, &read_refs);
            let (_, rows) = futures_util::try_join!(writes, read)?;
            Ok::<_, tokio_postgres::Error>(rows)
        })?)
    }

    /// Queues a write whose answer is not needed now: under the write lock every round trip
    /// is time no other writer can use, and a push makes several writes per mutation. A failed
    /// write fails the next statement (or the commit), so its transaction still rolls back.
    pub fn defer(&mut self, link: &Link, sql: &str, params: Vec<Param>) -> Result<(), StoreError> {
        let statement = self.statement(link, sql)?;
        self.deferred.push((statement, params));
        Ok(())
    }

    /// Sends the deferred writes (before a commit).
    pub fn flush(&mut self, link: &Link) -> Result<(), StoreError> {
        if !self.deferred.is_empty() {
            self.query(link, "SELECT 1", Vec::new())?;
        }
        Ok(())
    }

    /// Forgets the deferred writes of a transaction that rolls back.
    pub fn drop_deferred(&mut self) {
        self.deferred.clear();
    }

    /// Runs statements without arguments, in one round trip (`BEGIN; ...`).
    pub fn batch(&mut self, link: &Link, sql: &str) -> Result<(), StoreError> {
        self.flush(link)?;
        let (client, text) = (self.client.clone(), sql.to_string());
        Ok(link.run(async move { client.batch_execute(&text).await })?)
    }
}

struct Slots {
    idle: Vec<Conn>,
    open: usize,
}

/// At most `size` connections to one database.
pub struct Pool {
    url: String,
    size: usize,
    slots: Mutex<Slots>,
    freed: Condvar,
}

impl Pool {
    pub fn new(url: &str, size: usize) -> Self {
        Self {
            url: url.to_string(),
            size: size.max(1),
            slots: Mutex::new(Slots { idle: Vec::new(), open: 0 }),
            freed: Condvar::new(),
        }
    }

    fn slots(&self) -> MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An idle connection, a new one while fewer than `size` are open, or the next one freed.
    pub fn get<'p>(&'p self, link: &'p Link) -> Result<Pooled<'p>, StoreError> {
        let mut slots = self.slots();
        loop {
            if let Some(conn) = slots.idle.pop() {
                return Ok(Pooled { pool: self, conn: Some(conn), broken: false });
            }
            if slots.open < self.size {
                slots.open += 1;
                drop(slots);
                return match self.connect(link) {
                    Ok(conn) => Ok(Pooled { pool: self, conn: Some(conn), broken: false }),
                    Err(e) => {
                        self.slots().open -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            slots = self.freed.wait(slots).unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn connect(&self, link: &Link) -> Result<Conn, StoreError> {
        let url = self.url.clone();
        let client = link.run(async move {
            let (client, connection) = tokio_postgres::connect(&url, NoTls).await?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::warn!(error = %e, "a PostgreSQL connection ended");
                }
            });
            Ok::<_, tokio_postgres::Error>(client)
        })?;
        Ok(Conn { client: Arc::new(client), statements: HashMap::new(), deferred: Vec::new() })
    }
}

/// A connection taken from the pool; it goes back when dropped, unless it cannot be trusted.
pub struct Pooled<'p> {
    pool: &'p Pool,
    conn: Option<Conn>,
    broken: bool,
}

impl Pooled<'_> {
    pub fn conn(&mut self) -> &mut Conn {
        self.conn.as_mut().expect("a pooled connection is held until dropped")
    }

    /// Keeps the connection out of the pool: its session is in a state nobody should inherit.
    pub fn discard(&mut self) {
        self.broken = true;
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let mut slots = self.pool.slots();
        // A panic may have left a transaction open on it; dropping the client closes the
        // session, and the server rolls that transaction back.
        if self.broken || std::thread::panicking() || conn.client.is_closed() {
            slots.open -= 1;
        } else {
            slots.idle.push(conn);
        }
        drop(slots);
        self.pool.freed.notify_one();
    }
}
