/** Pure formatters: numbers and times into short readable text ('–' for unknown). */

export const DASH = '–';

export function num(value, digits = 1) {
  if (value == null || !Number.isFinite(value)) return DASH;
  return value.toFixed(digits);
}

export function mbps(value) {
  if (value == null || !Number.isFinite(value)) return DASH;
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} Mbit/s`;
}

export function ms(value) {
  if (value == null || !Number.isFinite(value)) return DASH;
  return `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
}

export function percent(value) {
  if (value == null || !Number.isFinite(value)) return DASH;
  return `${value.toFixed(0)} %`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function bytes(value) {
  if (value == null || !Number.isFinite(value)) return DASH;
  let v = value;
  let i = 0;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : 1)} ${UNITS[i]}`;
}

export function megabytes(valueMb) {
  if (valueMb == null || !Number.isFinite(valueMb)) return DASH;
  return valueMb >= 1024 ? `${(valueMb / 1024).toFixed(1)} GB` : `${valueMb.toFixed(0)} MB`;
}

/** "3 s", "5 min", "2 h 10 min", "4 d" since an ISO time; null when unknown. */
export function ago(iso, nowMs = Date.now()) {
  const t = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(t)) return null;
  return duration(Math.max(0, nowMs - t));
}

export function duration(msValue) {
  const s = Math.floor(msValue / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return `${hours} h ${m % 60} min`;
  return `${Math.floor(hours / 24)} d`;
}

/** Local clock time of an ISO string, e.g. "14:03:22"; the date is added when it is not today. */
export function clock(iso, now = new Date()) {
  const t = iso ? new Date(iso) : null;
  if (!t || Number.isNaN(t.getTime())) return DASH;
  const time = t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return t.toDateString() === now.toDateString() ? time : `${t.toLocaleDateString()} ${time}`;
}

export function yesNo(value) {
  if (value == null) return null;
  return value ? 'yes' : 'no';
}
