import { hostname, userInfo } from 'node:os';

/** Who runs an audited command, as events record it: `user@host`. */
export function operatorName(): string {
  return `${userInfo().username}@${hostname()}`;
}
