import type { StatusSnapshot } from '../status-snapshot.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { renderPage } from './page-document.js';
import { renderSections } from './render-sections.js';
import { STYLESHEET } from './stylesheet.js';

/** A response the observability server writes as is. */
export interface PageResponse {
  readonly contentType: string;
  readonly body: string;
}

/**
 * The status page's routes: `/` (the page), `/ui/sections` (its live part, re-fetched on every event),
 * `/ui/status-page.js` and `/ui/status-page.css`. Undefined for any other path.
 */
export function statusPageRoutes(
  status: () => Promise<StatusSnapshot>,
  now: () => Date = () => new Date(),
): (path: string) => Promise<PageResponse | undefined> {
  const htmlType = 'text/html; charset=utf-8';
  return async (path) => {
    switch (path) {
      case '/':
        return { contentType: htmlType, body: renderPage(await status(), now()).text };
      case '/ui/sections':
        return { contentType: htmlType, body: renderSections(await status(), now()).text };
      case '/ui/status-page.js':
        return { contentType: 'text/javascript; charset=utf-8', body: CLIENT_SCRIPT };
      case '/ui/status-page.css':
        return { contentType: 'text/css; charset=utf-8', body: STYLESHEET };
      default:
        return undefined;
    }
  };
}
