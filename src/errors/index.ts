/**
 * errors/: the one error hierarchy, below every layer (it imports nothing), and the one place that maps an
 * error to an HTTP status, a CLI exit code and a run status — as mlflow's `MlflowException` carries an error
 * code looked up in one table (`mlflow/exceptions.py`). Layers subclass `SmlError` where they need a name
 * (`ChecksumError` in registry/, `NotFittedError` in ml/, `PipelineFailedError` in systems/).
 */

/**
 * What went wrong, from the caller's side:
 * - `invalid`: the input was refused (a value, a name, a call out of order); fix the input.
 * - `not-found`: something asked for by name does not exist.
 * - `conflict`: the request is valid but the current state forbids it (a store not empty, a version aliased).
 * - `corrupt`: stored data no longer checks out (a checksum differs); nobody's input is at fault.
 * - `failed`: an operation ran and did not succeed; its own record (a run's log) says why.
 */
export type ErrorKind = 'invalid' | 'not-found' | 'conflict' | 'corrupt' | 'failed'

export const ERROR_KINDS: readonly ErrorKind[] = ['invalid', 'not-found', 'conflict', 'corrupt', 'failed']

/** One problem with an input, in the one shape every layer reports. */
export interface Issue {
  /**
   * Where the problem is: a field (`sepal_length`, `schedule.timezone`), an argument (`x`, `yTrue`), or a cell
   * of tabular input (`row 3.sepal_length`, rows 1-based as in the messages); '' for the input as a whole.
   */
  readonly path: string
  readonly reason: string
  /** Tabular input only: the 1-based data row (CSV line minus header, or array index + 1). */
  readonly row?: number
  /** Tabular input only: the column, when the problem is in one. */
  readonly column?: string
}

/** An issue as its producer states it: a path, or (tabular input) a row and/or column the path is built from. */
export interface IssueInput {
  readonly path?: string
  readonly reason: string
  readonly row?: number
  readonly column?: string
}

/** The path of an issue located by row and column: `row 3.sepal_length`, `row 3`, `sepal_length` or ''. */
export function issuePath(i: IssueInput): string {
  if (i.path !== undefined) return i.path
  if (i.row !== undefined) return i.column !== undefined ? `row ${i.row}.${i.column}` : `row ${i.row}`
  return i.column ?? ''
}

function toIssue(i: IssueInput): Issue {
  return { ...i, path: issuePath(i) }
}

/** The base of every error we throw on purpose: a kind, a message naming the field and the reason, and the issues. */
export class SmlError extends Error {
  override readonly name: string = 'SmlError'
  /** Every problem found, so callers (API, CLI) can show them all; empty when the message says it all. */
  readonly issues: readonly Issue[]

  constructor(
    readonly kind: ErrorKind,
    message: string,
    issues: readonly IssueInput[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.issues = issues.map(toIssue)
  }
}

/**
 * An input refused before anything was written: a value or name (db/, featurestore/, registry/), an estimator's
 * or metric's argument (ml/). The second argument is either the issues or, for a single bad argument, its name
 * (`new ValidationError('x[3][1] is NaN: …', 'x')` has one issue `{ path: 'x', reason: message }`).
 */
export class ValidationError extends SmlError {
  override readonly name: string = 'ValidationError'
  /**
   * How many problems were found: at least `issues.length`, more when a validator kept only the first few
   * of a large batch's (`options.found`).
   */
  readonly found: number
  constructor(message: string, issues: readonly IssueInput[] | string = [], options?: ErrorOptions & { readonly found?: number }) {
    super('invalid', message, typeof issues === 'string' ? [{ path: issues, reason: message }] : issues, options)
    this.found = Math.max(options?.found ?? 0, this.issues.length)
  }
}

/** Something asked for by name (a feature group, a model version, a run, an artifact) does not exist. */
export class NotFoundError extends SmlError {
  override readonly name: string = 'NotFoundError'
  constructor(message: string, issues: readonly IssueInput[] = [], options?: ErrorOptions) {
    super('not-found', message, issues, options)
  }
}

/** A valid request the current state refuses: importing into a store that is not empty, deleting an aliased version. */
export class ConflictError extends SmlError {
  override readonly name: string = 'ConflictError'
  constructor(message: string, issues: readonly IssueInput[] = [], options?: ErrorOptions) {
    super('conflict', message, issues, options)
  }
}

/** Stored data that no longer checks out (bytes against their recorded checksum); no input is at fault. */
export class CorruptError extends SmlError {
  override readonly name: string = 'CorruptError'
  constructor(message: string, issues: readonly IssueInput[] = [], options?: ErrorOptions) {
    super('corrupt', message, issues, options)
  }
}

/**
 * Builds a ValidationError whose message lists the first five issues: `invalid <what>: row 2, column "age": …
 * (and N more)`. `found` is how many problems there were in all, when `issues` keeps only the first of them
 * (a validator caps what it keeps, not what it counts), so N is the true remainder.
 */
export function validationError(issues: readonly IssueInput[], what = 'input', found = issues.length): ValidationError {
  const shown = issues.slice(0, 5).map(formatIssue)
  const rest = Math.max(found, issues.length) - shown.length
  const more = rest > 0 ? ` (and ${rest} more)` : ''
  return new ValidationError(`invalid ${what}: ${shown.join('; ')}${more}`, issues, { found })
}

/** One issue as text: `row 2, column "age": reason`, `column "age": reason`, `x: reason`, or the reason alone. */
export function formatIssue(i: IssueInput): string {
  const where =
    i.row !== undefined || i.column !== undefined
      ? [i.row !== undefined ? `row ${i.row}` : '', i.column !== undefined ? `column "${i.column}"` : ''].filter(Boolean).join(', ')
      : (i.path ?? '')
  return where ? `${where}: ${i.reason}` : i.reason
}

/** The run status a thrown error gives a pipeline run (see runtime/run-store.ts `RUN_STATUSES`). */
export type ErrorRunStatus = 'failed'

/** How every entry point treats one error. */
export interface Classification {
  /** The error's kind; null for an error not ours (a bug, or a library's error we did not wrap). */
  readonly kind: ErrorKind | null
  /** 4xx for the client's mistakes (invalid 400, not-found 404, conflict 409); 500 for ours and for corrupt data. */
  readonly httpStatus: 400 | 404 | 409 | 500
  /** CLI exit code: 1 for every error (usage mistakes, 2, are commander's and never reach here). */
  readonly exitCode: 1
  readonly runStatus: ErrorRunStatus
  /** The message; for an unexpected error, the one to log with `stack`, never to show a client. */
  readonly message: string
  readonly issues: readonly Issue[]
  /**
   * True when the message explains the error by itself (an SmlError): print one line, no stack. False for a
   * bug: keep the stack in the log and show the client only that the server failed.
   */
  readonly expected: boolean
  /** The stack of an unexpected error (or its text when it has none); null for an expected one. */
  readonly stack: string | null
}

const HTTP_STATUS: Record<ErrorKind, Classification['httpStatus']> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  corrupt: 500,
  failed: 500,
}

/**
 * Classifies anything thrown. An `SmlError` by its kind (table above); anything else is unexpected: 500,
 * exit code 1, a failed run, with its stack. `instanceof` is the test, not the error's name, so a library's
 * error that happens to be called "ValidationError" is not taken for ours.
 */
export function classify(error: unknown): Classification {
  if (error instanceof SmlError) {
    return { kind: error.kind, httpStatus: HTTP_STATUS[error.kind], exitCode: 1, runStatus: 'failed', message: error.message, issues: error.issues, expected: true, stack: null }
  }
  const message = error instanceof Error ? error.message : String(error)
  const stack = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error)
  return { kind: null, httpStatus: 500, exitCode: 1, runStatus: 'failed', message, issues: [], expected: false, stack }
}
