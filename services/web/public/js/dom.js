/**
 * The only way the dashboard builds DOM: elements with text children and attributes.
 * Data never goes through innerHTML; every string ends up as a Text node or an attribute value.
 */

/**
 * Creates an element. `props`: className, title, hidden, dataset ({k: v}), attrs ({name: value}),
 * on ({event: handler}). Children: strings (become Text nodes), Nodes, null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  if (props.title != null) el.title = String(props.title);
  if (props.hidden) el.hidden = true;
  for (const [k, v] of Object.entries(props.dataset ?? {})) el.dataset[k] = String(v);
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, String(v));
  for (const [k, v] of Object.entries(props.on ?? {})) el.addEventListener(k, v);
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Sets the text of an element only when it differs, so unchanged cells cost no layout. */
export function setText(el, value) {
  const text = value == null ? '' : String(value);
  if (el.textContent !== text) el.textContent = text;
}

export function setTitle(el, value) {
  const text = value == null ? '' : String(value);
  if (el.title !== text) el.title = text;
}

export function setClass(el, className) {
  if (el.className !== className) el.className = className;
}

export function toggleClass(el, name, on) {
  if (el.classList.contains(name) !== on) el.classList.toggle(name, on);
}

export function setHidden(el, hidden) {
  if (el.hidden !== hidden) el.hidden = hidden;
}

/**
 * Keyed reconciliation of a container's children: `items` in order, `key(item)` identifies one,
 * `create(item)` returns { el, update(item) }. Existing entries are updated in place, new ones created,
 * missing ones removed, and nodes are only moved when they are out of order.
 * `entries` is the Map kept between calls; `start` is the first child that belongs to the list
 * (children before it, e.g. a <thead>, are left alone).
 */
export function reconcile(container, entries, items, key, create, start = container.firstChild) {
  const seen = new Set();
  let cursor = start;
  for (const item of items) {
    const k = key(item);
    seen.add(k);
    let entry = entries.get(k);
    if (!entry) {
      entry = create(item);
      entries.set(k, entry);
    } else {
      entry.update(item);
    }
    if (entry.el === cursor) cursor = cursor.nextSibling;
    else container.insertBefore(entry.el, cursor);
  }
  for (const [k, entry] of entries) {
    if (seen.has(k)) continue;
    entry.el.remove();
    entry.destroy?.();
    entries.delete(k);
  }
}

/**
 * A definition list of [label, value] pairs, updated in place (labels are the keys).
 * Values that are null/undefined are left out.
 */
export function kvList(className = 'kv') {
  const el = h('dl', { className });
  const entries = new Map();
  return {
    el,
    update(pairs) {
      const shown = pairs.filter(([, v]) => v != null && v !== '');
      reconcile(el, entries, shown, ([label]) => label, ([label, value]) => {
        const dd = h('dd', {}, String(value));
        const item = h('div', { className: 'kv-item' }, h('dt', {}, label), dd);
        return { el: item, update: ([, v]) => setText(dd, v) };
      });
    },
  };
}
