// The system prompt from the agent's workspace bootstrap files. Files are
// re-read at most once a second per agent so a turn does no I/O most of the time.
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'

export const BOOTSTRAP_FILES = ['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'TOOLS.md'] as const
const MAX_FILE_CHARS = 20_000
const RECHECK_MS = 1000

interface Cached { checkedAt: number, signature: string, prompt: string }

export class BootstrapLoader {
  private readonly cache = new Map<string, Cached>()
  /** One re-check per workspace at a time: concurrent turns share it. */
  private readonly checking = new Map<string, Promise<string>>()
  constructor (private readonly now: () => number = Date.now) {}

  /** The prompt when it was checked within the last second; a turn then does no I/O and no await. */
  fresh (workspace: string): string | undefined {
    const hit = this.cache.get(workspace)
    return hit !== undefined && this.now() - hit.checkedAt < RECHECK_MS ? hit.prompt : undefined
  }

  async load (workspace: string): Promise<string> {
    const fresh = this.fresh(workspace)
    if (fresh !== undefined) return fresh
    let pending = this.checking.get(workspace)
    if (pending === undefined) {
      pending = this.check(workspace).finally(() => { this.checking.delete(workspace) })
      this.checking.set(workspace, pending)
    }
    return await pending
  }

  private async check (workspace: string): Promise<string> {
    const hit = this.cache.get(workspace)
    const t = this.now()
    const stats = await Promise.all(BOOTSTRAP_FILES.map((f) => stat(path.join(workspace, f)).catch(() => undefined)))
    const signature = stats.map((s) => (s === undefined ? '-' : `${s.mtimeMs}:${s.size}`)).join('|')
    if (hit !== undefined && hit.signature === signature) {
      hit.checkedAt = t
      return hit.prompt
    }
    const sections: string[] = []
    for (const [i, file] of BOOTSTRAP_FILES.entries()) {
      if (stats[i] === undefined || !stats[i].isFile()) continue
      const text = await readFile(path.join(workspace, file), 'utf8').catch(() => '')
      if (text.trim() === '') continue
      const capped = text.length > MAX_FILE_CHARS ? `${text.slice(0, MAX_FILE_CHARS)}\n[… ${file} truncated at ${MAX_FILE_CHARS} characters]` : text
      sections.push(`## ${file}\n\n${capped.trim()}`)
    }
    const prompt = sections.join('\n\n')
    this.cache.set(workspace, { checkedAt: t, signature, prompt })
    return prompt
  }
}
