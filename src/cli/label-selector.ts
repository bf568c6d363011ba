import { CliError, ExitCode } from './exit.js';

/** One requirement of `-l`: `key=value` (also `key==value`) or `key!=value`. */
export interface LabelRequirement {
  readonly key: string;
  readonly equal: boolean;
  readonly value: string;
}

/** kubectl's equality selector: requirements separated by commas, all of which must hold (AND). */
export function parseLabelSelector(text: string): LabelRequirement[] {
  return text.split(',').map((part) => {
    const match = /^\s*([^\s=!,]+)\s*(!=|==|=)\s*([^\s=!,]*)\s*$/.exec(part);
    if (match === null) {
      throw new CliError(
        `-l takes key=value or key!=value requirements joined by commas, got "${part}"`,
        ExitCode.usage,
      );
    }
    const [, key = '', op, value = ''] = match;
    return { key, equal: op !== '!=', value };
  });
}

/** Whether labels satisfy every requirement; `key!=value` also holds when the label is absent (kubectl). */
export function matchesSelector(
  labels: Readonly<Record<string, string>> | undefined,
  requirements: readonly LabelRequirement[],
): boolean {
  return requirements.every(({ key, equal, value }) => (labels?.[key] === value) === equal);
}
