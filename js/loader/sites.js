// Call sites: what a request is filed under. A site is a (method, URL as the app wrote it)
// pair, numbered the first time it is seen, so that a repeated call costs two Map lookups: no
// URL parsing, no ignore rules, no strings for the engine (a site's line crosses once, with the
// first take that carries one of its records). What a URL means is decided here once per site: the absolute http(s) URL
// without credentials, query or fragment; whether an ignore rule keeps it unobserved; and, for
// a configured GraphQL endpoint, the operation name, the only part of a body ever read.

function isAbsolute(raw) {
  return raw.startsWith("https://") || raw.startsWith("http://");
}

// What relative URLs resolve against: the document base, or a worker's location.
function baseUri() {
  const doc = globalThis.document;
  return doc ? doc.baseURI : globalThis.location.href;
}

// Parses the URL as fetch and XHR would. The common absolute string skips the base (half
// the parsing cost), and a URL object needs no parsing at all.
function parseUrl(raw) {
  if (raw instanceof URL) return raw;
  if (typeof raw === "string" && isAbsolute(raw)) return new URL(raw);
  return new URL(raw, baseUri());
}

// A URL string that needs no parsing: http(s), a lowercase host name, an optional port, then
// printable ASCII without `\\` (read as `/`) or `@` (credentials), and no dot segment (`/.`,
// `%2e`) to resolve. Anything else — IPv6, uppercase hosts, non-ASCII — is parsed for real.
const PLAIN_URL = /^(?!.*(?:\/\.|%2[eE]))https?:\/\/[a-z0-9.-]+(?::\d{1,5})?(?:[\/?#][\x21-\x3f\x41-\x5b\x5d-\x7e]*)?$/;
// The same for a path on the base's origin ("/api/users/7?x"): it only needs the origin.
const PLAIN_PATH = /^(?!.*(?:\/\.|%2[eE]))\/(?!\/)[\x21-\x3f\x41-\x5b\x5d-\x7e]*$/;

// Where the path ends: at the query or the fragment, whichever comes first.
function pathEnd(raw) {
  const query = raw.indexOf("?");
  const fragment = raw.indexOf("#");
  if (query < 0) return fragment < 0 ? raw.length : fragment;
  return fragment < 0 ? query : Math.min(query, fragment);
}

// An HTTP method (RFC 9110 token). fetch rejects any other, and one with a tab or a newline
// would break the site lines.
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// A GraphQL Name (spec §2.1.9). Anything else an app sends as `operationName` is not a name
// and is filed as "anonymous": no arbitrary text reaches the engine through this field.
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

function named(value) {
  return typeof value === "string" && NAME.test(value) ? value : "anonymous";
}

// The operation of a GraphQL request: `operationName` of a JSON string body (a batch's names
// joined by "+"), or of the query of a persisted-query GET. The body is parsed, read for that
// one field and dropped; query text and variables are never kept.
function operationOf(raw, body) {
  if (body != null) {
    if (typeof body !== "string") return "anonymous";
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      return "anonymous";
    }
    if (Array.isArray(parsed)) return parsed.map((op) => named(op && op.operationName)).join("+") || "anonymous";
    return named(parsed && parsed.operationName);
  }
  return named(parseUrl(raw).searchParams.get("operationName"));
}

// A URL rule's absolute form: a path ("/graphql") is on this document's (or worker's) origin.
function onOrigin(rule) {
  return rule.startsWith("/") && !rule.startsWith("//") ? globalThis.location.origin + rule : rule;
}

/** One call site: its id and the line that tells the engine what it is. */
class Site {
  constructor(id, method, url, operation) {
    this.id = id;
    this.line = `${method}\t${url}\t${operation}`;
    // Which take() listed it last, and whether any did (handover.js); in which take's
    // window the recorder last counted it as new to the engine (recorder.js).
    this.listed = 0;
    this.sent = false;
    this.counted = -1;
  }
}

/** A configured GraphQL endpoint as the key table holds it: its site depends on the body. */
class Endpoint {
  constructor(method, url) {
    this.method = method;
    this.url = url;
  }
}

/**
 * The call-site table. Bounded: at `limit` entries it starts over (ids keep counting up, mod
 * 2^32, so an id is never reused while the engine may still hold it).
 */
export class Sites {
  constructor(limit, ignore, graphql) {
    this.limit = limit;
    this.prefixes = ignore.prefixes.map(onOrigin);
    this.patterns = ignore.patterns;
    // Endpoints as `origin + path`, the form a site's URL takes.
    this.graphql = new Set(graphql.map((e) => {
      const url = parseUrl(onOrigin(e));
      return url.origin + url.pathname;
    }));
    // method -> URL as the app gave it -> Site | Endpoint | null (null: not observed).
    // Absolute URLs key `absolute`; relative strings key `relative`, which holds only while
    // the base they resolve against stays the same.
    this.absolute = new Map();
    this.relative = new Map();
    this.base = "";
    this.origin = ""; // the base's, where it is http(s)
    // GraphQL sites by line: one site per (method, endpoint, operation).
    this.operations = new Map();
    this.count = 0;
    this.next = 0;
  }

  /** The site of a request, or null when it is not observed. */
  get(method, raw, body) {
    let table = this.absolute;
    let key = raw;
    if (typeof raw !== "string") {
      key = raw instanceof URL ? raw.href : parseUrl(raw).href;
    } else if (!isAbsolute(raw)) {
      // A relative URL means something else once history.pushState or a <base> moves the base.
      const base = baseUri();
      if (base !== this.base) {
        this.base = base;
        this.origin = isAbsolute(base) ? new URL(base).origin : "";
        for (const byKey of this.relative.values()) this.count -= byKey.size;
        this.relative.clear();
      }
      table = this.relative;
    }
    let byKey = table.get(method);
    let entry = byKey === undefined ? undefined : byKey.get(key);
    if (entry === undefined) {
      const url = this.target(raw);
      if (this.count >= this.limit) {
        this.clear();
        byKey = undefined;
      }
      if (byKey === undefined) table.set(method, (byKey = new Map()));
      if (url === null || !METHOD.test(method)) entry = null;
      else entry = this.graphql.has(url) ? new Endpoint(method, url) : this.site(method, url, "");
      // A persisted-query URL carries its variables: such a key is not kept.
      if (!(entry instanceof Endpoint && key.includes("?"))) {
        byKey.set(key, entry);
        this.count++;
      }
    }
    return entry instanceof Endpoint ? this.operation(entry, raw, body) : entry;
  }

  // The absolute http(s) URL without credentials, query or fragment; null when the request is
  // not an API call (data:, blob:) or an ignore rule matches its full absolute URL.
  target(raw) {
    // Most calls pass a plain absolute URL or path: cut it without parsing (URL parsing was
    // most of the cost of a new URL). Anything unusual (credentials, spaces, non-ASCII,
    // backslashes, other relative URLs, URL and Request objects) is parsed below.
    if (typeof raw === "string") {
      // (A path reaches here after get() has brought `origin` up to date with the base.)
      const href = PLAIN_URL.test(raw) ? raw : this.origin !== "" && PLAIN_PATH.test(raw) ? this.origin + raw : null;
      if (href !== null) return this.ignored(href) ? null : href.slice(0, pathEnd(href));
    }
    const url = parseUrl(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return this.ignored(url.href) ? null : url.origin + url.pathname;
  }

  ignored(href) {
    for (const prefix of this.prefixes) if (href.startsWith(prefix)) return true;
    for (const pattern of this.patterns) {
      pattern.lastIndex = 0; // a global or sticky RegExp would otherwise remember the last match
      if (pattern.test(href)) return true;
    }
    return false;
  }

  operation(endpoint, raw, body) {
    const name = operationOf(raw, body);
    const key = `${endpoint.method}\t${endpoint.url}\t${name}`;
    let site = this.operations.get(key);
    if (site === undefined) {
      if (this.count >= this.limit) this.clear();
      site = this.site(endpoint.method, endpoint.url, name);
      this.operations.set(key, site);
      this.count++;
    }
    return site;
  }

  site(method, url, operation) {
    const site = new Site(this.next, method, url, operation);
    this.next = (site.id + 1) >>> 0;
    return site;
  }

  clear() {
    this.absolute.clear();
    this.relative.clear();
    this.operations.clear();
    this.count = 0;
  }
}
