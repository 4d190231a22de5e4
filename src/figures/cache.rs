//! What a server keeps computed from a programme's data — the dashboard's figures — under
//! the programme's `data_version`.
//!
//! The version lives in the database and is bumped by triggers in the same transaction
//! as every write to what the figures are made from (migration 000010), and every request
//! reads it with the programme row it reads anyway. So a kept result is used only while
//! the data it was made from is still the newest committed, whichever server (or person
//! at a SQL prompt) wrote last: several servers on one PostgreSQL database never serve
//! one another's stale figures. Nothing here expires by time; an entry for an older
//! version or day is simply never asked for again and is dropped when a newer one of the
//! same kind is kept.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;

/// What a kept result was made from: a programme at a data version, as at a day (the
/// dashboard's window and ratings move with the date), and which result it is (`what`,
/// and a `variant` of it, e.g. a page as one set of roles sees it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub programme_id: i32,
    pub data_version: i64,
    pub day: NaiveDate,
    pub what: &'static str,
    pub variant: u32,
}

impl Key {
    /// The result `what` of `programme` at its current data version, as at `day`.
    pub fn new(
        programme: &crate::models::programme::Programme,
        day: NaiveDate,
        what: &'static str,
    ) -> Key {
        Key {
            programme_id: programme.id,
            data_version: programme.data_version,
            day,
            what,
            variant: 0,
        }
    }

    pub fn variant(self, variant: u32) -> Key {
        Key { variant, ..self }
    }

    fn same_kind(&self, other: &Key) -> bool {
        self.programme_id == other.programme_id
            && self.what == other.what
            && self.variant == other.variant
    }

    /// Made from data or a day at least as new as `other`'s.
    fn newer_or_same(&self, other: &Key) -> bool {
        (self.data_version, self.day) >= (other.data_version, other.day)
    }
}

type Value = Arc<dyn Any + Send + Sync>;

/// One kept result: filled by the first request that needs it, which the requests
/// arriving meanwhile wait for instead of computing it again.
type Slot = Arc<Mutex<Option<Value>>>;

/// Results kept by one server (each `rocket()` has its own: tests run two servers in one
/// process). Cheap to clone.
#[derive(Clone, Default)]
pub struct Cache {
    slots: Arc<Mutex<HashMap<Key, Slot>>>,
}

/// Kept results beyond this are dropped, oldest kind first. Each is one programme's
/// dashboard: a few hundred KB for a hundred indicators.
const MAX_ENTRIES: usize = 64;

impl Cache {
    pub fn new() -> Cache {
        Cache::default()
    }

    /// The result kept under `key`, or `make`'s, kept for the next request. An error is
    /// returned and nothing is kept.
    pub fn get_or_make<T, E>(
        &self,
        key: Key,
        make: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
    {
        let slot = self.slot(key);
        let mut held = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = held.as_ref().and_then(|v| v.clone().downcast::<T>().ok()) {
            return Ok(v);
        }
        let made = Arc::new(make()?);
        *held = Some(made.clone());
        Ok(made)
    }

    /// The slot for `key`, made on first use; older results of the same kind go.
    fn slot(&self, key: Key) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(s) = slots.get(&key) {
            return s.clone();
        }
        slots.retain(|k, _| !(k.same_kind(&key) && key.newer_or_same(k)));
        if slots.len() >= MAX_ENTRIES {
            // Rare: more programmes than entries, or versions racing. Start afresh.
            slots.clear();
        }
        let s = Slot::default();
        slots.insert(key, s.clone());
        s
    }

    /// How many results are kept (for tests).
    pub fn len(&self) -> usize {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(version: i64, what: &'static str) -> Key {
        Key {
            programme_id: 1,
            data_version: version,
            day: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            what,
            variant: 0,
        }
    }

    #[test]
    fn a_result_is_made_once_per_version() {
        let cache = Cache::new();
        let mut made = 0;
        for _ in 0..3 {
            let v = cache
                .get_or_make(key(1, "dashboard"), || {
                    made += 1;
                    Ok::<_, ()>(made * 10)
                })
                .unwrap();
            assert_eq!(*v, 10);
        }
        assert_eq!(made, 1);
        let v = cache
            .get_or_make(key(2, "dashboard"), || Ok::<_, ()>(20))
            .unwrap();
        assert_eq!(*v, 20, "a new version is made afresh");
    }

    #[test]
    fn a_newer_version_drops_the_older_of_its_kind_only() {
        let cache = Cache::new();
        cache
            .get_or_make(key(1, "dashboard"), || Ok::<_, ()>(1))
            .unwrap();
        cache
            .get_or_make(key(1, "summary"), || Ok::<_, ()>(1))
            .unwrap();
        cache
            .get_or_make(key(1, "dashboard").variant(3), || Ok::<_, ()>(1))
            .unwrap();
        cache
            .get_or_make(key(2, "dashboard"), || Ok::<_, ()>(2))
            .unwrap();
        assert_eq!(
            cache.len(),
            3,
            "version 1's dashboard went, its summary and other variant stayed"
        );
        let mut other_day = key(2, "dashboard");
        other_day.day = other_day.day.succ_opt().unwrap();
        cache.get_or_make(other_day, || Ok::<_, ()>(3)).unwrap();
        assert_eq!(cache.len(), 3, "yesterday's dashboard went");
    }

    #[test]
    fn an_error_keeps_nothing() {
        let cache = Cache::new();
        let r: Result<Arc<i32>, &str> = cache.get_or_make(key(1, "dashboard"), || Err("no"));
        assert!(r.is_err());
        let v = cache
            .get_or_make(key(1, "dashboard"), || Ok::<_, &str>(5))
            .unwrap();
        assert_eq!(*v, 5);
    }

    #[test]
    fn waiting_requests_share_the_first_ones_result() {
        let cache = Cache::new();
        let made = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (cache, made) = (cache.clone(), made.clone());
                std::thread::spawn(move || {
                    *cache
                        .get_or_make(key(7, "dashboard"), || {
                            made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(50));
                            Ok::<_, ()>(7)
                        })
                        .unwrap()
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), 7);
        }
        assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
