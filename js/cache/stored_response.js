// A response kept as data (body Blob, status, headers, URL), from which a new `Response` is
// built for every hit.
//
// Why rebuild rather than keep one pristine `Response` and hand out `.clone()`s: each clone
// tees the body stream, so a hot entry would grow a chain of tees and buffers; the byte size
// of a streamed body is unknown until read, so the byte budget could not be enforced; and a
// Blob lives outside the JS heap and backs any number of new Responses without copying.
// The cost: `type` reads "default" and `redirected` false on a hit; `url` is restored.

/** Bytes charged per entry beyond the body, for status, headers and bookkeeping. */
const OVERHEAD_BYTES = 512;

export class StoredResponse {
  /** `networkMs`: how long the network took to answer it in full (NaN when unknown). */
  constructor(body, status, statusText, headers, url, networkMs) {
    this.body = body;
    this.status = status;
    this.statusText = statusText;
    this.headers = headers; // a response's headers are immutable, so sharing them is safe
    this.url = url;
    this.networkMs = networkMs;
  }

  /** Reads `response` to the end (its body is consumed). */
  static async read(response, started, clock) {
    const body = await response.blob();
    return new StoredResponse(body, response.status, response.statusText, response.headers, response.url, clock() - started);
  }

  /** What the entry costs against a byte budget: body, URL and a flat overhead. */
  get bytes() {
    return this.body.size + this.url.length + OVERHEAD_BYTES;
  }

  /** A new, unread `Response` with the same status, headers, body and `url`. */
  toResponse() {
    // Null-body statuses (204, 205) must not get a body, even an empty one.
    const response = new Response(this.body.size > 0 ? this.body : null, {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
    });
    Object.defineProperty(response, "url", { value: this.url });
    return response;
  }
}
