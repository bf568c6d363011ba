/** The event-log stream carrying singleton events (holder changes, step-down requests). */
export const SINGLETON_STREAM = 'singletons';
