//! Background loops under supervision. Each loop (the queue worker, the change follower, the
//! mail sender) runs as its own task; when one panics, or returns before it was told to stop,
//! the error is logged and the loop is started again after a pause that doubles while it keeps
//! failing (1 s up to a minute). A loop that ran a while before it failed starts over from the
//! shortest pause. So a fault in one job or one round never silently stops mail or cache
//! invalidation while pages keep being served.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;

const FIRST_PAUSE: Duration = Duration::from_secs(1);
const LONGEST_PAUSE: Duration = Duration::from_secs(60);
/// A loop that ran this long before it failed is taken to have been healthy.
const HEALTHY_RUN: Duration = Duration::from_secs(120);

/// What a panic said, for the log.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic")
}

/// The supervised loops of a process, and the signal that stops them.
pub struct Tasks {
    stop: watch::Sender<bool>,
    running: Vec<JoinHandle<()>>,
    restarts: Arc<AtomicU64>,
}

impl Default for Tasks {
    fn default() -> Tasks {
        Tasks::new()
    }
}

impl Tasks {
    pub fn new() -> Tasks {
        Tasks { stop: watch::channel(false).0, running: Vec::new(), restarts: Arc::default() }
    }

    /// Runs the loop `start` makes, under supervision, until [`Tasks::stop`]. `start` is
    /// called again for each restart; the loop must return when its receiver turns true.
    pub fn spawn<F, Fut>(&mut self, name: &'static str, start: F)
    where
        F: Fn(watch::Receiver<bool>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let mut stop = self.stop.subscribe();
        let restarts = self.restarts.clone();
        self.running.push(tokio::spawn(async move {
            let mut pause = FIRST_PAUSE;
            loop {
                let began = Instant::now();
                let outcome = tokio::spawn(start(stop.clone())).await;
                if *stop.borrow() {
                    return;
                }
                if began.elapsed() >= HEALTHY_RUN {
                    pause = FIRST_PAUSE;
                }
                let seconds = pause.as_secs();
                match outcome {
                    Ok(()) => tracing::error!(task = name, seconds, "background task stopped by itself; restarting"),
                    Err(e) if e.is_panic() => {
                        let panic = e.into_panic();
                        let detail = panic_message(panic.as_ref());
                        tracing::error!(task = name, panic = detail, seconds, "background task panicked; restarting");
                    }
                    Err(e) => tracing::error!(task = name, error = %e, seconds, "background task ended; restarting"),
                }
                restarts.fetch_add(1, Ordering::Relaxed);
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                pause = (pause * 2).min(LONGEST_PAUSE);
            }
        }));
    }

    /// How many times a loop was started again, over all loops.
    pub fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }

    /// Tells every loop to stop and waits until they have finished the work in hand.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.running {
            let _ = task.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_loop_that_panics_is_started_again_after_a_pause() {
        let runs = Arc::new(AtomicU64::new(0));
        let mut tasks = Tasks::new();
        let counted = runs.clone();
        tasks.spawn("test", move |mut stop| {
            let run = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                if run < 2 {
                    panic!("injected fault {run}");
                }
                let _ = stop.wait_for(|s| *s).await;
            }
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1, "no restart before the first pause");
        // 1 s, then 2 s: the third start stays up.
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        assert_eq!(tasks.restarts(), 2);
        tasks.stop().await;
        assert_eq!(runs.load(Ordering::SeqCst), 3, "a stopped loop is not started again");
    }
}
