/**
 * The alerter's alerts (the WebSocket's "alerts" message; GET /api/alerts while polling), already
 * in the api's order (firing first, then by severity and age): the banner of firing alerts at the
 * top, the header's count (pending alerts are only counted there), and the marks on what they are
 * about: a stream's row (its own alerts and its node's) and the host line. Every text from an
 * alert ends up as text.
 */
import { h, reconcile, setClass, setHidden, setText, setTitle, toggleClass } from './dom.js';
import { ago, clock } from './format.js';
import { streamKey } from './store.js';

const SEVERITIES = ['crit', 'warn', 'info'];
/** Firing alerts listed before "+N more". */
const SHOWN = 3;

export function severityOf(alert) {
  return SEVERITIES.includes(alert?.severity) ? alert.severity : 'warn';
}

/** Pure: a mark for alerts of one subject: the worst severity of the firing ones (else of the pending ones) and their summaries; null for none. */
export function markOf(alerts) {
  if (alerts.length === 0) return null;
  const firing = alerts.filter((a) => a.state === 'firing');
  const counted = firing.length ? firing : alerts;
  return {
    state: firing.length ? 'firing' : 'pending',
    severity: SEVERITIES.find((s) => counted.some((a) => severityOf(a) === s)),
    title: alerts.map((a) => `${a.state}: ${String(a.summary ?? a.rule)}`).join('\n'),
  };
}

/**
 * Pure: the alerts of a message by what they are about: a stream (node and name), a node (node
 * only) or the host (neither). streamMark(key, node) is memoized until the next message, so a row
 * shown again gets the same object and touches nothing.
 */
export function indexAlerts(list) {
  const alerts = (Array.isArray(list) ? list : []).filter((a) => a && typeof a.id === 'string' && (a.state === 'firing' || a.state === 'pending'));
  const byStream = new Map();
  const byNode = new Map();
  const host = [];
  const add = (map, k, a) => (map.get(k) ?? map.set(k, []).get(k)).push(a);
  for (const a of alerts) {
    const node = typeof a.subject?.node === 'string' ? a.subject.node : null;
    const name = typeof a.subject?.name === 'string' ? a.subject.name : null;
    if (node !== null && name !== null) add(byStream, streamKey({ node, name }), a);
    else if (node !== null) add(byNode, node, a);
    else host.push(a);
  }
  const marks = new Map();
  return {
    firing: alerts.filter((a) => a.state === 'firing'),
    pending: alerts.filter((a) => a.state === 'pending'),
    hostMark: markOf(host),
    streamMark(key, node) {
      if (!marks.has(key)) marks.set(key, markOf([...(byStream.get(key) ?? []), ...(byNode.get(node) ?? [])]));
      return marks.get(key);
    },
  };
}

export const NO_ALERTS = indexAlerts([]);

/** A small round "!" beside a stream's health badge or in the host line: filled while firing, outlined while pending. */
export function alertMark() {
  const el = h('span', { className: 'alert-mark', hidden: true, attrs: { role: 'img' } }, '!');
  return {
    el,
    update(mark) {
      setHidden(el, !mark);
      if (!mark) return;
      setClass(el, `alert-mark alert-${mark.state} sev-${mark.severity}`);
      setTitle(el, mark.title);
      const label = `alert ${mark.state}`;
      if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
    },
  };
}

/** "for 3 min" since an alert entered its state. */
function sinceText(alert, now) {
  const age = ago(alert.since, now);
  return age ? `for ${age}` : '';
}

/**
 * The banner of firing alerts above the streams (hidden while none fires): severity, summary and
 * for how long, SHOWN of them and the rest behind "+N more". `onOpen(key)` when a stream's alert
 * is clicked. `pill` is the header's count.
 */
export function createAlertBanner({ onOpen }) {
  const list = h('ul', { className: 'alert-list' });
  const more = h('button', { className: 'alert-more', attrs: { type: 'button' } });
  const el = h('section', { className: 'alerts', hidden: true, attrs: { id: 'alerts', 'aria-label': 'Firing alerts', 'aria-live': 'polite' } }, list, more);
  const pill = h('span', { className: 'pill pill-muted', hidden: true, attrs: { id: 'alert-state' } });
  const entries = new Map();
  let expanded = false;
  let index = NO_ALERTS;

  more.addEventListener('click', () => {
    expanded = !expanded;
    render();
  });
  const open = (target) => {
    const key = target.closest('.alert[data-key]')?.dataset.key;
    if (key) onOpen(key);
  };
  list.addEventListener('click', (e) => open(e.target));
  list.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    open(e.target);
  });

  function item(alert) {
    const badge = h('span', { className: 'badge' });
    const summary = h('span', { className: 'alert-summary' });
    const since = h('span', { className: 'alert-since' });
    const li = h('li', { className: 'alert' }, badge, summary, since);
    let current = alert;
    const update = (a) => {
      current = a;
      const severity = severityOf(a);
      setClass(badge, `badge badge-${severity}`);
      setText(badge, severity.toUpperCase());
      setText(summary, String(a.summary ?? a.rule));
      setTitle(summary, `${String(a.summary ?? '')}\nrule ${String(a.rule)}`);
      setText(since, sinceText(a, Date.now()));
      setTitle(since, `firing since ${clock(a.since)}`);
      const stream = typeof a.subject?.node === 'string' && typeof a.subject?.name === 'string';
      if (stream) {
        li.dataset.key = streamKey(a.subject);
        li.setAttribute('role', 'button');
        li.setAttribute('tabindex', '0');
      }
    };
    update(alert);
    return { el: li, update, tick: (now) => setText(since, sinceText(current, now)) };
  }

  function render() {
    const { firing, pending } = index;
    setHidden(el, firing.length === 0);
    const shown = expanded ? firing : firing.slice(0, SHOWN);
    reconcile(list, entries, shown, (a) => a.id, item);
    const hiddenCount = firing.length - shown.length;
    setHidden(more, firing.length <= SHOWN);
    setText(more, hiddenCount > 0 ? `+${hiddenCount} more` : 'fewer');
    toggleClass(el, 'expanded', expanded);

    const worst = firing.length ? severityOf(firing[0]) : null;
    const parts = [firing.length ? `${firing.length} firing` : null, pending.length ? `${pending.length} pending` : null].filter(Boolean);
    setHidden(pill, parts.length === 0);
    setClass(pill, `pill ${worst === 'crit' ? 'pill-crit' : worst === 'warn' ? 'pill-warn' : 'pill-muted'}`);
    setText(pill, parts.length ? `Alerts: ${parts.join(', ')}` : '');
    setTitle(pill, pending.map((a) => `pending: ${String(a.summary ?? a.rule)}`).join('\n'));
  }

  return {
    el,
    pill,
    update(next) {
      index = next;
      render();
    },
    /** The "for …" texts move on with the clock. */
    tick() {
      const now = Date.now();
      for (const entry of entries.values()) entry.tick(now);
    },
  };
}
