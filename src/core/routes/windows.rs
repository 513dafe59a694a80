//! Rolling time windows for one route: the samples and error count of each time slot, kept for
//! a retention period, so that "the last 5 minutes" is a merge of slots.
//!
//! Memory follows the data, not time × routes:
//! - a slot keeps up to [`MAX_VALUES`] durations as plain values (exact, 8 bytes each) and
//!   turns into a sketch only past that, so a quiet slot costs what it holds;
//! - slots coarsen with age: `slotMs` wide over the newest `fineMs`, then twice as wide every
//!   [`SLOTS_PER_WIDTH`] slots (with the defaults 10 s for 3 min, then 20 s, 40 s, 80 s, ...),
//!   so an hour is about 45 slots instead of 360;
//! - past [`SLOT_SHARE`] of `max_bytes` the two oldest slots merge into one, again and again,
//!   so old time loses its resolution first and the whole stays within the budget (one slot at
//!   least is kept); the rest of the budget keeps the merges that reads made, so that a window
//!   read every second (alerts) merges only the slot still filling.
//!
//! Merging slots is lossless, so every read is exact to the sketch's relative error: merging
//! kept values and sketches gives the sketch that recording every sample into one would.
//!
//! Time is counted in whole `slotMs` units; a slot covers units `start .. start + len`, slots
//! are disjoint and ordered by start, and exist only where samples arrived.

use crate::core::error::{FieldError, Rule};
use crate::core::sketch::{Sketch, SketchConfig, check_value};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::mem;

/// The most `slotMs` units a retention may span, bounding the ladder of slot widths.
///
/// ```
/// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig, MAX_SLOTS};
/// let config = WindowsConfig { slot_ms: 1.0, retention_ms: (MAX_SLOTS + 1) as f64, ..WindowsConfig::default() };
/// assert_eq!(RollingWindows::new(config).unwrap_err().field, "retentionMs");
/// ```
pub const MAX_SLOTS: usize = 100_000;

/// How many durations a slot keeps as values before it becomes a sketch: below this many, the
/// values take no more room than the sketch would.
///
/// ```
/// assert_eq!(apiscope::core::routes::windows::MAX_VALUES, 16);
/// ```
pub const MAX_VALUES: usize = 16;

/// Past the fine span, how many slots of one width come before the width doubles. A read
/// that starts there reaches back at most one slot, about `1 / SLOTS_PER_WIDTH` of its age.
///
/// ```
/// assert_eq!(apiscope::core::routes::windows::SLOTS_PER_WIDTH, 4);
/// ```
pub const SLOTS_PER_WIDTH: i64 = 4;

/// Room for the ladder of widths: `2^(LEVELS - 1)` units exceed any retention.
const LEVELS: usize = 20;

/// Reads whose merge of sealed slots is remembered: the alert windows, their baselines and
/// the dashboard's window, each read again every second.
const MEMOS: usize = 4;

/// The share of `max_bytes` slots may hold: `SLOT_SHARE.0 / SLOT_SHARE.1`. Remembered merges
/// use what the slots leave, at least the rest.
///
/// ```
/// assert_eq!(apiscope::core::routes::windows::SLOT_SHARE, (7, 8));
/// ```
pub const SLOT_SHARE: (usize, usize) = (7, 8);

/// How slots are laid out and how much one route may hold.
///
/// ```
/// use apiscope::core::routes::windows::WindowsConfig;
/// let config = WindowsConfig::default();
/// assert_eq!((config.slot_ms, config.fine_ms, config.retention_ms), (10_000.0, 180_000.0, 3_600_000.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowsConfig {
    /// Width of the finest slots, the resolution of recent windows; > 0.
    pub slot_ms: f64,
    /// How long slots stay `slot_ms` wide before they coarsen; >= 0 (the newest slot is
    /// always fine).
    pub fine_ms: f64,
    /// How long samples are kept; at most [`MAX_SLOTS`] slots of `slot_ms`.
    pub retention_ms: f64,
    /// Heap bytes the windows may hold ([`RollingWindows::heap_bytes`]); past
    /// [`SLOT_SHARE`] of it, old slots merge.
    pub max_bytes: usize,
    /// Accuracy and size of the slots' sketches.
    pub sketch: SketchConfig,
}

impl Default for WindowsConfig {
    fn default() -> Self {
        Self {
            slot_ms: 10_000.0,
            fine_ms: 180_000.0,
            retention_ms: 3_600_000.0,
            max_bytes: usize::MAX,
            sketch: SketchConfig::default(),
        }
    }
}

/// What one read of the windows merged: every sample of the slots it covered, their error
/// count, and the time those slots span.
///
/// ```
/// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
/// let mut w = RollingWindows::new(WindowsConfig::default()).unwrap();
/// w.record(40.0, true, 12_000.0).unwrap();
/// let read = w.last(15_000.0, 10_000.0);
/// assert_eq!((read.sketch.count(), read.errors), (1, 1));
/// // 5 s .. 15 s was asked; the slot holding 5 s starts at 0.
/// assert_eq!((read.from_ms, read.to_ms), (0.0, 15_000.0));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Every sample of the covered slots.
    pub sketch: Sketch,
    /// How many of them were errors.
    pub errors: u64,
    /// Where the covered time starts: the start of the slot holding the asked start, at or
    /// before it.
    pub from_ms: f64,
    /// Where the covered time ends (the asked end).
    pub to_ms: f64,
}

impl Window {
    /// A read that found nothing over `from_ms..to_ms`.
    ///
    /// ```
    /// use apiscope::core::routes::windows::Window;
    /// use apiscope::core::sketch::SketchConfig;
    /// let w = Window::empty(SketchConfig::default(), 0.0, 10.0);
    /// assert_eq!((w.sketch.count(), w.errors, w.to_ms), (0, 0, 10.0));
    /// ```
    pub fn empty(sketch: SketchConfig, from_ms: f64, to_ms: f64) -> Self {
        Self {
            sketch: Sketch::new(sketch).unwrap_or_default(),
            errors: 0,
            from_ms,
            to_ms,
        }
    }
}

/// A slot's samples: values while few, a sketch past [`MAX_VALUES`].
#[derive(Debug, Clone, PartialEq)]
enum Samples {
    Values(Vec<f64>),
    Sketch(Box<Sketch>),
}

impl Default for Samples {
    fn default() -> Self {
        Self::Values(Vec::new())
    }
}

impl Samples {
    /// Adds one checked duration: no allocation once the slot holds a sketch whose span
    /// covers it.
    fn record(&mut self, v: f64, config: SketchConfig) {
        match self {
            Self::Sketch(sketch) => {
                let _ = sketch.record(v); // checked by the caller
            }
            Self::Values(values) if values.len() < MAX_VALUES => values.push(v),
            Self::Values(_) => {
                let mut sketch = self.to_sketch(config);
                let _ = sketch.record(v);
                *self = Self::Sketch(Box::new(sketch));
            }
        }
    }

    fn to_sketch(&self, config: SketchConfig) -> Sketch {
        let mut sketch = new_sketch(config);
        self.merge_into(&mut sketch);
        sketch
    }

    /// Adds every sample to `sketch`, losslessly.
    fn merge_into(&self, sketch: &mut Sketch) {
        match self {
            Self::Values(values) => {
                let _ = sketch.record_many(values); // checked on the way in
            }
            Self::Sketch(other) => sketch.merge(other),
        }
    }

    /// Takes in `other`'s samples.
    fn absorb(&mut self, other: Samples, config: SketchConfig) {
        match (&mut *self, other) {
            (Self::Values(values), Self::Values(more))
                if values.len() + more.len() <= MAX_VALUES =>
            {
                values.extend_from_slice(&more);
            }
            (Self::Sketch(sketch), other) => other.merge_into(sketch),
            (Self::Values(_), Self::Sketch(mut sketch)) => {
                self.merge_into(&mut sketch);
                *self = Self::Sketch(sketch);
            }
            (Self::Values(_), other) => {
                let mut sketch = self.to_sketch(config);
                other.merge_into(&mut sketch);
                *self = Self::Sketch(Box::new(sketch));
            }
        }
    }

    /// Gives back the slack left by growth, once the slot is done growing.
    fn seal(&mut self) {
        match self {
            Self::Values(values) => values.shrink_to_fit(),
            // A clone holds its counters without spare capacity.
            Self::Sketch(sketch) => {
                let trimmed = Sketch::clone(sketch);
                if trimmed.memory_bytes() < sketch.memory_bytes() {
                    **sketch = trimmed;
                }
            }
        }
    }

    fn count(&self) -> u64 {
        match self {
            Self::Values(values) => values.len() as u64,
            Self::Sketch(sketch) => sketch.count(),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Self::Values(values) => values.capacity() * mem::size_of::<f64>(),
            Self::Sketch(sketch) => sketch.memory_bytes(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Slot {
    /// First unit covered.
    start: i64,
    /// Units covered (>= 1).
    len: u32,
    errors: u32,
    samples: Samples,
}

impl Slot {
    fn end(&self) -> i64 {
        self.start + i64::from(self.len)
    }

    fn holds(&self, unit: i64) -> bool {
        self.start <= unit && unit < self.end()
    }

    /// Takes in `other`, which lies after or before it: the slot then spans both and the
    /// time between them.
    fn absorb(&mut self, other: Slot, config: SketchConfig) {
        let (start, end) = (self.start.min(other.start), self.end().max(other.end()));
        self.samples.absorb(other.samples, config);
        self.samples.seal();
        self.errors = self.errors.saturating_add(other.errors);
        self.start = start;
        self.len = span_len(start, end);
    }
}

fn span_len(start: i64, end: i64) -> u32 {
    u32::try_from(end - start).unwrap_or(u32::MAX)
}

fn new_sketch(config: SketchConfig) -> Sketch {
    // The config was validated when the windows were made.
    Sketch::new(config).unwrap_or_default()
}

/// `unit` rounded down to a multiple of `2^level`.
fn align_down(unit: i64, level: usize) -> i64 {
    unit & !((1i64 << level) - 1)
}

/// Where the widths change for a given newest unit: level `k` (slots `2^k` units wide)
/// holds the units in `bounds[k + 1] .. bounds[k]`, the last level everything older.
struct Ladder {
    bounds: [i64; LEVELS + 1],
}

impl Ladder {
    fn new(newest: i64, fine: i64) -> Self {
        let mut bounds = [i64::MIN; LEVELS + 1];
        bounds[0] = newest.saturating_add(1);
        for k in 0..LEVELS - 1 {
            let span = if k == 0 { fine } else { SLOTS_PER_WIDTH << k };
            bounds[k + 1] = align_down(bounds[k].saturating_sub(span), k + 1);
        }
        Self { bounds }
    }

    fn level_at(&self, unit: i64) -> usize {
        (0..LEVELS)
            .find(|&k| unit >= self.bounds[k + 1])
            .unwrap_or(LEVELS - 1)
    }

    /// The units `(start, end)` a slot holding `unit` spans on this ladder.
    fn span_at(&self, unit: i64) -> (i64, i64) {
        let level = self.level_at(unit);
        let start = align_down(unit, level);
        (start, start + (1 << level))
    }
}

/// A read's merge of the sealed slots `first .. end` (positions in the slot list).
#[derive(Debug, Clone)]
struct Memo {
    first: usize,
    end: usize,
    sketch: Sketch,
    errors: u64,
}

/// The merges of sealed slots that recent reads made, most recent first, so that a window
/// read again (alerts every second) merges only the slot still filling. They hold while the
/// slot list does not change: every change but growth of the newest slot forgets them.
#[derive(Debug, Clone, Default)]
struct Memos {
    entries: Vec<Memo>,
    /// Heap bytes of `entries`.
    bytes: usize,
}

/// A cache is not part of the value: windows holding the same slots are equal.
impl PartialEq for Memos {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Memos {
    fn get(&mut self, first: usize, end: usize) -> Option<(Sketch, u64)> {
        let i = self
            .entries
            .iter()
            .position(|m| (m.first, m.end) == (first, end))?;
        self.entries[..=i].rotate_right(1);
        Some((self.entries[0].sketch.clone(), self.entries[0].errors))
    }

    /// Remembers a merge if it fits in `room` bytes with the others, dropping the least
    /// recently used ones to make room.
    fn keep(&mut self, first: usize, end: usize, sketch: &Sketch, errors: u64, room: usize) {
        let heap = |s: &Sketch| s.memory_bytes() - mem::size_of::<Sketch>();
        let list = MEMOS * mem::size_of::<Memo>();
        let unlisted = self.entries.capacity() == 0;
        let needed = heap(sketch) + if unlisted { list } else { 0 };
        while self.bytes + needed > room || self.entries.len() >= MEMOS {
            match self.entries.pop() {
                Some(old) => self.bytes -= heap(&old.sketch),
                None => return,
            }
        }
        if unlisted {
            self.entries.reserve_exact(MEMOS);
            self.bytes += list;
        }
        let sketch = sketch.clone();
        self.bytes += heap(&sketch);
        self.entries.insert(
            0,
            Memo {
                first,
                end,
                sketch,
                errors,
            },
        );
    }

    fn clear(&mut self) {
        *self = Self::default();
    }
}

/// Time-sliced samples of one route's latencies, coarser with age and bounded in bytes (see
/// the module docs).
///
/// ```
/// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
/// let mut w = RollingWindows::new(WindowsConfig::default()).unwrap();
/// w.record(120.0, false, 1_000.0).unwrap();
/// w.record(80.0, true, 15_000.0).unwrap();
/// let read = w.last(15_000.0, 60_000.0);
/// assert_eq!((read.sketch.count(), read.errors), (2, 1));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RollingWindows {
    slot_ms: f64,
    /// Units a slot stays one unit wide (>= 1, so the newest slot is always fine).
    fine: i64,
    /// Units samples are kept.
    retention: i64,
    max_bytes: usize,
    /// What the slots alone may hold: [`SLOT_SHARE`] of `max_bytes`.
    slot_bytes: usize,
    sketch: SketchConfig,
    /// The newest unit recorded into (meaningless while there are no slots).
    newest: i64,
    /// Heap bytes of the slots, kept up to date.
    bytes: usize,
    slots: VecDeque<Slot>,
    memos: RefCell<Memos>,
}

impl RollingWindows {
    /// Empty windows, or which option of `config` is out of range.
    ///
    /// ```
    /// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
    /// let bad = WindowsConfig { slot_ms: 0.0, ..WindowsConfig::default() };
    /// assert!(RollingWindows::new(bad).unwrap_err().to_string().starts_with("slotMs: "));
    /// ```
    pub fn new(config: WindowsConfig) -> Result<Self, FieldError> {
        let slot_ms = Rule::Positive
            .check(config.slot_ms)
            .map_err(|p| p.of("slotMs"))?;
        let slots = (config.retention_ms / slot_ms).ceil();
        if !(1.0..=MAX_SLOTS as f64).contains(&slots) {
            let rule = Rule::Between {
                min: 0.0,
                min_closed: false,
                max: MAX_SLOTS as f64 * slot_ms,
                max_closed: true,
            };
            return Err(FieldError::new("retentionMs", rule).got(config.retention_ms));
        }
        let fine_ms = Rule::FiniteNotNegative
            .check(config.fine_ms)
            .map_err(|p| p.of("fineMs"))?;
        Sketch::new(config.sketch)?;
        Ok(Self {
            slot_ms,
            fine: ((fine_ms / slot_ms).ceil() as i64).clamp(1, MAX_SLOTS as i64),
            retention: slots as i64,
            max_bytes: config.max_bytes,
            slot_bytes: config.max_bytes / SLOT_SHARE.1 * SLOT_SHARE.0,
            sketch: config.sketch,
            newest: 0,
            bytes: 0,
            slots: VecDeque::new(),
            memos: RefCell::default(),
        })
    }

    /// Records one sample at `now_ms`. Samples older than the retention (late arrivals) are
    /// ignored; bad durations or times are refused and change nothing. Recording into the
    /// current slot allocates nothing once its sketch spans the value.
    ///
    /// ```
    /// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
    /// let config = WindowsConfig { slot_ms: 1_000.0, retention_ms: 5_000.0, ..WindowsConfig::default() };
    /// let mut w = RollingWindows::new(config).unwrap();
    /// w.record(1.0, false, 10_000.0).unwrap();
    /// w.record(1.0, false, 2_000.0).unwrap(); // older than the retention: dropped
    /// assert_eq!(w.last(10_000.0, 60_000.0).sketch.count(), 1);
    /// assert!(w.record(f64::NAN, false, 10_000.0).is_err());
    /// ```
    pub fn record(
        &mut self,
        duration_ms: f64,
        is_error: bool,
        now_ms: f64,
    ) -> Result<(), FieldError> {
        check_sample(duration_ms, now_ms)?;
        let unit = self.unit_of(now_ms);
        let config = self.sketch;
        if let Some(slot) = self.slots.back_mut().filter(|s| s.holds(unit)) {
            let before = slot.samples.heap_bytes();
            slot.samples.record(duration_ms, config);
            slot.errors = slot.errors.saturating_add(u32::from(is_error));
            let after = slot.samples.heap_bytes();
            if after != before {
                self.bytes = self.bytes + after - before;
                self.stay_within_budget();
            }
            return Ok(());
        }
        if self.slots.is_empty() || unit > self.newest {
            self.open_newest(unit);
        } else if unit < self.newest + 1 - self.retention {
            return Ok(());
        }
        self.memos.get_mut().clear();
        let i = self.slot_for(unit);
        let slot = &mut self.slots[i];
        slot.samples.record(duration_ms, config);
        slot.errors = slot.errors.saturating_add(u32::from(is_error));
        self.bytes = self.count_bytes();
        self.stay_within_budget();
        Ok(())
    }

    /// `unit` becomes the newest: the slot before it is sealed, expired slots go and old
    /// ones coarsen.
    fn open_newest(&mut self, unit: i64) {
        if let Some(last) = self.slots.back_mut() {
            last.samples.seal();
        }
        self.newest = unit;
        let oldest_kept = unit + 1 - self.retention;
        while self.slots.front().is_some_and(|s| s.end() <= oldest_kept) {
            self.slots.pop_front();
        }
        self.coarsen();
    }

    /// Merges every slot into the span the ladder gives its start, when that is wider.
    fn coarsen(&mut self) {
        let ladder = Ladder::new(self.newest, self.fine);
        let config = self.sketch;
        let slots = self.slots.make_contiguous();
        let mut kept = 0;
        for i in 0..slots.len() {
            let mut slot = mem::take(&mut slots[i]);
            let (start, end) = ladder.span_at(slot.start);
            let (start, end) = (start.min(slot.start), end.max(slot.end()));
            if kept > 0 && slots[kept - 1].end() > start {
                let previous = &mut slots[kept - 1];
                previous.absorb(slot, config);
                previous.len = span_len(previous.start, previous.end().max(end));
            } else {
                slot.start = start;
                slot.len = span_len(start, end);
                slots[kept] = slot;
                kept += 1;
            }
        }
        self.slots.truncate(kept);
    }

    /// The position of the slot holding `unit`, inserted empty (as wide as the ladder says,
    /// after the slot before it) when missing.
    fn slot_for(&mut self, unit: i64) -> usize {
        let i = self.slots.partition_point(|s| s.start <= unit);
        if i > 0 && self.slots[i - 1].holds(unit) {
            return i - 1;
        }
        let (start, end) = self.free_span_at(unit, i);
        self.slots.insert(
            i,
            Slot {
                start,
                len: span_len(start, end),
                ..Slot::default()
            },
        );
        i
    }

    /// The ladder's span at `unit`, where no slot holds it, starting after the slot before
    /// it (`next` is the position of the first slot after it): a slot merged to stay within
    /// the budget may end inside what the ladder now spans. Slots after it start on the
    /// ladder's bounds (coarsening aligns every start), so they never begin inside it.
    fn free_span_at(&self, unit: i64, next: usize) -> (i64, i64) {
        let (start, end) = Ladder::new(self.newest, self.fine).span_at(unit);
        match next.checked_sub(1) {
            Some(i) => (start.max(self.slots[i].end()), end),
            None => (start, end),
        }
    }

    /// The units `(start, end)` of the slot that holds `unit`, or would.
    fn span_at(&self, unit: i64) -> (i64, i64) {
        let i = self.slots.partition_point(|s| s.start <= unit);
        match i.checked_sub(1).map(|p| &self.slots[p]) {
            Some(slot) if slot.holds(unit) => (slot.start, slot.end()),
            _ => self.free_span_at(unit, i),
        }
    }

    /// Gives the windows a new budget, merging old slots at once if they no longer fit (a
    /// route split between more windows gives each a smaller share).
    ///
    /// ```
    /// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
    /// let config = WindowsConfig { slot_ms: 1_000.0, ..WindowsConfig::default() };
    /// let mut w = RollingWindows::new(config).unwrap();
    /// for t in 0..600 {
    ///     w.record(t as f64, false, t as f64 * 1_000.0).unwrap();
    /// }
    /// w.set_max_bytes(2_000);
    /// assert!(w.heap_bytes() <= 2_000 || w.slot_count() == 1);
    /// assert_eq!(w.sample_count(), 600);
    /// ```
    pub fn set_max_bytes(&mut self, max_bytes: usize) {
        self.max_bytes = max_bytes;
        self.slot_bytes = max_bytes / SLOT_SHARE.1 * SLOT_SHARE.0;
        self.stay_within_budget();
    }

    /// Over budget: remembered merges go, then the two oldest slots become one until the
    /// slots fit or one is left.
    fn stay_within_budget(&mut self) {
        let memos = self.memos.get_mut();
        if self.bytes + memos.bytes > self.max_bytes {
            memos.clear();
        }
        let config = self.sketch;
        while self.bytes > self.slot_bytes && self.slots.len() > 1 {
            if let Some(oldest) = self.slots.pop_front() {
                self.slots[0].absorb(oldest, config);
            }
            self.bytes = self.count_bytes();
        }
    }

    fn count_bytes(&self) -> usize {
        self.slots.capacity() * mem::size_of::<Slot>()
            + self
                .slots
                .iter()
                .map(|s| s.samples.heap_bytes())
                .sum::<usize>()
    }

    /// The unit holding `time_ms`: `u` such that `u * slot_ms <= time_ms < (u + 1) * slot_ms`
    /// as computed in `f64`, so that a unit's start maps back to that unit.
    fn unit_of(&self, time_ms: f64) -> i64 {
        let unit = (time_ms / self.slot_ms).floor() as i64;
        if self.start_ms(unit) > time_ms {
            unit.saturating_sub(1)
        } else if self.start_ms(unit.saturating_add(1)) <= time_ms {
            unit + 1
        } else {
            unit
        }
    }

    fn start_ms(&self, unit: i64) -> f64 {
        unit as f64 * self.slot_ms
    }

    /// Every sample of the slots that overlap units `from .. to`, and where the slot holding
    /// `from` starts.
    fn merge_units(&self, from: i64, to: i64) -> (Sketch, u64, f64) {
        let first = self.slots.partition_point(|s| s.end() <= from);
        let end = first
            + self
                .slots
                .range(first..)
                .take_while(|s| s.start < to)
                .count();
        // The newest slot may still grow; the merge of the others is remembered.
        let sealed = if end == self.slots.len() && end > first {
            end - 1
        } else {
            end
        };
        let (mut sketch, mut errors) = self.merge_sealed(first, sealed);
        for slot in self.slots.range(sealed..end) {
            slot.samples.merge_into(&mut sketch);
            errors += u64::from(slot.errors);
        }
        (sketch, errors, self.start_ms(self.span_at(from).0))
    }

    /// The merge of the sealed slots `first .. end`, remembered when it spans several.
    fn merge_sealed(&self, first: usize, end: usize) -> (Sketch, u64) {
        let mut memos = self.memos.borrow_mut();
        if let Some(merged) = memos.get(first, end) {
            return merged;
        }
        let mut sketch = new_sketch(self.sketch);
        let mut errors = 0;
        for slot in self.slots.range(first..end) {
            slot.samples.merge_into(&mut sketch);
            errors += u64::from(slot.errors);
        }
        if end - first > 1 {
            let room = self.max_bytes.saturating_sub(self.bytes);
            memos.keep(first, end, &sketch, errors, room);
        }
        (sketch, errors)
    }

    /// Every sample of the slots that hold any time in `[now_ms - window_ms, now_ms]`.
    ///
    /// The read covers whole slots, so it may reach back further than `window_ms`, by up to
    /// one slot: `slotMs` while the window starts within the fine span, then at most about a
    /// quarter of the window's length ([`SLOTS_PER_WIDTH`]), more for slots merged to stay
    /// within `max_bytes`. [`Window::from_ms`] says where it starts.
    ///
    /// ```
    /// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
    /// let mut w = RollingWindows::new(WindowsConfig::default()).unwrap();
    /// w.record(5.0, false, 0.0).unwrap();
    /// w.record(7.0, false, 595_000.0).unwrap();
    /// // The 3 s window starts in the slot 590 s .. 600 s, which holds the sample.
    /// let read = w.last(598_000.0, 3_000.0);
    /// assert_eq!((read.sketch.count(), read.from_ms), (1, 590_000.0));
    /// ```
    pub fn last(&self, now_ms: f64, window_ms: f64) -> Window {
        let from = self.unit_of(now_ms - window_ms);
        let to = self.unit_of(now_ms).saturating_add(1);
        let (sketch, errors, from_ms) = self.merge_units(from, to);
        Window {
            sketch,
            errors,
            from_ms,
            to_ms: now_ms,
        }
    }

    /// Every sample of the slots that hold any time in `[from_ms, to_ms)`: with `to_ms` a
    /// slot boundary such as another read's [`Window::from_ms`], the time just before it,
    /// without a slot counted twice.
    ///
    /// ```
    /// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
    /// let config = WindowsConfig { slot_ms: 1_000.0, ..WindowsConfig::default() };
    /// let mut w = RollingWindows::new(config).unwrap();
    /// w.record(5.0, false, 1_500.0).unwrap();
    /// w.record(9.0, true, 2_500.0).unwrap();
    /// assert_eq!(w.between(2_000.0, 3_000.0).errors, 1); // only the slot 2 s .. 3 s
    /// assert_eq!(w.between(1_999.0, 3_000.0).sketch.count(), 2);
    /// ```
    pub fn between(&self, from_ms: f64, to_ms: f64) -> Window {
        let from = self.unit_of(from_ms);
        let last = self.unit_of(to_ms);
        let to = if self.start_ms(last) < to_ms {
            last.saturating_add(1)
        } else {
            last
        };
        let (sketch, errors, from_ms) = self.merge_units(from, to);
        Window {
            sketch,
            errors,
            from_ms,
            to_ms,
        }
    }

    /// Consecutive steps over the last `window_ms`, oldest first, each at least `step_ms`
    /// long and made of whole slots, so that no step splits a slot or falls between slots.
    /// Steps are whole `slotMs` multiples within the fine span and wider over coarser slots;
    /// the slot being filled at `now_ms` is left out (a few seconds of calls would read as a
    /// sudden change). At most 1 000 steps.
    ///
    /// ```
    /// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
    /// let mut w = RollingWindows::new(WindowsConfig::default()).unwrap();
    /// for t in [1_000.0, 12_000.0, 25_000.0, 31_000.0] {
    ///     w.record(50.0, false, t).unwrap();
    /// }
    /// // 5 s steps become 10 s slots: three complete steps, one call each.
    /// let steps = w.steps(32_000.0, 30_000.0, 5_000.0);
    /// let counts: Vec<u64> = steps.iter().map(|s| s.sketch.count()).collect();
    /// assert_eq!(counts, [1, 1, 1]);
    /// assert_eq!((steps[0].from_ms, steps[2].to_ms), (0.0, 30_000.0));
    /// ```
    pub fn steps(&self, now_ms: f64, window_ms: f64, step_ms: f64) -> Vec<Window> {
        let step = ((step_ms / self.slot_ms).ceil() as i64).max(1);
        let last_end = self.span_at(self.unit_of(now_ms)).0;
        let first = self.unit_of(self.start_ms(last_end) - window_ms);
        let mut steps = Vec::new();
        let mut end = last_end;
        while steps.is_empty() || (end > first && steps.len() < 1_000) {
            let start = self.span_at(end - step).0;
            let (sketch, errors, _) = self.merge_units(start, end);
            steps.push(Window {
                sketch,
                errors,
                from_ms: self.start_ms(start),
                to_ms: self.start_ms(end),
            });
            end = start;
        }
        steps.reverse();
        steps
    }

    /// Whether every slot is older than the retention at `now_ms` (the route can be dropped).
    ///
    /// ```
    /// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
    /// let config = WindowsConfig { slot_ms: 1_000.0, retention_ms: 10_000.0, ..WindowsConfig::default() };
    /// let mut w = RollingWindows::new(config).unwrap();
    /// w.record(5.0, false, 0.0).unwrap();
    /// assert!(!w.is_stale(9_000.0));
    /// assert!(w.is_stale(10_000.0));
    /// ```
    pub fn is_stale(&self, now_ms: f64) -> bool {
        let oldest_kept = self.unit_of(now_ms) + 1 - self.retention;
        self.slots.back().is_none_or(|s| s.end() <= oldest_kept)
    }

    /// How many slots are held.
    ///
    /// ```
    /// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
    /// let config = WindowsConfig { slot_ms: 1_000.0, retention_ms: 3_000.0, ..WindowsConfig::default() };
    /// let mut w = RollingWindows::new(config).unwrap();
    /// for t in 0..10 {
    ///     w.record(1.0, false, t as f64 * 1_000.0).unwrap();
    /// }
    /// assert_eq!(w.slot_count(), 3);
    /// ```
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// How many samples are held, over every slot.
    ///
    /// ```
    /// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
    /// let mut w = RollingWindows::new(WindowsConfig::default()).unwrap();
    /// w.record(1.0, false, 0.0).unwrap();
    /// w.record(2.0, true, 20_000.0).unwrap();
    /// assert_eq!(w.sample_count(), 2);
    /// ```
    pub fn sample_count(&self) -> u64 {
        self.slots.iter().map(|s| s.samples.count()).sum()
    }

    /// Heap bytes held: the slot list's capacity, each slot's values or sketch. Kept within
    /// `max_bytes` unless a single slot is larger.
    ///
    /// ```
    /// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
    /// let config = WindowsConfig { max_bytes: 8_000, ..WindowsConfig::default() };
    /// let mut w = RollingWindows::new(config).unwrap();
    /// for i in 0..10_000 {
    ///     w.record((i % 500) as f64 + 1.0, false, i as f64 * 1_000.0).unwrap();
    /// }
    /// assert!(w.heap_bytes() <= 8_000);
    /// assert_eq!(w.last(10_000_000.0, 3_600_000.0).sketch.count(), w.sample_count());
    /// ```
    pub fn heap_bytes(&self) -> usize {
        self.bytes + self.memos.borrow().bytes
    }

    /// Drops every slot.
    ///
    /// ```
    /// use apiscope::core::routes::windows::{RollingWindows, WindowsConfig};
    /// let mut w = RollingWindows::new(WindowsConfig::default()).unwrap();
    /// w.record(1.0, false, 0.0).unwrap();
    /// w.clear();
    /// assert_eq!((w.slot_count(), w.heap_bytes()), (0, 0));
    /// ```
    pub fn clear(&mut self) {
        self.slots = VecDeque::new();
        self.bytes = 0;
        self.memos.get_mut().clear();
    }
}

/// Accepts a sample's duration and time, naming the one that is bad.
pub(crate) fn check_sample(duration_ms: f64, now_ms: f64) -> Result<(), FieldError> {
    check_value(|| "durationMs".to_owned(), duration_ms)?;
    check_value(|| "nowMs".to_owned(), now_ms)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(slot_ms: f64, fine_ms: f64, retention_ms: f64) -> RollingWindows {
        RollingWindows::new(WindowsConfig {
            slot_ms,
            fine_ms,
            retention_ms,
            ..WindowsConfig::default()
        })
        .unwrap()
    }

    fn spans(w: &RollingWindows) -> Vec<(i64, i64)> {
        w.slots.iter().map(|s| (s.start, s.end())).collect()
    }

    #[test]
    fn out_of_order_samples_land_in_their_slot() {
        let mut w = windows(10.0, 1_000.0, 100.0);
        w.record(1.0, false, 55.0).unwrap();
        w.record(2.0, false, 25.0).unwrap();
        w.record(3.0, true, 35.0).unwrap();
        assert_eq!(spans(&w), [(2, 3), (3, 4), (5, 6)]);
        assert_eq!(w.between(20.0, 30.0).sketch.max(), 2.0);
        assert_eq!(w.between(30.0, 31.0).errors, 1);
    }

    #[test]
    fn bad_times_change_nothing() {
        let mut w = windows(10.0, 100.0, 100.0);
        let err = w.record(1.0, false, f64::NAN).unwrap_err();
        assert_eq!(err.field, "nowMs");
        assert_eq!(w, windows(10.0, 100.0, 100.0));
    }

    #[test]
    fn old_slots_double_in_width_every_few_slots() {
        // Two fine units, then widths 2, 4, 8 ... each SLOTS_PER_WIDTH slots long.
        let mut w = windows(1.0, 2.0, 1_000.0);
        for t in 0..=100 {
            w.record(1.0, false, f64::from(t)).unwrap();
        }
        let widths: Vec<i64> = spans(&w).iter().rev().map(|(s, e)| e - s).collect();
        assert_eq!(&widths[..2], [1, 1]);
        assert!(widths.windows(2).all(|p| p[1] >= p[0]), "{widths:?}");
        assert!(widths.iter().filter(|&&l| l == 2).count() <= 5);
        assert!(widths.len() < 20, "{widths:?}");
        // Slots tile the time recorded, with no gap and no overlap.
        let all = spans(&w);
        assert!(all.windows(2).all(|p| p[0].1 == p[1].0));
        assert_eq!((all[0].0, all[all.len() - 1].1), (0, 101));
        assert_eq!(w.sample_count(), 101);
    }

    #[test]
    fn a_slot_keeps_few_values_and_becomes_a_sketch_past_them() {
        let mut w = windows(10.0, 100.0, 100.0);
        for i in 0..MAX_VALUES {
            w.record(i as f64, false, 1.0).unwrap();
        }
        assert!(matches!(w.slots[0].samples, Samples::Values(_)));
        w.record(1.0, false, 1.0).unwrap();
        assert!(matches!(w.slots[0].samples, Samples::Sketch(_)));
        assert_eq!(w.sample_count(), MAX_VALUES as u64 + 1);
        assert_eq!(w.heap_bytes(), w.count_bytes());
    }

    /// Slots stay ordered and disjoint, and the windows within their budget, whatever the
    /// order of samples, the budget, and the reads in between (which leave memos behind).
    #[test]
    fn slots_stay_ordered_disjoint_and_within_budget() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut uniform = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..100 {
            let max_bytes = 1_000 + (uniform() * 12_000.0) as usize;
            let mut w = RollingWindows::new(WindowsConfig {
                slot_ms: 1.0,
                fine_ms: (uniform() * 30.0).floor(),
                retention_ms: 3_000.0,
                max_bytes,
                ..WindowsConfig::default()
            })
            .unwrap();
            let step = uniform() * 40.0;
            let mut newest = 0.0;
            for _ in 0..400 {
                let t = if uniform() < 0.8 {
                    newest += uniform() * step;
                    newest
                } else {
                    newest * uniform()
                };
                let v = 10f64.powf(uniform() * 7.0 - 3.0);
                w.record(v, false, t).unwrap();
                if uniform() < 0.5 {
                    for length in [1.0, 7.0, 60.0, 2_000.0] {
                        w.last(newest, length);
                    }
                }
                let spans = spans(&w);
                assert!(spans.iter().all(|(s, e)| s < e), "{spans:?}");
                assert!(spans.windows(2).all(|p| p[0].1 <= p[1].0), "{spans:?}");
                assert!(w.heap_bytes() <= max_bytes || w.slot_count() == 1);
                assert_eq!(w.bytes, w.count_bytes());
            }
        }
    }

    /// A slot merged to stay within the budget can end where the ladder now has a wider
    /// span: a late sample just after it gets a slot of its own, clipped, not an overlap.
    #[test]
    fn late_samples_beside_a_merged_slot_do_not_overlap_it() {
        let mut w = RollingWindows::new(WindowsConfig {
            slot_ms: 1.0,
            fine_ms: 0.0,
            retention_ms: 10_000.0,
            max_bytes: 2_706,
            ..WindowsConfig::default()
        })
        .unwrap();
        let ops = [
            (72, 1),
            (62, 1),
            (249, 1),
            (232, 31),
            (5, 1),
            (133, 1),
            (116, 28),
            (50, 35),
            (288, 1),
            (236, 11),
            (228, 1),
            (160, 1),
        ];
        for (t, n) in ops {
            for j in 0..n {
                w.record(1.0 + f64::from(j) * 37.0, false, f64::from(t))
                    .unwrap();
            }
        }
        let spans = spans(&w);
        assert!(spans.windows(2).all(|p| p[0].1 <= p[1].0), "{spans:?}");
        assert_eq!(w.last(289.0, 1_000.0).sketch.count(), 113);
    }

    /// Remembered merges give way when the newest slot grows: whatever the budget, reads
    /// then growth never hold more than it.
    #[test]
    fn memos_give_way_to_a_growing_newest_slot() {
        for max_bytes in (1_000..12_000).step_by(13) {
            let mut w = RollingWindows::new(WindowsConfig {
                slot_ms: 1.0,
                retention_ms: 1_000.0,
                max_bytes,
                ..WindowsConfig::default()
            })
            .unwrap();
            for t in 0..10 {
                for v in 1..=20 {
                    w.record(f64::from(v * (t + 1)), false, f64::from(t))
                        .unwrap();
                }
            }
            for length in [1.0, 3.0, 5.0, 9.0] {
                w.last(9.5, length);
            }
            for v in 0..40 {
                w.record(1.5f64.powi(v), false, 9.5).unwrap();
                assert!(
                    w.heap_bytes() <= max_bytes || w.slot_count() == 1,
                    "{max_bytes}"
                );
            }
        }
    }

    #[test]
    fn over_budget_the_oldest_slots_merge_first() {
        let mut w = RollingWindows::new(WindowsConfig {
            slot_ms: 1.0,
            retention_ms: 1_000.0,
            max_bytes: 6_000,
            ..WindowsConfig::default()
        })
        .unwrap();
        for t in 0..40 {
            for v in 1..=30 {
                w.record(f64::from(v), false, f64::from(t)).unwrap();
            }
        }
        assert!(w.heap_bytes() <= 6_000 * SLOT_SHARE.0 / SLOT_SHARE.1);
        assert_eq!(w.slots[0].start, 0);
        assert!(w.slots[0].len > 1 && w.slots.back().unwrap().len == 1);
        assert!(w.slots.iter().skip(1).all(|s| s.len == 1));
        assert_eq!(w.sample_count(), 1_200);
    }
}
