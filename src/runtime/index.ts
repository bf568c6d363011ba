export { WorkQueue, type WorkQueueOptions } from './work-queue.js';
export { RetryRateLimiter, type RetryRateLimiterOptions } from './rate-limiter.js';
export { done, requeueAfter, TerminalError, type Reconciler, type Result } from './reconciler.js';
export {
  Controller,
  type ControllerOptions,
  type ControllerState,
  type ReconcileEvent,
  type ReconcileOutcome,
} from './controller.js';
export {
  DeclaredLoops,
  watches,
  type LoopDeclaration,
  type LoopSettings,
  type Watch,
} from './controller-builder.js';
