// Paired devices and pending pairing requests, kept in memory and persisted
// in OpenClaw's layout: <stateDir>/devices/paired.json (by device id) and
// pending.json (by request id), written atomically with mode 0600.
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { PairedDevice, PendingPairing } from '../../schemas/rpc/devices.js'

export type { PairedDevice, PendingPairing }

export const PENDING_TTL_MS = 5 * 60 * 1000

export class DeviceStoreError extends Error {
  readonly code: 'DEVICE_STORE_CORRUPT' | 'DEVICE_STORE_IO'
  constructor (code: DeviceStoreError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DeviceStoreError'
    this.code = code
  }
}

export interface DeviceStoreOptions { stateDir: string, now: () => number }

export type NewPairingRequest = Omit<PendingPairing, 'requestId' | 'ts' | 'isRepair'>

export class DevicePairingStore {
  readonly #dir: string
  readonly #now: () => number
  readonly #paired = new Map<string, PairedDevice>()
  readonly #pending = new Map<string, PendingPairing>()
  #loaded: Promise<void> | undefined
  #writes: Promise<void> = Promise.resolve()

  constructor (opts: DeviceStoreOptions) {
    this.#dir = path.join(opts.stateDir, 'devices')
    this.#now = opts.now
  }

  /** Loads the files once; every other method assumes it has resolved. */
  ready (): Promise<void> {
    this.#loaded ??= this.#load()
    return this.#loaded
  }

  paired (deviceId: string): PairedDevice | undefined { return this.#paired.get(deviceId) }

  list (): { pending: PendingPairing[], paired: PairedDevice[] } {
    this.#prune()
    return {
      pending: [...this.#pending.values()].sort((a, b) => b.ts - a.ts),
      paired: [...this.#paired.values()].sort((a, b) => b.approvedAtMs - a.approvedAtMs)
    }
  }

  /** Opens (or refreshes) the one pending request per device. */
  async request (req: NewPairingRequest): Promise<{ request: PendingPairing, created: boolean }> {
    this.#prune()
    const existing = [...this.#pending.values()].find((p) => p.deviceId === req.deviceId)
    const request: PendingPairing = stripUndefined({
      ...req,
      requestId: existing?.requestId ?? randomUUID(),
      isRepair: this.#paired.has(req.deviceId),
      ts: this.#now()
    })
    this.#pending.set(request.requestId, request)
    await this.#persist()
    return { request, created: existing === undefined }
  }

  async approve (requestId: string): Promise<{ requestId: string, device: PairedDevice } | undefined> {
    this.#prune()
    const pending = this.#pending.get(requestId)
    if (pending === undefined) return undefined
    this.#pending.delete(requestId)
    const device = this.#merge(pending)
    await this.#persist()
    return { requestId, device }
  }

  async reject (requestId: string): Promise<{ requestId: string, deviceId: string } | undefined> {
    const pending = this.#pending.get(requestId)
    if (pending === undefined) return undefined
    this.#pending.delete(requestId)
    await this.#persist()
    return { requestId, deviceId: pending.deviceId }
  }

  #merge (req: PendingPairing): PairedDevice {
    const t = this.#now()
    const prev = this.#paired.get(req.deviceId)
    const roles = union(prev?.roles, prev?.role === undefined ? undefined : [prev.role], req.roles, req.role === undefined ? undefined : [req.role])
    const device: PairedDevice = stripUndefined({
      deviceId: req.deviceId,
      publicKey: req.publicKey,
      displayName: req.displayName ?? prev?.displayName,
      platform: req.platform,
      deviceFamily: req.deviceFamily,
      clientId: req.clientId,
      clientMode: req.clientMode,
      role: req.role ?? prev?.role,
      roles: roles.length > 0 ? roles : undefined,
      scopes: union(prev?.scopes, req.scopes),
      approvedScopes: union(prev?.approvedScopes, prev?.scopes, req.scopes),
      remoteIp: req.remoteIp,
      createdAtMs: prev?.createdAtMs ?? t,
      approvedAtMs: t
    })
    this.#paired.set(device.deviceId, device)
    return device
  }

  #prune (): void {
    const cutoff = this.#now() - PENDING_TTL_MS
    for (const [id, p] of this.#pending) if (p.ts < cutoff) this.#pending.delete(id)
  }

  async #load (): Promise<void> {
    const [paired, pending] = await Promise.all([
      readJson(path.join(this.#dir, 'paired.json')),
      readJson(path.join(this.#dir, 'pending.json'))
    ])
    for (const [id, d] of Object.entries(paired)) this.#paired.set(id, d as PairedDevice)
    for (const [id, p] of Object.entries(pending)) this.#pending.set(id, p as PendingPairing)
  }

  // Writes are chained so two concurrent changes can never interleave their renames.
  #persist (): Promise<void> {
    const write = this.#writes.then(async () => {
      await mkdir(this.#dir, { recursive: true, mode: 0o700 })
      await writeAtomic(path.join(this.#dir, 'paired.json'), Object.fromEntries(this.#paired))
      await writeAtomic(path.join(this.#dir, 'pending.json'), Object.fromEntries(this.#pending))
    })
    this.#writes = write.catch(() => {})
    return write.catch((err: unknown) => {
      throw new DeviceStoreError('DEVICE_STORE_IO', `cannot write ${this.#dir}: ${(err as Error).message}`, { cause: err })
    })
  }
}

async function readJson (file: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new DeviceStoreError('DEVICE_STORE_IO', `cannot read ${file}: ${(err as Error).message}`, { cause: err })
  }
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object')
    return value as Record<string, unknown>
  } catch (err) {
    // Refuse to start over from empty: the next write would silently drop every pairing.
    throw new DeviceStoreError('DEVICE_STORE_CORRUPT', `${file} is not a JSON object: ${(err as Error).message}`, { cause: err })
  }
}

async function writeAtomic (file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`
  try {
    await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 })
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

function union (...lists: Array<readonly string[] | undefined>): string[] {
  const out = new Set<string>()
  for (const list of lists) for (const s of list ?? []) if (s.trim() !== '') out.add(s.trim())
  return [...out]
}

function stripUndefined<T extends object> (value: T): T {
  for (const k of Object.keys(value) as Array<keyof T>) if (value[k] === undefined) delete value[k]
  return value
}
