//! The only module that knows about wasm: exports for the driver worker (`www/engine.worker.js`).
//!
//! Every export returns `Result<_, JsError>`; parameters arrive as plain JS objects, read by
//! serde-wasm-bindgen straight into the core's shallow [`RawParams`] (a nested object or array
//! in a parameter's place is recorded as such, never walked), and the core types them and owns
//! the error messages. Values go back as JSON text (`crate::json`, not serde_json, which is not
//! in the wasm build at all) that `JSON.parse` turns into what serde-wasm-bindgen's serializer
//! made of them.

use serde::Serialize;
use wasm_bindgen::prelude::*;
// Re-exported so the crate is linked at all: wasm-bindgen then exports its `initThreadPool`.
#[cfg(feature = "threads")]
#[allow(unused_imports)]
pub use wasm_bindgen_rayon::init_thread_pool;

use crate::{
    params::RawParams,
    speed::{speed_check, speed_check_tasks},
};

/// Which build this module is: `"threads"` (shared memory, Web Worker threads) or `"single"`.
pub const BUILD: &str = if cfg!(feature = "threads") {
    "threads"
} else {
    "single"
};

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse(text, reviver)` (js-sys binds it without the reviver).
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn parse_reviving(
        text: &str,
        reviver: &mut dyn FnMut(JsValue, JsValue) -> JsValue,
    ) -> Result<JsValue, JsValue>;
}

/// `value` as the JS value serde-wasm-bindgen's `json_compatible()` serializer made of it, by way
/// of JSON text (`crate::json` says why, and how NaN survives it).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let json = crate::json::to_json(value).map_err(|e| JsError::new(&e.to_string()))?;
    let parsed = if json.marked {
        parse_reviving(&json.text, &mut |_key, v| {
            let Some(s) = v.as_string() else { return v };
            match crate::json::revive(&s) {
                crate::json::Revived::Same => v,
                crate::json::Revived::Number(n) => JsValue::from_f64(n),
                crate::json::Revived::Text(t) => JsValue::from_str(t),
            }
        })
    } else {
        js_sys::JSON::parse(&json.text)
    };
    // Only a bug in crate::json makes text JSON.parse rejects.
    parsed.map_err(|_| JsError::new("internal error: the value's JSON text did not parse"))
}

/// The parameters of a call: `undefined` means none (every default); anything else must be a
/// plain object (`null`, a string or an array is an error, never the defaults).
fn from_js(value: JsValue) -> Result<RawParams, JsError> {
    if value.is_undefined() {
        return Ok(RawParams::new());
    }
    // The error's text is the core's own `name: message`.
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&e.to_string()))
}

/// The number of threads work is spread over: rayon's pool in the threaded build, else 1.
fn threads() -> usize {
    #[cfg(feature = "threads")]
    {
        rayon::current_num_threads()
    }
    #[cfg(not(feature = "threads"))]
    {
        1
    }
}

/// `{ build, threads }` of this module.
///
/// # Errors
///
/// Fails only if the result cannot be converted to a JS object.
#[wasm_bindgen(js_name = buildInfo)]
pub fn build_info() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Info {
        build: &'static str,
        threads: usize,
    }
    to_js(&Info {
        build: BUILD,
        threads: threads(),
    })
}

/// Runs `tasks` × `doWork` on one thread, then across all threads; resolves to the timings.
///
/// # Errors
///
/// Rejects bad parameters (`tasks` missing the range 1..=10,000, not a whole number, unknown keys).
#[wasm_bindgen(js_name = speedCheck)]
pub fn speed_check_js(params: JsValue) -> Result<JsValue, JsError> {
    let tasks = speed_check_tasks(&from_js(params)?).map_err(|e| JsError::new(&e.to_string()))?;
    let report = speed_check(tasks, threads(), |n| {
        #[cfg(feature = "threads")]
        {
            use rayon::prelude::*;
            (0..n)
                .into_par_iter()
                .map(|_| crate::workload::do_work(crate::workload::DO_WORK_ITERATIONS))
                .reduce(|| 0, u64::wrapping_add)
        }
        #[cfg(not(feature = "threads"))]
        {
            (0..n)
                .map(|_| crate::workload::do_work(crate::workload::DO_WORK_ITERATIONS))
                .fold(0, u64::wrapping_add)
        }
    });
    to_js(&report)
}

/// The speed check's parameters in the schema's form (`[{name, kind, min, max, default, …}]`),
/// so the page words its own error with the core's range instead of a copy of it.
///
/// # Errors
///
/// Fails only if the schema cannot be converted to JS.
#[wasm_bindgen(js_name = speedCheckParams)]
pub fn speed_check_params() -> Result<JsValue, JsError> {
    let params: Vec<_> = crate::speed::SPEED_CHECK_PARAMS
        .iter()
        .map(|p| {
            p.with_default(Some(crate::params::Value::Int(
                crate::speed::DEFAULT_SPEED_CHECK_TASKS,
            )))
        })
        .collect();
    to_js(&params)
}

fn env() -> crate::scenario::Env {
    crate::scenario::Env {
        build: BUILD,
        #[cfg(feature = "threads")]
        threads: rayon::current_num_threads(),
        #[cfg(not(feature = "threads"))]
        threads: 0,
        // wasm32 memory is capped at 1 GiB (`--max-memory` in .cargo/config.toml); leave room
        // for the module, the report and the page's copy of it.
        budget: 640 << 20,
        #[cfg(feature = "threads")]
        spawn: Some(|| {
            Box::new(|run| {
                // A runner loop occupies its rayon thread until the runtime shuts down.
                rayon::spawn(run);
                Ok(())
            })
        }),
        #[cfg(not(feature = "threads"))]
        spawn: None,
    }
}

/// The parameter schema: every scenario with its variants (id, label, kind, defaults) and its
/// parameters (name, kind, label, unit, help, default, min, max, choices).
///
/// # Errors
///
/// Fails only if the schema cannot be converted to JS.
#[wasm_bindgen]
pub fn scenarios() -> Result<JsValue, JsError> {
    to_js(&crate::scenario::schema())
}

/// A scenario run the driver advances with `poll` and reads with `snapshot` and `finish`.
#[wasm_bindgen]
pub struct ScenarioRun {
    run: Option<crate::scenario::Run>,
    /// The finished run's trace, built by `finish` once the heap was measured.
    trace: Option<crate::runtime::Trace>,
}

/// Starts `scenario` (`variant` may be null for the default) with `params`, without blocking.
///
/// # Errors
///
/// An unknown scenario or variant, a bad parameter, or one over the memory budget.
#[wasm_bindgen(js_name = startRun)]
pub fn start_run(
    scenario: &str,
    variant: Option<String>,
    params: JsValue,
) -> Result<ScenarioRun, JsError> {
    let params = from_js(params)?;
    let run = crate::scenario::Run::start(scenario, variant.as_deref(), &params, &env())
        .map_err(|e| JsError::new(&e.to_string()))?;
    Ok(ScenarioRun {
        run: Some(run),
        trace: None,
    })
}

#[wasm_bindgen]
impl ScenarioRun {
    /// Advances the run. `{ done, idle_ms, pumped }`: when `idle_ms` is set, nothing can happen
    /// sooner; `pumped` says this call ran the goroutines itself (the single-threaded build,
    /// deterministic mode), one slice of them, so the driver should yield and call again at once.
    ///
    /// # Errors
    ///
    /// After `finish`.
    pub fn poll(&mut self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct P {
            done: bool,
            idle_ms: Option<f64>,
            pumped: bool,
        }
        let run = self
            .run
            .as_mut()
            .ok_or_else(|| JsError::new("this run has finished"))?;
        let pumped = run.pumped();
        let p = match run.poll() {
            crate::runtime::Progress::Done => P {
                done: true,
                idle_ms: None,
                pumped,
            },
            crate::runtime::Progress::IdleFor(ms) => P {
                done: false,
                idle_ms: Some(ms),
                pumped,
            },
            crate::runtime::Progress::Running => P {
                done: false,
                idle_ms: None,
                pumped,
            },
        };
        to_js(&p)
    }

    /// Deterministic mode: advances `n` events; `{ done, idle_ms: null }`.
    ///
    /// # Errors
    ///
    /// After `finish`.
    pub fn step(&mut self, n: usize) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct P {
            done: bool,
        }
        let run = self
            .run
            .as_mut()
            .ok_or_else(|| JsError::new("this run has finished"))?;
        to_js(&P {
            done: run.step(n) == crate::runtime::Progress::Done,
        })
    }

    /// What the page draws while the run goes.
    ///
    /// # Errors
    ///
    /// After `finish`.
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        let run = self
            .run
            .as_ref()
            .ok_or_else(|| JsError::new("this run has finished"))?;
        // The copy of the series and its conversion are the page's, not the program's memory.
        crate::metrics::alloc::unmeasured(|| to_js(&run.snapshot()))
    }

    /// The run as Chrome Trace Event Format JSON (`traceEvents`, for Perfetto and
    /// `chrome://tracing`): so far while it runs, the whole run after `finish` (built there,
    /// after the heap was measured, so that it does not count as the program's memory).
    ///
    /// # Errors
    ///
    /// Only if the trace cannot be converted to JS.
    pub fn trace(&self) -> Result<JsValue, JsError> {
        match (&self.run, &self.trace) {
            (Some(run), _) => to_js(&run.trace()),
            (None, Some(trace)) => to_js(trace),
            (None, None) => Ok(JsValue::NULL),
        }
    }

    /// Stops the run; the next `poll` says done and `finish` reports "stopped".
    pub fn stop(&self) {
        if let Some(r) = &self.run {
            r.stop();
        }
    }

    /// The Report (once).
    ///
    /// # Errors
    ///
    /// When called twice.
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        let run = self
            .run
            .take()
            .ok_or_else(|| JsError::new("this run has finished"))?;
        let (report, trace) = run.finish_with_trace();
        self.trace = Some(trace);
        to_js(&report)
    }
}

/// The benchmark suite on this build's threads (`small` for a quick check), or only the figures
/// named in `only` (the CLI's `bench --only`: `npm run bench -- --only NAME`). Only in a build
/// with the `bench` feature (`npm run bench` makes one): it weighs about 20 KB gzipped that
/// the page's visitors would download for nothing.
///
/// # Errors
///
/// An unknown figure name in `only`, or a result that cannot be converted to JS.
#[cfg(feature = "bench")]
#[wasm_bindgen]
pub fn bench(small: bool, only: Vec<String>) -> Result<JsValue, JsError> {
    let only =
        crate::bench::Fig::from_names(&only).map_err(|e| JsError::new(&format!("bench: {e}")))?;
    let env = env();
    let threads = env.threads.max(1);
    let make = move |n: usize| {
        let b = crate::runtime::Runtime::builder().threads(if env.spawn.is_some() { n } else { 0 });
        let b = match env.spawn {
            Some(s) => b.spawn_handler(s()),
            None => b,
        };
        b.build().expect("runtime")
    };
    let sizes = if small {
        crate::bench::Sizes::SMALL
    } else {
        crate::bench::Sizes::FULL
    };
    if only.is_empty() {
        return to_js(&crate::bench::run(BUILD, threads, &make, false, sizes));
    }
    let setup = crate::bench::Setup {
        threads,
        runtime: &make,
        os_threads: false,
        sizes,
    };
    let figures = only
        .iter()
        .map(|f| (f.name(), crate::bench::measure(*f, &setup)))
        .collect();
    to_js(&Only {
        build: BUILD,
        threads,
        figures,
    })
}

/// What `bench` returns for `only`: the suite's shape with the named figures alone, in the
/// order asked for.
#[cfg(feature = "bench")]
struct Only {
    build: &'static str,
    threads: usize,
    figures: Vec<(&'static str, crate::bench::Figure)>,
}

#[cfg(feature = "bench")]
impl serde::Serialize for Only {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2 + self.figures.len()))?;
        m.serialize_entry("build", self.build)?;
        m.serialize_entry("threads", &self.threads)?;
        for (name, fig) in &self.figures {
            m.serialize_entry(name, fig)?;
        }
        m.end()
    }
}
