// Pages of stored samples in [from, to) that lose nothing: batches are walked in (minStart, id)
// order, the order of the byStart index (its ties fall back to the record key), including
// batches that start before `from` and end at or after it; inside each batch every sample is
// tested on its own, so batches that straddle an edge or overlap each other give exactly their
// samples in range. A cursor is a batch position plus the offset of the next sample to test in
// it, so every sample in range is returned once across pages, at any page size.

/** Orders batch positions (minStart, id) as IndexedDB orders the byStart index. */
export function comparePosition(minStart, id, other) {
  if (minStart !== other.minStart) return minStart < other.minStart ? -1 : 1;
  return id === other.id ? 0 : id < other.id ? -1 : 1;
}

/**
 * Cursors travel as opaque strings `minStart|offset|from|to|id`: a batch position, the next
 * sample to test in it, and the range the walk is over, so a caller passing back only the
 * cursor continues the same range.
 */
export function formatCursor(cursor) {
  return `${cursor.minStart}|${cursor.offset}|${cursor.from}|${cursor.to}|${cursor.id}`;
}

/** The cursor `text` stands for, or null when it is not one `formatCursor` wrote. */
export function parseCursor(text) {
  if (typeof text !== "string") return null;
  const parts = text.split("|");
  if (parts.length < 5 || parts.slice(0, 4).some((p) => p === "")) return null;
  const [minStart, offset, from, to] = parts.slice(0, 4).map(Number);
  const valid = Number.isFinite(minStart) && Number.isInteger(offset) && offset >= 0 && from <= to;
  return valid ? { minStart, offset, from, to, id: parts.slice(4).join("|") } : null;
}

/**
 * Fills one page from candidate batches offered in (minStart, id) order. Candidates before the
 * cursor are skipped, so a backend may offer from anywhere at or before it.
 */
export class PageFill {
  #after;
  #limit;
  #from;
  #to;
  #parts = [];
  #count = 0;
  #next = null;

  /** `after`: a parsed cursor or null; `limit`: samples per page (at least 1). */
  constructor(after, limit, from, to) {
    this.#after = after;
    this.#limit = Math.max(1, Math.floor(limit) || 1);
    this.#from = from;
    this.#to = to;
  }

  /** The batch position to resume at, or null from the start. */
  get after() {
    return this.#after;
  }

  /** True when the batch at (minStart, id) lies before the cursor and has nothing to give. */
  skips(minStart, id) {
    return this.#after !== null && comparePosition(minStart, id, this.#after) < 0;
  }

  /** Takes the samples in range that the page has room for; false once the page is full. */
  offer(record) {
    if (this.skips(record.minStart, record.id)) return true;
    const resumes = this.#after !== null && comparePosition(record.minStart, record.id, this.#after) === 0;
    let i = resumes ? this.#after.offset : 0;
    const { start, count } = record;
    const picked = [];
    for (; i < count && this.#count < this.#limit; i++) {
      const t = start[i];
      if (t >= this.#from && t < this.#to) {
        picked.push(i);
        this.#count++;
      }
    }
    if (picked.length > 0) this.#parts.push({ record, indices: Uint32Array.from(picked) });
    if (this.#count < this.#limit) return true;
    this.#next = { minStart: record.minStart, offset: i, from: this.#from, to: this.#to, id: record.id };
    return false;
  }

  /**
   * `{ parts: [{ record, indices }], count, cursor }`: each part a batch and the indices of its
   * samples on this page, in order; `cursor` (a string) when the page is full, else null. A full
   * page may be followed by an empty last one.
   */
  finish() {
    return { parts: this.#parts, count: this.#count, cursor: this.#next && formatCursor(this.#next) };
  }
}
