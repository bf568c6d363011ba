/**
 * The page's script, served as an ES module at `/ui/status-page.js` (no build step: it is written as the
 * browser runs it). Level-triggered like the controller: an event on `/events` only says "something
 * changed", so it re-fetches the rendered sections (`/ui/sections`, the same renderer as the first paint)
 * instead of patching rows; bursts coalesce into at most one fetch running and one pending. An event is
 * committed before the controller reconciles the record it concerns (a CellLost precedes the Cell record's
 * Lost status), so each event also schedules a few settling refreshes after it (0.5 s, then doubling).
 * It refreshes on every (re)connect, which covers events missed while disconnected, and every few
 * seconds, which keeps the ages current and catches event types it does not listen for by name.
 */
export const CLIENT_SCRIPT = `const root = document.getElementById('status-root');
const indicator = document.getElementById('live');
const eventTypes = JSON.parse(document.body.dataset.eventTypes || '[]');
const PERIODIC_REFRESH_MS = Number(document.body.dataset.refreshMs || '10000');
const RECONNECT_MS = 2000;

let running = false;
let pending = false;

function show(state, text) {
  indicator.dataset.state = state;
  indicator.lastElementChild.textContent = text;
}

async function refresh() {
  if (running) {
    pending = true;
    return;
  }
  running = true;
  try {
    do {
      pending = false;
      const response = await fetch('ui/sections', { cache: 'no-store' });
      if (!response.ok) throw new Error('status ' + response.status);
      root.innerHTML = await response.text();
    } while (pending);
    if (indicator.dataset.state === 'stale') show('live', 'live');
  } catch {
    show('stale', 'cannot reach the controller');
  } finally {
    running = false;
  }
}

function flash() {
  indicator.classList.remove('flash');
  void indicator.offsetWidth;
  indicator.classList.add('flash');
}

const SETTLE_MS = [500, 1000, 2000, 4000, 8000];
let settling = [];

function onEvent(event) {
  flash();
  if (event.lastEventId) indicator.title = 'last event id: ' + event.lastEventId;
  void refresh();
  for (const timer of settling) clearTimeout(timer);
  settling = SETTLE_MS.map((ms) => setTimeout(() => void refresh(), ms));
}

function connect() {
  show('connecting', 'connecting');
  const source = new EventSource('events');
  source.addEventListener('open', () => {
    show('live', 'live');
    void refresh();
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      // A refused connection is not retried by EventSource itself: start a new one.
      show('reconnecting', 'reconnecting');
      setTimeout(connect, RECONNECT_MS);
    } else {
      show('reconnecting', 'reconnecting');
    }
  });
  for (const type of ['message', ...eventTypes]) source.addEventListener(type, onEvent);
}

connect();
setInterval(() => void refresh(), PERIODIC_REFRESH_MS);
`;
