import { CorruptError } from '../errors/index.js'

/** Stored artifact bytes no longer match the checksum recorded when the version was created. */
export class ChecksumError extends CorruptError {
  override readonly name: string = 'ChecksumError'
  constructor(
    message: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(message)
  }
}
