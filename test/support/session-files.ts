// The session index as a reader of the files sees it, for tests that check
// what is durable or that stage an index which lost its latest writes.
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { SessionEntry } from '../../src/sessions/index.js'

type Index = Record<string, SessionEntry>

/** `sessions.json` with `sessions.log.1` and `sessions.log` replayed over it, as a load would. */
export async function readIndexFiles (dir: string): Promise<Index> {
  const index = JSON.parse(await readFile(path.join(dir, 'sessions.json'), 'utf8')) as Index
  for (const name of ['sessions.log.1', 'sessions.log']) {
    const text = await readFile(path.join(dir, name), 'utf8').catch(() => '')
    for (const line of text.split('\n')) {
      if (line === '') continue
      const r = JSON.parse(line) as { k: string, e?: SessionEntry, d?: 1 }
      if (r.e) index[r.k] = r.e
      else if (r.d) Reflect.deleteProperty(index, r.k)
    }
  }
  return index
}

/** Replaces the index with `index` as one plain JSON object and no log: the writes after it are lost. */
export async function writeIndexFiles (dir: string, index: Index): Promise<void> {
  await rm(path.join(dir, 'sessions.log'), { force: true })
  await rm(path.join(dir, 'sessions.log.1'), { force: true })
  await writeFile(path.join(dir, 'sessions.json'), JSON.stringify(index))
}

export interface RawIndex { snapshot: string, log: string }

/** The index files byte for byte, to put back after a close: the state a process left when it died there. */
export async function saveRawIndex (dir: string): Promise<RawIndex> {
  return {
    snapshot: await readFile(path.join(dir, 'sessions.json'), 'utf8'),
    log: await readFile(path.join(dir, 'sessions.log'), 'utf8').catch(() => '')
  }
}

export async function restoreRawIndex (dir: string, raw: RawIndex): Promise<void> {
  await rm(path.join(dir, 'sessions.log.1'), { force: true })
  await writeFile(path.join(dir, 'sessions.json'), raw.snapshot)
  await writeFile(path.join(dir, 'sessions.log'), raw.log)
}
