/** Small durable-write helpers shared by the index and transcript code. */
import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, unlink } from 'node:fs/promises'
import path from 'node:path'

export const DIR_MODE = 0o700
export const FILE_MODE = 0o600

export async function ensurePrivateDir (dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE })
}

/**
 * fsync a directory so a create or rename inside it survives power loss.
 * Some platforms cannot open or sync directories; durability there is best effort.
 */
export async function syncDir (dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch (err) {
    if (!isErrno(err, 'EISDIR', 'EINVAL', 'EPERM', 'EACCES', 'ENOTSUP')) throw err
  } finally {
    await handle?.close()
  }
}

/** Write a temp file in the same directory, fsync it, rename it over `file`, fsync the directory. */
export async function writeFileAtomic (file: string, data: string): Promise<void> {
  const dir = path.dirname(file)
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(tmp, 'wx', FILE_MODE)
  try {
    try {
      await handle.writeFile(data, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, file)
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw err
  }
  await syncDir(dir)
}

export function isErrno (err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && codes.includes((err as { code?: unknown }).code as string)
}

/** rename, then fsync the directory so the new name survives power loss. */
export async function renameDurably (from: string, to: string): Promise<void> {
  await rename(from, to)
  await syncDir(path.dirname(to))
}

/** unlink (a missing file is fine), then fsync the directory. */
export async function removeDurably (file: string): Promise<void> {
  try {
    await unlink(file)
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return
    throw err
  }
  await syncDir(path.dirname(file))
}
