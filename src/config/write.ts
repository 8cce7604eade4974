// Atomic config writes: a temp file in the same directory, fsync, rename over
// the file. The file never exists half-written, the previous version stays
// as `<file>.bak`, and both are readable by the owner only (they hold secrets).
import { randomUUID } from 'node:crypto'
import { chmod, copyFile, mkdir, open, rename, unlink } from 'node:fs/promises'
import path from 'node:path'

export async function writeConfigAtomic (file: string, text: string): Promise<void> {
  const dir = path.dirname(file)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const tmp = path.join(dir, `.${path.basename(file)}.${randomUUID()}.tmp`)
  try {
    const fh = await open(tmp, 'wx', 0o600)
    try {
      await fh.writeFile(text, 'utf8')
      await fh.sync()
    } finally {
      await fh.close()
    }
    await backup(file)
    await rename(tmp, file)
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw err
  }
  await syncDir(dir)
}

/** Copies the current file to `<file>.bak` (a copy, not a rename: the file never goes missing). */
async function backup (file: string): Promise<void> {
  try {
    await copyFile(file, `${file}.bak`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  await chmod(`${file}.bak`, 0o600)
}

/** The rename is durable once the directory entry is on disk; not every platform lets a directory be fsynced. */
async function syncDir (dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined)
  if (fh === undefined) return
  try {
    await fh.sync()
  } catch {
  } finally {
    await fh.close()
  }
}
