// Logs: a live tail of the gateway's log file through logs.tail, polled with
// its cursor, filtered by level, pausable.
import { useEffect, useRef, useState } from 'preact/hooks'
import { errorText, useApp, useConnected } from '../state.js'

interface TailResult { file: string, cursor: number, lines: string[], reset?: boolean, truncated?: boolean }
interface Line { n: number, level: number, time: string, msg: string, raw: string }

const LEVELS: Array<[number, string]> = [[10, 'trace'], [20, 'debug'], [30, 'info'], [40, 'warn'], [50, 'error'], [60, 'fatal']]
const KEEP = 1000
const POLL_MS = 1000

function parse (raw: string, n: number): Line {
  try {
    const r = JSON.parse(raw) as { level?: number | string, time?: number | string, msg?: string }
    const level = typeof r.level === 'number' ? r.level : (LEVELS.find(([, name]) => name === r.level)?.[0] ?? 30)
    const time = r.time !== undefined ? new Date(r.time).toLocaleTimeString() : ''
    return { n, level, time, msg: r.msg ?? raw, raw }
  } catch {
    return { n, level: 30, time: '', msg: raw, raw }
  }
}

export function Logs () {
  const { client } = useApp()
  const connected = useConnected()
  const [lines, setLines] = useState<Line[]>([])
  const [minLevel, setMinLevel] = useState(30)
  const [paused, setPaused] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const [file, setFile] = useState('')
  const cursor = useRef<number | undefined>(undefined)
  const counter = useRef(0)
  const box = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (!connected || paused) return
    let live = true
    let timer: number | undefined
    const poll = async () => {
      try {
        const r = await client.request<TailResult>('logs.tail', { limit: 500, ...(cursor.current !== undefined ? { cursor: cursor.current } : {}) })
        if (!live) return
        cursor.current = r.cursor
        setFile(r.file)
        setError(undefined)
        if (r.lines.length > 0 || r.reset === true) {
          const fresh = r.lines.map((raw) => parse(raw, ++counter.current))
          setLines((old) => (r.reset === true ? fresh : [...old, ...fresh]).slice(-KEEP))
        }
      } catch (e) {
        if (live) setError(errorText(e))
      }
      if (live) timer = window.setTimeout(() => { void poll() }, POLL_MS)
    }
    void poll()
    return () => { live = false; clearTimeout(timer) }
  }, [connected, paused, client])

  const shown = lines.filter((l) => l.level >= minLevel)
  useEffect(() => {
    const el = box.current
    if (el !== null && !paused) el.scrollTop = el.scrollHeight
  }, [shown.length, paused])

  return (
    <div class='stack logs-page'>
      <h1>Logs</h1>
      <div class='toolbar'>
        <label for='log-level'>Level</label>
        <select id='log-level' value={String(minLevel)} onChange={(e) => { setMinLevel(Number(e.currentTarget.value)) }}>
          {LEVELS.map(([n, name]) => <option key={n} value={String(n)}>{name} and above</option>)}
        </select>
        <button type='button' aria-pressed={paused} onClick={() => { setPaused(!paused) }}>{paused ? 'Resume' : 'Pause'}</button>
        <button type='button' onClick={() => { setLines([]) }}>Clear</button>
        <span class='muted small'>{file}</span>
      </div>
      {error !== undefined && <p class='error' role='alert'>{error}</p>}
      <div class='logbox' ref={box} data-testid='logs' tabIndex={0} aria-label='Log lines'>
        {shown.length === 0 && <p class='muted'>{connected ? 'No log lines yet.' : 'Waiting for the gateway…'}</p>}
        {shown.map((l) => (
          <div key={l.n} class={`logline lv${l.level}`}>
            <span class='muted'>{l.time}</span> <span class='lvl'>{LEVELS.find(([n]) => n === l.level)?.[1] ?? l.level}</span> {l.msg}
          </div>
        ))}
      </div>
    </div>
  )
}
