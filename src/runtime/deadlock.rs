//! Go's fatal error: "all goroutines are asleep - deadlock!".
//!
//! The condition: goroutines are alive, none is running or ready, no timer can wake one, and
//! `main` has not returned. Nothing outside the runtime holds a channel (the driver only starts,
//! polls and aborts runs), so there is no outside waker to count; an API that let JS send into
//! a run would have to add one. With threads, only the last runner to go idle checks, under the
//! idle lock that every push from outside the runners also takes, so the check cannot race with
//! a wake; a pumped runtime checks when its queue is empty. Timers are counted live until their
//! action has run: a firing timer keeps the count up until the goroutine it wakes is queued.

use std::sync::atomic::Ordering;

use super::{
    events::EventKind, goroutine::WaitKind, observe::MarkKind, scheduler::Shared, waitgraph,
    Finding, FindingKind,
};

impl Shared {
    /// Whether the runtime is deadlocked, given that nothing is running or queued (the caller
    /// knows: every runner idle, or the pump found its queue empty).
    pub(crate) fn deadlock_now(&self) -> bool {
        self.obs.live.get(&self.queues.stats) > 0
            && !self.queues.any_stealable()
            && self.queues.pumped.lock().unwrap().is_empty()
            && self.timers.live() == 0
            && !self.finished.load(Ordering::Acquire)
            && !self.aborted.load(Ordering::Acquire)
    }

    /// Records the deadlock (once): who waits on what, the wait-for graph, a mark and an event.
    pub(crate) fn declare_deadlock(&self) {
        if self.declaring.swap(true, Ordering::AcqRel) {
            return;
        }
        // Everything the finding says is as of one instant, read first: read after the wait-for
        // graph was built, the deadlock came 0.4-0.7 ms after the goroutines were listed in the
        // page's wasm build, and each goroutine, blocked since long before, was "blocked for
        // 0.07 ms" beside a chart that drew all of them blocked for 0.7 ms (review R1, session 21).
        let now = self.stamp_ns();
        let waiting = self.goroutines_at(now);
        let graph = waitgraph::build(&waiting, &self.objects.views());
        *self.deadlock_graph.lock().unwrap() = Some(graph);
        self.event_at(now, EventKind::Deadlock, 0, WaitKind::None, 0);
        self.obs
            .mark(now, MarkKind::Deadlock, "all goroutines are asleep".into());
        self.ended_at(now);
        self.add_finding(Finding {
            kind: FindingKind::Deadlock,
            message: "fatal error: all goroutines are asleep - deadlock!".into(),
            at_ms: now as f64 / 1e6,
            goroutines: waiting,
        });
        self.sample(true);
        // The flag goes up only once the finding is recorded: whoever sees it can read the list.
        self.deadlocked.store(true, Ordering::Release);
        self.notify_done();
    }

    /// The wait-for graph as it was when the deadlock was declared.
    pub(crate) fn deadlock_graph(&self) -> Option<waitgraph::WaitGraph> {
        self.deadlock_graph.lock().unwrap().clone()
    }
}
