// Admission of a verified device: paired devices get their approved role and
// scopes; unknown devices, new roles and wider scopes need an operator's
// approval, except on loopback where a new device or a scope upgrade is
// approved silently (contract 1.3.6).
import type { PairedDevice, PendingPairing } from '../../schemas/rpc/devices.js'
import { DEFAULT_OPERATOR_SCOPES, normalizeScopes, scopesCovered } from '../rpc/scopes.js'
import type { DevicePairingStore } from './store.js'

export type PairingReason = 'not-paired' | 'role-upgrade' | 'scope-upgrade'

export type PairingDecision =
  | { kind: 'paired', scopes: string[] }
  | { kind: 'pairing-required', reason: PairingReason, requestId: string }

export interface AdmitInput {
  deviceId: string
  publicKey: string
  role: string
  /** As the client asked (undefined or empty: "the usual"). */
  requestedScopes: readonly string[] | undefined
  client: { id: string, mode: string, displayName?: string | undefined, platform: string, deviceFamily?: string | undefined }
  remoteIp: string
  /** Loopback client allowed silent approval (no foreign browser origin). */
  silentAllowed: boolean
}

export interface PairingEvents {
  requested: (request: PendingPairing) => void
  resolved: (ev: { requestId: string, deviceId: string, decision: 'approved' | 'rejected', ts: number }) => void
}

export class DevicePairing {
  readonly #store: DevicePairingStore
  readonly #events: PairingEvents
  readonly #now: () => number

  constructor (store: DevicePairingStore, events: PairingEvents, now: () => number) {
    this.#store = store
    this.#events = events
    this.#now = now
  }

  get store (): DevicePairingStore { return this.#store }

  async admit (input: AdmitInput): Promise<PairingDecision> {
    await this.#store.ready()
    const requested = normalizeScopes(input.requestedScopes)
    const paired = this.#store.paired(input.deviceId)
    const reason = paired === undefined ? 'not-paired' : upgradeNeeded(paired, input.role, requested)
    if (reason === undefined) return { kind: 'paired', scopes: requested.length > 0 ? requested : approvedScopes(paired!) }

    const scopes = requested.length > 0 ? requested : (input.role === 'operator' ? [...DEFAULT_OPERATOR_SCOPES] : [])
    const silent = input.silentAllowed && reason !== 'role-upgrade'
    const { request } = await this.#store.request({
      deviceId: input.deviceId,
      publicKey: input.publicKey,
      displayName: input.client.displayName,
      platform: input.client.platform,
      deviceFamily: input.client.deviceFamily,
      clientId: input.client.id,
      clientMode: input.client.mode,
      role: input.role,
      roles: [input.role],
      scopes,
      remoteIp: input.remoteIp,
      silent
    })
    this.#events.requested(request)
    if (!silent) return { kind: 'pairing-required', reason, requestId: request.requestId }
    await this.approve(request.requestId)
    return { kind: 'paired', scopes }
  }

  async approve (requestId: string): Promise<{ requestId: string, device: PairedDevice } | undefined> {
    await this.#store.ready()
    const result = await this.#store.approve(requestId)
    if (result !== undefined) this.#events.resolved({ requestId, deviceId: result.device.deviceId, decision: 'approved', ts: this.#now() })
    return result
  }

  async reject (requestId: string): Promise<{ requestId: string, deviceId: string } | undefined> {
    await this.#store.ready()
    const result = await this.#store.reject(requestId)
    if (result !== undefined) this.#events.resolved({ requestId, deviceId: result.deviceId, decision: 'rejected', ts: this.#now() })
    return result
  }
}

function approvedScopes (d: PairedDevice): string[] {
  return [...new Set([...(d.approvedScopes ?? []), ...(d.scopes ?? [])])]
}

function upgradeNeeded (d: PairedDevice, role: string, requested: readonly string[]): PairingReason | undefined {
  const roles = d.roles ?? (d.role === undefined ? [] : [d.role])
  if (!roles.includes(role)) return 'role-upgrade'
  if (requested.length > 0 && !scopesCovered(requested, new Set(approvedScopes(d)))) return 'scope-upgrade'
  return undefined
}
