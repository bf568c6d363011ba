import { BatonError } from '../errors.js';

/** The record does not exist (or was deleted while the operation ran). */
export class RecordNotFoundError extends BatonError {
  constructor(
    readonly recordKind: string,
    readonly recordName: string,
  ) {
    super('STORE_NOT_FOUND', `${recordKind.toLowerCase()} "${recordName}" not found`);
  }
}
