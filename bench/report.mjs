// Rewrites the generated part of BENCHMARKS.md (between the results markers) from
// bench/results.json: machine, command, one table per case and the targets. The reading
// around it is written by hand.
//
//   node bench/report.mjs
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { formatValue, resultTables } from "./lib/table.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const START = "<!-- results:start (bench/report.mjs writes this part) -->";
const END = "<!-- results:end -->";

// The targets set in the issues: the row that measures each, and its limit.
const TARGETS = [
  ["≤ 10 ns per sample, batched, in wasm", "sketch", "record, batched", "max", 10],
  ["≤ 8 KB (8 192 bytes) per sketch for 1 ms–10 s at default accuracy", "sketch", "bytes per sketch, 1 ms–10 s", "max", 8192],
  ["≥ 200 000 samples/s persisted", "store", "samples persisted, recordMany", "min", 200_000],
  ["≤ 5 µs main-thread time per instrumented request", "instrumentation", "added main-thread time, stubbed network", "max", 5],
  ["the same, every URL new (worst case)", "instrumentation", "added main-thread time, stubbed network, every URL new", "max", 5],
  ["≤ 6 KB (6 000 bytes) gzipped entry chunk before the first request is measured", "size", "download, gzipped: entry chunk a page loads before its first request is measured", "max", 6_000],
  ["≤ 64 KB (64 000 bytes) gzipped for instrumentation + store + alerts", "size", "download, gzipped: everything a page using instrumentation + store + alerts downloads", "max", 64_000],
  ["≤ 24 KB (24 000 bytes) gzipped for apiscope/sketch", "size", "download, gzipped: apiscope/sketch, wasm + JS", "max", 24_000],
  ["start() resolved ≤ 1.2 s, 4× CPU + Fast 3G", "startup", "start() resolved, 4x CPU + Fast 3G", "max", 1_200],
];

function targetLine([target, caseName, metric, kind, limit], results) {
  const r = (results.cases[caseName] || []).find((x) => x.metric === metric);
  if (!r || !Number.isFinite(r.apiscope)) {
    return `| ${target} | not measured | — |`;
  }
  const met = kind === "max" ? r.apiscope <= limit : r.apiscope >= limit;
  const gap = kind === "max" ? r.apiscope / limit : limit / r.apiscope;
  const verdict = met ? "met" : `**not met**: ${formatValue(gap, "")}× ${kind === "max" ? "over" : "short"}`;
  return `| ${target} | ${formatValue(r.apiscope, r.unit)} ${r.unit} | ${verdict} |`;
}

function generated(results) {
  const { machine, browser } = results;
  return [
    `Measured ${results.date.slice(0, 10)} with \`${results.command}\` (${results.seconds} s), then`,
    "`node bench/report.mjs`. Machine: " +
      `${machine.cpus} cores (\`nproc\`), ${machine.cpuModel}, load average ${machine.loadAverage.join(" / ")} ` +
      `at start; Chromium ${browser.version} headless ` +
      `(cross-origin isolated: ${browser.crossOriginIsolated}), node ${results.node}.`,
    "",
    "Each cell: median over rounds, and in brackets ×(peer ÷ apiscope); `better` says which",
    "direction wins.",
    "",
    resultTables(results),
    "",
    "### Targets",
    "",
    "| target | apiscope | verdict |",
    "|---|---:|---|",
    ...TARGETS.map((t) => targetLine(t, results)),
  ].join("\n");
}

const results = JSON.parse(await readFile(path.join(root, "bench/results.json"), "utf8"));
const file = path.join(root, "BENCHMARKS.md");
const text = await readFile(file, "utf8");
const [head, rest] = text.split(START);
if (rest === undefined || !rest.includes(END)) throw new Error(`BENCHMARKS.md lacks the ${START} … ${END} markers`);
await writeFile(file, `${head}${START}\n${generated(results)}\n${END}${rest.split(END)[1]}`);
console.log("BENCHMARKS.md: generated part rewritten from bench/results.json");
