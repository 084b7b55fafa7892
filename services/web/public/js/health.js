/** Health badges and the reading of GET /api/health. */
import { h, setClass, setText, setTitle } from './dom.js';

const LEVELS = ['ok', 'warn', 'crit'];

export function levelOf(health) {
  return LEVELS.includes(health?.level) ? health.level : 'ok';
}

export function reasonsOf(health) {
  return Array.isArray(health?.reasons) ? health.reasons.map(String) : [];
}

/** A badge (OK / WARN / CRIT) whose tooltip lists the reasons. */
export function healthBadge() {
  const el = h('span', { className: 'badge badge-ok' }, 'OK');
  return {
    el,
    update(health) {
      const level = levelOf(health);
      setClass(el, `badge badge-${level}`);
      setText(el, level.toUpperCase());
      setTitle(el, reasonsOf(health).join('\n'));
    },
  };
}

/** A list of reason texts, one <li> each (text only). */
export function reasonList() {
  const el = h('ul', { className: 'reasons' });
  let last = '';
  return {
    el,
    update(health) {
      const reasons = reasonsOf(health);
      const sig = JSON.stringify(reasons);
      if (sig === last) return;
      last = sig;
      el.replaceChildren(...reasons.map((r) => h('li', {}, r)));
      el.hidden = reasons.length === 0;
    },
  };
}

/**
 * Pure: the header's reading of GET /api/health
 * ({ status, redis: { reachable }, collector: { stale, lastError, nodes: [{ id, stale }] }, sysmon: { stale } }).
 */
export function summarizeHealth(json) {
  const collector = json?.collector ?? {};
  const nodes = Array.isArray(collector.nodes) ? collector.nodes : [];
  return {
    status: typeof json?.status === 'string' ? json.status : 'unknown',
    redisReachable: json?.redis?.reachable !== false,
    collectorStale: collector.stale === true,
    collectorError: typeof collector.lastError === 'string' ? collector.lastError : null,
    staleNodes: nodes.filter((n) => n?.stale === true).map((n) => String(n.id)),
    nodeCount: nodes.length,
    sysmonStale: json?.sysmon?.stale === true,
  };
}
