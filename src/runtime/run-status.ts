// Its own module with no imports, so the CLI can validate `sml runs --status` without loading the store.
/** Every status a run attempt can have. */
export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'timed-out', 'abandoned'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]
