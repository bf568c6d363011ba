/**
 * The resume contract of `/events`, as pure functions.
 *
 * An event id is a cursor: every selected stream's last delivered seq, `presence:42,singletons:7`, in the
 * server's stream order. A standard EventSource client sends back only the last id it saw
 * (`Last-Event-ID`), so on a merged stream the id must carry every stream's position. `?since=` takes the
 * same form (a stream left out starts live, `stream:0` replays all that is retained) or, with exactly one
 * stream selected, a bare seq. `Last-Event-ID` wins over `?since=`: a reconnecting EventSource keeps
 * the URL it was opened with.
 */

/** Stream name to the last seq delivered (or to replay after). */
export type Cursor = ReadonlyMap<string, number>;

export interface EventsRequest {
  /** The selected streams, in the server's order. */
  readonly streams: readonly string[];
  /** Where to resume each stream from; a stream absent here starts live. */
  readonly since: Cursor;
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** Read `?stream=`, `?since=` and the `Last-Event-ID` header against the streams this server has. */
export function parseEventsRequest(
  params: URLSearchParams,
  lastEventId: string | undefined,
  known: readonly string[],
): Parsed<EventsRequest> {
  const streams = parseStreams(params.get('stream'), known);
  if (!streams.ok) return streams;
  const fromHeader = lastEventId !== undefined && lastEventId.trim() !== '';
  const text = fromHeader ? lastEventId : (params.get('since') ?? '');
  const since = parseCursor(text, streams.value, known);
  if (!since.ok) return { ok: false, message: `${fromHeader ? 'Last-Event-ID' : 'since'}: ${since.message}` };
  return { ok: true, value: { streams: streams.value, since: since.value } };
}

/** The id of an event: each stream's cursor, in `streams` order. */
export function formatCursor(streams: readonly string[], cursor: Cursor): string {
  return streams.map((stream) => `${stream}:${cursor.get(stream) ?? 0}`).join(',');
}

function parseStreams(text: string | null, known: readonly string[]): Parsed<string[]> {
  if (text === null || text.trim() === '') return { ok: true, value: [...known] };
  const wanted = text.split(',').map((name) => name.trim());
  const unknown = wanted.find((name) => !known.includes(name));
  if (unknown !== undefined) return { ok: false, message: unknownStream(unknown, known) };
  return { ok: true, value: known.filter((stream) => wanted.includes(stream)) };
}

function parseCursor(text: string, selected: readonly string[], known: readonly string[]): Parsed<Cursor> {
  const cursor = new Map<string, number>();
  const seen = new Set<string>();
  if (text.trim() === '') return { ok: true, value: cursor };
  for (const entry of text.split(',').map((part) => part.trim())) {
    const colon = entry.lastIndexOf(':');
    const stream = colon < 0 ? selected[0] : entry.slice(0, colon);
    if (colon < 0 && selected.length !== 1) {
      return { ok: false, message: `"${entry}" needs its stream (e.g. ${known[0] ?? 'presence'}:${entry})` };
    }
    if (stream === undefined || !known.includes(stream)) {
      return { ok: false, message: unknownStream(stream ?? '', known) };
    }
    const seqText = entry.slice(colon + 1);
    const seq = Number(seqText);
    if (!/^\d+$/.test(seqText) || !Number.isSafeInteger(seq)) {
      return { ok: false, message: `"${entry}": expected STREAM:SEQ with SEQ a whole number >= 0` };
    }
    if (seen.has(stream)) return { ok: false, message: `stream ${stream} appears twice` };
    seen.add(stream);
    // A merged stream's id used on a filtered URL: positions of unselected streams do not matter.
    if (selected.includes(stream)) cursor.set(stream, seq);
  }
  return { ok: true, value: cursor };
}

function unknownStream(name: string, known: readonly string[]): string {
  return `unknown stream "${name}": expected ${known.join(' or ')}`;
}
