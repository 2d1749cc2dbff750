//! Waiting for something outside this process to be ready (a jail ending, its agent or network
//! coming up, a display or a port of the desktop accepting connections): one loop that looks
//! again after a pause until a deadline.

use std::future::Future;
use std::time::Duration;

/// What one look found.
pub enum Look<T, E> {
    /// Ready: the wait ends with this.
    Ready(T),
    /// Not yet: looked at again after the pause, or this error once the time is up.
    NotYet(E),
    /// It never will be: the wait ends with this error at once.
    Failed(E),
}

/// Looks with `look` every `every` until it finds the thing ready or failed, for `within` at
/// most (a look started before the deadline always counts); the last `NotYet`'s error then.
/// (A closure returning a future rather than an async closure: the futures of those are not
/// `Send` for every lifetime, which `tokio::spawn` of a caller needs.)
pub async fn until<T, E, F: Future<Output = Look<T, E>>>(
    within: Duration,
    every: Duration,
    mut look: impl FnMut() -> F,
) -> Result<T, E> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match look().await {
            Look::Ready(v) => return Ok(v),
            Look::Failed(e) => return Err(e),
            Look::NotYet(e) if tokio::time::Instant::now() > deadline => return Err(e),
            Look::NotYet(_) => tokio::time::sleep(every).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[tokio::test]
    async fn looks_until_ready_failed_or_out_of_time() {
        let looks = &Cell::new(0);
        let count = move || looks.replace(looks.get() + 1) + 1;
        let ready = until(Duration::from_secs(5), Duration::from_millis(1), || async move {
            match count() {
                3 => Look::Ready(3),
                _ => Look::NotYet("not yet"),
            }
        })
        .await;
        assert_eq!((ready, looks.get()), (Ok(3), 3));

        let failed: Result<(), _> =
            until(Duration::from_secs(5), Duration::from_millis(1), || async { Look::Failed("gone") }).await;
        assert_eq!(failed, Err("gone"));

        looks.set(0);
        let started = tokio::time::Instant::now();
        let late: Result<(), _> =
            until(Duration::from_millis(100), Duration::from_millis(10), || async move { Look::NotYet(count()) }).await;
        // The last look's error, once the deadline has passed.
        assert_eq!(late, Err(looks.get()));
        assert!(looks.get() >= 3, "{} looks in 100 ms", looks.get());
        assert!(started.elapsed() >= Duration::from_millis(100), "{:?}", started.elapsed());
    }
}
