const controllerDefaults = {
  /** Periodic re-reconcile of every record: a safety net, not the detection path. */
  resyncMs: 30_000,
  /** Lost/Departed Cell records (and the watcher's outcome) are deleted this long after the cell ended. */
  cellRetentionMs: 24 * 60 * 60 * 1_000,
  /** Lock keys nobody holds are deleted after this long. */
  lockRetentionMs: 24 * 60 * 60 * 1_000,
  /** The lock GC passes every `min(lockRetentionMs / 2, this)`. */
  lockGcMaxIntervalMs: 30_000,
  /**
   * The Cell records informer spends at most this fraction of its time taking in listings: with thousands
   * of cells, most of its wake-ups are the controller's own status writes, so it reads in batches.
   */
  cellRecordsBusyFraction: 0.2,
};
/**
 * Every default of `BatonController` and `ControllerDaemon`, in one place (each option's `@default` names
 * its entry); the CLI's `baton controller` flags show and use these.
 */
export const CONTROLLER_DEFAULTS: Readonly<typeof controllerDefaults> = Object.freeze(controllerDefaults);
