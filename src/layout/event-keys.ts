import { DEFAULT_ROOT } from './root.js';
import { assertStreamName } from './names.js';

/** Digits of a zero-padded sequence number, so keys sort in sequence order. */
const SEQ_DIGITS = 16;

/** One durable event stream: `<root>/events/<stream>/head` and `<root>/events/<stream>/log/<seq>`. */
export class EventKeys {
  readonly stream: string;
  /** `<root>/events/<stream>/`. */
  readonly prefix: string;

  constructor(stream: string, root: string = DEFAULT_ROOT) {
    this.stream = assertStreamName(stream);
    this.prefix = `${root}/events/${stream}/`;
  }

  /** The last sequence number appended (CASed by every append). */
  get head(): string {
    return `${this.prefix}head`;
  }

  get entriesPrefix(): string {
    return `${this.prefix}log/`;
  }

  entry(seq: number): string {
    return `${this.entriesPrefix}${String(seq).padStart(SEQ_DIGITS, '0')}`;
  }
}
