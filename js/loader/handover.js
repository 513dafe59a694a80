// The engine's side of the Recorder (recorder.js): taking everything pending in one call, and
// listing again the sites the engine lost. Apart from the recorder so that the loader chunk,
// which only writes, does not carry it; the engine chunk imports it.
//
// Site strings cross lazily: a take lists the sites its records use that the engine has not
// been told about yet, so a site whose requests never settle never crosses.
import { STRIDE } from "./recorder.js";

/**
 * Everything pending in `recorder`: `{ records, count, siteIds, sites, dropped }`, `records`
 * a copy of count*STRIDE numbers, `sites` one "METHOD\turl\toperation" line per id in
 * `siteIds`. The buffer is empty afterwards, and `dropped` counts from zero again.
 */
export function take(recorder) {
  const count = recorder.count;
  const mark = ++recorder.takes;
  const listed = [];
  const list = (site) => {
    if (site.listed === mark) return;
    site.listed = mark;
    site.sent = true;
    listed.push(site);
  };
  for (const site of recorder.resend) list(site);
  recorder.resend.length = 0;
  // A site numbered more than a table's worth of sites ago may have lost its slot in the
  // engine: list it again rather than wait for the engine to report it unknown.
  const { next, limit } = recorder.sites;
  const owners = recorder.owners;
  for (let i = 0; i < count; i++) {
    const site = owners[i];
    if (!site.sent || ((next - site.id) >>> 0) > limit) list(site);
  }
  const taken = {
    records: recorder.records.slice(0, count * STRIDE),
    count,
    siteIds: Uint32Array.from(listed, (site) => site.id),
    sites: listed.map((site) => site.line).join("\n"),
    dropped: recorder.dropped,
  };
  // The records' sites stay at hand until the next take, for forget().
  recorder.owners = recorder.taken;
  recorder.taken = owners;
  recorder.takenCount = count;
  recorder.listed = listed;
  recorder.count = 0;
  recorder.dropped = 0;
  recorder.unsent = 0;
  return taken;
}

/**
 * Lists these sites again in the next take: the ids the engine could not resolve since the
 * last take. An engine that keeps such records for its next ingest reports them again until
 * resolved, so each is among the last take's records or the sites it listed. Announces a
 * drain (onPending) when nothing else was pending.
 */
export function forget(recorder, siteIds) {
  const wanted = new Set(siteIds);
  const idle = recorder.count === 0 && recorder.resend.length === 0;
  const found = (site) => wanted.delete(site.id) && recorder.resend.push(site);
  for (let i = 0; i < recorder.takenCount && wanted.size > 0; i++) found(recorder.taken[i]);
  for (const site of recorder.listed) if (wanted.size > 0) found(site);
  if (idle && recorder.resend.length > 0) recorder.announce();
}
