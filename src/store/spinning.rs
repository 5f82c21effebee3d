//! Running a SQLite batch on a thread that spins between its round trips.
//!
//! sqlx runs each SQLite connection on its own worker thread: every
//! statement, and every row it returns, is a message to that thread and an
//! answer back. A tokio task waiting for the answer parks its thread in
//! `epoll_wait`, and the worker wakes it through an eventfd: two context
//! switches per statement, which on this project's VM cost more than the
//! statements themselves (BENCHMARKS.md, "the writer spins"). A batch is
//! therefore applied on a blocking thread that polls its future and, between
//! wake-ups, spins for up to [`SPIN_FOR`] before it parks: a statement's
//! answer usually arrives within that, a commit's fsync does not and parks.

use super::{Backend, Store};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long the thread spins for a wake-up before it parks.
const SPIN_FOR: Duration = Duration::from_micros(100);

/// Spin-loop hints between two looks at the clock (~24 ns each here).
const SPINS_PER_CHECK: u32 = 64;

impl Store {
    /// Runs `job` with a handle on this store and returns what it returns.
    /// SQLite: on a blocking thread that spins between the job's round
    /// trips (see the module doc), inside this runtime (tasks the job
    /// spawns, such as sqlx returning a connection to its pool, run here).
    /// PostgreSQL: in the calling task, whose round trips are socket reads
    /// that tokio's reactor wakes anyway. A panic in the job is resumed
    /// here. If the caller stops waiting, the job still runs to its end: a
    /// batch is committed or rolled back as a whole, never cut half-way.
    pub async fn run_batch_job<T, Job, Fut>(&self, job: Job) -> T
    where
        Job: FnOnce(Store) -> Fut + Send + 'static,
        Fut: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let store = self.clone();
        if store.backend() == Backend::Postgres {
            return job(store).await;
        }
        let runtime = tokio::runtime::Handle::current();
        let joined = tokio::task::spawn_blocking(move || {
            let _entered = runtime.enter();
            block_on_spinning(job(store))
        })
        .await;
        match joined {
            Ok(output) => output,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            // Only when the runtime shuts down under the caller, which then
            // has no one left to answer.
            Err(error) => panic!("the batch thread was cancelled: {error}"),
        }
    }
}

/// Polls `future` to its end on this thread, spinning briefly before
/// parking whenever it is pending.
pub(crate) fn block_on_spinning<F: Future>(future: F) -> F::Output {
    let signal = Arc::new(Signal {
        woken: AtomicBool::new(false),
        thread: std::thread::current(),
    });
    let waker = Waker::from(Arc::clone(&signal));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        signal.wait();
    }
}

/// A wake-up flag and the thread to unpark.
struct Signal {
    woken: AtomicBool,
    thread: Thread,
}

impl Signal {
    /// Returns once woken (consuming the wake-up): spins up to
    /// [`SPIN_FOR`], then parks.
    fn wait(&self) {
        let start = Instant::now();
        while start.elapsed() < SPIN_FOR {
            for _ in 0..SPINS_PER_CHECK {
                if self.take() {
                    return;
                }
                std::hint::spin_loop();
            }
        }
        // `unpark` after the flag is set leaves a token, so a wake-up
        // between this check and `park` is not lost.
        while !self.take() {
            std::thread::park();
        }
    }

    fn take(&self) -> bool {
        self.woken.load(Ordering::Relaxed) && self.woken.swap(false, Ordering::Acquire)
    }
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_future_woken_from_another_thread_after_the_spin_completes() {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let waker = std::thread::spawn(move || {
            // Well past SPIN_FOR, so the blocked thread has parked.
            std::thread::sleep(Duration::from_millis(50));
            sender.send(42).unwrap();
        });
        assert_eq!(block_on_spinning(receiver), Ok(42));
        waker.join().unwrap();
    }

    #[test]
    fn many_quick_wake_ups_each_resume_the_future() {
        let (sender, mut receiver) = tokio::sync::mpsc::channel(1);
        let producer = std::thread::spawn(move || {
            for i in 0..10_000u32 {
                sender.blocking_send(i).unwrap();
            }
        });
        let sum = block_on_spinning(async move {
            let mut sum = 0u64;
            while let Some(i) = receiver.recv().await {
                sum += u64::from(i);
            }
            sum
        });
        producer.join().unwrap();
        assert_eq!(sum, (0..10_000u64).sum::<u64>());
    }

    #[tokio::test]
    async fn a_sqlite_job_runs_and_its_panic_reaches_the_caller() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("spin.db").display());
        let store = Store::open(&url).await.unwrap();
        let totals = store
            .run_batch_job(|store| async move { store.totals().await })
            .await
            .unwrap();
        assert_eq!(totals.messages, 0);
        let panicked = tokio::spawn({
            let store = store.clone();
            async move {
                store
                    .run_batch_job(|_| async { panic!("the job's own panic") })
                    .await
            }
        })
        .await
        .unwrap_err();
        let message = panicked.into_panic();
        assert_eq!(message.downcast_ref::<&str>(), Some(&"the job's own panic"));
    }
}
