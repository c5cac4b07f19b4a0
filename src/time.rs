//! Go's `time` package on runtime time: `Sleep`, `After`, `Now`, `Since`.
//!
//! Runtime time is real time times the runtime's scale, or virtual time in deterministic mode
//! (see `runtime/clock.rs`). Outside a goroutine these functions panic: there is no clock.

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use crate::{
    chan::Chan,
    runtime::{
        clock::{Action, TimerHandle},
        goroutine::WaitKind,
        local::{set_wait, with_current},
        scheduler::Shared,
    },
};

/// Runs `f` with the calling goroutine's runtime (without cloning its `Arc`: a sleep per
/// goroutine on every thread would make its count a contended cache line).
fn with_rt<R>(what: &str, f: impl FnOnce(&Shared) -> R) -> R {
    with_current(|rt| f(rt.unwrap_or_else(|| panic!("{what}: not inside a goroutine"))))
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// `time.Now()` as runtime time since the run started.
///
/// # Panics
///
/// Outside a goroutine.
pub fn now() -> Duration {
    Duration::from_nanos(with_rt("time::now", Shared::now_ns))
}

/// `time.Since(t)`.
///
/// # Panics
///
/// Outside a goroutine.
pub fn since(t: Duration) -> Duration {
    now().saturating_sub(t)
}

/// `time.Sleep(d)`: parks the goroutine (not the thread) for `d` of runtime time.
///
/// # Panics
///
/// Outside a goroutine.
pub fn sleep(d: Duration) -> Sleep {
    Sleep { d, timer: None }
}

/// The future of [`sleep`].
#[derive(Debug)]
pub struct Sleep {
    d: Duration,
    timer: Option<Arc<TimerHandle>>,
}

impl std::fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TimerHandle")
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &self.timer {
            Some(t) if t.fired() => Poll::Ready(()),
            Some(t) => {
                t.set_waker(cx.waker());
                if t.fired() {
                    return Poll::Ready(());
                }
                set_wait(WaitKind::Sleep, 0);
                Poll::Pending
            }
            None if self.d.is_zero() => Poll::Ready(()),
            None => {
                let d = nanos(self.d);
                self.timer = Some(with_rt("time::sleep", |rt| {
                    let deadline = rt.now_ns().saturating_add(d);
                    rt.add_timer(deadline, Action::Wake(cx.waker().clone()))
                }));
                set_wait(WaitKind::Sleep, 0);
                Poll::Pending
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(t) = self.timer.take() {
            t.cancel();
        }
    }
}

/// `time.After(d)`: a channel that receives one value after `d`.
///
/// # Panics
///
/// Outside a goroutine.
pub fn after(d: Duration) -> Chan<()> {
    let c = Chan::new(1);
    let tx = c.clone();
    with_rt("time::after", |rt| {
        let deadline = rt.now_ns().saturating_add(nanos(d));
        rt.add_timer(
            deadline,
            Action::Call(Box::new(move || {
                let _ = tx.try_send(());
            })),
        )
    });
    c
}

/// Calls `f` after `d` of runtime time (Go's `time.AfterFunc`); returns a handle to stop it.
pub(crate) fn after_func(d: Duration, f: impl FnOnce() + Send + 'static) -> Arc<TimerHandle> {
    with_rt("time::after_func", |rt| {
        let deadline = rt.now_ns().saturating_add(nanos(d));
        rt.add_timer(deadline, Action::Call(Box::new(f)))
    })
}

/// A deadline passed before the operation finished (`context.DeadlineExceeded` for one call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

impl std::fmt::Display for Elapsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("task timeout")
    }
}

impl std::error::Error for Elapsed {}

/// Runs `fut` for at most `d` of runtime time: Go's `select { case r := <-done: case <-ctx.Done(): }`
/// around one operation.
///
/// # Errors
///
/// [`Elapsed`] when `d` passes first; `fut` is dropped then.
///
/// # Panics
///
/// Outside a goroutine.
pub async fn timeout<T>(d: Duration, fut: impl Future<Output = T>) -> Result<T, Elapsed> {
    let mut fut = std::pin::pin!(fut);
    let mut sleep = std::pin::pin!(sleep(d));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed)),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}
