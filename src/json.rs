//! JSON text of a value, for the wasm exports (`src/bindings.rs` hands it to `JSON.parse`).
//!
//! Why not serde-wasm-bindgen's serializer: every `Serialize` impl is compiled once per
//! serializer, and serde-wasm-bindgen's instances build a JS value per field (a `static_str_to_js`
//! key, a `Reflect.set`, a `JsValue` to drop on every error path). This writer's instances only
//! append to a `String`, and its numbers go through `core::fmt`, which the module links anyway
//! (serde_json would bring ryu's tables). Measured (gzip -9, issue 11's 250,000-byte gate, on
//! aa1f3eb): threaded package 249,875 → 243,956 bytes, single 221,662 → 215,859.
//!
//! What JS gets after `JSON.parse` is what serde-wasm-bindgen's `json_compatible()` gave:
//! maps as plain objects, `None` and `()` as `null`, integers beyond ±2^53 an error, bytes as
//! arrays of numbers. JSON has no NaN or ±Infinity (a Report's numbers can hold NaN), so a
//! non-finite number is written as a [`MARK`]ed string (`"\u0000NaN"`), a string that itself
//! starts with the mark gets one more, and [`Json::marked`] says a reviver must undo that
//! ([`revive`]). Keys are written as they are (the reviver never sees them).

use std::fmt::{self, Write as _};

use serde::ser::{self, Serialize};

/// The first character of a string that stands for a non-finite number, or of a string that
/// started with it (then doubled).
pub const MARK: char = '\0';

/// A value as JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    /// The text, for `JSON.parse`.
    pub text: String,
    /// Some string in `text` starts with [`MARK`]: parse with a reviver applying [`revive`].
    pub marked: bool,
}

/// Why a value has no JSON text (its message is the whole error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// `value` as JSON text.
///
/// # Errors
///
/// An integer JS cannot hold exactly (beyond ±2^53, or any 128-bit one), a map key that is not
/// a string or an integer, or a `Serialize` impl's own error.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Json, Error> {
    let mut w = Writer {
        out: String::new(),
        marked: false,
        in_key: false,
    };
    value.serialize(&mut w)?;
    Ok(Json {
        text: w.out,
        marked: w.marked,
    })
}

/// A string value read back from marked JSON: a non-finite number, or the string it stood for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Revived<'a> {
    /// A string that did not start with [`MARK`]: as it is.
    Same,
    /// A marked non-finite number.
    Number(f64),
    /// A string that started with [`MARK`], one mark taken off.
    Text(&'a str),
}

/// What the string value `s` of a marked [`Json`] stands for.
pub fn revive(s: &str) -> Revived<'_> {
    let Some(rest) = s.strip_prefix(MARK) else {
        return Revived::Same;
    };
    match rest {
        "NaN" => Revived::Number(f64::NAN),
        "Infinity" => Revived::Number(f64::INFINITY),
        "-Infinity" => Revived::Number(f64::NEG_INFINITY),
        _ => Revived::Text(rest),
    }
}

/// Number.MAX_SAFE_INTEGER: the largest integer every larger one is not confused with.
const MAX_SAFE: u64 = (1 << 53) - 1;

struct Writer {
    out: String,
    marked: bool,
    /// Writing a key: a string starting with MARK stays as it is.
    in_key: bool,
}

impl Writer {
    // Not inlined: the callers are the per-type instances, which should stay one call each.
    #[inline(never)]
    fn string(&mut self, s: &str) {
        self.out.push('"');
        if s.starts_with(MARK) && !self.in_key {
            self.marked = true;
            self.out.push_str("\\u0000");
        }
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                c if c < ' ' => {
                    let _ = write!(self.out, "\\u{:04x}", c as u32);
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    #[inline(never)]
    fn number(&mut self, v: f64) {
        if v.is_finite() {
            // The shortest digits that read back as the same f64, never with an exponent (5e-324
            // comes out with 323 zeros, which JSON.parse reads exactly): `{:e}` where JS would
            // use one cost 800 bytes gzipped for numbers the page never shows.
            let _ = write!(self.out, "{v}");
        } else {
            self.marked = true;
            self.out.push_str(if v.is_nan() {
                "\"\\u0000NaN\""
            } else if v > 0.0 {
                "\"\\u0000Infinity\""
            } else {
                "\"\\u0000-Infinity\""
            });
        }
    }

    #[inline(never)]
    fn int(&mut self, negative: bool, magnitude: u64) -> Result<(), Error> {
        let sign = if negative { "-" } else { "" };
        if magnitude > MAX_SAFE {
            // serde-wasm-bindgen's words.
            return Err(Error(format!(
                "{sign}{magnitude} can't be represented as a JavaScript number"
            )));
        }
        let _ = write!(self.out, "{sign}{magnitude}");
        Ok(())
    }

    /// `"key":`, the key as it is.
    #[inline(never)]
    fn key(&mut self, k: &str) {
        self.in_key = true;
        self.string(k);
        self.in_key = false;
        self.out.push(':');
    }

    /// A map's key: a string as it is, a number or `true`/`false`/`null` as its text in quotes
    /// (what `Reflect.set` made of them).
    #[inline(never)]
    fn map_key(&mut self, key: &dyn Fn(&mut Writer) -> Result<(), Error>) -> Result<(), Error> {
        let at = self.out.len();
        self.in_key = true;
        let written = key(self);
        self.in_key = false;
        written?;
        match self.out.as_bytes().get(at) {
            Some(b'"') => {}
            Some(b'[' | b'{') | None => {
                return Err(Error("a map key must be a string or a number".into()));
            }
            Some(_) => {
                self.out.insert(at, '"');
                self.out.push('"');
            }
        }
        self.out.push(':');
        Ok(())
    }

    /// Opens `{"variant":` for the enum variants that carry data.
    fn variant(&mut self, variant: &str) {
        self.out.push('{');
        self.key(variant);
    }
}

/// An array, object or variant being written: `close` ends it.
struct Compound<'a> {
    w: &'a mut Writer,
    first: bool,
    close: &'static str,
}

impl Compound<'_> {
    #[inline(never)]
    fn comma(&mut self) {
        if !self.first {
            self.w.out.push(',');
        }
        self.first = false;
    }

    fn close(self) {
        self.w.out.push_str(self.close);
    }
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.int(v < 0, v.unsigned_abs())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.int(false, v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.number(v.into());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.number(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        // serde-wasm-bindgen's `serialize_bytes_as_arrays`: an array of numbers.
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(b)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.variant(variant);
        value.serialize(&mut *self)?;
        self.out.push('}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        self.out.push('[');
        Ok(Compound {
            w: self,
            first: true,
            close: "]",
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.variant(variant);
        self.out.push('[');
        Ok(Compound {
            w: self,
            first: true,
            close: "]}",
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        self.out.push('{');
        Ok(Compound {
            w: self,
            first: true,
            close: "}",
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.variant(variant);
        self.out.push('{');
        Ok(Compound {
            w: self,
            first: true,
            close: "}}",
        })
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Error> {
        self.close();
        Ok(())
    }
}

/// A tuple, a tuple struct and a tuple variant are written as a sequence is (the variant's
/// closing brace comes with `close`).
macro_rules! as_seq {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                ser::SerializeSeq::serialize_element(self, value)
            }
            fn end(self) -> Result<(), Error> {
                self.close();
                Ok(())
            }
        }
    )*};
}

as_seq!(
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        self.w.map_key(&|w| key.serialize(w))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Error> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.comma();
        self.w.key(key);
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Error> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde_json::{json, Value};

    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Shape {
        Unit,
        Newtype(u32),
        Tuple(i8, bool),
        Struct { a: Option<f32>, b: () },
    }

    #[derive(Serialize)]
    #[serde(tag = "kind", content = "value")]
    enum Tagged {
        Count(u64),
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Newtype(&'static str);

    #[derive(Serialize)]
    struct All {
        shapes: Vec<Shape>,
        tagged: Tagged,
        unit: Unit,
        newtype: Newtype,
        map: std::collections::BTreeMap<u16, char>,
        numbers: std::collections::BTreeMap<&'static str, f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        negative: i64,
        max_safe: u64,
        text: &'static str,
    }

    fn all() -> All {
        All {
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-3, true),
                Shape::Struct { a: None, b: () },
                Shape::Struct {
                    a: Some(0.1),
                    b: (),
                },
            ],
            tagged: Tagged::Count(3),
            unit: Unit,
            newtype: Newtype("n"),
            map: [(2, 'x'), (10, 'é')].into_iter().collect(),
            numbers: [
                ("tenth", 0.1),
                // (Not 5e-324 nor f64::MAX: serde_json's reader refuses their long forms, JS's
                // does not; every_f64_reads_back_exactly has them.)
                ("small", 1.5e-9),
                ("big", 2.5e30),
                ("minus_zero", -0.0),
                ("whole", 3.0),
            ]
            .into_iter()
            .collect(),
            skipped: None,
            negative: -(MAX_SAFE as i64),
            max_safe: MAX_SAFE,
            text: "quote \" backslash \\ newline \n tab \t bell \u{7} nul \0 é 😀",
        }
    }

    /// `v` as JS holds it: every number an f64 (serde_json's `Value` tells 3 from 3.0).
    pub(crate) fn as_js(v: Value) -> Value {
        match v {
            Value::Number(n) => json!(n.as_f64().unwrap()),
            Value::Array(a) => Value::Array(a.into_iter().map(as_js).collect()),
            Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, as_js(v))).collect()),
            v => v,
        }
    }

    #[test]
    fn reads_back_as_serde_json_writes_it() {
        let text = to_json(&all()).unwrap();
        assert!(!text.marked);
        let ours: Value = serde_json::from_str(&text.text).unwrap();
        assert_eq!(
            as_js(ours.clone()),
            as_js(serde_json::to_value(all()).unwrap())
        );
        // Every f64 reads back bit for bit (Value compares numbers by their parsed value).
        assert_eq!(ours["numbers"]["small"].as_f64(), Some(1.5e-9));
        assert!(ours["numbers"]["minus_zero"]
            .as_f64()
            .unwrap()
            .is_sign_negative());
        assert_eq!(
            ours["shapes"],
            json!(["unit", {"newtype": 7}, {"tuple": [-3, true]},
                   {"struct": {"a": null, "b": null}}, {"struct": {"a": 0.1f32 as f64, "b": null}}])
        );
        assert_eq!(ours["map"], json!({"2": "x", "10": "é"}));
    }

    #[test]
    fn every_f64_reads_back_exactly() {
        // JSON.parse rounds correctly, as str::parse does.
        let mut rng = fastrand::Rng::with_seed(17);
        let specials = [
            0.1,
            5e-324,
            1e21,
            1e-7,
            123456789.125,
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        let random = (0..100_000).map(|_| f64::from_bits(rng.u64(..)));
        let mut saw = 0;
        for v in specials.into_iter().chain(random).filter(|v| v.is_finite()) {
            let text = to_json(&v).unwrap().text;
            assert_eq!(
                text.parse::<f64>().unwrap().to_bits(),
                v.to_bits(),
                "{v:e} as {text}"
            );
            saw += 1;
        }
        assert!(saw > 99_000);
    }

    #[test]
    fn integers_js_cannot_hold_are_refused() {
        assert_eq!(
            to_json(&(MAX_SAFE + 1)).unwrap_err().to_string(),
            "9007199254740992 can't be represented as a JavaScript number"
        );
        assert_eq!(
            to_json(&i64::MIN).unwrap_err().to_string(),
            "-9223372036854775808 can't be represented as a JavaScript number"
        );
        assert!(to_json(
            &[(vec![1], 2)]
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>()
        )
        .is_err());
    }

    #[test]
    fn non_finite_numbers_and_marked_strings_revive() {
        let v = (
            [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1.5],
            ["\0NaN", "\0", "NaN", "plain"],
            [("\0key", 1.0)]
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        );
        let text = to_json(&v).unwrap();
        assert!(text.marked);
        let parsed: Value = serde_json::from_str(&text.text).unwrap();
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect()
        };
        let numbers = strings(&Value::Array(parsed[0].as_array().unwrap()[..3].to_vec()));
        let revived: Vec<_> = numbers.iter().map(|s| revive(s)).collect();
        assert!(matches!(revived[0], Revived::Number(n) if n.is_nan()));
        assert_eq!(
            revived[1..],
            [
                Revived::Number(f64::INFINITY),
                Revived::Number(f64::NEG_INFINITY)
            ]
        );
        assert_eq!(parsed[0][3], json!(1.5));
        let texts = strings(&parsed[1]);
        let revived: Vec<_> = texts.iter().map(|s| revive(s)).collect();
        assert_eq!(
            revived,
            [
                Revived::Text("\0NaN"),
                Revived::Text("\0"),
                Revived::Same,
                Revived::Same
            ]
        );
        // Keys are not revived, so they are written as they are.
        assert_eq!(parsed[2], json!({"\0key": 1}));
        // Nothing marked: no reviver needed.
        assert!(!to_json(&("NaN", 1.0)).unwrap().marked);
    }
}
