/**
 * The full consistency pass. The lazy paths trust the index (or, after an
 * unclean shutdown, recheck only recently written transcripts); this one reads
 * every live transcript, truncates torn tails and makes each index entry agree
 * with its transcript (the JSONL is the truth).
 */
import { open } from 'node:fs/promises'
import type { AgentState } from './agent-registry.js'
import { collectTranscripts, reconcileEntry, wasDeleted, type TranscriptListing } from './rebuild.js'
import type { StoreContext } from './store-context.js'
import type { RepairReport } from './types.js'

export async function repairAll (ctx: StoreContext): Promise<RepairReport> {
  const report: RepairReport = { agents: 0, sessions: 0, entriesFixed: 0, tornTails: 0, badLines: 0 }
  for (const agentId of await ctx.agents.listAgentIds()) {
    report.agents += 1
    await repairAgent(ctx, await ctx.agents.get(agentId), report)
  }
  return report
}

async function repairAgent (ctx: StoreContext, agent: AgentState, report: RepairReport): Promise<void> {
  const dir = ctx.paths.sessionsDir(agent.agentId)
  const listing = await collectTranscripts(dir, agent.agentId, ctx.warn)
  const keys = [...new Set([...agent.entries.keys(), ...listing.byKey.keys()])].sort()
  const changed: string[] = []
  for (const key of keys) {
    // Under the key's slot so a concurrent append cannot land between scan and fix.
    const fixed = await ctx.queue.run(key, () => repairKey(ctx, agent, key, listing, report))
    if (fixed) changed.push(key)
  }
  report.sessions += agent.entries.size
  if (changed.length > 0) await agent.journal.commit(changed)
}

/** Returns true when the index entry changed. */
async function repairKey (
  ctx: StoreContext,
  agent: AgentState,
  key: string,
  listing: TranscriptListing,
  report: RepairReport
): Promise<boolean> {
  const dir = ctx.paths.sessionsDir(agent.agentId)
  const current = agent.entries.get(key)
  const candidates = listing.byKey.get(key) ?? []
  if (current && candidates.length === 0 && wasDeleted(listing, current)) {
    // A delete that renamed the transcript but died before the index write: finish it.
    agent.entries.delete(key)
    report.entriesFixed += 1
    ctx.warn({ code: 'INDEX_REPAIRED', message: 'finished an interrupted delete', agentId: agent.agentId })
    return true
  }
  // A cached handle's idea of the file size would be wrong after truncation.
  if (current) await ctx.handles.evict(ctx.paths.transcript(agent.agentId, current.sessionId))
  for (const c of candidates) await ctx.handles.evict(c.file)

  const result = await reconcileEntry(dir, agent.agentId, current, candidates, ctx.warn)
  if (result.scan && result.file) {
    report.badLines += result.scan.badLines
    if (result.scan.tornBytes > 0) {
      await truncateFile(result.file, result.scan.validBytes)
      report.tornTails += 1
      ctx.warn({
        code: 'TRANSCRIPT_TORN_TAIL',
        message: 'truncated a partial last line left by an interrupted write',
        agentId: agent.agentId,
        path: result.file,
        count: result.scan.tornBytes
      })
    }
  }
  if (!result.changed || !result.entry) return false
  agent.entries.set(key, result.entry)
  report.entriesFixed += 1
  ctx.warn({
    code: 'INDEX_REPAIRED',
    message: current ? 'index entry disagreed with its transcripts; corrected' : 'transcript had no index entry; added',
    agentId: agent.agentId,
    path: ctx.paths.indexFile(agent.agentId)
  })
  return true
}

async function truncateFile (file: string, size: number): Promise<void> {
  const handle = await open(file, 'r+')
  try {
    await handle.truncate(size)
    await handle.datasync()
  } finally {
    await handle.close()
  }
}
