/**
 * Session keys and on-disk names. Keys are never used in paths: only the
 * validated agentId (a tight charset) and sessionIds (uuids) are, so no key can
 * escape the state directory.
 */
import path from 'node:path'
import { SessionError } from '../errors/sessions.js'

const KEY_PATTERN = /^agent:([a-z0-9][a-z0-9_-]{0,63}):.+$/
const AGENT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/
const SESSION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
export const MAX_KEY_LENGTH = 512

export const INDEX_FILE = 'sessions.json'
export const TRANSCRIPT_SUFFIX = '.jsonl'

export interface ParsedKey {
  key: string
  agentId: string
}

export function parseSessionKey (key: unknown): ParsedKey {
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH) {
    throw new SessionError('SESSION_INVALID_KEY', `invalid session key (string of at most ${MAX_KEY_LENGTH} chars expected)`)
  }
  const match = KEY_PATTERN.exec(key)
  if (!match) {
    throw new SessionError('SESSION_INVALID_KEY', `invalid session key "${key.slice(0, 80)}": expected agent:<agentId>:<rest>`)
  }
  return { key, agentId: match[1] }
}

/** The agent id of a valid key, else undefined (one regex run, for the index load's hot loop). */
export function agentOfKey (key: string): string | undefined {
  return key.length <= MAX_KEY_LENGTH ? KEY_PATTERN.exec(key)?.[1] : undefined
}

export function isSessionKey (key: unknown): key is string {
  return typeof key === 'string' && key.length <= MAX_KEY_LENGTH && KEY_PATTERN.test(key)
}

export function isAgentId (agentId: unknown): agentId is string {
  return typeof agentId === 'string' && AGENT_ID_PATTERN.test(agentId)
}

export function isSessionId (id: unknown): id is string {
  return typeof id === 'string' && SESSION_ID_PATTERN.test(id)
}

export function assertAgentId (agentId: unknown): asserts agentId is string {
  if (!isAgentId(agentId)) {
    throw new SessionError('SESSION_INVALID_KEY', `invalid agent id "${String(agentId).slice(0, 80)}"`)
  }
}

/** Path helpers bound to one state directory. */
export interface SessionPaths {
  agentsDir: string
  sessionsDir(agentId: string): string
  indexFile(agentId: string): string
  transcript(agentId: string, sessionId: string): string
}

export function sessionPaths (stateDir: string): SessionPaths {
  const agentsDir = path.resolve(stateDir, 'agents')
  const sessionsDir = (agentId: string): string => {
    assertAgentId(agentId)
    return path.join(agentsDir, agentId, 'sessions')
  }
  return {
    agentsDir,
    sessionsDir,
    indexFile: (agentId) => path.join(sessionsDir(agentId), INDEX_FILE),
    transcript: (agentId, sessionId) => {
      // Index files and headers are inputs too; refuse anything but a uuid.
      if (!isSessionId(sessionId)) {
        throw new SessionError('SESSION_IO_ERROR', `refusing non-uuid session id "${String(sessionId).slice(0, 80)}"`)
      }
      return path.join(sessionsDir(agentId), `${sessionId}${TRANSCRIPT_SUFFIX}`)
    }
  }
}
