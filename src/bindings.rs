//! The only module that knows about wasm: exports for the driver worker (`www/engine.worker.js`).
//!
//! Every export returns `Result<_, JsError>`; configuration arrives as plain JS objects through
//! serde-wasm-bindgen and is validated by the core, which owns the error messages.

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
// Re-exported so the crate is linked at all: wasm-bindgen then exports its `initThreadPool`.
#[cfg(feature = "threads")]
#[allow(unused_imports)]
pub use wasm_bindgen_rayon::init_thread_pool;

use crate::speed::{speed_check, speed_check_tasks};

/// Which build this module is: `"threads"` (shared memory, Web Worker threads) or `"single"`.
pub const BUILD: &str = if cfg!(feature = "threads") {
    "threads"
} else {
    "single"
};

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn from_js(value: JsValue) -> Result<Value, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Object(Default::default()));
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("params: {e}")))
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
