// An app that profiles its own API calls: start the profiler once, then call fetch as usual.
import { start, version, type RouteSnapshot } from "apiscope";

const profiler = await start({ dbName: "example" });
// Problems apiscope contained (e.g. IndexedDB unavailable): the app keeps working, but say so.
profiler.on("error", ({ context, message }) => console.error(`apiscope ${context}: ${message}`));

interface Item {
  id: number;
  name: string;
}

// The app's own calls; nothing here mentions the profiler, the fetch hook measures them all.
async function loadItem(id: number): Promise<Item> {
  const response = await fetch(`/api/items/${id}`);
  if (!response.ok) throw new Error(`item ${id}: HTTP ${response.status}`);
  return response.json();
}

const items = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(loadItem));

function render(routes: RouteSnapshot[]): void {
  const rows = routes.map((route) => {
    const row = document.createElement("tr");
    const cells = [route.method, route.route, String(route.count), route.p50.toFixed(1), route.p95.toFixed(1)];
    row.append(...cells.map((text) => Object.assign(document.createElement("td"), { textContent: text })));
    return row;
  });
  document.querySelector("#routes")!.replaceChildren(...rows);
}

render(profiler.snapshot());
const status = document.querySelector("#status")!;
status.textContent = `apiscope ${version()}: loaded ${items.length} items`;
status.setAttribute("data-state", "done");
