//! Validation of parameters that arrive as JSON (from a URL, a form, `postMessage` or the CLI).
//!
//! Every check names the parameter, the value it got and the range it accepts, so a bad input gets
//! a clear message and never reaches the runtime.

use std::fmt;

use serde_json::Value;

/// A parameter that was missing, of the wrong type or out of range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The parameter's name, as the user wrote it.
    pub name: String,
    /// What was wrong, in plain lowercase words.
    pub message: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl std::error::Error for ParamError {}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// A JSON number, or a string holding one (URL parameters arrive as strings).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// Reads a whole number in `min..=max` from `obj[name]`, or `default` when it is absent.
///
/// Numbers written as strings (`"20"`, as URL parameters are) are accepted.
///
/// # Errors
///
/// Returns a [`ParamError`] when the value is not a whole number or is out of range.
///
/// # Examples
///
/// ```
/// use serde_json::json;
/// use worker_pool_playground::params::int_param;
/// let p = json!({"tasks": 20, "workers": "x"});
/// assert_eq!(int_param(&p, "tasks", 1, 1, 100), Ok(20));
/// assert_eq!(int_param(&p, "seed", 7, 0, 100), Ok(7));
/// let err = int_param(&p, "workers", 1, 1, 10).unwrap_err();
/// assert_eq!(err.to_string(), "workers: expected a whole number from 1 to 10, got \"x\"");
/// ```
pub fn int_param(
    obj: &Value,
    name: &str,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, ParamError> {
    let err = |got: &Value| ParamError {
        name: name.to_string(),
        message: format!(
            "expected a whole number from {min} to {max}, got {}",
            describe(got)
        ),
    };
    let v = match obj.get(name) {
        None | Some(Value::Null) => return Ok(default),
        Some(v) => v,
    };
    let n = number(v).ok_or_else(|| err(v))?;
    if !n.is_finite() || n.fract() != 0.0 || n < min as f64 || n > max as f64 {
        return Err(err(v));
    }
    Ok(n as u64)
}

/// Reads a number in `min..=max` from `obj[name]`, or `default` when it is absent.
///
/// # Errors
///
/// Returns a [`ParamError`] when the value is not a finite number or is out of range.
///
/// # Examples
///
/// ```
/// use serde_json::json;
/// use worker_pool_playground::params::float_param;
/// assert_eq!(float_param(&json!({"rate": 0.1}), "rate", 0.0, 0.0, 1.0), Ok(0.1));
/// assert!(float_param(&json!({"rate": 2}), "rate", 0.0, 0.0, 1.0).is_err());
/// ```
pub fn float_param(
    obj: &Value,
    name: &str,
    default: f64,
    min: f64,
    max: f64,
) -> Result<f64, ParamError> {
    let err = |got: &Value| ParamError {
        name: name.to_string(),
        message: format!(
            "expected a number from {min} to {max}, got {}",
            describe(got)
        ),
    };
    let v = match obj.get(name) {
        None | Some(Value::Null) => return Ok(default),
        Some(v) => v,
    };
    let n = number(v).ok_or_else(|| err(v))?;
    if !n.is_finite() || n < min || n > max {
        return Err(err(v));
    }
    Ok(n)
}

/// Reads one of `choices` from `obj[name]`, or `default` when it is absent.
///
/// # Errors
///
/// Returns a [`ParamError`] listing the accepted values when the value is not one of them.
///
/// # Examples
///
/// ```
/// use serde_json::json;
/// use worker_pool_playground::params::choice_param;
/// let p = json!({"mode": "virtual"});
/// let err = choice_param(&p, "mode", "real", &["real", "deterministic"]).unwrap_err();
/// assert_eq!(err.to_string(), "mode: expected one of real, deterministic, got \"virtual\"");
/// ```
pub fn choice_param<'a>(
    obj: &Value,
    name: &str,
    default: &'a str,
    choices: &[&'a str],
) -> Result<&'a str, ParamError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::String(s)) if choices.contains(&s.as_str()) => Ok(choices
            .iter()
            .find(|c| **c == s.as_str())
            .copied()
            .unwrap_or(default)),
        Some(v) => Err(ParamError {
            name: name.to_string(),
            message: format!(
                "expected one of {}, got {}",
                choices.join(", "),
                describe(v)
            ),
        }),
    }
}

/// Checks that `obj` is a JSON object whose keys are all in `known`.
///
/// # Errors
///
/// Returns a [`ParamError`] for a non-object or for the first unknown key, listing the known ones:
/// a typo in a URL parameter must not be silently ignored.
///
/// # Examples
///
/// ```
/// use serde_json::json;
/// use worker_pool_playground::params::known_keys;
/// assert!(known_keys(&json!({"tasks": 1}), &["tasks"]).is_ok());
/// let err = known_keys(&json!({"taks": 1}), &["tasks"]).unwrap_err();
/// assert_eq!(err.to_string(), "taks: unknown parameter (known: tasks)");
/// ```
pub fn known_keys(obj: &Value, known: &[&str]) -> Result<(), ParamError> {
    let map = obj.as_object().ok_or_else(|| ParamError {
        name: "params".into(),
        message: format!("expected an object, got {}", describe(obj)),
    })?;
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(ParamError {
            name: k.clone(),
            message: format!("unknown parameter (known: {})", known.join(", ")),
        }),
        None => Ok(()),
    }
}
