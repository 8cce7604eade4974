// Atomic config writes: a temp file in the same directory, fsync, rename over
// the file. The file never exists half-written, the previous version stays
// as `<file>.bak`, and both are readable by the owner only (they hold secrets).
import { chmod, copyFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from '../sessions/fs-util.js'

export async function writeConfigAtomic (file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  await backup(file)
  await writeFileAtomic(file, text)
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
