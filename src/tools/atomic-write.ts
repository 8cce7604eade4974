/**
 * Atomic file replacement: write a sibling temp file, flush it, rename it over
 * the target. Readers see the old or the new content, never a torn file, and
 * a crash leaves at worst a stray temp file.
 */
import { randomUUID } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import path from 'node:path'

export interface AtomicWriteOptions {
  /** Permission bits for the new file (kept from the file being replaced, by the caller). */
  mode?: number
}

export async function writeFileAtomic (target: string, data: Buffer | string, opts: AtomicWriteOptions = {}): Promise<void> {
  // Short fixed-length name: basename + suffix could exceed NAME_MAX.
  const tmp = path.join(path.dirname(target), `.tmp-${randomUUID()}`)
  const mode = opts.mode ?? 0o644
  // 'wx' is O_CREAT|O_EXCL: it never follows or reuses an existing entry.
  const handle = await open(tmp, 'wx', mode)
  let renamed = false
  try {
    try {
      await handle.writeFile(data)
      // The umask applied to open(); set the bits we mean explicitly.
      await handle.chmod(mode)
      await handle.datasync()
    } finally {
      await handle.close()
    }
    await rename(tmp, target)
    renamed = true
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined)
  }
}
