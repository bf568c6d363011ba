/** What Baton tells a command it supervises, each as one `BATON_*` environment variable. */
export interface BatonVariables {
  readonly singleton?: string;
  readonly identity?: string;
  /** The term's fencing token: downstream systems refuse writes carrying an older one. */
  readonly fencingToken?: number;
  readonly lockKey?: string;
  readonly session?: string;
  readonly cellId?: string;
  readonly cellIncarnation?: string;
  readonly cellKey?: string;
}

/** The environment contract: each variable's name, the same for `baton run`, `baton lock` and `baton cell`. */
export const BATON_VARIABLE_NAMES: Readonly<Record<keyof BatonVariables, string>> = {
  singleton: 'BATON_SINGLETON',
  identity: 'BATON_IDENTITY',
  fencingToken: 'BATON_FENCING_TOKEN',
  lockKey: 'BATON_LOCK_KEY',
  session: 'BATON_SESSION',
  cellId: 'BATON_CELL_ID',
  cellIncarnation: 'BATON_CELL_INCARNATION',
  cellKey: 'BATON_CELL_KEY',
};

/** The command's environment: this process's, plus the variables given. */
export function commandEnv(
  variables: BatonVariables,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const [field, value] of Object.entries(variables) as [
    keyof BatonVariables,
    string | number | undefined,
  ][]) {
    if (value !== undefined) env[BATON_VARIABLE_NAMES[field]] = String(value);
  }
  return env;
}
