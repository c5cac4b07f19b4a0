//! Every program of the guide as a scenario: run it, measure it, explain it.
//!
//! A scenario is an async `main` that runs on a fresh [`Runtime`](crate::runtime::Runtime),
//! records what happens in a [`Recorder`], and ends as a [`Report`]. Its variants are an enum
//! (matched without catch-all arms), its parameters come from the one table in [`params`], and
//! [`schema`] publishes both. The ids are part of the interface (CLI, wasm API, URLs, the Go
//! programs).
//!
//! Each scenario file marks the code the page shows with `snippet:start` and `snippet:end`
//! comments keyed `<scenario>[/<variant>]` (CONTRACT.md); `scripts/snippets.mjs` extracts them
//! at build time.
//!
//! # Examples
//!
//! ```ignore-wasm32
//! use worker_pool_playground::{params::RawParams, scenario::{run_blocking, Env}};
//!
//! let r = run_blocking("leak-unclosed-channel", Some("wrong"), &RawParams::new(), &Env::native()).unwrap();
//! assert_eq!(r.goroutines_after, 5); // the five workers, blocked on `range jobs`
//! ```

mod backpressure;
mod best_practices;
mod comparison;
mod context_pool;
mod database;
mod errors;
pub mod params;
mod pools;
mod rate_limit;
mod report;
mod run;
mod sizing;
mod waitgroup;

use std::{fmt, future::Future, pin::Pin, sync::Arc, time::Duration};

use serde::{ser::SerializeMap, Serialize, Serializer};

pub use self::{
    params::{Mode, Param, Params, QueuePolicy, Workload},
    report::{
        measures, At, AtMs, Check, Ended, Latency, Measure, Named, Of, Recorder, Report, Table,
        TaskCounts, TaskField, TaskOutcome, TimelineRow, TimelineTask, Unit,
    },
    run::{check, drive, run_blocking, Run, Snapshot},
};
// One gauge and one mark vocabulary for the runtime and the scenarios.
pub use crate::runtime::{gauge, Gauge, Mark, MarkKind};
use crate::{
    params::{ParamError, SchemaParam, Value},
    runtime::{go_named, goid, num_goroutine, recover_at, Panicked, SpawnHandler},
    time,
    workload::{do_work, TaskDraw},
};

/// What kind of program a variant is, the text marker the page shows beside its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VariantKind {
    /// The guide's "incorrect" version: the mistake, run.
    Wrong,
    /// The guide's "correct" version.
    Right,
    /// The guide's own code, which has a bug the guide does not mention: run as written.
    GuideBug,
    /// Neither right nor wrong: a demonstration or a measurement.
    Demo,
}

impl VariantKind {
    /// The name the schema uses.
    pub fn name(self) -> &'static str {
        match self {
            VariantKind::Wrong => "wrong",
            VariantKind::Right => "right",
            VariantKind::GuideBug => "guide_bug",
            VariantKind::Demo => "demo",
        }
    }
}

/// One variant of a scenario, as the schema lists it.
#[derive(Debug, Clone)]
pub struct VariantSpec {
    /// Id, e.g. `wrong`.
    pub id: &'static str,
    /// Label, e.g. `channel never closed` (no emoji carries meaning; `kind` does).
    pub label: &'static str,
    /// Wrong, right, a bug of the guide, or a demo.
    pub kind: VariantKind,
    /// Parameter defaults that override the scenario's for this variant.
    pub defaults: Vec<(Param, Value)>,
    /// Parameters of the scenario this variant never reads (the form disables them). Each
    /// claim is checked: a deterministic run gives the same Report whatever their value
    /// (`declared_ignored_params_change_nothing` in tests/scenarios.rs).
    pub ignores: Vec<Param>,
}

impl Serialize for VariantSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Defaults<'a>(&'a [(Param, Value)]);
        impl Serialize for Defaults<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (p, v) in self.0 {
                    m.serialize_entry(p.name(), v)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("id", self.id)?;
        m.serialize_entry("label", self.label)?;
        m.serialize_entry("kind", &self.kind)?;
        m.serialize_entry("defaults", &Defaults(&self.defaults))?;
        let ignores: Vec<&str> = self.ignores.iter().map(|p| p.name()).collect();
        m.serialize_entry("ignores", &ignores)?;
        m.end()
    }
}

/// Declares a scenario's variants as an enum, in the order the schema lists them (the first is
/// the default), with each one's id, kind, label, parameter defaults and the parameters it
/// never reads (`ignores [Senders, Trials]`).
macro_rules! variants {
    ($(#[$m:meta])* enum $name:ident {
        $($v:ident = $id:literal, $kind:ident, $label:literal $(, {$($p:ident: $val:expr),* $(,)?})? $(, ignores [$($ig:ident),* $(,)?])?;)*
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum $name { $($v),* }
        impl $name {
            /// Every variant, in schema order.
            const ALL: &'static [$name] = &[$($name::$v),*];
            /// The variant a run was started with (its index in [`Self::ALL`]).
            fn of(index: usize) -> $name {
                Self::ALL[index]
            }
            /// The schema's entries.
            fn specs() -> Vec<$crate::scenario::VariantSpec> {
                vec![$($crate::scenario::VariantSpec {
                    id: $id,
                    label: $label,
                    kind: $crate::scenario::VariantKind::$kind,
                    defaults: vec![$($(($crate::scenario::Param::$p, $crate::params::Value::from($val))),*)?],
                    ignores: vec![$($($crate::scenario::Param::$ig),*)?],
                }),*]
            }
        }
    };
}
pub(crate) use variants;

type Main = fn(Arc<Ctx>) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// A scenario: what the schema publishes, and how to run and explain it.
#[derive(Clone)]
pub struct Spec {
    /// The id (part of the interface).
    pub id: &'static str,
    /// The guide's section.
    pub section: &'static str,
    /// A short title.
    pub title: &'static str,
    /// What the run shows, in one sentence.
    pub shows: &'static str,
    /// Variants; the first is the default.
    pub variants: Vec<VariantSpec>,
    /// The parameters this scenario reads, with its defaults.
    pub params: &'static [(Param, Value)],
    main: Main,
    /// The lesson, from the finished Report and the variant's index.
    lesson: fn(&Report, usize) -> String,
    /// The best-practices checklist, computed from the finished Report (most have none).
    checklist: fn(&Report, usize) -> Vec<Check>,
    /// The numbers the lesson is about, from the finished Report and the variant's index: the
    /// figures its sentence states, which the page puts first.
    measures: fn(&Report, usize) -> Vec<Measure>,
    /// Heap bytes a run with these parameters needs at its peak: its goroutines and its tasks
    /// times what each costs, measured in Chromium's threaded build (docs/scenarios.md,
    /// "Memory budget"); the budget check adds its margin.
    need: fn(&Params, usize) -> u64,
}

impl fmt::Debug for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Spec({})", self.id)
    }
}

impl Serialize for Spec {
    /// The schema entry: `{id, section, title, shows, variants, params}` (CONTRACT.md).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let params: Vec<SchemaParam> = self
            .params
            .iter()
            .map(|(p, d)| p.spec().with_default(Some(*d)))
            .collect();
        let mut m = s.serialize_map(Some(6))?;
        m.serialize_entry("id", self.id)?;
        m.serialize_entry("section", self.section)?;
        m.serialize_entry("title", self.title)?;
        m.serialize_entry("shows", self.shows)?;
        m.serialize_entry("variants", &self.variants)?;
        m.serialize_entry("params", &params)?;
        m.end()
    }
}

/// The checklist of a scenario that has none.
fn no_checklist(_: &Report, _: usize) -> Vec<Check> {
    Vec::new()
}

/// Every scenario, in the guide's order.
pub fn scenarios() -> Vec<Spec> {
    vec![
        pools::unlimited_spec(),
        pools::fixed_pool_spec(),
        context_pool::spec(),
        database::spec(),
        comparison::spec(),
        errors::leak_spec(),
        errors::send_closed_spec(),
        errors::deadlock_spec(),
        waitgroup::spec(),
        best_practices::spec(),
        sizing::spec(),
        backpressure::spec(),
        rate_limit::spec(),
    ]
}

/// The parameter schema: every scenario with its variants and parameters (what `list --json`
/// prints and the wasm `scenarios()` returns).
pub fn schema() -> Vec<Spec> {
    scenarios()
}

/// What a scenario's `main` gets.
pub struct Ctx {
    /// The parameters after defaults.
    pub p: Params,
    /// The variant being run: its index in the scenario's variant enum.
    pub variant: usize,
    /// Where it records what happened.
    pub rec: Recorder,
}

impl fmt::Debug for Ctx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ctx(variant {})", self.variant)
    }
}

impl Ctx {
    /// Task `id`'s draws from the workload generator (docs/workload.md).
    pub fn draw(&self, id: u64) -> TaskDraw {
        TaskDraw::new(self.p.seed, id, self.p.sleep_max_ms, self.p.failure_rate)
    }

    /// The task's work as the parameters say: a sleep, `doWork`, or half of each; fails with
    /// "random processing error" when its draw says so.
    ///
    /// # Errors
    ///
    /// "random processing error" for the drawn share of tasks.
    pub async fn work(&self, id: u64) -> Result<u64, String> {
        let d = self.draw(id);
        let p = &self.p;
        let out = match p.workload {
            Workload::Io => {
                time::sleep(Duration::from_millis(d.sleep_ms)).await;
                d.sleep_ms
            }
            Workload::Cpu => do_work(p.work_iterations),
            Workload::Mixed => {
                let s = do_work(p.work_iterations / 2);
                time::sleep(Duration::from_millis(d.sleep_ms / 2)).await;
                s
            }
        };
        if d.failed {
            return Err("random processing error".into());
        }
        Ok(out)
    }

    /// `go f()` with Go's panic semantics: a panic that `f` does not recover ends the program
    /// (the run stops and reports "panicked", exit status 2).
    pub fn go<F>(self: &Arc<Self>, name: &'static str, f: F) -> u64
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.go_boxed(name, Box::pin(f))
    }

    /// [`Ctx::go`] for the goroutine of timeline row `row`: a wait it is still in when the
    /// program ends is drawn on that row ([`Recorder::row_goroutine`]).
    pub fn go_row<F>(self: &Arc<Self>, row: u64, name: &'static str, f: F) -> u64
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let id = self.go_boxed(name, Box::pin(f));
        self.rec.row_goroutine(row, id);
        id
    }

    /// [`Ctx::go`] on a boxed future. Not generic, so that every scenario goroutine is one and
    /// the same future type: the scheduler's and async-task's code for a goroutine is generic
    /// over its future, and one copy per `go` site was a large share of the wasm module.
    fn go_boxed(
        self: &Arc<Self>,
        name: &'static str,
        f: Pin<Box<dyn Future<Output = ()> + Send>>,
    ) -> u64 {
        let c = self.clone();
        go_named(name, async move {
            if let Err(p) = recover_at(f).await {
                c.died(p);
            }
        })
    }

    /// Records an unrecovered panic of the calling goroutine, at the instant it was raised (the
    /// `wg.Done()` that panics, not the end of the unwinding: review F12).
    pub(crate) fn died(&self, p: Panicked) {
        // A row at the panic: the program ends there and its series is cut at it, so without
        // one the series ended at the last sample before it (negative-counter's counter drawn
        // at 2 or 1 on the page, never the 0 it went below; independent review, session 17).
        crate::runtime::sample_at(p.at_ns);
        self.rec.fatal_panic(
            p.message,
            goid(),
            p.at_ns as f64 / 1e6,
            num_goroutine() as u64,
        );
    }

    /// Marks an instant of the run on its time axis; returns it, runtime ms, for whatever else
    /// records the same moment. It goes to the runtime's marks, so the Chrome trace shows it.
    pub fn mark(&self, kind: MarkKind, label: impl Into<String>) -> f64 {
        crate::runtime::mark(kind, label) as f64 / 1e6
    }
}

/// Runtime milliseconds now (inside a goroutine).
pub fn now_ms() -> f64 {
    crate::runtime::now_ns() as f64 / 1e6
}

/// Where scenarios run: the build's name, its threads, its memory budget, how to start threads.
pub struct Env {
    /// `native`, `threads` or `single`.
    pub build: &'static str,
    /// GOMAXPROCS (0: pumped by the caller, the single-threaded build).
    pub threads: usize,
    /// Bytes a run may plan to use.
    pub budget: u64,
    /// Starts runner threads (the browser's Web Workers); `None` uses `std::thread`.
    pub spawn: Option<fn() -> SpawnHandler>,
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Env({}, {} threads)", self.build, self.threads)
    }
}

impl Env {
    /// OS threads, one per core, an 8 GiB budget.
    pub fn native() -> Env {
        #[cfg(not(target_arch = "wasm32"))]
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        #[cfg(target_arch = "wasm32")]
        let threads = 0;
        Env {
            build: "native",
            threads,
            budget: 8 << 30,
            spawn: None,
        }
    }
}

/// Why a run could not start.
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioError {
    /// No scenario with that id.
    UnknownScenario(String),
    /// No variant with that id.
    UnknownVariant(&'static str, String),
    /// A bad parameter, or one over the memory budget.
    Param(ParamError),
    /// The runtime could not start.
    Runtime(String),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::UnknownScenario(id) => {
                let ids: Vec<_> = scenarios().iter().map(|s| s.id).collect();
                let shown = ParamError::new(id, "").name;
                write!(
                    f,
                    "unknown scenario {} (known: {})",
                    crate::params::quoted(&shown),
                    ids.join(", ")
                )
            }
            ScenarioError::UnknownVariant(s, v) => {
                let vs: Vec<_> = scenarios()
                    .into_iter()
                    .find(|x| x.id == *s)
                    .map(|x| x.variants.iter().map(|v| v.id).collect())
                    .unwrap_or_default();
                let shown = ParamError::new(v, "").name;
                write!(
                    f,
                    "unknown variant {} of {s} (known: {})",
                    crate::params::quoted(&shown),
                    vs.join(", ")
                )
            }
            ScenarioError::Param(e) => write!(f, "{e}"),
            ScenarioError::Runtime(e) => write!(f, "the runtime did not start: {e}"),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl From<ParamError> for ScenarioError {
    fn from(e: ParamError) -> Self {
        ScenarioError::Param(e)
    }
}

/// Looks up a scenario and a variant (`None` or `""`: the first).
///
/// # Errors
///
/// [`ScenarioError::UnknownScenario`] or [`ScenarioError::UnknownVariant`].
pub fn find(id: &str, variant: Option<&str>) -> Result<(Spec, usize), ScenarioError> {
    let spec = scenarios()
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| ScenarioError::UnknownScenario(id.into()))?;
    let index = match variant {
        None | Some("") => 0,
        Some(v) => spec
            .variants
            .iter()
            .position(|x| x.id == v)
            .ok_or_else(|| ScenarioError::UnknownVariant(spec.id, v.into()))?,
    };
    Ok((spec, index))
}

/// `n` and the noun phrase that agrees with it: `count(1.0, "worker", "workers")` is
/// `1 worker`.
pub(crate) fn count(n: f64, one: &str, many: &str) -> String {
    format!("{n:.0} {}", if n == 1.0 { one } else { many })
}

/// The results workers sent that main never read, the program ending first, as a sentence
/// that starts with a space (empty when there were none): the timeline draws them unread (up to
/// its cap), and the counts have them unfinished (`results_unread`, set by `Run::finish`).
pub(crate) fn unread_results(r: &Report) -> String {
    match r.numbers.get("results_unread").unwrap_or(0.0) as u64 {
        0 => String::new(),
        1 => " 1 more task ran to its end and sent its result, which main never read.".into(),
        n => format!(
            " {n} more tasks ran to their ends and sent their results, which main never read."
        ),
    }
}

/// Formats a byte count like `1.4 MB` (`1.83 GB` from 1 GiB: "1878.15 MB" read as a misprint).
pub fn fmt_bytes(b: f64) -> String {
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2} GB", b / 1024.0 / 1024.0 / 1024.0)
    } else if b >= 1024.0 * 1024.0 {
        format!("{:.2} MB", b / 1024.0 / 1024.0)
    } else if b >= 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{b:.0} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema is consistent: ids unique, every default passes its own rule, variants
    /// override only parameters their scenario reads.
    #[test]
    fn schema_is_consistent() {
        let all = scenarios();
        for (i, s) in all.iter().enumerate() {
            assert!(all[..i].iter().all(|o| o.id != s.id), "{} twice", s.id);
            assert!(!s.variants.is_empty(), "{}", s.id);
            for (j, v) in s.variants.iter().enumerate() {
                assert!(
                    s.variants[..j].iter().all(|o| o.id != v.id),
                    "{}/{}",
                    s.id,
                    v.id
                );
                assert!(
                    !v.label.starts_with(|c: char| !c.is_alphanumeric()),
                    "{}/{}: the label starts with text, the kind carries the meaning",
                    s.id,
                    v.id
                );
                for (p, val) in &v.defaults {
                    assert!(
                        s.params.iter().any(|(q, _)| q == p),
                        "{}/{}: overrides {} which {} does not read",
                        s.id,
                        v.id,
                        p.name(),
                        s.id
                    );
                    p.spec().check(&val.to_raw()).unwrap();
                }
            }
            for (j, (p, d)) in s.params.iter().enumerate() {
                assert!(
                    s.params[..j].iter().all(|(q, _)| q != p),
                    "{}: {p:?} twice",
                    s.id
                );
                p.spec()
                    .check(&d.to_raw())
                    .unwrap_or_else(|e| panic!("{}: default {e}", s.id));
            }
        }
    }
}
