//! A token bucket per device token, in memory. It protects the database from one PC stuck in a
//! retry loop; it is not meant to survive restarts or to be shared between server processes.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Requests per second a token earns.
    pub per_second: f64,
    /// Requests a token may make at once after being idle.
    pub burst: f64,
}

impl Default for RateLimit {
    /// Generous for a sync every five minutes, and for a new PC pulling a large backlog page by
    /// page; tight enough that a runaway loop cannot monopolize the single database writer.
    fn default() -> Self {
        Self { per_second: 20.0, burst: 200.0 }
    }
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Above this many tracked keys, buckets that have refilled completely are forgotten, so forged
/// tokens cannot grow the map without bound.
const PRUNE_ABOVE: usize = 10_000;

pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> Self {
        Self { limit, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `key`'s bucket, or says how long to wait for one.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() > PRUNE_ABOVE {
            let limit = self.limit;
            buckets.retain(|_, b| refilled(limit, b, now) < limit.burst);
        }
        let bucket =
            buckets.entry(key.to_string()).or_insert(Bucket { tokens: self.limit.burst, updated: now });
        bucket.tokens = refilled(self.limit, bucket, now);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.limit.per_second))
        }
    }
}

fn refilled(limit: RateLimit, bucket: &Bucket, now: Instant) -> f64 {
    let earned = now.saturating_duration_since(bucket.updated).as_secs_f64() * limit.per_second;
    (bucket.tokens + earned).min(limit.burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refusal_per_key() {
        let limiter = RateLimiter::new(RateLimit { per_second: 0.001, burst: 3.0 });
        for _ in 0..3 {
            assert!(limiter.check("a").is_ok());
        }
        let wait = limiter.check("a").unwrap_err();
        assert!(wait > Duration::from_secs(60));
        assert!(limiter.check("b").is_ok());
    }

    #[test]
    fn refills_over_time() {
        let limiter = RateLimiter::new(RateLimit { per_second: 1000.0, burst: 1.0 });
        assert!(limiter.check("a").is_ok());
        std::thread::sleep(Duration::from_millis(5));
        assert!(limiter.check("a").is_ok());
    }
}
