/**
 * The data feed: the WebSocket /api/ws (reconnecting with exponential back-off), and polling of the
 * REST endpoints every 5 s while the socket is down. Both deliver the same messages
 * { type: 'streams' | 'system' | 'snapshots', data, collectedAt? } to `onMessage`.
 * `onState` gets 'connecting' | 'live' | 'polling'; `onPollError` gets an error text or null.
 */

const POLL_MS = 5000;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30000;

export function apiUrl(path) {
  return new URL(path, document.baseURI).toString();
}

function wsUrl() {
  const url = new URL('api/ws', document.baseURI);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

async function getJson(path) {
  const res = await fetch(apiUrl(path), { headers: { accept: 'application/json' }, cache: 'no-cache' });
  if (res.status === 404) return null; // nothing stored yet
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

export function startFeed({ onMessage, onState, onPollError }) {
  let socket = null;
  let attempt = 0;
  let reconnectTimer = null;
  let pollTimer = null;

  function connect() {
    onState(pollTimer ? 'polling' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(wsUrl());
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.addEventListener('open', () => {
      attempt = 0;
      stopPolling();
      onPollError(null);
      onState('live');
    });
    ws.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message && typeof message.type === 'string') onMessage(message);
    });
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = null;
      startPolling();
      scheduleReconnect();
    });
    // An 'error' is always followed by 'close'.
  }

  function scheduleReconnect() {
    clearTimeout(reconnectTimer);
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
    attempt += 1;
    reconnectTimer = setTimeout(connect, base / 2 + Math.random() * (base / 2));
  }

  function startPolling() {
    if (pollTimer) return;
    onState('polling');
    const tick = () => void pollOnce();
    pollTimer = setInterval(tick, POLL_MS);
    tick();
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  async function pollOnce() {
    const requests = [
      ['streams', 'api/streams/latest'],
      ['system', 'api/system/latest'],
      ['snapshots', 'api/snapshots/latest'],
    ];
    const results = await Promise.allSettled(requests.map(([, path]) => getJson(path)));
    if (!pollTimer) return; // the socket came back meanwhile; its values are newer
    let failure = null;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') onMessage({ type: requests[i][0], data: result.value });
      else failure ??= result.reason instanceof Error ? result.reason.message : String(result.reason);
    });
    onPollError(failure);
  }

  connect();
}
