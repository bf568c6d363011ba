import { PresenceEventSchema } from '../../presence/presence-event.js';
import { SingletonEventSchema } from '../../singleton/singleton-events.js';
import type { StatusSnapshot } from '../status-snapshot.js';
import { html, type SafeHtml } from './html.js';
import { renderSections } from './render-sections.js';

/**
 * The event types the page listens for by name (SSE `event:` fields). One it does not know still shows
 * within the periodic refresh.
 */
export const LIVE_EVENT_TYPES: readonly string[] = [
  // Every type of both streams, from their schemas (one list, never a second copy).
  ...[...PresenceEventSchema.options, ...SingletonEventSchema.options].map(
    (option) => option.shape.type.value,
  ),
  // The resumable stream's own frames: a (re)connect and a retention gap.
  'Connected',
  'Gap',
];

/** Without JavaScript the page reloads itself this often; with it, this is the fallback refresh. */
export const PAGE_REFRESH_SECONDS = 10;

/** The whole page: readable without JavaScript (server-rendered tables), live with it. */
export function renderPage(status: StatusSnapshot, now: Date): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Baton status</title>
        <noscript><meta http-equiv="refresh" content="${PAGE_REFRESH_SECONDS}" /></noscript>
        <link rel="stylesheet" href="ui/status-page.css" />
        <script type="module" src="ui/status-page.js"></script>
      </head>
      <body
        data-event-types="${JSON.stringify(LIVE_EVENT_TYPES)}"
        data-refresh-ms="${PAGE_REFRESH_SECONDS * 1_000}"
      >
        <header>
          <h1>Baton</h1>
          <span class="sub">singletons · cells · locks</span
          ><span id="live" data-state="static"><span class="dot"></span><span>static page</span></span>
        </header>
        <main id="status-root">${renderSections(status, now)}</main>
        <footer>
          Live from <a href="events">/events</a> · data as JSON at <a href="status">/status</a> ·
          <a href="metrics">/metrics</a>
        </footer>
      </body>
    </html> `;
}
