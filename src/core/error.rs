//! The core's one error vocabulary: a [`FieldError`] names the field that failed and the
//! [`Rule`] it broke, with the value it got.
//!
//! Every validator in the core returns it, every rule is worded once (by [`Rule`]'s
//! `Display`), and the facade turns it into a JS `RangeError` in one place. Wording never
//! goes through `core::fmt`'s float formatting: [`push_number`] writes numbers as
//! JavaScript's `String(n)` would for the values that occur, so the wasm build ships no
//! float formatter.

use std::fmt;

/// A rule a value must follow, worded once by its `Display`.
///
/// ```
/// use apiscope::core::error::Rule;
/// assert_eq!(Rule::FiniteNotNegative.to_string(), "must be a finite number >= 0");
/// assert_eq!(Rule::Integer { min: 1.0, max: 10.0 }.to_string(), "must be an integer in [1, 10]");
/// assert!(Rule::Positive.holds(0.5) && !Rule::Positive.holds(0.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// Any finite number.
    Finite,
    /// A finite number, zero or more.
    FiniteNotNegative,
    /// Zero or more; `Infinity` allowed ("forever").
    NotNegative,
    /// A finite number above zero.
    Positive,
    /// A whole number in `[min, max]` (`max` may be infinite).
    Integer {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// A number between two bounds, each open or closed.
    Between {
        /// Lower bound.
        min: f64,
        /// Whether `min` itself is allowed.
        min_closed: bool,
        /// Upper bound.
        max: f64,
        /// Whether `max` itself is allowed.
        max_closed: bool,
    },
    /// At least the value another field has.
    AtLeastField {
        /// The other field's name.
        other: &'static str,
        /// Its value.
        value: f64,
    },
    /// At most the value another field has.
    AtMostField {
        /// The other field's name.
        other: &'static str,
        /// Its value.
        value: f64,
    },
    /// A non-empty string or list.
    NotEmpty,
    /// One of a fixed set of names.
    OneOf(&'static [&'static str]),
    /// Not the same as another entry's.
    Unique,
    /// Of a described form, e.g. "an absolute http(s) URL".
    Form(&'static str),
    /// Bytes or a record that do not decode; says why.
    Decodes(&'static str),
}

impl Rule {
    /// Whether `v` follows a numeric rule (non-numeric rules hold for every number).
    ///
    /// ```
    /// use apiscope::core::error::Rule;
    /// assert!(Rule::NotNegative.holds(f64::INFINITY));
    /// assert!(!Rule::FiniteNotNegative.holds(f64::INFINITY));
    /// assert!(!Rule::Integer { min: 0.0, max: 9.0 }.holds(1.5));
    /// ```
    pub fn holds(&self, v: f64) -> bool {
        match *self {
            Self::Finite => v.is_finite(),
            Self::FiniteNotNegative => v.is_finite() && v >= 0.0,
            Self::NotNegative => v >= 0.0,
            Self::Positive => v.is_finite() && v > 0.0,
            Self::Integer { min, max } => v.fract() == 0.0 && v >= min && v <= max,
            Self::Between {
                min,
                min_closed,
                max,
                max_closed,
            } => {
                (if min_closed { v >= min } else { v > min })
                    && (if max_closed { v <= max } else { v < max })
            }
            Self::AtLeastField { value, .. } => v >= value,
            Self::AtMostField { value, .. } => v <= value,
            _ => true,
        }
    }

    /// `Ok(v)` when `v` follows the rule, else the problem (to be named with
    /// [`Problem::of`]).
    ///
    /// ```
    /// use apiscope::core::error::Rule;
    /// assert_eq!(Rule::Positive.check(2.0), Ok(2.0));
    /// let err = Rule::Positive.check(-1.0).unwrap_err().of("windowMs");
    /// assert_eq!(err.to_string(), "windowMs: must be a finite number > 0, got -1");
    /// ```
    pub fn check(self, v: f64) -> Result<f64, Problem> {
        if self.holds(v) {
            Ok(v)
        } else {
            Err(Problem {
                rule: self,
                got: Got::Number(v),
            })
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.word(&mut out);
        f.write_str(&out)
    }
}

impl Rule {
    fn word(&self, out: &mut String) {
        self.word_with(out, &mut push_number);
    }

    /// The wording, each number written by `number`.
    fn word_with(&self, out: &mut String, number: &mut dyn FnMut(&mut String, f64)) {
        match *self {
            Self::Finite => put(out, "must be a finite number"),
            Self::FiniteNotNegative => put(out, "must be a finite number >= 0"),
            Self::NotNegative => put(out, "must be a number >= 0"),
            Self::Positive => put(out, "must be a finite number > 0"),
            Self::Integer { min, max } if max.is_infinite() => {
                put(out, "must be an integer >= ");
                number(out, min);
            }
            Self::Integer { min, max } => {
                put(out, "must be an integer in [");
                number(out, min);
                put(out, ", ");
                number(out, max);
                put(out, "]");
            }
            Self::Between {
                min,
                min_closed,
                max,
                max_closed,
            } => {
                put(out, "must be in ");
                put(out, if min_closed { "[" } else { "(" });
                number(out, min);
                put(out, ", ");
                number(out, max);
                put(out, if max_closed { "]" } else { ")" });
            }
            Self::AtLeastField { other, value } => {
                put(out, "must be at least ");
                put(out, other);
                put(out, " (");
                number(out, value);
                put(out, ")");
            }
            Self::AtMostField { other, value } => {
                put(out, "must be at most ");
                put(out, other);
                put(out, " (");
                number(out, value);
                put(out, ")");
            }
            Self::NotEmpty => put(out, "must not be empty"),
            Self::OneOf(names) => {
                put(out, "must be one of ");
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        put(out, ", ");
                    }
                    put(out, name);
                }
            }
            Self::Unique => put(out, "must be unique"),
            Self::Form(form) => {
                put(out, "must be ");
                put(out, form);
            }
            Self::Decodes(why) => {
                put(out, "does not decode: ");
                put(out, why);
            }
        }
    }
}

/// `out.push_str(text)` out of line: the wording has forty of them.
#[inline(never)]
fn put(out: &mut String, text: &str) {
    out.push_str(text);
}

/// The value a field had, for the end of the message.
#[derive(Debug, Clone, PartialEq)]
pub enum Got {
    /// Not worth repeating (or not a value).
    Nothing,
    /// A number.
    Number(f64),
    /// A string, quoted in the message.
    Text(String),
}

/// A broken rule and the value that broke it, before it is tied to a field.
///
/// ```
/// use apiscope::core::error::{Got, Problem, Rule};
/// let p = Problem::new(Rule::NotEmpty);
/// assert_eq!(p.got, Got::Nothing);
/// assert_eq!(p.of("name").to_string(), "name: must not be empty");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The rule.
    pub rule: Rule,
    /// What the field held.
    pub got: Got,
}

impl Problem {
    /// A problem with no value worth repeating.
    pub fn new(rule: Rule) -> Self {
        Self {
            rule,
            got: Got::Nothing,
        }
    }

    /// A problem with a number.
    ///
    /// ```
    /// use apiscope::core::error::{Problem, Rule};
    /// assert_eq!(Problem::number(Rule::Finite, f64::NAN).of("x").to_string(), "x: must be a finite number, got NaN");
    /// ```
    pub fn number(rule: Rule, v: f64) -> Self {
        Self {
            rule,
            got: Got::Number(v),
        }
    }

    /// A problem with a string value.
    ///
    /// ```
    /// use apiscope::core::error::{Problem, Rule};
    /// let err = Problem::text(Rule::OneOf(&["p50", "p95"]), "p42").of("metric");
    /// assert_eq!(err.to_string(), "metric: must be one of p50, p95, got \"p42\"");
    /// ```
    #[cold]
    pub fn text(rule: Rule, v: impl Into<String>) -> Self {
        Self {
            rule,
            got: Got::Text(v.into()),
        }
    }

    /// This problem, about `field`.
    // The constructors that allocate are `#[cold]`: validation calls them at a hundred
    // places, only when a value is bad (0.25 KB gzipped less wasm than inlined).
    #[cold]
    pub fn of(self, field: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            problem: self,
        }
    }
}

/// A field that failed validation; `Display` gives `"field: rule, got value"`.
///
/// ```
/// use apiscope::core::error::{FieldError, Rule};
/// let err = FieldError::new("maxSize", Rule::Integer { min: 1.0, max: 1e6 }).got(0.0);
/// assert_eq!(err.field, "maxSize");
/// assert_eq!(err.to_string(), "maxSize: must be an integer in [1, 1000000], got 0");
/// assert_eq!(err.within("batch").field, "batch.maxSize");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The offending field, spelled as JavaScript sees it (`batch.maxSize`, `values[3]`).
    pub field: String,
    /// What was wrong with it.
    pub problem: Problem,
}

impl FieldError {
    /// `field` broke `rule` (add the value with [`Self::got`] or [`Self::got_text`]).
    #[cold]
    pub fn new(field: impl Into<String>, rule: Rule) -> Self {
        Problem::new(rule).of(field)
    }

    /// The same error, with the number the field had.
    pub fn got(mut self, v: f64) -> Self {
        self.problem.got = Got::Number(v);
        self
    }

    /// The same error, with the string the field had.
    #[cold]
    pub fn got_text(mut self, v: impl Into<String>) -> Self {
        self.problem.got = Got::Text(v.into());
        self
    }

    /// The same error under `parent`: `maxSize` in `batch` is `batch.maxSize`; a parent
    /// ending in `]` or an empty field join without a dot.
    ///
    /// ```
    /// use apiscope::core::error::{FieldError, Rule};
    /// let err = FieldError::new("metric", Rule::NotEmpty).within("alerts[2]");
    /// assert_eq!(err.field, "alerts[2].metric");
    /// assert_eq!(FieldError::new("", Rule::NotEmpty).within("routes").field, "routes");
    /// ```
    #[cold]
    pub fn within(mut self, parent: &str) -> Self {
        if parent.is_empty() {
            return self;
        }
        let mut field = String::with_capacity(parent.len() + 1 + self.field.len());
        field.push_str(parent);
        if !self.field.is_empty() {
            if !self.field.starts_with('[') {
                field.push('.');
            }
            field.push_str(&self.field);
        }
        self.field = field;
        self
    }

    /// The message: `field: rule`, then `, got value` when there is one.
    pub fn message(&self) -> String {
        self.message_with(push_number)
    }

    /// The message with every number written by `number` instead of [`push_number`]: a facade
    /// may leave the numbers to JavaScript, whose `String(n)` is what `push_number` imitates,
    /// and then ship no number formatting of its own.
    ///
    /// ```
    /// use apiscope::core::error::{FieldError, Rule};
    /// let err = FieldError::new("q", Rule::Integer { min: 1.0, max: 9.0 }).got(0.5);
    /// let hashes = err.message_with(|out, _| out.push('#'));
    /// assert_eq!(hashes, "q: must be an integer in [#, #], got #");
    /// ```
    pub fn message_with(&self, mut number: impl FnMut(&mut String, f64)) -> String {
        let mut out = String::with_capacity(self.field.len() + 48);
        out.push_str(&self.field);
        out.push_str(": ");
        self.problem.rule.word_with(&mut out, &mut number);
        match &self.problem.got {
            Got::Nothing => {}
            Got::Number(v) => {
                out.push_str(", got ");
                number(&mut out, *v);
            }
            Got::Text(text) => {
                out.push_str(", got \"");
                for c in text.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
            }
        }
        out
    }

    /// Whether this is corrupt data rather than a value out of range.
    ///
    /// ```
    /// use apiscope::core::error::{FieldError, Rule};
    /// assert!(FieldError::new("bytes", Rule::Decodes("truncated")).is_corrupt());
    /// ```
    pub fn is_corrupt(&self) -> bool {
        matches!(self.problem.rule, Rule::Decodes(_))
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for FieldError {}

/// Appends `v` as JavaScript's `String(v)` writes it: integers below 2^64 digit for digit,
/// anything else to 15 significant digits (enough for a message; no float formatter is linked
/// for it).
///
/// ```
/// use apiscope::core::error::push_number;
/// let text = |v| { let mut s = String::new(); push_number(&mut s, v); s };
/// assert_eq!(text(0.0), "0");
/// assert_eq!(text(-3.0), "-3");
/// assert_eq!(text(1e6), "1000000");
/// assert_eq!(text(0.5), "0.5");
/// assert_eq!(text(-0.125), "-0.125");
/// assert_eq!(text(0.1), "0.1");
/// assert_eq!(text(1.5e-7), "1.5e-7");
/// assert_eq!(text(2.5e300), "2.5e+300");
/// assert_eq!(text(f64::NAN), "NaN");
/// assert_eq!(text(f64::NEG_INFINITY), "-Infinity");
/// ```
pub fn push_number(out: &mut String, v: f64) {
    if v.is_nan() {
        return out.push_str("NaN");
    }
    if v < 0.0 {
        out.push('-');
    }
    let v = v.abs();
    if v.is_infinite() {
        return out.push_str("Infinity");
    }
    if v.fract() == 0.0 && v < 18_446_744_073_709_551_616.0 {
        // Below 2^64 digit for digit (64-bit, not 128-bit, arithmetic: no u128 division).
        return push_digits(out, v as u64);
    }
    // 15 significant digits: mantissa m in [1e14, 1e15), v = m * 10^(e - 14).
    let mut e = v.log10().floor() as i32;
    let mut m = (v / pow10(e - 14)).round();
    if m >= 1e15 {
        m /= 10.0;
        e += 1;
    } else if m < 1e14 {
        // log10 rounded up across a power of ten.
        m = (v / pow10(e - 15)).round();
        e -= 1;
    }
    // Digits as bytes, never sliced as a `str`: str slicing would link its panic messages and
    // Unicode tables into the wasm.
    let mut digits = [0u8; 15];
    let mut m = m as u64;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (m % 10) as u8;
        m /= 10;
    }
    let len = digits
        .iter()
        .rposition(|&d| d != b'0')
        .map_or(1, |last| last + 1);
    let significant = &digits[..len];
    let push = |out: &mut String, bytes: &[u8]| out.extend(bytes.iter().map(|&b| char::from(b)));
    if (-6..21).contains(&e) {
        if e < 0 {
            out.push_str("0.");
            (1..-e).for_each(|_| out.push('0'));
            push(out, significant);
        } else {
            let whole = (e + 1) as usize;
            if len <= whole {
                push(out, significant);
                (len..whole).for_each(|_| out.push('0'));
            } else {
                let (int, frac) = significant.split_at(whole);
                push(out, int);
                out.push('.');
                push(out, frac);
            }
        }
    } else {
        let (first, rest) = significant.split_at(1);
        push(out, first);
        if !rest.is_empty() {
            out.push('.');
            push(out, rest);
        }
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        push_digits(out, u64::from(e.unsigned_abs()));
    }
}

/// `name[index]`, the field of one entry of a list.
///
/// ```
/// assert_eq!(apiscope::core::error::indexed("values", 3), "values[3]");
/// ```
#[cold]
pub fn indexed(name: &str, index: usize) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    out.push_str(name);
    out.push('[');
    push_digits(&mut out, index as u64);
    out.push(']');
    out
}

fn pow10(e: i32) -> f64 {
    // powi is exact for the small powers, close enough for message digits beyond.
    10f64.powi(e)
}

fn push_digits(out: &mut String, n: u64) {
    // Most significant digit first, each a known ASCII digit (no UTF-8 encoding per push).
    let mut unit = 1;
    while unit <= n / 10 {
        unit *= 10;
    }
    loop {
        out.push(char::from(b'0' + (n / unit % 10) as u8));
        if unit == 1 {
            return;
        }
        unit /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: f64) -> String {
        let mut s = String::new();
        push_number(&mut s, v);
        s
    }

    #[test]
    fn numbers_read_as_javascript_writes_them() {
        for (v, want) in [
            (1.0 / 3.0, "0.333333333333333"),
            (123.456, "123.456"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (9.007199254740993e15, "9007199254740992"),
            (2f64.powi(64), "18446744073709600000"),
            (1e21, "1e+21"),
            (-0.0, "0"),
        ] {
            assert_eq!(text(v), want, "{v}");
        }
    }

    #[test]
    fn bounds_are_worded_open_or_closed() {
        let rule = Rule::Between {
            min: 0.0,
            min_closed: false,
            max: 1.0,
            max_closed: true,
        };
        assert_eq!(rule.to_string(), "must be in (0, 1]");
        assert!(!rule.holds(0.0) && rule.holds(1.0) && !rule.holds(f64::NAN));
    }

    #[test]
    fn text_values_are_quoted() {
        let err = FieldError::new("name", Rule::Unique).got_text("a\"b");
        assert_eq!(err.message(), "name: must be unique, got \"a\\\"b\"");
    }
}
