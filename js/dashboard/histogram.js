// The latency histogram of one route, drawn from the sketch's own buckets as uPlot bars on a
// log x-axis, with dashed markers at p50/p95/p99.
import uPlot from "uplot";
import { createChart, axis } from "./chart.js";
import { formatCount, formatTick } from "./format.js";
import { COLORS, faded } from "./theme.js";

// Display bins per doubling of latency. The sketch keeps 64 (its 0.5 % accuracy); on screen
// that is a barcode of hairlines, and 8 per octave still shows every mode and tail.
const BINS_PER_OCTAVE = 8;

/**
 * Merges neighbouring sketch buckets into `BINS_PER_OCTAVE` bins per doubling (by their upper
 * bounds); a bin spans its members' lowest lower and highest upper bound, so a sketch that is
 * coarser than that is drawn as it is. The zero bucket stays apart.
 */
export function coarsen(hist, perOctave = BINS_PER_OCTAVE) {
  const lower = [];
  const upper = [];
  const counts = [];
  let bin = null;
  for (let i = 0; i < (hist?.counts?.length ?? 0); i++) {
    const [lo, hi, n] = [hist.lower[i], hist.upper[i], hist.counts[i]];
    // An exact bucket bound 2^(k/64) lands in bin ceil(k/8) - 1: scale the log a hair down.
    const key = hi > 0 ? Math.floor(Math.log2(hi) * perOctave - 1e-9) : -Infinity;
    if (key !== bin || !counts.length) {
      lower.push(lo), upper.push(hi), counts.push(n);
      bin = key;
    } else {
      upper[upper.length - 1] = hi;
      counts[counts.length - 1] += n;
    }
  }
  return { lower, upper, counts };
}

/**
 * Bars start at each bucket's lower bound; uPlot sizes bars by the smallest gap between x values,
 * so each bucket followed by an empty one gets a null entry at its upper bound. Every bar is then
 * exactly one bucket wide, also where the sketch skips empty buckets.
 */
export function barsData(sketchBuckets) {
  const hist = coarsen(sketchBuckets);
  const { lower, upper, counts } = hist;
  const xs = [];
  const ys = [];
  let buckets = 0;
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    // A log axis has no 0: a zero bucket [0, u) is drawn from just below u.
    const lo = lower[i] > 0 ? lower[i] : upper[i] / 2;
    if (!(counts[i] > 0) || !(upper[i] > 0)) continue;
    if (xs.length && xs.at(-1) > lo) continue; // out of order: not a bucket layout we can draw
    if (xs.length && xs.at(-1) === lo) ys[ys.length - 1] = counts[i];
    else xs.push(lo), ys.push(counts[i]);
    xs.push(upper[i]), ys.push(null);
    buckets++;
    total += counts[i];
  }
  return { data: [xs, ys], buckets, total };
}

// Powers of ten around the data, so the axis has readable ticks and a little air.
function logRange(u, min, max) {
  if (!(min > 0) || !(max > 0)) return [1, 1000];
  return [10 ** Math.floor(Math.log10(min)), 10 ** Math.ceil(Math.log10(max))];
}

function drawMarkers(u, marks) {
  const { ctx } = u;
  const { top, height } = u.bbox;
  ctx.save();
  ctx.setLineDash([5, 4]);
  ctx.lineWidth = 1.5 * devicePixelRatio;
  ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
  for (const [name, value] of Object.entries(marks)) {
    if (!(value > 0)) continue;
    const x = Math.round(u.valToPos(value, "x", true));
    ctx.strokeStyle = ctx.fillStyle = COLORS[name];
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.fillText(name, x + 3 * devicePixelRatio, top + 12 * devicePixelRatio * (1 + Object.keys(marks).indexOf(name)));
  }
  ctx.restore();
}

// Counts are whole numbers: ticks step by 1, 2, 5, 10, 20, 50, ...
const COUNT_STEPS = Array.from({ length: 9 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

export function createHistogram() {
  let marks = {};
  const chart = createChart({
    height: 220,
    className: "aps-histogram",
    options: {
      legend: { show: false },
      cursor: { points: { show: false } },
      scales: { x: { time: false, distr: 3, range: logRange }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [axis(formatTick), axis(formatCount, { size: 44, incrs: COUNT_STEPS })],
      series: [
        {},
        {
          label: "calls",
          fill: faded(COLORS.accent, 0.55),
          stroke: COLORS.accent,
          width: 1,
          paths: uPlot.paths.bars({ align: 1, size: [0.92, Infinity] }),
          points: { show: false },
        },
      ],
      hooks: { draw: [(u) => drawMarkers(u, marks)] },
    },
    data: [[], []],
  });
  return {
    node: chart.node,
    /** `percentiles`: `{ p50, p95, p99 }` of the same window, drawn as markers. */
    update(hist, percentiles) {
      const { data, buckets, total } = barsData(hist);
      marks = { p50: percentiles?.p50, p95: percentiles?.p95, p99: percentiles?.p99 };
      chart.plot.setData(data);
      // For tests and curious users: how much the chart really shows.
      chart.node.dataset.buckets = String(buckets);
      chart.node.dataset.total = String(total);
    },
    destroy: chart.destroy,
  };
}
