//! Finding ASCII delimiters in a `&str` by bytes. Every `str` pattern (a char set, a
//! substring, a trim) brings its own searcher into the wasm, and none is needed to find an
//! ASCII byte; cutting at one keeps both halves on char boundaries (a UTF-8 continuation
//! byte is never ASCII), so no slicing panic is linked either.

/// Where the first byte of `set` is in `s`, or its length.
///
/// ```
/// use apiscope::core::ascii::first_of;
/// assert_eq!(first_of("/a?b#c", b"?#"), 2);
/// assert_eq!(first_of("/a", b"?#"), 2);
/// ```
pub fn first_of(s: &str, set: &[u8]) -> usize {
    s.bytes().position(|b| set.contains(&b)).unwrap_or(s.len())
}

/// `s` split at byte `at`, found at an ASCII byte or the end (anywhere else: `s` whole, then
/// nothing).
///
/// ```
/// use apiscope::core::ascii::cut;
/// assert_eq!(cut("host:80", 4), ("host", ":80"));
/// assert_eq!(cut("é", 1), ("é", ""));
/// ```
pub fn cut(s: &str, at: usize) -> (&str, &str) {
    s.split_at_checked(at).unwrap_or((s, ""))
}

/// `s` without any leading `byte`s.
///
/// ```
/// use apiscope::core::ascii::trim_start;
/// assert_eq!(trim_start("00443", b'0'), "443");
/// ```
pub fn trim_start(s: &str, byte: u8) -> &str {
    cut(s, s.bytes().take_while(|&b| b == byte).count()).1
}

/// `s` without any trailing `byte`s.
///
/// ```
/// use apiscope::core::ascii::trim_end;
/// assert_eq!(trim_end("https://a.example//", b'/'), "https://a.example");
/// ```
pub fn trim_end(s: &str, byte: u8) -> &str {
    cut(
        s,
        s.len() - s.bytes().rev().take_while(|&b| b == byte).count(),
    )
    .0
}

/// The pieces of `s` between `byte`s, as `str::split` with that ASCII char gives them.
///
/// ```
/// use apiscope::core::ascii::split;
/// assert_eq!(split("a\nb\n", b'\n').collect::<Vec<_>>(), ["a", "b", ""]);
/// assert_eq!(split("", b'\n').collect::<Vec<_>>(), [""]);
/// ```
pub fn split(s: &str, byte: u8) -> Split<'_> {
    Split {
        rest: Some(s),
        byte,
    }
}

/// The iterator of [`split`].
#[derive(Debug, Clone)]
pub struct Split<'a> {
    /// What is left to split; `None` once the last piece is out.
    rest: Option<&'a str>,
    byte: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let (piece, tail) = cut(rest, first_of(rest, &[self.byte]));
        self.rest = (!tail.is_empty()).then(|| cut(tail, 1).1);
        Some(piece)
    }
}

/// `s` before and after its first `byte`, if it has one.
///
/// ```
/// use apiscope::core::ascii::split_once;
/// assert_eq!(split_once("GET /a b", b' '), Some(("GET", "/a b")));
/// assert_eq!(split_once("GET", b' '), None);
/// ```
pub fn split_once(s: &str, byte: u8) -> Option<(&str, &str)> {
    let at = first_of(s, &[byte]);
    (at < s.len()).then(|| (cut(s, at).0, cut(s, at + 1).1))
}

/// The pieces of [`split`], owned. (A loop, not a chain: ARCHITECTURE.md, "Bytes".)
///
/// ```
/// use apiscope::core::ascii::split_owned;
/// assert_eq!(split_owned("/a\n/b", b'\n'), ["/a", "/b"]);
/// ```
pub fn split_owned(s: &str, byte: u8) -> Vec<String> {
    let mut pieces = Vec::new();
    for piece in split(s, byte) {
        pieces.push(piece.to_owned());
    }
    pieces
}
