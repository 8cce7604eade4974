// Small shared state helpers: the gateway client in a context, its connection
// state as a hook, RPC loads that re-run after a reconnect, and drafts kept in
// sessionStorage so a reconnect or a reload never loses what was typed.
import { createContext } from 'preact'
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks'
import type { ConnState, EventFrame, GatewayClient, HelloOk } from './gateway.js'

export interface AppContextValue {
  client: GatewayClient
  state: ConnState
  /** The latest hello-ok, kept while reconnecting. */
  hello: HelloOk | undefined
  navigate: (route: string) => void
}

export const AppContext = createContext<AppContextValue>(undefined as unknown as AppContextValue)

export function useApp (): AppContextValue {
  return useContext(AppContext)
}

export function useConnected (): boolean {
  return useApp().state.status === 'connected'
}

/** Subscribes to gateway events for the component's life. */
export function useGatewayEvent (fn: (e: EventFrame) => void): void {
  const { client } = useApp()
  const ref = useRef(fn)
  ref.current = fn
  useEffect(() => client.onEvent((e) => { ref.current(e) }), [client])
}

export interface Load<T> {
  data: T | undefined
  error: string | undefined
  loading: boolean
  reload: () => void
}

/** Calls `method` when connected (again after each reconnect, and when deps change). */
export function useRpc<T> (method: string | undefined, params?: unknown, deps: unknown[] = []): Load<T> {
  const { client } = useApp()
  const connected = useConnected()
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [loading, setLoading] = useState(false)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    if (!connected || method === undefined) return
    let live = true
    setLoading(true)
    client.request<T>(method, params).then(
      (v) => { if (live) { setData(v); setError(undefined); setLoading(false) } },
      (e: Error) => { if (live) { setError(e.message); setLoading(false) } }
    )
    return () => { live = false }
  }, [connected, method, tick, ...deps])
  const reload = useCallback(() => { setTick((n) => n + 1) }, [])
  return { data, error, loading, reload }
}

/** useState persisted in sessionStorage under `key` (drafts survive reconnects and reloads). */
export function useDraft (key: string, initial = ''): [string, (v: string) => void] {
  const [value, setValue] = useState(() => readDraft(key) ?? initial)
  const keyRef = useRef(key)
  useEffect(() => {
    if (keyRef.current !== key) {
      keyRef.current = key
      setValue(readDraft(key) ?? initial)
    }
  }, [key])
  const set = useCallback((v: string) => {
    setValue(v)
    try {
      if (v === '') sessionStorage.removeItem(`openclaw.draft.${keyRef.current}`)
      else sessionStorage.setItem(`openclaw.draft.${keyRef.current}`, v)
    } catch { /* storage full or blocked: the in-memory value still holds */ }
  }, [])
  return [value, set]
}

function readDraft (key: string): string | undefined {
  try { return sessionStorage.getItem(`openclaw.draft.${key}`) ?? undefined } catch { return undefined }
}

export function errorText (e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export function formatDuration (ms: number): string {
  const s = Math.floor(ms / 1000)
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d > 0) return `${d}d ${h}h`
  if (h > 0) return `${h}h ${m}m`
  if (m > 0) return `${m}m ${s % 60}s`
  return `${s}s`
}

export function formatTime (ts: number | null | undefined): string {
  if (ts === null || ts === undefined) return '—'
  const d = new Date(ts)
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })
}
