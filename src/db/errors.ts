/** A value or name refused before any SQL ran; the message names the field and the reason. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError'
  constructor(
    message: string,
    /** Each problem found, so callers (API, CLI) can show them all. */
    readonly issues: readonly ValidationIssue[] = [],
  ) {
    super(message)
  }
}

export interface ValidationIssue {
  /** 1-based data row (CSV line minus header) or array index + 1; absent for whole-batch problems. */
  readonly row?: number
  readonly column?: string
  readonly reason: string
}

/** Something asked for by name does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError'
}

/** Builds a ValidationError whose message lists the first few issues. */
export function validationError(issues: readonly ValidationIssue[], what = 'input'): ValidationError {
  const shown = issues.slice(0, 5).map(formatIssue)
  const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : ''
  return new ValidationError(`invalid ${what}: ${shown.join('; ')}${more}`, issues)
}

export function formatIssue(i: ValidationIssue): string {
  const where = [i.row !== undefined ? `row ${i.row}` : '', i.column !== undefined ? `column "${i.column}"` : '']
    .filter(Boolean)
    .join(', ')
  return where ? `${where}: ${i.reason}` : i.reason
}
