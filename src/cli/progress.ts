// Moved to the runtime so pipelines can draw progress too; kept here for existing imports.
export { createProgress, type Progress } from '../runtime/progress.js'
