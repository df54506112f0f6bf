//! When each key was last used, recorded cheaply: at most once per [`LAST_USED_PRECISION`]
//! per key and process, by a write on the blocking pool that no request waits for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::Store;

/// How stale a key's recorded last use may be: a key used constantly is written once a
/// minute, not once a request.
pub const LAST_USED_PRECISION: Duration = Duration::from_secs(60);

/// The keys this process used recently, and when it last recorded each.
pub struct KeyUsage {
    store: Arc<Store>,
    recorded: Mutex<HashMap<String, Instant>>,
}

impl KeyUsage {
    pub fn new(store: Arc<Store>) -> Self {
        Self {
            store,
            recorded: Mutex::new(HashMap::new()),
        }
    }

    /// Notes a use of the key `id`. The first use, and the first after
    /// [`LAST_USED_PRECISION`], is written to the store on the blocking pool; the caller
    /// never waits for it (outside a tokio runtime nothing is written).
    pub fn used(&self, id: &str) {
        let now = Instant::now();
        {
            let mut recorded = self
                .recorded
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match recorded.get_mut(id) {
                Some(at) if now.duration_since(*at) < LAST_USED_PRECISION => return,
                Some(at) => *at = now,
                None => {
                    recorded.insert(id.to_owned(), now);
                }
            }
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (store, id, at) = (self.store.clone(), id.to_owned(), chrono::Utc::now());
        runtime.spawn_blocking(move || {
            if let Err(error) = store.record_api_key_uses(&[(id, at)]) {
                tracing::warn!(%error, "recording when a key was last used");
            }
        });
    }
}
