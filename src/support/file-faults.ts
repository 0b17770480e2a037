/**
 * Why a file could not be read or written, in words, by its errno code (and zlib's, for compressed files): the
 * one-line messages of every command that opens a user's file. Undefined for a code that is not about the file
 * (a bug's error is kept as it is).
 */
export function fileFaultReason(e: unknown, mode: 'read' | 'write'): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code ?? ''
  return (mode === 'read' ? READ : WRITE)[code]
}

const COMMON: Record<string, string> = {
  ENOTDIR: 'a parent of it is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a folder, not a file',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
}

const READ: Record<string, string> = {
  ...COMMON,
  ENOENT: 'no such file',
  Z_DATA_ERROR: 'not gzip data (a .gz name, but not compressed)',
  Z_BUF_ERROR: 'the compressed data ends early',
}

const WRITE: Record<string, string> = {
  ...COMMON,
  // Creating a file answers ENOENT when its folder is missing, or when the file system takes no new files
  // there (/proc, /sys).
  ENOENT: 'no such folder, or no file can be created there',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EEXIST: 'it exists already',
}
