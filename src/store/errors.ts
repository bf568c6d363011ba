import { BatonError, ErrorCode } from '../errors.js';

/** The record does not exist (or was deleted while the operation ran). */
export class RecordNotFoundError extends BatonError {
  constructor(
    readonly recordKind: string,
    readonly recordName: string,
  ) {
    super(ErrorCode.StoreNotFound, `${recordKind.toLowerCase()} "${recordName}" not found`);
  }
}
