//! The pool's errors, one type per operation; a rejected job always comes back to the caller.

use std::fmt;

use crate::context::ContextError;

/// Why [`PoolBuilder::build`](super::PoolBuilder::build) refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// `workers(0)`: a pool needs at least one worker.
    ZeroWorkers,
    /// More workers than [`MAX_WORKERS`](super::MAX_WORKERS).
    TooManyWorkers(usize),
    /// A bounded queue larger than [`MAX_QUEUE`](super::MAX_QUEUE).
    QueueTooLarge(usize),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::ZeroWorkers => f.write_str("a pool needs at least one worker"),
            BuildError::TooManyWorkers(n) => {
                write!(f, "workers must be at most {}, got {n}", super::MAX_WORKERS)
            }
            BuildError::QueueTooLarge(n) => {
                write!(
                    f,
                    "queue capacity must be at most {}, got {n}",
                    super::MAX_QUEUE
                )
            }
        }
    }
}
impl std::error::Error for BuildError {}

/// Why [`Pool::submit`](super::Pool::submit) did not queue the job.
#[derive(PartialEq, Eq)]
pub enum SubmitError<J> {
    /// `close` or `cancel` was called: pond's `ErrPoolStopped`.
    Stopped(J),
    /// The pool's context is done: Go's `ctx.Err()`.
    Context(J, ContextError),
}

impl<J> SubmitError<J> {
    /// The job that was not queued.
    pub fn into_inner(self) -> J {
        match self {
            SubmitError::Stopped(j) | SubmitError::Context(j, _) => j,
        }
    }
}

impl<J> fmt::Debug for SubmitError<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubmitError({self})")
    }
}

impl<J> fmt::Display for SubmitError<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubmitError::Stopped(_) => f.write_str("pool stopped"),
            SubmitError::Context(_, e) => write!(f, "{e}"),
        }
    }
}

impl<J> std::error::Error for SubmitError<J> {}

/// Why [`Pool::try_submit`](super::Pool::try_submit) did not queue the job.
#[derive(PartialEq, Eq)]
pub enum TrySubmitError<J> {
    /// The queue is full: pond's `ErrQueueFull`. The job counts as dropped.
    QueueFull(J),
    /// `close` or `cancel` was called.
    Stopped(J),
}

impl<J> TrySubmitError<J> {
    /// The job that was not queued.
    pub fn into_inner(self) -> J {
        match self {
            TrySubmitError::QueueFull(j) | TrySubmitError::Stopped(j) => j,
        }
    }
}

impl<J> fmt::Debug for TrySubmitError<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrySubmitError({self})")
    }
}

impl<J> fmt::Display for TrySubmitError<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySubmitError::QueueFull(_) => f.write_str("queue is full"),
            TrySubmitError::Stopped(_) => f.write_str("pool stopped"),
        }
    }
}

impl<J> std::error::Error for TrySubmitError<J> {}
