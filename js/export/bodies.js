// OTLP request bodies for the exporter, each within a byte budget (the keepalive quota): the
// split needs each data point's encoded size, which only the JSON text has, so it is done
// here, beside the text, rather than in wasm (that would be a second crossing of every body).
import { HISTOGRAMS, dataPoints, request } from "../engine/otlp.js";

/** The UTF-8 size of a string as JSON.stringify writes it (lone surrogates come escaped). */
export function utf8Bytes(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one code point
      i++;
    } else bytes += 3; // the BMP, and a lone surrogate (sent as U+FFFD)
  }
  return bytes;
}

const LIST = '"dataPoints":[]';

/**
 * The points as request bodies `{ json, points, bytes }` of at most `budget` bytes each,
 * routes in order; a route whose data points alone exceed the budget goes alone. A body is
 * exactly its envelope (the request without data points) plus each data point plus a comma
 * between neighbours, so each data point is written once and measured once.
 */
export function encodeBodies(points, attributes, budget) {
  const metrics = HISTOGRAMS.length + 1;
  const envelope = JSON.stringify(request(attributes, Array.from({ length: metrics }, () => [])));
  // Inside JSON strings quotes are escaped, so this text only occurs as the metrics' lists.
  const parts = envelope.split(LIST);
  const base = utf8Bytes(envelope);
  const bodies = [];
  let lists;
  let size;
  let routes;
  const open = () => {
    lists = Array.from({ length: metrics }, () => []);
    size = base;
    routes = 0;
  };
  const close = () => {
    let json = parts[0];
    lists.forEach((list, m) => {
      json += `"dataPoints":[${list.join(",")}]${parts[m + 1]}`;
    });
    bodies.push({ json, points: routes, bytes: size });
  };
  open();
  for (const point of points) {
    const texts = dataPoints(point).map((p) => (p ? JSON.stringify(p) : null));
    const bytes = texts.map((t) => (t === null ? 0 : utf8Bytes(t)));
    // Its data points, and a comma before each that joins a non-empty list.
    const cost = () => texts.reduce((sum, t, m) => (t === null ? sum : sum + bytes[m] + (lists[m].length > 0 ? 1 : 0)), 0);
    if (routes > 0 && size + cost() > budget) {
      close();
      open();
    }
    size += cost();
    texts.forEach((t, m) => t !== null && lists[m].push(t));
    routes++;
  }
  if (routes > 0) close();
  return bodies;
}
