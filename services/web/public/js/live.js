/**
 * The data feed: the WebSocket /api/ws (reconnecting with exponential back-off), and polling of the
 * REST endpoints every 5 s while the socket is down. Both deliver messages to `onMessage`: the
 * socket every type it sends ("streams" with seq, "streams.delta", "detail", "system",
 * "snapshots", "alerts"); polling { type: 'streams' | 'system' | 'snapshots' | 'alerts', data } (no seq) and, for the
 * streams named by `pollDetail()`, { type: 'detail', data: [stream] }.
 * `onState` gets 'connecting' | 'live' | 'polling' (on every 'live' the caller sends its
 * subscriptions again); `onPollError` gets an error text or null. Answers { send(message) },
 * which is false when the socket is not open.
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

export function startFeed({ onMessage, onState, onPollError, pollDetail = () => [] }) {
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
      ['alerts', 'api/alerts'],
    ];
    const results = await Promise.allSettled(requests.map(([, path]) => getJson(path)));
    if (!pollTimer) return; // the socket came back meanwhile; its values are newer
    let failure = null;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') onMessage({ type: requests[i][0], data: result.value });
      else failure ??= result.reason instanceof Error ? result.reason.message : String(result.reason);
    });
    onPollError(failure);
    for (const ref of pollDetail()) void pollDetailOnce(ref);
  }

  async function pollDetailOnce(ref) {
    const detail = await fetchDetail(ref).catch(() => null);
    if (detail && pollTimer) onMessage({ type: 'detail', data: [detail] });
  }

  connect();
  return {
    send(message) {
      if (socket?.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
  };
}

/** One stream's detail over REST (the pane fills at once, before the socket's first detail). */
export function fetchDetail(ref) {
  return getJson(`api/streams/detail?${new URLSearchParams({ node: ref.node, name: ref.name })}`);
}
