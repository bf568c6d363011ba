// Bench helper: runs one PresenceWatcher (with the durable event log) and reports events and its own cost.
import { ConsulClient } from '../dist/consul/client.js';
import { EventLog } from '../dist/events/event-log.js';
import { PresenceWatcher } from '../dist/presence/presence-watcher.js';

const client = new ConsulClient({ baseUrl: process.env.BENCH_CONSUL });
const watcher = new PresenceWatcher({ client, eventLog: new EventLog({ client, stream: 'presence' }) });
let peakRssBytes = 0;
const sample = () => {
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
};
setInterval(sample, 100).unref();
watcher.events.on((event) => {
  process.send({
    type: 'event',
    at: Date.now(),
    type_: event.type,
    id: event.subject,
    seq: event.seq,
    incarnation: event.incarnation,
  });
});
// The orchestrator died: do not linger.
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message.type === 'stats') {
    sample();
    process.send({
      type: 'stats',
      cpu: process.cpuUsage(),
      peakRssBytes,
      requests: client.stats.requests,
      at: Date.now(),
    });
  } else if (message.type === 'exit') {
    void watcher.stop().then(() => process.exit(0));
  }
});
await watcher.start();
process.send({ type: 'ready' });
