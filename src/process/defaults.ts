const supervisionDefaults = {
  /**
   * SIGTERM-to-SIGKILL grace of a cell's command (`baton cell`). Longer than a singleton worker's
   * (`SINGLETON_DEFAULTS.timing.killGraceMs`, bounded by the safety budget): presence grants no exclusivity,
   * so a cell's command may take its time to drain.
   */
  cellKillGraceMs: 10_000,
  /** How long `PreforkedCommand` waits before forking again after a waiting launcher died. */
  reforkDelayMs: 1_000,
};
/** Defaults of the commands Baton supervises (`superviseCommand`), in one place. */
export const SUPERVISION_DEFAULTS: Readonly<typeof supervisionDefaults> = Object.freeze(supervisionDefaults);
