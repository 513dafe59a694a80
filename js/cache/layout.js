// Where each figure sits in a CachePolicy's header (src/api/cache.rs writes them), and what
// its calls answer instead of a slot.
export const LEN = 0;
export const BYTES = 1;
export const EVICTIONS = 2;
export const EXPIRATIONS = 3;
export const REJECTED = 4;
export const RELEASED = 5;
export const CAN_EXPIRE = 6;
export const HEADER_LEN = 7;

/** `store` answers: refused (too big), or a bad `bytes`/`ttlMs` (nothing changed). */
export const REFUSED = -1;
export const INVALID = -2;

/** Room in the released list: `capacity + 6` slots. */
export const releasedLength = (capacity) => capacity + 6;

/** A use counter saturates here (S3-FIFO's two bits). */
export const MAX_FREQUENCY = 3;
