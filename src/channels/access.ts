// Who may talk to an account's agent: the configured `allowFrom`, plus peers
// the operator approved by pairing code (kept in the account's access.json).
// Unknown peers are denied by default; with `dmPolicy: "pairing"` they get a
// code (at most MAX_PENDING open per account, each valid for PAIRING_TTL_MS).
import { randomInt } from 'node:crypto'
import path from 'node:path'
import { readJsonFile, writeJsonFile } from './state-file.js'

export const PAIRING_TTL_MS = 60 * 60_000
export const MAX_PENDING = 3
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
const CODE_LENGTH = 8

export type DmPolicy = 'pairing' | 'allowlist' | 'open' | 'disabled'

export interface PairingRequest {
  code: string
  peer: string
  senderLabel: string
  createdAt: number
  expiresAt: number
}

interface AccessFile { allowed: string[], pending: PairingRequest[] }

export type AccessDecision = { kind: 'allowed' } | { kind: 'pairing', code: string, created: boolean } | { kind: 'denied' }

export class AccessStore {
  private state: AccessFile = { allowed: [], pending: [] }
  private readonly file: string
  /** Writes one at a time, in order. */
  private writing: Promise<void> = Promise.resolve()

  constructor (dir: string, private readonly now: () => number) {
    this.file = path.join(dir, 'access.json')
  }

  async load (): Promise<void> {
    const data = await readJsonFile(this.file)
    if (typeof data !== 'object' || data === null) return
    const d = data as Partial<AccessFile>
    this.state = {
      allowed: Array.isArray(d.allowed) ? d.allowed.filter((p) => typeof p === 'string') : [],
      pending: Array.isArray(d.pending) ? d.pending.filter((r) => typeof r?.code === 'string' && typeof r.peer === 'string') : []
    }
  }

  /** Decides for one inbound message; a new pairing request is on disk before this resolves. */
  async decide (peer: string, senderLabel: string, policy: DmPolicy, allowFrom: readonly string[]): Promise<AccessDecision> {
    if (policy === 'disabled') return { kind: 'denied' }
    if (policy === 'open' || allowFrom.includes('*') || allowFrom.includes(peer) || this.state.allowed.includes(peer)) return { kind: 'allowed' }
    if (policy !== 'pairing') return { kind: 'denied' }
    this.expire()
    const open = this.state.pending.find((r) => r.peer === peer)
    if (open !== undefined) return { kind: 'pairing', code: open.code, created: false }
    if (this.state.pending.length >= MAX_PENDING) return { kind: 'denied' }
    const at = this.now()
    const request = { code: newCode(), peer, senderLabel, createdAt: at, expiresAt: at + PAIRING_TTL_MS }
    this.state.pending.push(request)
    await this.save()
    return { kind: 'pairing', code: request.code, created: true }
  }

  pending (): PairingRequest[] {
    this.expire()
    return [...this.state.pending]
  }

  /** Moves the request's peer to the allow-list; undefined when no open request has that code. */
  async approve (code: string): Promise<PairingRequest | undefined> {
    const request = this.take(code)
    if (request === undefined) return undefined
    if (!this.state.allowed.includes(request.peer)) this.state.allowed.push(request.peer)
    await this.save()
    return request
  }

  /** Drops an open request without approving its peer (it may ask again). */
  async dismiss (code: string): Promise<PairingRequest | undefined> {
    const request = this.take(code)
    if (request !== undefined) await this.save()
    return request
  }

  /** Removes the open request with this code (codes are matched case-insensitively), if any. */
  private take (code: string): PairingRequest | undefined {
    this.expire()
    const wanted = code.trim().toUpperCase()
    const request = this.state.pending.find((r) => r.code === wanted)
    if (request !== undefined) this.state.pending = this.state.pending.filter((r) => r !== request)
    return request
  }

  private expire (): void {
    const now = this.now()
    this.state.pending = this.state.pending.filter((r) => r.expiresAt > now)
  }

  private async save (): Promise<void> {
    const snapshot = structuredClone(this.state)
    const run = this.writing.then(async () => { await writeJsonFile(this.file, snapshot) })
    this.writing = run.catch(() => {})
    await run
  }
}

function newCode (): string {
  let code = ''
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]
  return code
}
