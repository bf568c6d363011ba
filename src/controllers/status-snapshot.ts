import type { ControllerDaemon } from './controller-daemon.js';

/** What `/status` serves: this replica, the active one, and every record's gist. */
export async function statusSnapshot(daemon: ControllerDaemon): Promise<unknown> {
  const { controller, elector } = daemon;
  const [singletons, cells] = await Promise.all([controller.singletons.list(), controller.cells.list()]);
  return {
    controller: {
      identity: elector.identity,
      state: elector.state,
      active: elector.holder?.identity ?? null,
      cachesSynced: controller.synced,
    },
    singletons: singletons.value.map((entry) =>
      entry.error === undefined
        ? {
            name: entry.name,
            holder: entry.record.status?.holder ?? null,
            fencingToken: entry.record.status?.fencingToken ?? null,
            paused: entry.record.spec.paused,
            candidates: entry.record.status?.candidatesSeen ?? [],
            conditions: entry.record.status?.conditions ?? [],
          }
        : { name: entry.name, invalid: entry.error },
    ),
    cells: cells.value.map((entry) =>
      entry.error === undefined
        ? {
            name: entry.name,
            address: entry.record.spec.address,
            phase: entry.record.status?.phase ?? 'Unknown',
            incarnation: entry.record.status?.incarnation ?? null,
          }
        : { name: entry.name, invalid: entry.error },
    ),
  };
}
