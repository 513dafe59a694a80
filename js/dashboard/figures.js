// A grid of labelled figures (label above, big number below) used by the side panels.
import { el, setText } from "./dom.js";

export function createFigures(labels) {
  const values = {};
  const node = el(
    "dl",
    { class: "aps-figures" },
    Object.entries(labels).map(([key, label]) => {
      values[key] = el("dd", { dataset: { figure: key } });
      return el("div", {}, [el("dt", { text: label }), values[key]]);
    }),
  );
  return {
    node,
    /** `texts`: key -> display text; `flags`: key -> true to mark the figure as bad. */
    set(texts, flags = {}) {
      for (const [key, text] of Object.entries(texts)) {
        setText(values[key], text);
        values[key].classList.toggle("aps-bad", Boolean(flags[key]));
      }
    },
  };
}
