/**
 * Error catalogue for tools. Tools throw these; the registry turns them into
 * `{ isError: true }` results whose `details.code` the runner can branch on.
 * Only the registration codes escape as exceptions (they are wiring bugs).
 */

export type ToolErrorCode =
  | 'TOOL_INVALID_NAME'
  | 'TOOL_INVALID_SCHEMA'
  | 'TOOL_DUPLICATE'
  | 'TOOL_NOT_FOUND'
  | 'TOOL_NOT_AVAILABLE'
  | 'TOOL_INVALID_ARGS'
  | 'TOOL_PATH_ESCAPE'
  | 'TOOL_PATH_NOT_FOUND'
  | 'TOOL_PATH_TYPE'
  | 'TOOL_FILE_TOO_LARGE'
  | 'TOOL_BINARY_FILE'
  | 'TOOL_EDIT_NO_MATCH'
  | 'TOOL_EDIT_AMBIGUOUS'
  | 'TOOL_SESSION_NOT_FOUND'
  | 'TOOL_FORBIDDEN'
  | 'TOOL_ABORTED'
  | 'TOOL_TIMEOUT'
  | 'TOOL_EXEC_FAILED'
  | 'TOOL_IO_ERROR'
  | 'TOOL_FAILED'

export class ToolError extends Error {
  override readonly name = 'ToolError'
  readonly code: ToolErrorCode
  readonly details?: unknown

  constructor (code: ToolErrorCode, message: string, options?: { cause?: unknown, details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    if (options?.details !== undefined) this.details = options.details
  }
}

export function isToolError (err: unknown): err is ToolError {
  return err instanceof ToolError
}

/**
 * Maps fs errors to stable codes and messages that name the path the model
 * used (never the real path behind it, which may be outside the workspace).
 */
export function fsToolError (err: unknown, displayPath: string): ToolError {
  if (err instanceof ToolError) return err
  const code = (err as NodeJS.ErrnoException | null)?.code
  switch (code) {
    case 'ENOENT':
      return new ToolError('TOOL_PATH_NOT_FOUND', `${displayPath}: no such file or directory`, { cause: err })
    case 'ENOTDIR':
      return new ToolError('TOOL_PATH_TYPE', `${displayPath}: a path component is not a directory`, { cause: err })
    case 'EISDIR':
      return new ToolError('TOOL_PATH_TYPE', `${displayPath}: is a directory`, { cause: err })
    case 'EACCES':
    case 'EPERM':
      return new ToolError('TOOL_FORBIDDEN', `${displayPath}: permission denied`, { cause: err })
    case 'ELOOP':
      return new ToolError('TOOL_PATH_ESCAPE', `${displayPath}: refusing to follow a symbolic link`, { cause: err })
    default: {
      const reason = code ?? (err instanceof Error ? err.message : String(err))
      return new ToolError('TOOL_IO_ERROR', `${displayPath}: I/O error (${reason})`, { cause: err })
    }
  }
}
