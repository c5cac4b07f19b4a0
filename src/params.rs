//! Parameters as they arrive (from JS, JSON or text) and the rules that type them.
//!
//! The input type, [`RawParams`], is deliberately shallow: a parameter is a number, a string, a
//! boolean or null. An array or object in a parameter's place is recorded as such *without
//! reading into it*, so a 3,000-deep object costs one step, not 3,000. The rules, [`ParamSpec`],
//! say per parameter what it accepts; [`ParamSpec::check`] turns a raw value into a typed
//! [`Value`] or a [`ParamError`] that quotes at most [`QUOTE_CHARS`] characters of the bad value.
//!
//! Strictness is the point: a JSON string is never read as a number (`"10"` is not `10`), and
//! text from a form, a URL or the command line is converted by [`ParamSpec::from_text`] with the
//! same rules before the core sees it.

use std::fmt;

use serde::{
    de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor},
    Deserialize, Deserializer, Serialize, Serializer,
};

/// The most characters of a bad value an error message quotes.
pub const QUOTE_CHARS: usize = 40;
/// The most parameters one request may carry (far more than any scenario reads).
pub const MAX_KEYS: usize = 64;

/// A parameter that was unknown, of the wrong type or out of range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The parameter's name, as the user wrote it (shortened when long).
    pub name: String,
    /// What was wrong, in plain lowercase words.
    pub message: String,
}

impl ParamError {
    /// An error about `name` (quoted at most [`QUOTE_CHARS`] characters).
    pub fn new(name: &str, message: impl Into<String>) -> ParamError {
        ParamError {
            name: shorten(name),
            message: message.into(),
        }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl std::error::Error for ParamError {}

/// At most [`QUOTE_CHARS`] characters of `s`, with `…` when cut.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(QUOTE_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// `s` in double quotes, with `"`, `\` and control characters escaped: how messages echo a
/// string. By hand, not with `{:?}` or `escape_debug`: the wasm build compiles Debug
/// formatting away (`-Zfmt-debug=none`, scripts/build.sh), and `escape_debug` pulls in
/// Unicode's grapheme-extension tables, about 4 KB gzipped.
pub(crate) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One parameter's value as it arrived, before any rule was applied.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    /// A JSON or JS number (NaN and infinities included: the rules reject them).
    Number(f64),
    /// A string.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null` or `undefined`: the parameter is not set.
    Null,
    /// An array (its contents were not read).
    List,
    /// An object (its contents were not read).
    Object,
}

impl RawValue {
    /// How error messages show the value: numbers as numbers, strings quoted and shortened.
    pub fn describe(&self) -> String {
        match self {
            RawValue::Number(n) => fmt_number(*n),
            RawValue::Text(s) => quoted(&shorten(s)),
            RawValue::Bool(b) => b.to_string(),
            RawValue::Null => "null".into(),
            RawValue::List => "an array".into(),
            RawValue::Object => "an object".into(),
        }
    }
}

/// `3`, `2.5`, `-1`, `NaN`: numbers as JavaScript prints them (no `3.0`).
fn fmt_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{n:.0}")
    } else if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        n.to_string()
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawValue, D::Error> {
        d.deserialize_any(RawValueVisitor)
    }
}

struct RawValueVisitor;

impl<'de> Visitor<'de> for RawValueVisitor {
    type Value = RawValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, a string, a boolean or null")
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
        Ok(RawValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawValue, E> {
        Ok(RawValue::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawValue, E> {
        Ok(RawValue::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::Text(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
        Ok(RawValue::Text(v))
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
        d.deserialize_any(self)
    }
    // Arrays and objects are skipped element by element with `IgnoredAny`, which
    // serde-wasm-bindgen answers without looking inside (`visit_unit`): a deeply nested value
    // costs one level, never a recursion. (A streaming format such as JSON text needs the
    // elements consumed; this is the cheapest way that works for both.)
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(RawValue::List)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(RawValue::Object)
    }
}

/// Parameters by name, as they arrived, in arrival order.
///
/// # Examples
///
/// ```ignore-wasm32
/// use worker_pool_playground::params::{RawParams, RawValue};
/// let p = RawParams::new().with("tasks", RawValue::Number(10.0));
/// assert_eq!(p.get("tasks"), Some(&RawValue::Number(10.0)));
/// assert_eq!(p.get("workers"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawParams {
    entries: Vec<(String, RawValue)>,
}

impl RawParams {
    /// No parameters: every default.
    pub fn new() -> RawParams {
        RawParams::default()
    }

    /// Adds (or replaces) one parameter.
    pub fn with(mut self, name: &str, value: RawValue) -> RawParams {
        self.set(name, value);
        self
    }

    /// Sets one parameter, replacing an earlier value of the same name.
    pub fn set(&mut self, name: &str, value: RawValue) {
        match self.entries.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value,
            None => self.entries.push((name.to_string(), value)),
        }
    }

    /// The value given for `name`, if any.
    pub fn get(&self, name: &str) -> Option<&RawValue> {
        self.entries.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Every parameter given, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RawValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Reads a JSON value (native tests and tools; the wasm build deserializes from JS instead).
    ///
    /// # Errors
    ///
    /// As deserializing: not an object, too many keys, a key given twice.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_json(v: &serde_json::Value) -> Result<RawParams, ParamError> {
        RawParams::deserialize(v).map_err(|e| {
            // The serde error carries our own "name: message" text.
            let text = e.to_string();
            match text.split_once(": ") {
                Some((name, message)) => ParamError {
                    name: name.to_string(),
                    message: message.to_string(),
                },
                None => ParamError::new("params", text),
            }
        })
    }
}

impl<'de> Deserialize<'de> for RawParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawParams, D::Error> {
        d.deserialize_any(RawParamsVisitor)
    }
}

struct RawParamsVisitor;

impl RawParamsVisitor {
    fn not_an_object<E: de::Error>(got: RawValue) -> E {
        E::custom(ParamError::new(
            "params",
            format!("expected an object, got {}", got.describe()),
        ))
    }
}

impl<'de> Visitor<'de> for RawParamsVisitor {
    type Value = RawParams;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of parameters")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawParams, A::Error> {
        let mut out = RawParams::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.entries.len() == MAX_KEYS {
                return Err(de::Error::custom(ParamError::new(
                    "params",
                    format!("more than {MAX_KEYS} parameters"),
                )));
            }
            if out.get(&key).is_some() {
                return Err(de::Error::custom(ParamError::new(&key, "given twice")));
            }
            let value = map.next_value::<RawValue>()?;
            out.entries.push((key, value));
        }
        Ok(out)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawParams, E> {
        Err(Self::not_an_object(RawValue::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawParams, E> {
        Err(Self::not_an_object(RawValue::Number(v as f64)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawParams, E> {
        Err(Self::not_an_object(RawValue::Number(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawParams, E> {
        Err(Self::not_an_object(RawValue::Number(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawParams, E> {
        Err(Self::not_an_object(RawValue::Text(v.to_string())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<RawParams, E> {
        Err(Self::not_an_object(RawValue::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<RawParams, E> {
        Err(Self::not_an_object(RawValue::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<RawParams, A::Error> {
        Err(Self::not_an_object(RawValue::List))
    }
}

/// A typed parameter value, after its rule accepted it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A whole number.
    Int(u64),
    /// A number.
    Float(f64),
    /// One of a choice's names.
    Choice(&'static str),
}

impl Value {
    /// The whole number (0 for other kinds, which the schema never mixes up).
    pub fn int(self) -> u64 {
        match self {
            Value::Int(n) => n,
            Value::Float(_) | Value::Choice(_) => 0,
        }
    }

    /// The number as a float.
    pub fn float(self) -> f64 {
        match self {
            Value::Int(n) => n as f64,
            Value::Float(x) => x,
            Value::Choice(_) => 0.0,
        }
    }

    /// The choice's name ("" for numbers).
    pub fn choice(self) -> &'static str {
        match self {
            Value::Choice(s) => s,
            Value::Int(_) | Value::Float(_) => "",
        }
    }

    /// The value as a raw input (what a client would send for it).
    pub fn to_raw(self) -> RawValue {
        match self {
            Value::Int(n) => RawValue::Number(n as f64),
            Value::Float(x) => RawValue::Number(x),
            Value::Choice(s) => RawValue::Text(s.to_string()),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Int(n) => s.serialize_u64(*n),
            Value::Float(x) => s.serialize_f64(*x),
            Value::Choice(c) => s.serialize_str(c),
        }
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Int(n)
    }
}
impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::Int(n.max(0) as u64)
    }
}
impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Float(x)
    }
}
impl From<&'static str> for Value {
    fn from(s: &'static str) -> Value {
        Value::Choice(s)
    }
}

/// What kind of value a parameter takes, with its range or its choices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A whole number in `min..=max`.
    Int {
        /// Smallest accepted.
        min: u64,
        /// Largest accepted.
        max: u64,
    },
    /// A finite number in `min..=max`.
    Float {
        /// Smallest accepted.
        min: f64,
        /// Largest accepted.
        max: f64,
    },
    /// One of these names.
    Choice(&'static [&'static str]),
}

/// The rule for one parameter: its type, range, unit and the words the page shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// The name (CLI `--name`, URL `?name=`, API key).
    pub name: &'static str,
    /// Type and range.
    pub kind: Kind,
    /// A short label for the form.
    pub label: &'static str,
    /// The unit (`"ms"`, `"tasks"`), or `""`.
    pub unit: &'static str,
    /// One sentence: what the parameter does.
    pub help: &'static str,
}

impl ParamSpec {
    /// What the rule accepts, for messages: `a whole number from 1 to 10`.
    pub fn expected(&self) -> String {
        match self.kind {
            Kind::Int { min, max } => format!("a whole number from {min} to {max}"),
            Kind::Float { min, max } => format!("a number from {min} to {max}"),
            Kind::Choice(choices) => format!("one of {}", choices.join(", ")),
        }
    }

    fn reject(&self, got: &RawValue) -> ParamError {
        ParamError::new(
            self.name,
            format!("expected {}, got {}", self.expected(), got.describe()),
        )
    }

    /// Applies the rule: `Ok(None)` for null (not set), the typed value, or an error.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] saying what was expected and quoting (a short prefix of) what came.
    ///
    /// # Examples
    ///
    /// ```ignore-wasm32
    /// use worker_pool_playground::params::{Kind, ParamSpec, RawValue, Value};
    /// let tasks = ParamSpec { name: "tasks", kind: Kind::Int { min: 1, max: 100 }, label: "", unit: "", help: "" };
    /// assert_eq!(tasks.check(&RawValue::Number(20.0)), Ok(Some(Value::Int(20))));
    /// let e = tasks.check(&RawValue::Text("20".into())).unwrap_err();
    /// assert_eq!(e.to_string(), "tasks: expected a whole number from 1 to 100, got \"20\"");
    /// let e = tasks.check(&RawValue::Object).unwrap_err();
    /// assert_eq!(e.to_string(), "tasks: expected a whole number from 1 to 100, got an object");
    /// ```
    pub fn check(&self, v: &RawValue) -> Result<Option<Value>, ParamError> {
        match (self.kind, v) {
            (_, RawValue::Null) => Ok(None),
            (Kind::Int { min, max }, RawValue::Number(n))
                if n.is_finite() && n.fract() == 0.0 && *n >= min as f64 && *n <= max as f64 =>
            {
                Ok(Some(Value::Int(*n as u64)))
            }
            (Kind::Float { min, max }, RawValue::Number(n))
                if n.is_finite() && *n >= min && *n <= max =>
            {
                Ok(Some(Value::Float(*n)))
            }
            (Kind::Choice(choices), RawValue::Text(s)) => match choices.iter().find(|c| **c == s) {
                Some(c) => Ok(Some(Value::Choice(c))),
                None => Err(self.reject(v)),
            },
            _ => Err(self.reject(v)),
        }
    }

    /// Converts text (a form field, a URL parameter, a command-line value) to the raw value
    /// this rule takes, strictly: numbers must be written as numbers, whole numbers as digits.
    /// The result still goes through [`ParamSpec::check`].
    ///
    /// # Errors
    ///
    /// Text that is not a number for a numeric parameter.
    ///
    /// # Examples
    ///
    /// ```ignore-wasm32
    /// use worker_pool_playground::params::{Kind, ParamSpec, RawValue};
    /// let tasks = ParamSpec { name: "tasks", kind: Kind::Int { min: 1, max: 100 }, label: "", unit: "", help: "" };
    /// assert_eq!(tasks.from_text("10"), Ok(RawValue::Number(10.0)));
    /// assert_eq!(tasks.from_text("-3"), Ok(RawValue::Number(-3.0))); // the range check says why not
    /// assert!(tasks.from_text("1e").is_err());
    /// assert!(tasks.from_text("--5").is_err());
    /// assert!(tasks.from_text("2.5").is_err());
    /// ```
    pub fn from_text(&self, text: &str) -> Result<RawValue, ParamError> {
        let t = text.trim();
        let bad = || self.reject(&RawValue::Text(text.to_string()));
        match self.kind {
            Kind::Int { .. } => {
                let digits = t.strip_prefix('-').unwrap_or(t);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                // Out-of-range values still parse (as a float), so the message can say so.
                t.parse::<f64>().map(RawValue::Number).map_err(|_| bad())
            }
            Kind::Float { .. } => {
                // Rust also parses "inf", "NaN" and "infinity"; a number field never holds those.
                let numeric = !t.is_empty()
                    && t.bytes().all(|b| {
                        b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')
                    });
                match t.parse::<f64>() {
                    Ok(x) if numeric => Ok(RawValue::Number(x)),
                    _ => Err(bad()),
                }
            }
            Kind::Choice(_) => Ok(RawValue::Text(t.to_string())),
        }
    }
}

impl Serialize for ParamSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.with_default(None).serialize(s)
    }
}

impl ParamSpec {
    /// The schema entry for this parameter with a scenario's default.
    pub fn with_default(&self, default: Option<Value>) -> SchemaParam {
        let (kind, min, max, choices) = match self.kind {
            Kind::Int { min, max } => ("int", Some(Value::Int(min)), Some(Value::Int(max)), None),
            Kind::Float { min, max } => (
                "float",
                Some(Value::Float(min)),
                Some(Value::Float(max)),
                None,
            ),
            Kind::Choice(c) => ("choice", None, None, Some(c)),
        };
        SchemaParam {
            name: self.name,
            kind,
            label: self.label,
            unit: self.unit,
            help: self.help,
            default,
            min,
            max,
            choices,
        }
    }
}

/// One parameter as the schema lists it (`list --json`, `scenarios()`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SchemaParam {
    /// The name.
    pub name: &'static str,
    /// `"int"`, `"float"` or `"choice"`.
    pub kind: &'static str,
    /// A short label.
    pub label: &'static str,
    /// The unit, or `""`.
    pub unit: &'static str,
    /// One sentence.
    pub help: &'static str,
    /// The scenario's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Smallest accepted (numbers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Value>,
    /// Largest accepted (numbers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Value>,
    /// The names accepted (choices).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<&'static [&'static str]>,
}

/// Checks that every given parameter is one of `specs`, and types each one: `(index in specs,
/// value)` for each parameter given and not null.
///
/// # Errors
///
/// The first unknown name (listing the known ones) or the first bad value.
pub fn check_all(raw: &RawParams, specs: &[ParamSpec]) -> Result<Vec<(usize, Value)>, ParamError> {
    let mut out = Vec::new();
    for (name, v) in raw.iter() {
        let i = specs.iter().position(|s| s.name == name).ok_or_else(|| {
            let known: Vec<_> = specs.iter().map(|s| s.name).collect();
            ParamError::new(
                name,
                format!("unknown parameter (known: {})", known.join(", ")),
            )
        })?;
        if let Some(v) = specs[i].check(v)? {
            out.push((i, v));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Messages quote strings as `{:?}` would (which the wasm build compiles away).
    #[test]
    fn quoted_is_debug_for_messages() {
        for s in [
            "abc",
            "a\"b\\c",
            "line\nbreak\ttab\r",
            "\u{1}\u{7f}",
            "é ✓ 10²",
            "",
        ] {
            assert_eq!(quoted(s), format!("{s:?}"), "{s}");
        }
    }

    const TASKS: ParamSpec = ParamSpec {
        name: "tasks",
        kind: Kind::Int { min: 1, max: 100 },
        label: "tasks",
        unit: "",
        help: "",
    };
    const RATE: ParamSpec = ParamSpec {
        name: "rate",
        kind: Kind::Float { min: 0.0, max: 1.0 },
        label: "rate",
        unit: "",
        help: "",
    };
    const MODE: ParamSpec = ParamSpec {
        name: "mode",
        kind: Kind::Choice(&["real", "deterministic"]),
        label: "mode",
        unit: "",
        help: "",
    };

    #[test]
    fn numbers_must_be_numbers() {
        for bad in [
            RawValue::Number(0.0),
            RawValue::Number(101.0),
            RawValue::Number(2.5),
            RawValue::Number(f64::NAN),
            RawValue::Number(f64::INFINITY),
            RawValue::Text("10".into()),
            RawValue::Bool(true),
            RawValue::List,
            RawValue::Object,
        ] {
            assert!(TASKS.check(&bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            TASKS
                .check(&RawValue::Number(f64::NAN))
                .unwrap_err()
                .message,
            "expected a whole number from 1 to 100, got NaN"
        );
        assert_eq!(
            RATE.check(&RawValue::Number(0.25)),
            Ok(Some(Value::Float(0.25)))
        );
        assert!(RATE.check(&RawValue::Number(-0.1)).is_err());
        assert_eq!(TASKS.check(&RawValue::Null), Ok(None));
    }

    #[test]
    fn choices_are_strings_from_the_list() {
        assert_eq!(
            MODE.check(&RawValue::Text("real".into())),
            Ok(Some(Value::Choice("real")))
        );
        let e = MODE.check(&RawValue::Text("<b>x".into())).unwrap_err();
        assert_eq!(
            e.to_string(),
            "mode: expected one of real, deterministic, got \"<b>x\""
        );
        assert!(MODE.check(&RawValue::Number(1.0)).is_err());
    }

    #[test]
    fn messages_quote_a_short_prefix() {
        let huge = "9".repeat(5_000_000);
        let e = MODE.check(&RawValue::Text(huge)).unwrap_err().to_string();
        assert!(e.len() < 120, "{} bytes", e.len());
        assert!(e.ends_with("…\""), "{e}");
        let e = check_all(
            &RawParams::new().with(&"k".repeat(1000), RawValue::Null),
            &[TASKS],
        )
        .unwrap_err();
        assert_eq!(e.name.chars().count(), QUOTE_CHARS + 1);
    }

    #[test]
    fn text_converts_strictly() {
        for bad in ["", "abc", "1e", "--5", "2.5", "0x10", " 1 2"] {
            assert!(TASKS.from_text(bad).is_err(), "{bad:?}");
        }
        for bad in ["", "inf", "NaN", "1e", "abc"] {
            let r = RATE.from_text(bad).and_then(|v| RATE.check(&v));
            assert!(r.is_err(), "{bad:?}");
        }
        assert_eq!(RATE.from_text("0.5"), Ok(RawValue::Number(0.5)));
        assert_eq!(TASKS.from_text(" 42 "), Ok(RawValue::Number(42.0)));
    }

    #[test]
    fn unknown_names_are_refused() {
        let e = check_all(
            &RawParams::new().with("taks", RawValue::Number(1.0)),
            &[TASKS, MODE],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "taks: unknown parameter (known: tasks, mode)"
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn json_input_is_shallow_and_typed() {
        use serde_json::json;
        let p = RawParams::from_json(
            &json!({"tasks": 3, "mode": "real", "x": {"a": {"b": 1}}, "y": [1]}),
        )
        .unwrap();
        assert_eq!(p.get("tasks"), Some(&RawValue::Number(3.0)));
        assert_eq!(p.get("x"), Some(&RawValue::Object));
        assert_eq!(p.get("y"), Some(&RawValue::List));
        let e = RawParams::from_json(&json!("tasks=3")).unwrap_err();
        assert_eq!(e.to_string(), "params: expected an object, got \"tasks=3\"");
        let e = RawParams::from_json(&json!(null)).unwrap_err();
        assert_eq!(e.to_string(), "params: expected an object, got null");
        let many: serde_json::Map<String, serde_json::Value> =
            (0..100).map(|i| (format!("k{i}"), json!(1))).collect();
        let e = RawParams::from_json(&serde_json::Value::Object(many)).unwrap_err();
        assert_eq!(e.to_string(), "params: more than 64 parameters");
    }
}
