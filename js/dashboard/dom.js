// Tiny DOM helpers. Text always goes in through textContent, so route names and URLs taken
// from the page's traffic can never inject markup.

/**
 * Creates an element. `props`: `class`, `text`, `dataset`, `on*` listeners, other attributes.
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of [].concat(children)) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** Sets text only when it changed: skipping no-op writes avoids needless layout work. */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** A titled card that panels render into. */
export function card(title, className = "") {
  const body = el("div", { class: "aps-card-body" });
  const heading = el("h2", { class: "aps-card-title", text: title });
  const node = el("section", { class: `aps-card ${className}` }, [heading, body]);
  return { node, body, heading };
}
