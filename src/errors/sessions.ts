/** Error catalogue for the session store: stable codes callers can branch on. */

export type SessionErrorCode =
  | 'SESSION_INVALID_KEY'
  | 'SESSION_NOT_FOUND'
  | 'SESSION_INVALID_PATCH'
  | 'SESSION_INVALID_MESSAGE'
  | 'SESSION_INVALID_OPTIONS'
  | 'SESSION_STORE_CLOSED'
  | 'SESSION_IO_ERROR'
  | 'SESSION_DISK_FULL'

export class SessionError extends Error {
  override readonly name = 'SessionError'
  readonly code: SessionErrorCode

  constructor (code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

export function isSessionError (err: unknown): err is SessionError {
  return err instanceof SessionError
}

/** Keeps our own errors as they are and wraps anything else (fs failures) with a stable code. */
export function toSessionError (err: unknown): SessionError {
  if (err instanceof SessionError) return err
  const message = err instanceof Error ? err.message : String(err)
  const errno = (err as { code?: unknown } | null)?.code
  if (errno === 'ENOSPC' || errno === 'EDQUOT') {
    return new SessionError('SESSION_DISK_FULL', 'session store disk is full: nothing was saved; free space and retry', { cause: err })
  }
  return new SessionError('SESSION_IO_ERROR', `session store I/O failed: ${message}`, { cause: err })
}
