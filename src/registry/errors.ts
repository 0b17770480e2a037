/** Stored artifact bytes no longer match the checksum recorded when the version was created. */
export class ChecksumError extends Error {
  override readonly name = 'ChecksumError'
  constructor(
    message: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(message)
  }
}
