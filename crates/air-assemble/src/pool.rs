//! The worker threads of the per-entry work: scoped threads that take items
//! one at a time from a shared counter and give the results back in item
//! order, so the output never depends on scheduling.

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many workers `items` entries get for a requested count (0 = the
/// machine's parallelism). A library of one entry, the latency-critical
/// JIT case, never starts a thread; no more workers than entries.
pub(crate) fn thread_count(requested: usize, items: usize) -> usize {
    match requested {
        _ if items <= 1 => 1,
        0 => air_ir::available_threads(),
        n => n,
    }
    .min(items)
    .max(1)
}

/// `items.iter().map(f)` on `threads` scoped threads, results in item
/// order. Items are handed out one at a time from a shared counter, so an
/// uneven mix of large and small entries still keeps every thread busy.
pub(crate) fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let states = vec![(); threads.max(1)];
    parallel_map_with(items, states, |_, item| f(item)).0
}

/// [`parallel_map`] with one worker per state in `states`: each worker
/// passes its own state to `f` for every item it takes. Returns the results
/// in item order and the states.
pub(crate) fn parallel_map_with<S: Send, T: Sync, R: Send>(
    items: &[T],
    mut states: Vec<S>,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> (Vec<R>, Vec<S>) {
    if states.len() <= 1 {
        let results = match states.first_mut() {
            Some(state) => items.iter().map(|item| f(state, item)).collect(),
            None => Vec::new(),
        };
        return (results, states);
    }
    let next = AtomicUsize::new(0);
    let worker = |mut state: S| {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, f(&mut state, item)));
        }
        (done, state)
    };
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    let first = states.remove(0);
    let mut states_out = Vec::with_capacity(states.len() + 1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = states
            .into_iter()
            .map(|state| scope.spawn(move || worker(state)))
            .collect();
        let (mut all, state) = worker(first);
        states_out.push(state);
        for h in handles {
            // A panic in `f` is a bug; carry it to the caller unchanged.
            let (done, state) = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            all.extend(done);
            states_out.push(state);
        }
        for (i, r) in all {
            slots[i] = Some(r);
        }
    });
    let results = slots
        .into_iter()
        .map(|r| r.expect("every item was processed"))
        .collect();
    (results, states_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_item_order_for_any_thread_count() {
        let items: Vec<u64> = (0..97).collect();
        let expected: Vec<u64> = items.iter().map(|x| x * x + 1).collect();
        for threads in [1, 2, 3, 8] {
            assert_eq!(
                parallel_map(&items, threads, |x| x * x + 1),
                expected,
                "{threads} threads"
            );
        }
    }

    #[test]
    fn every_worker_state_comes_back_and_saw_disjoint_items() {
        let items: Vec<usize> = (0..50).collect();
        let (results, states) =
            parallel_map_with(&items, vec![Vec::new(); 3], |seen: &mut Vec<usize>, i| {
                seen.push(*i);
                *i
            });
        assert_eq!(results, items);
        assert_eq!(states.len(), 3);
        let mut all: Vec<usize> = states.into_iter().flatten().collect();
        all.sort_unstable();
        assert_eq!(all, items);
    }

    #[test]
    fn thread_count_is_bounded_by_the_entries() {
        assert_eq!(thread_count(0, 1), 1);
        assert_eq!(thread_count(8, 1), 1);
        assert_eq!(thread_count(8, 3), 3);
        assert_eq!(thread_count(2, 3), 2);
        assert_eq!(thread_count(0, 0), 1);
        assert!(thread_count(0, 1000) >= 1);
    }
}
