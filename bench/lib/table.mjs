// Markdown tables of bench results, shared by the runner's printout and BENCHMARKS.md.
// Each cell of a peer reads "figure (×ratio)", ratio = peer ÷ apiscope.

const FRACTION_UNITS = new Set(["ratio"]);

export function formatValue(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  if (FRACTION_UNITS.has(unit)) return `${(value * 100).toPrecision(3)}%`;
  const compact = Math.abs(value) >= 1e5;
  return new Intl.NumberFormat("en", {
    maximumSignificantDigits: 3,
    notation: compact ? "compact" : "standard",
  }).format(value);
}

function ratio(peer, apiscope) {
  if (!Number.isFinite(peer) || !Number.isFinite(apiscope) || apiscope === 0 || peer === 0) return "";
  return ` (×${formatValue(peer / apiscope, "")})`;
}

const unitLabel = (unit) => (FRACTION_UNITS.has(unit) ? "%" : unit);

/** One case's rows as a markdown table plus its notes. */
export function caseTable(rows) {
  const peers = [...new Set(rows.flatMap((r) => Object.keys(r.peers)))];
  const lines = [
    `| metric | unit | better | apiscope | ${peers.join(" | ")} |`,
    `|---|---|---|---:|${peers.map(() => "---:").join("|")}|`,
  ];
  const notes = new Map(); // note text -> the metrics it applies to
  for (const r of rows) {
    const own = formatValue(r.apiscope, r.unit);
    const cells = peers.map((p) =>
      p in r.peers ? formatValue(r.peers[p], r.unit) + ratio(r.peers[p], r.apiscope) : "",
    );
    lines.push(`| ${r.metric} | ${unitLabel(r.unit)} | ${r.better} | ${own} | ${cells.join(" | ")} |`);
    if (r.note) notes.set(r.note, [...(notes.get(r.note) || []), r.metric]);
  }
  const noteLines = [...notes].map(([text, metrics]) => `- ${metrics.join(", ")}: ${text}`);
  return [...lines, ...(noteLines.length ? ["", ...noteLines] : [])].join("\n");
}

/** Every case, each under its own heading. */
export function resultTables(results) {
  return Object.entries(results.cases)
    .map(([name, rows]) => `### ${name}\n\n${caseTable(rows)}`)
    .join("\n\n");
}
