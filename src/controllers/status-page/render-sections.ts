import type { Condition } from '../../api/condition.js';
import type { LockRow } from '../../singleton/lock-list.js';
import type {
  CellStatusView,
  InvalidRecordStatus,
  SingletonStatusView,
  StatusSnapshot,
  StreamEvent,
} from '../status-snapshot.js';
import { html, type SafeHtml } from './html.js';

/** `12s ago`, `4m ago`, `3h ago`, `2d ago` from `now`; the exact time is in the element's title. */
export function timeAgo(iso: string | null | undefined, now: Date): SafeHtml {
  if (iso === null || iso === undefined) return html`<span class="none">—</span>`;
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1_000));
  const [amount, unit] =
    seconds < 90
      ? [seconds, 's']
      : seconds < 5_400
        ? [Math.round(seconds / 60), 'm']
        : seconds < 129_600
          ? [Math.round(seconds / 3_600), 'h']
          : [Math.round(seconds / 86_400), 'd'];
  return html`<time datetime="${iso}" title="${iso}">${amount}${unit} ago</time>`;
}

const none = html`<span class="none">—</span>`;

function orNone(value: string | number | null | undefined): SafeHtml | string | number {
  return value === null || value === undefined || value === '' ? none : value;
}

function pairs(map: Readonly<Record<string, string | number>>, css: string): SafeHtml {
  const entries = Object.entries(map);
  if (entries.length === 0) return none;
  return html`${entries.map(([key, value]) => html`<span class="${css}">${key}=${value}</span>`)}`;
}

/** Conditions that are bad news when True (Kubernetes' "abnormal-true" polarity); shown only then. */
const ABNORMAL_WHEN_TRUE = new Set(['Invalid', 'Degraded', 'TermsMissed']);
/** Conditions that are neither good nor bad news either way. */
const NEUTRAL = new Set(['Progressing']);

/** `good`, `bad`, `neutral` or `unknown`: what a condition's colour says, whatever its polarity. */
function health(c: Condition): string {
  if (c.status === 'Unknown') return 'unknown';
  if (NEUTRAL.has(c.type)) return 'neutral';
  return (c.status === 'True') !== ABNORMAL_WHEN_TRUE.has(c.type) ? 'good' : 'bad';
}

function conditions(list: readonly Condition[]): SafeHtml {
  const shown = list.filter((c) => !(ABNORMAL_WHEN_TRUE.has(c.type) && c.status === 'False'));
  if (shown.length === 0) return none;
  return html`${shown.map(
    (c) =>
      html`<span class="cond cond-${health(c)}" title="${c.type}=${c.status} ${c.reason}: ${c.message}"
        >${c.type}${c.status === 'True' ? '' : `=${c.status}`}</span
      >`,
  )}`;
}

function isInvalid(
  entry: SingletonStatusView | CellStatusView | InvalidRecordStatus,
): entry is InvalidRecordStatus {
  return 'invalid' in entry;
}

function invalidRow(entry: InvalidRecordStatus, columns: number): SafeHtml {
  return html`<tr class="invalid">
    <td class="name">${entry.name}</td>
    <td colspan="${columns - 1}">invalid record: ${entry.invalid.path}: ${entry.invalid.message}</td>
  </tr>`;
}

function section(
  id: string,
  title: string,
  count: number,
  headers: readonly string[],
  rows: readonly SafeHtml[],
): SafeHtml {
  const body =
    rows.length === 0
      ? html`<p class="empty">No ${title.toLowerCase()}.</p>`
      : html`<table>
          <thead>
            <tr>
              ${headers.map((h) => html`<th>${h}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>`;
  return html`<section id="${id}">
    <h2>${title} <span class="count">${count}</span></h2>
    ${body}
  </section>`;
}

function singletonRow(s: SingletonStatusView, now: Date): SafeHtml {
  const holder = s.paused ? html`<span class="paused">paused</span>` : orNone(s.holder);
  return html`<tr data-singleton="${s.name}">
    <td class="name">${s.name}</td>
    <td class="holder">${holder}</td>
    <td class="num">${orNone(s.fencingToken)}</td>
    <td>${timeAgo(s.since, now)}</td>
    <td>${conditions(s.conditions)}</td>
    <td>${s.candidates.length === 0 ? none : s.candidates.join(', ')}</td>
    <td>${pairs(s.labels, 'label')}</td>
  </tr>`;
}

function cellRow(c: CellStatusView, now: Date): SafeHtml {
  return html`<tr data-cell="${c.name}" class="phase-row-${c.phase}">
    <td class="name">${c.name}</td>
    <td><span class="phase phase-${c.phase}" data-phase="${c.phase}">${c.phase}</span></td>
    <td>${orNone(c.zone)}</td>
    <td class="mono">${c.address}</td>
    <td>${pairs(c.capacity, 'pair')}</td>
    <td>${timeAgo(c.lastSeen, now)}</td>
    <td>${pairs(c.labels, 'label')}</td>
  </tr>`;
}

function lockRow(l: LockRow, now: Date): SafeHtml {
  const holder = l.holder ?? (l.session === undefined ? undefined : `session ${l.session}`);
  const state = l.session === undefined ? html`<span class="free">free</span>` : orNone(holder);
  return html`<tr data-lock="${l.name}">
    <td class="name">${l.name}</td>
    <td>${l.kind}</td>
    <td class="holder">${state}</td>
    <td>${orNone(l.host)}</td>
    <td class="num">${orNone(l.pid)}</td>
    <td class="num">${orNone(l.token)}</td>
    <td>${timeAgo(l.since, now)}</td>
  </tr>`;
}

function eventRow(e: StreamEvent, now: Date): SafeHtml {
  return html`<tr data-event="${e.stream}:${e.seq}">
    <td>${timeAgo(e.observedAt, now)}</td>
    <td><span class="event event-${e.type}">${e.type}</span></td>
    <td class="name">${e.subject}</td>
    <td>${e.reason}</td>
    <td class="mono dim">${e.stream}:${e.seq}</td>
  </tr>`;
}

/** The live part of the page: one table per kind, rendered from exactly what `/status` returns. */
export function renderSections(status: StatusSnapshot, now: Date): SafeHtml {
  const { controller } = status;
  const summary = html`<p class="controller">
    controller <b>${controller.identity}</b> is ${controller.state}; active replica:
    <b>${orNone(controller.active)}</b
    >${controller.cachesSynced ? '' : html` <span class="warn">(caches not synced)</span>`} · rendered
    <time datetime="${status.observedAt}">${status.observedAt.slice(11, 19)}</time> UTC
  </p>`;
  return html`${summary}${section(
    'singletons',
    'Singletons',
    status.singletons.length,
    ['Name', 'Holder', 'Token', 'Since', 'Conditions', 'Candidates', 'Labels'],
    status.singletons.map((s) => (isInvalid(s) ? invalidRow(s, 7) : singletonRow(s, now))),
  )}${section(
    'cells',
    'Cells',
    status.cells.length,
    ['Name', 'Phase', 'Zone', 'Address', 'Capacity', 'Last seen', 'Labels'],
    status.cells.map((c) => (isInvalid(c) ? invalidRow(c, 7) : cellRow(c, now))),
  )}${section(
    'locks',
    'Locks',
    status.locks.length,
    ['Name', 'Kind', 'Holder', 'Host', 'PID', 'Token', 'Since'],
    status.locks.map((l) => lockRow(l, now)),
  )}${section(
    'events',
    'Recent events',
    status.events.length,
    ['When', 'Type', 'Subject', 'Reason', 'Id'],
    status.events.map((e) => eventRow(e, now)),
  )}`;
}
