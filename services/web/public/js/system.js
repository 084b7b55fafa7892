/**
 * The host: one compact line of figures (always shown, above the streams) that opens the full
 * panel (metric tiles, per-core bars, disks, the history charts and the containers table), from
 * /api/system/latest. The charts exist only while the panel is open.
 */
import { alertMark } from './alerts.js';
import { createHostCharts } from './charts.js';
import { h, reconcile, setClass, setHidden, setText, setTitle } from './dom.js';
import { DASH, duration, mbps, megabytes, num, percent } from './format.js';

/** Pure: a bar's fill level class by percentage. */
export function loadClass(p) {
  if (p == null || !Number.isFinite(p)) return 'bar-fill';
  return p >= 90 ? 'bar-fill bar-crit' : p >= 70 ? 'bar-fill bar-warn' : 'bar-fill';
}

function bar() {
  const fill = h('span', { className: 'bar-fill' });
  const el = h('span', { className: 'bar' }, fill);
  return {
    el,
    update(p) {
      const clamped = Math.max(0, Math.min(100, Number.isFinite(p) ? p : 0));
      const width = `${clamped.toFixed(1)}%`;
      if (fill.style.width !== width) fill.style.width = width;
      setClass(fill, loadClass(p));
    },
  };
}

function tile(label) {
  const value = h('div', { className: 'tile-value' });
  const sub = h('div', { className: 'tile-sub muted' });
  const extra = h('div', { className: 'tile-extra' });
  const el = h('section', { className: 'tile' }, h('div', { className: 'tile-label' }, label), value, sub, extra);
  return { el, value, sub, extra };
}

function coreBars() {
  const el = h('div', { className: 'cores' });
  const entries = new Map();
  return {
    el,
    update(cores) {
      const list = Array.isArray(cores) ? cores.map((p, i) => ({ i, p })) : [];
      reconcile(el, entries, list, (c) => c.i, (c) => {
        const fill = h('span', { className: 'bar-fill' });
        const item = h('span', { className: 'core' }, fill);
        const update = ({ i, p }) => {
          const height = `${Math.max(0, Math.min(100, Number.isFinite(p) ? p : 0)).toFixed(1)}%`;
          if (fill.style.height !== height) fill.style.height = height;
          setClass(fill, loadClass(p));
          setTitle(item, `core ${i}: ${percent(p)}`);
        };
        update(c);
        return { el: item, update };
      });
    },
  };
}

const CONTAINER_COLUMNS = [
  ['Container', (c) => c.service ?? c.name, 'name'],
  ['Image', (c) => c.image, ''],
  ['State', (c) => c.state, ''],
  ['Health', (c) => c.health ?? DASH, ''],
  ['Restarts', (c) => c.restart_count, 'num'],
  ['CPU', (c) => percent(c.cpu_percent), 'num'],
  ['Memory', (c) => (c.mem_used_mb == null ? DASH : `${megabytes(c.mem_used_mb)}${c.mem_limit_mb ? ` / ${megabytes(c.mem_limit_mb)}` : ''}`), 'num'],
  ['Net in', (c) => mbps(c.net_in_mbps), 'num'],
  ['Net out', (c) => mbps(c.net_out_mbps), 'num'],
];

function containersTable() {
  const body = h('tbody', {});
  const el = h(
    'table',
    { className: 'containers', hidden: true },
    h('thead', {}, h('tr', {}, ...CONTAINER_COLUMNS.map(([label, , cls]) => h('th', { className: cls, attrs: { scope: 'col' } }, label)))),
    body,
  );
  const entries = new Map();
  return {
    el,
    update(containers) {
      setHidden(el, !Array.isArray(containers));
      if (!Array.isArray(containers)) return;
      const sorted = [...containers].sort((a, b) => String(a.service ?? a.name).localeCompare(String(b.service ?? b.name)));
      reconcile(body, entries, sorted, (c) => String(c.id ?? c.name), (c) => {
        const cells = CONTAINER_COLUMNS.map(([label, , cls]) => h('td', { className: cls, dataset: { label } }));
        const tr = h('tr', {}, ...cells);
        const update = (x) => {
          CONTAINER_COLUMNS.forEach(([, get], i) => setText(cells[i], get(x) ?? DASH));
          setTitle(cells[0], x.name);
          setClass(tr, x.state === 'running' && x.health !== 'unhealthy' ? '' : 'container-bad');
        };
        update(c);
        return { el: tr, update };
      });
    },
  };
}

export function createSystemPanel() {
  const cpu = tile('CPU');
  const cpuBar = bar();
  const cores = coreBars();
  cpu.extra.append(cpuBar.el, cores.el);
  const ram = tile('Memory');
  const ramBar = bar();
  ram.extra.append(ramBar.el);
  const net = tile('Network');
  const load = tile('Load average');
  const temp = tile('Temperature');
  const disk = tile('Disk');
  const diskBar = bar();
  disk.extra.append(diskBar.el);
  const host = h('span', { className: 'muted' });
  const containers = containersTable();
  const empty = h('p', { className: 'muted' }, 'No host metrics yet.');
  const tiles = h('div', { className: 'tiles', hidden: true }, cpu.el, ram.el, net.el, load.el, temp.el, disk.el);
  const chartSlot = h('div', { className: 'host-charts' });
  const el = h('section', { className: 'panel system' }, h('h2', {}, 'Host ', host), empty, tiles, chartSlot, containers.el);

  return {
    el,
    /** Where the host's charts go while the panel is open. */
    chartSlot,
    update(sys) {
      const has = Boolean(sys && typeof sys === 'object');
      setHidden(empty, has);
      setHidden(tiles, !has);
      if (!has) return;
      setText(host, [sys.hostname, sys.uptime_s != null ? `up ${duration(sys.uptime_s * 1000)}` : null].filter(Boolean).join(' · '));

      setText(cpu.value, percent(sys.cpu_percent));
      const coreCount = Array.isArray(sys.cpu_per_core) ? sys.cpu_per_core.length : 0;
      setText(cpu.sub, coreCount ? `${coreCount} cores` : '');
      cpuBar.update(sys.cpu_percent);
      cores.update(sys.cpu_per_core);

      const ramPct = sys.ram_total_mb ? (sys.ram_used_mb / sys.ram_total_mb) * 100 : null;
      setText(ram.value, `${megabytes(sys.ram_used_mb)} / ${megabytes(sys.ram_total_mb)}`);
      setText(ram.sub, [ramPct == null ? null : `${percent(ramPct)} used`, sys.swap_total_mb ? `swap ${megabytes(sys.swap_used_mb)} / ${megabytes(sys.swap_total_mb)}` : null].filter(Boolean).join(' · '));
      ramBar.update(ramPct);

      setText(net.value, `↓ ${mbps(sys.net_in_mbps)}`);
      setText(net.sub, `↑ ${mbps(sys.net_out_mbps)}`);

      const la = Array.isArray(sys.load_avg) ? sys.load_avg : [];
      setText(load.value, la.length ? num(la[0], 2) : DASH);
      setText(load.sub, la.length === 3 ? `5 min ${num(la[1], 2)} · 15 min ${num(la[2], 2)}` : '');

      setHidden(temp.el, sys.temperature_c == null);
      setText(temp.value, sys.temperature_c == null ? DASH : `${num(sys.temperature_c, 1)} °C`);

      const disks = Array.isArray(sys.disks) ? sys.disks : [];
      const fullest = disks.reduce((a, d) => (a && a.percent >= d.percent ? a : d), null);
      setHidden(disk.el, !fullest);
      if (fullest) {
        setText(disk.value, percent(fullest.percent));
        setText(disk.sub, disks.map((d) => `${d.mount} ${megabytes(d.used_mb)} / ${megabytes(d.size_mb)}`).join(' · '));
        diskBar.update(fullest.percent);
      }

      containers.update(sys.containers);
    },
  };
}

/** Pure: the compact line's figures as [label, value] pairs. */
export function hostFigures(sys) {
  if (!sys || typeof sys !== 'object') return [];
  const la = Array.isArray(sys.load_avg) ? sys.load_avg : [];
  const disks = Array.isArray(sys.disks) ? sys.disks : [];
  const fullest = disks.reduce((a, d) => (a && a.percent >= d.percent ? a : d), null);
  return [
    ['CPU', percent(sys.cpu_percent)],
    ['RAM', sys.ram_total_mb ? percent((sys.ram_used_mb / sys.ram_total_mb) * 100) : DASH],
    ['Net', `↓ ${mbps(sys.net_in_mbps)} ↑ ${mbps(sys.net_out_mbps)}`],
    ['Load', la.length ? num(la[0], 2) : DASH],
    sys.temperature_c == null ? null : ['Temp', `${num(sys.temperature_c, 1)} °C`],
    fullest ? ['Disk', percent(fullest.percent)] : null,
  ].filter(Boolean);
}

/** The compact host line (with the mark of the host's alerts); a click opens the full panel below it. */
export function createHostStrip() {
  const panel = createSystemPanel();
  const figures = h('span', { className: 'host-figures' });
  const entries = new Map();
  const mark = alertMark();
  const el = h('details', { className: 'host' }, h('summary', {}, h('span', { className: 'host-label' }, 'Host'), mark.el, figures), panel.el);
  let charts = null;
  el.addEventListener('toggle', () => {
    if (el.open && !charts) {
      charts = createHostCharts();
      panel.chartSlot.replaceChildren(charts.el);
    } else if (!el.open && charts) {
      charts.destroy();
      charts = null;
      panel.chartSlot.replaceChildren();
    }
  });
  return {
    el,
    /** alerts.js markOf of the host's alerts; null: none. */
    setAlert(m) {
      mark.update(m);
    },
    update(sys) {
      panel.update(sys);
      if (sys) charts?.record(sys);
      const items = hostFigures(sys);
      if (items.length === 0) items.push(['', 'no metrics yet']);
      reconcile(figures, entries, items, ([label]) => label, ([label, value]) => {
        const v = h('b', {}, value);
        return { el: h('span', { className: 'host-fig' }, label ? `${label} ` : '', v), update: ([, next]) => setText(v, next) };
      });
    },
  };
}
