// Lists that update in place: children are matched by a key, so a focused control, an open detail
// and the scroll position survive a redraw (rebuilding a list drops the focus inside it).

/**
 * Make `parent`'s element children the nodes for `keys`, in that order: a child already there for a
 * key (its data-key) is kept, a missing one is made by `make(key)`, the others are removed. A node is
 * moved only when it is out of place. Returns the nodes in the order of `keys`.
 */
export function keyedChildren(parent, keys, make) {
  const existing = new Map();
  for (const child of parent.children) existing.set(child.dataset.key, child);
  const nodes = keys.map((key) => {
    const node = existing.get(key) || make(key);
    existing.delete(key);
    node.dataset.key = key;
    return node;
  });
  arrange(parent, nodes);
  return nodes;
}

/**
 * Make `parent`'s element children exactly `nodes`, in that order: the others are removed first, then a
 * node is moved only when it is out of place (a moved node loses the focus inside it).
 */
export function arrange(parent, nodes) {
  const wanted = new Set(nodes);
  for (const child of [...parent.children]) if (!wanted.has(child)) child.remove();
  nodes.forEach((node, index) => {
    const here = parent.children[index];
    if (here !== node) parent.insertBefore(node, here || null);
  });
}

/** Replace `node`'s content with `build()` only when `signature` differs from what it shows now. */
export function refill(node, signature, build) {
  if (node.dataset.sig === signature) return;
  node.dataset.sig = signature;
  node.replaceChildren(...build());
}
