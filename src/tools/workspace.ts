/**
 * Confines file tools to the agent workspace. A path must stay inside it both
 * lexically (no `..` or foreign absolute paths) and physically: the realpath
 * of the target, or of its nearest existing ancestor for writes, must be
 * inside realpath(workspace), so a symlink cannot smuggle a tool outside.
 *
 * Residual race: a process that can create symlinks in the workspace between
 * our check and the open could still redirect an intermediate directory. The
 * only such process an agent controls is `exec`, which is unconfined anyway,
 * so these checks are about model-chosen paths, not hostile local users.
 */
import { constants as fsc } from 'node:fs'
import { lstat, mkdir, realpath } from 'node:fs/promises'
import path from 'node:path'
import { ToolError, fsToolError } from '../errors/tools.js'

/** Opens a path we already resolved, without following a final symlink or blocking on a FIFO. */
export const SAFE_READ_FLAGS = fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK

export interface WorkspacePath {
  /** The path as the model wrote it, for messages (never the real path). */
  display: string
  /** Where to operate: realpath of the target (or of its parent plus missing parts). */
  real: string
  /** realpath(workspace). */
  root: string
}

export interface WritablePath extends WorkspacePath {
  /** False when the target does not exist yet (its missing parents are created by ensureParentDir). */
  exists: boolean
}

export function isInside (root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel))
}

/** Creates the workspace (0700) on first use and returns its real path. */
export async function workspaceRoot (workspace: string): Promise<string> {
  if (typeof workspace !== 'string' || !path.isAbsolute(workspace)) {
    throw new ToolError('TOOL_FAILED', 'the agent workspace is not configured as an absolute path')
  }
  try {
    await mkdir(workspace, { recursive: true, mode: 0o700 })
    return await realpath(workspace)
  } catch (err) {
    throw fsToolError(err, 'workspace')
  }
}

function escape (display: string): ToolError {
  return new ToolError('TOOL_PATH_ESCAPE', `${display}: path is outside the agent workspace`)
}

/** Lexical check and resolution; returns the absolute (not yet real) path. */
function lexical (workspace: string, root: string, input: string): { display: string, abs: string } {
  const raw = input.trim() === '' ? '.' : input
  const display = raw.length > 200 ? `${raw.slice(0, 200)}...` : raw
  if (raw.includes('\0')) throw new ToolError('TOOL_INVALID_ARGS', 'path must not contain NUL bytes')
  const abs = path.resolve(workspace, raw)
  // Absolute paths may name the workspace by its given or its real location.
  if (!isInside(path.resolve(workspace), abs) && !isInside(root, abs)) throw escape(display)
  return { display, abs }
}

/**
 * Finds the deepest existing ancestor of `abs` and checks its realpath. Walking
 * up (instead of reporting ENOENT at once) keeps the tools from being an
 * existence oracle for paths behind a symlink. A dangling symlink on the way
 * is refused: creating through it would land wherever it points.
 */
async function locate (display: string, abs: string, root: string): Promise<{ real: string, missing: string[] }> {
  const missing: string[] = []
  let current = abs
  for (;;) {
    try {
      const real = await realpath(current)
      if (!isInside(root, real)) throw escape(display)
      return { real, missing }
    } catch (err) {
      if (err instanceof ToolError) throw err
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fsToolError(err, display)
    }
    const dangling = await lstat(current).then(() => true, () => false)
    if (dangling) throw new ToolError('TOOL_PATH_ESCAPE', `${display}: refusing to follow a dangling symbolic link`)
    const parent = path.dirname(current)
    // The workspace root exists (workspaceRoot created it), so this only guards against a racing delete.
    if (parent === current) throw new ToolError('TOOL_PATH_NOT_FOUND', `${display}: no such file or directory`)
    missing.unshift(path.basename(current))
    current = parent
  }
}

/** Resolves a path that must already exist (read, edit, ls, exec cwd). */
export async function resolveExisting (workspace: string, input: string): Promise<WorkspacePath> {
  const root = await workspaceRoot(workspace)
  const { display, abs } = lexical(workspace, root, input)
  const { real, missing } = await locate(display, abs, root)
  if (missing.length > 0) throw new ToolError('TOOL_PATH_NOT_FOUND', `${display}: no such file or directory`)
  return { display, real, root }
}

/** Resolves a write target that may not exist yet; its missing parents are created by ensureParentDir. */
export async function resolveForWrite (workspace: string, input: string): Promise<WritablePath> {
  const root = await workspaceRoot(workspace)
  const { display, abs } = lexical(workspace, root, input)
  const { real, missing } = await locate(display, abs, root)
  return { display, root, real: path.join(real, ...missing), exists: missing.length === 0 }
}

/** Creates the missing directories of a write target, then re-checks that its parent stayed inside. */
export async function ensureParentDir (target: WritablePath): Promise<string> {
  const dir = path.dirname(target.real)
  try {
    await mkdir(dir, { recursive: true })
    const realDir = await realpath(dir)
    if (!isInside(target.root, realDir)) throw escape(target.display)
    return path.join(realDir, path.basename(target.real))
  } catch (err) {
    throw fsToolError(err, target.display)
  }
}
