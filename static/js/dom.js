// DOM helpers every screen shares: find by id, build elements, and change text or class only when
// it changed (screens redraw every animation frame, and old screens are slow to repaint).

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** Set an element's text only when it changed (cheap on old screens). */
export function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

/** Set an element's class only when it changed. */
export function setClass(node, className) {
  if (node && node.className !== className) node.className = className;
}

/** Create an element with text content (never HTML). */
export function el(tag, text = '', className = '') {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}
