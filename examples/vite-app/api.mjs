// The example's backend: GET /api/items/:id answers `{ id, name }` after 5·id ms, so the items
// have different latencies. A `(req, res, url) => handled` function on plain node:http objects,
// used by the Vite dev/preview servers (vite.config.ts) and by the end-to-end test's server.
export function itemsApi(req, res, url) {
  const match = req.method === "GET" && url.pathname.match(/^\/api\/items\/(\d+)$/);
  if (!match) return false;
  const id = Number(match[1]);
  setTimeout(() => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ id, name: `item ${id}` }));
  }, 5 * id);
  return true;
}
