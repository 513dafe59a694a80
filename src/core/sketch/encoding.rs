//! The compact binary form of a sketch (format version 1), little-endian:
//!
//! ```text
//! u8      version (1)
//! zigzag  max_scale            varint  max_buckets
//! zigzag  scale                varint  zero_count
//! varint  bucket count n       (if n > 0) zigzag offset, then the n counts as varints,
//!                              each 0 followed by how many more zeros its run holds
//! (if count > 0) f64 sum, f64 min, f64 max
//! ```
//!
//! `count` is not stored: it is the zero count plus the bucket counts. Decoding checks every
//! field and the absence of trailing bytes, and reports a [`Rule::Decodes`] error instead of
//! panicking.

use super::Sketch;
use super::buckets::DenseBuckets;
use super::config::{MAX_BUCKETS, MIN_BUCKETS};
use super::mapping::{MAX_SCALE, MIN_SCALE, Mapping};
use crate::core::error::{FieldError, Rule};

const VERSION: u8 = 1;

impl Sketch {
    /// The sketch as compact bytes; [`Sketch::from_bytes`] gives it back exactly.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record_many(&[1.0, 20.0, 300.0]).unwrap();
    /// assert!(sketch.to_bytes().len() < 64);
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![VERSION];
        put_varint(&mut out, zigzag(i64::from(self.max_scale)));
        put_varint(&mut out, self.max_buckets as u64);
        put_varint(&mut out, zigzag(i64::from(self.scale())));
        put_varint(&mut out, self.zero_count);
        put_varint(&mut out, self.buckets.len() as u64);
        if !self.buckets.is_empty() {
            put_varint(&mut out, zigzag(i64::from(self.buckets.offset())));
            // Runs of empty buckets (sparse samples over a wide span) take two bytes each.
            let mut zeros = 0u64;
            for count in self.buckets.counts() {
                if count == 0 {
                    zeros += 1;
                    continue;
                }
                if zeros > 0 {
                    put_varint(&mut out, 0);
                    put_varint(&mut out, zeros - 1);
                    zeros = 0;
                }
                put_varint(&mut out, count);
            }
        }
        if self.count > 0 {
            for v in [self.sum, self.min, self.max] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    /// Decodes [`Sketch::to_bytes`] output; truncated, corrupt or unknown-version input is an
    /// error, never a panic.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record_many(&[0.0, 7.5]).unwrap();
    /// assert_eq!(Sketch::from_bytes(&sketch.to_bytes()).unwrap(), sketch);
    /// let err = Sketch::from_bytes(&[1, 12]).unwrap_err();
    /// assert!(err.to_string().starts_with("bytes: does not decode: truncated"));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Sketch, FieldError> {
        let mut r = Reader { bytes, pos: 0 };
        let version = r.byte()?;
        if version != VERSION {
            return Err(corrupt("unsupported format version", f64::from(version)));
        }
        let max_scale = r.scale(MIN_SCALE, MAX_SCALE, "max scale out of range")?;
        let max_buckets = r.varint()?;
        if !(MIN_BUCKETS as u64..=MAX_BUCKETS as u64).contains(&max_buckets) {
            return Err(corrupt("bucket budget out of range", max_buckets as f64));
        }
        let mut sketch = Sketch::empty(max_scale, max_buckets as usize);
        sketch.mapping = Mapping::new(r.scale(MIN_SCALE, max_scale, "scale out of range")?);
        sketch.zero_count = r.varint()?;
        sketch.buckets = r.buckets(&sketch)?;
        sketch.count = sketch
            .buckets
            .counts()
            .try_fold(sketch.zero_count, u64::checked_add)
            .ok_or_else(|| corrupt("total count overflows", 0.0))?;
        if sketch.count > 0 {
            let (sum, min, max) = (r.f64()?, r.f64()?, r.f64()?);
            let plausible = sum >= 0.0
                && (0.0..=f64::MAX).contains(&min)
                && (min..=f64::MAX).contains(&max)
                && (sketch.zero_count == 0 || min == 0.0);
            if !plausible {
                return Err(corrupt("inconsistent sum, min and max", sum));
            }
            (sketch.sum, sketch.min, sketch.max) = (sum, min, max);
        }
        if r.pos != bytes.len() {
            return Err(corrupt("trailing bytes", (bytes.len() - r.pos) as f64));
        }
        Ok(sketch)
    }
}

/// Corrupt bytes: why, and the number (a position, a count) that showed it. Cold and out of
/// line: a decoder has a dozen ways to fail and one way to succeed.
#[cold]
#[inline(never)]
fn corrupt(why: &'static str, got: f64) -> FieldError {
    FieldError::new("bytes", Rule::Decodes(why)).got(got)
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, FieldError> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or_else(|| corrupt("truncated at byte", self.pos as f64))?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, FieldError> {
        let start = self.pos;
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                break;
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(corrupt("varint too long at byte", start as f64))
    }

    fn scale(&mut self, lo: i32, hi: i32, what: &'static str) -> Result<i32, FieldError> {
        let v = unzigzag(self.varint()?);
        if (i64::from(lo)..=i64::from(hi)).contains(&v) {
            Ok(v as i32)
        } else {
            Err(corrupt(what, v as f64))
        }
    }

    fn f64(&mut self) -> Result<f64, FieldError> {
        let end = self.pos + 8;
        let chunk = self
            .bytes
            .get(self.pos..end)
            .ok_or_else(|| corrupt("truncated at byte", self.bytes.len() as f64))?;
        self.pos = end;
        let mut le = [0u8; 8];
        le.copy_from_slice(chunk);
        Ok(f64::from_le_bytes(le))
    }

    /// The bucket span of `sketch` (whose scale and budget are already known).
    fn buckets(&mut self, sketch: &Sketch) -> Result<DenseBuckets, FieldError> {
        let len = self.varint()?;
        if len == 0 {
            return Ok(DenseBuckets::default());
        }
        if len > sketch.max_buckets as u64 {
            return Err(corrupt("more buckets than the budget", len as f64));
        }
        let offset = unzigzag(self.varint()?);
        let last = offset + len as i64 - 1;
        let valid = i64::from(sketch.mapping.min_index())..=i64::from(sketch.mapping.max_index());
        if !valid.contains(&offset) || !valid.contains(&last) {
            return Err(corrupt("bucket index out of range", offset as f64));
        }
        let len = len as usize;
        let mut counts = Vec::with_capacity(len);
        while counts.len() < len {
            let count = self.varint()?;
            let run = if count == 0 { self.varint()? } else { 0 };
            if run >= (len - counts.len()) as u64 {
                return Err(corrupt("run of zeros overflows the span", run as f64));
            }
            counts.resize(counts.len() + run as usize + 1, count);
        }
        if counts.first() == Some(&0) || counts.last() == Some(&0) {
            return Err(corrupt("empty bucket at an end of the span", len as f64));
        }
        Ok(DenseBuckets::from_counts(offset as i32, &counts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_the_edges() {
        for v in [0, 1, 127, 128, 300, u64::MAX - 1, u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            let mut r = Reader {
                bytes: &out,
                pos: 0,
            };
            assert_eq!(r.varint(), Ok(v));
        }
        for v in [0, -1, 1, i64::MIN, i64::MAX] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
    }

    #[test]
    fn overlong_varints_are_corrupt() {
        let bytes = [0xff; 11];
        let mut r = Reader {
            bytes: &bytes,
            pos: 0,
        };
        assert!(r.varint().is_err());
    }

    #[test]
    fn unknown_versions_are_refused() {
        let mut bytes = Sketch::default().to_bytes();
        bytes[0] = 2;
        let err = Sketch::from_bytes(&bytes).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bytes: does not decode: unsupported format version, got 2"
        );
    }
}
