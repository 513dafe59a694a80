// GraphQL operations (issue 17): requests to a configured endpoint are filed per operation
// name, read from a JSON string body or a persisted-query GET; query text and variables never
// reach the recorder's output, nor stay anywhere inside it.
import { assert, origins, test } from "./lib/harness.js";
import { withHooks, xhr } from "./lib/hooked.js";
import { take } from "/js/loader/handover.js";

const url = (path) => `${origins.test}${path}`;
const SECRET_QUERY = "query GetUser($id: ID!) { user(id: $id) { ssnSecretField } }";
const SECRET_ID = "user-4242-secret";

const post = (endpoint, body) => fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/json" }, body });
const operation = (operationName, extra = {}) =>
  JSON.stringify({ query: SECRET_QUERY, variables: { id: SECRET_ID }, operationName, ...extra });

// Every string reachable from `root` (objects, arrays, Maps, Sets), to prove nothing is kept.
function strings(root) {
  const seen = new Set();
  const found = [];
  const visit = (v) => {
    if (typeof v === "string") return void found.push(v);
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) return;
    if (v instanceof Map || v instanceof Set) for (const e of v) visit(e);
    for (const key of Object.keys(v)) visit(key), visit(v[key]);
  };
  visit(root);
  return found;
}

// A path is on the page's own origin (whose server answers 404 to a POST: still filed).
const config = () => ({ recorder: { graphql: ["/hooks/graphql", url("/hooks/graphql")] } });

test("operations split by name: same name one site, another name another", () =>
  withHooks(config(), async ({ drain, seen }) => {
    const endpoint = url("/hooks/graphql");
    for (const name of ["GetUser", "GetUser", "ListOrders", "GetUser"]) {
      assert.equal((await post(endpoint, operation(name))).status, 200);
    }
    const records = seen();
    assert.deepEqual(records.map((r) => [r.method, r.url, r.operation]), [
      ["POST", endpoint, "GetUser"],
      ["POST", endpoint, "GetUser"],
      ["POST", endpoint, "ListOrders"],
      ["POST", endpoint, "GetUser"],
    ]);
    const sites = [...drain.table.values()].map((s) => `${s.method} ${s.operation}`).sort();
    assert.deepEqual(sites, ["POST GetUser", "POST ListOrders"], "two sites for two operations");
  }));

test("anything without a usable operationName is anonymous", () =>
  withHooks(config(), async ({ seen }) => {
    const endpoint = url("/hooks/graphql");
    await post(endpoint, JSON.stringify({ query: SECRET_QUERY, variables: { id: SECRET_ID } }));
    await post(endpoint, `not json ${SECRET_ID}`);
    await post(endpoint, operation("drop table; --"));
    await post(endpoint, operation(42));
    await post(endpoint, new Blob([operation("InABlob")]));
    await fetch(new Request(endpoint, { method: "POST", body: operation("InARequest") }));
    await fetch(endpoint);
    assert.deepEqual(seen().map((r) => r.operation), Array(7).fill("anonymous"));
  }));

test("persisted-query GETs, XHR bodies, batches, and endpoints on another origin", () =>
  withHooks({ recorder: { graphql: [url("/hooks/graphql"), `${origins.second}/hooks/graphql`] } }, async ({ seen }) => {
    const variables = encodeURIComponent(JSON.stringify({ id: SECRET_ID }));
    const hash = encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: "abc123" } }));
    await fetch(url(`/hooks/graphql?operationName=GetUser&variables=${variables}&extensions=${hash}`));
    await fetch(url(`/hooks/graphql?operationName=GetUser&variables=${variables}x`));
    await xhr("POST", url("/hooks/graphql"), { body: operation("FromXhr") });
    await post(url("/hooks/graphql"), JSON.stringify([{ operationName: "A", query: SECRET_QUERY }, { operationName: "B" }]));
    await post(`${origins.second}/hooks/graphql`, operation("Elsewhere"));
    await post(`${origins.second}/inst/echo`, operation("NotAnEndpoint"));
    assert.deepEqual(seen().map((r) => [r.transport, r.method, r.operation]), [
      [0, "GET", "GetUser"],
      [0, "GET", "GetUser"],
      [1, "POST", "FromXhr"],
      [0, "POST", "A+B"],
      [0, "POST", "Elsewhere"],
      [0, "POST", ""],
    ]);
  }));

test("query text and variables appear nowhere: not in take()'s output, not inside the recorder", () =>
  withHooks(config(), async ({ recorder }) => {
    const variables = encodeURIComponent(JSON.stringify({ id: SECRET_ID }));
    await fetch(url(`/hooks/graphql?operationName=GetUser&query=${encodeURIComponent(SECRET_QUERY)}&variables=${variables}`));
    await post(url("/hooks/graphql"), operation("GetUser"));
    await xhr("POST", "/hooks/graphql", { body: operation("Relative") });
    await post("/hooks/graphql", `{"variables":{"id":"${SECRET_ID}"}`);
    const inside = strings(recorder);
    const taken = take(recorder);
    assert.equal(taken.count, 4);
    for (const text of [...inside, ...strings(taken), ...Array.from(taken.records, String)]) {
      for (const secret of [SECRET_ID, "ssnSecretField", "variables", encodeURIComponent(SECRET_ID)]) {
        assert.ok(!text.includes(secret), `${JSON.stringify(secret)} found in ${JSON.stringify(text)}`);
      }
    }
    assert.ok(taken.sites.includes("\tGetUser") && taken.sites.includes("\tRelative"), taken.sites);
  }));
