// Chat: pick a session, read its history, send a message and watch the
// reply stream in (`chat` events: delta → final | error | aborted), abort a
// run, switch the session's model. The composer's text is a draft kept in
// sessionStorage: a reconnect or reload never loses it. A long transcript
// opens at its newest messages; older ones load on demand, a page at a time.
import { useEffect, useRef, useState } from 'preact/hooks'
import { errorText, useApp, useConnected, useDraft, useGatewayEvent, useRpc } from '../state.js'
import { useModelSetup } from './first-run.js'

interface Message { role: string, content: unknown, timestamp?: number, id?: string }
interface History { sessionKey: string, messages: Message[], totalMessages?: number, hasMore?: boolean, sessionInfo?: { model?: string, label?: string } | null, inFlightRun?: { runId: string } }
interface SessionRow { key: string, label?: string, displayName?: string, updatedAt?: number | null }
interface Run { runId: string | undefined, text: string, state: 'sending' | 'streaming' | 'error' | 'aborted', error?: string }

const SESSION_KEY = 'openclaw.chat.session'
/** The newest messages shown first; "load earlier" adds a page, up to chat.history's limit. */
const FIRST_PAGE = 100
const PAGE = 200
const HISTORY_MAX = 1000
/** Longer messages show their start until asked for the rest (a huge paste must not stall the page). */
const CLIP_CHARS = 8000

export function textOf (content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content.map((p: { type?: string, text?: string }) => (p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('')
}

function newRunId (): string {
  return globalThis.crypto?.randomUUID?.() ?? `ui-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
}

export function Chat () {
  const { client, hello, navigate } = useApp()
  const connected = useConnected()
  const defaults = hello?.snapshot.sessionDefaults
  const [sessionKey, setSessionKeyState] = useState(() => sessionStorage.getItem(SESSION_KEY) ?? defaults?.mainSessionKey ?? 'main')
  const setSessionKey = (k: string) => { sessionStorage.setItem(SESSION_KEY, k); setSessionKeyState(k) }
  const [limit, setLimit] = useState(FIRST_PAGE)
  const history = useRpc<History>('chat.history', { sessionKey, limit }, [sessionKey, limit])
  const sessions = useRpc<{ sessions: SessionRow[] }>('sessions.list', { limit: 50 }, [])
  const models = useRpc<{ models: Array<{ id: string, provider: string, name?: string }> }>('models.list', {})
  const setup = useModelSetup()
  const [messages, setMessages] = useState<Message[]>([])
  const [run, setRun] = useState<Run | undefined>(undefined)
  const [draft, setDraft] = useDraft(`chat.${sessionKey}`)
  const [error, setError] = useState<string | undefined>(undefined)
  const [model, setModel] = useState<string>('')
  const logRef = useRef<HTMLDivElement>(null)
  // Distance from the bottom to restore after older messages load above (else: follow the tail).
  const keepFromBottom = useRef<number | undefined>(undefined)

  useEffect(() => {
    if (history.data === undefined) return
    const stored = history.data.messages
    // A message sent while the history was on its way stays, unless the history already has it.
    setMessages((shown) => [...stored, ...shown.filter((m) => m.id?.startsWith('local-') === true && !stored.some((h) => h.role === 'user' && textOf(h.content) === textOf(m.content)))])
    setModel(history.data.sessionInfo?.model ?? '')
    // A run that was streaming when the connection dropped: its events are gone, the history has the outcome.
    setRun((r) => (history.data?.inFlightRun !== undefined ? { runId: history.data.inFlightRun.runId, text: r?.text ?? '', state: 'streaming' } : undefined))
  }, [history.data])
  useEffect(() => { setMessages([]); setRun(undefined); setError(undefined); setLimit(FIRST_PAGE) }, [sessionKey])
  useEffect(() => {
    const log = logRef.current
    if (log === null) return
    const keep = keepFromBottom.current
    keepFromBottom.current = undefined
    log.scrollTop = keep !== undefined ? log.scrollHeight - keep : log.scrollHeight
  }, [messages, run?.text])
  const loadEarlier = () => {
    const log = logRef.current
    if (log !== null) keepFromBottom.current = log.scrollHeight - log.scrollTop
    setLimit((n) => Math.min(n + PAGE, HISTORY_MAX))
  }
  const total = history.data?.totalMessages ?? 0
  const stored = history.data?.messages.length ?? 0

  useGatewayEvent((e) => {
    if (e.event !== 'chat') return
    const p = e.payload as { runId: string, sessionKey: string, state: string, deltaText?: string, message?: Message, errorMessage?: string }
    if (p.sessionKey !== sessionKey && p.sessionKey !== `agent:${defaults?.defaultAgentId ?? 'main'}:${sessionKey}`) return
    if (p.state === 'delta') {
      setRun((r) => ({ runId: p.runId, state: 'streaming', text: p.message !== undefined ? textOf(p.message.content) : (r?.runId === p.runId ? r.text : '') + (p.deltaText ?? '') }))
    } else if (p.state === 'final') {
      setRun((r) => {
        const text = p.message !== undefined ? textOf(p.message.content) : (r?.text ?? '')
        setMessages((m) => [...m, { role: 'assistant', content: text, timestamp: Date.now() }])
        return undefined
      })
    } else if (p.state === 'error') {
      setRun((r) => ({ runId: p.runId, state: 'error', text: r?.text ?? '', error: p.errorMessage ?? 'The run failed' }))
    } else if (p.state === 'aborted') {
      setRun((r) => ({ runId: p.runId, state: 'aborted', text: p.message !== undefined ? textOf(p.message.content) : (r?.text ?? '') }))
    }
  })

  const busy = run !== undefined && (run.state === 'sending' || run.state === 'streaming')
  const send = async () => {
    const text = draft.trim()
    if (text === '' || busy || !connected) return
    const runId = newRunId()
    setError(undefined)
    setRun({ runId, text: '', state: 'sending' })
    // Shown at once: the reply's events can arrive before the ack does.
    const mine: Message = { role: 'user', content: text, timestamp: Date.now(), id: `local-${runId}` }
    setMessages((m) => [...m, mine])
    try {
      await client.request('chat.send', { sessionKey, message: text, idempotencyKey: runId })
      setDraft('')
      setRun((r) => (r?.runId === runId && r.state === 'sending' ? { ...r, state: 'streaming' } : r))
    } catch (e) {
      setMessages((m) => m.filter((x) => x !== mine))
      setRun(undefined)
      setError(errorText(e))
    }
  }
  const abort = async () => {
    try {
      await client.request('chat.abort', { sessionKey, ...(run?.runId !== undefined ? { runId: run.runId } : {}) })
    } catch (e) {
      setError(errorText(e))
    }
  }
  const changeModel = async (value: string) => {
    setModel(value)
    try {
      await client.request('sessions.patch', { key: sessionKey, model: value === '' ? null : value })
    } catch (e) {
      setError(errorText(e))
    }
  }
  const newSession = () => {
    setSessionKey(`agent:${defaults?.defaultAgentId ?? 'main'}:ui-${Date.now().toString(36)}`)
  }

  const keys = new Set((sessions.data?.sessions ?? []).map((s) => s.key))
  return (
    <div class='chat'>
      <div class='toolbar'>
        <label for='chat-session' class='sr-only'>Session</label>
        <select id='chat-session' value={sessionKey} onChange={(e) => { setSessionKey(e.currentTarget.value) }}>
          {!keys.has(sessionKey) && <option value={sessionKey}>{sessionKey}</option>}
          {(sessions.data?.sessions ?? []).map((s) => <option key={s.key} value={s.key}>{s.label ?? s.displayName ?? s.key}</option>)}
        </select>
        <button type='button' onClick={newSession}>New session</button>
        <label for='chat-model' class='sr-only'>Model</label>
        <select id='chat-model' value={model} onChange={(e) => { void changeModel(e.currentTarget.value) }} disabled={!connected}>
          <option value=''>Default model{setup.model !== undefined ? ` (${setup.model})` : ''}</option>
          {(models.data?.models ?? []).map((m) => <option key={`${m.provider}/${m.id}`} value={`${m.provider}/${m.id}`}>{m.provider}/{m.id}</option>)}
        </select>
      </div>
      {setup.needed && (
        <div class='banner warn'>No model is configured. <button type='button' class='link' onClick={() => { navigate('overview') }}>Add a provider</button> first.</div>
      )}
      <div class='log' ref={logRef} aria-live='polite' data-testid='chat-log'>
        {history.error !== undefined && <p class='error'>{history.error}</p>}
        {history.data?.hasMore === true && (
          <div class='earlier muted small' data-testid='chat-earlier'>
            Showing the newest {stored.toLocaleString('en')} of {total.toLocaleString('en')} messages.{' '}
            {limit < HISTORY_MAX
              ? <button type='button' class='link' disabled={history.loading} onClick={loadEarlier}>{history.loading ? 'Loading…' : 'Load earlier messages'}</button>
              : <span>Older ones stay in the session's transcript file.</span>}
          </div>
        )}
        {messages.length === 0 && run === undefined && history.data !== undefined && <p class='muted center'>No messages yet. Say hello.</p>}
        {messages.map((m, i) => <Bubble key={m.id ?? `from-end-${messages.length - i}`} role={m.role} text={textOf(m.content)} />)}
        {run !== undefined && (
          <Bubble role='assistant' text={run.text} streaming={run.state === 'streaming' || run.state === 'sending'} note={run.state === 'aborted' ? 'Stopped' : run.error} />
        )}
      </div>
      {error !== undefined && <p class='error' role='alert'>{error}</p>}
      <form class='composer' onSubmit={(e) => { e.preventDefault(); void send() }}>
        <label for='chat-input' class='sr-only'>Message</label>
        <textarea
          id='chat-input' rows={3} value={draft} placeholder={connected ? 'Message (Enter to send, Shift+Enter for a new line)' : 'Waiting for the gateway… your text is kept'}
          onInput={(e) => { setDraft(e.currentTarget.value) }}
          onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); void send() } }}
        />
        {busy
          ? <button type='button' class='danger' onClick={() => { void abort() }}>Stop</button>
          : <button type='submit' class='primary' disabled={!connected || draft.trim() === ''}>Send</button>}
      </form>
    </div>
  )
}

function Bubble ({ role, text: full, streaming, note }: { role: string, text: string, streaming?: boolean, note?: string | undefined }) {
  const who = role === 'user' ? 'You' : role === 'assistant' ? 'Assistant' : role
  const [whole, setWhole] = useState(false)
  const clipped = !whole && streaming !== true && full.length > CLIP_CHARS
  const text = clipped ? full.slice(0, CLIP_CHARS) : full
  return (
    <div class={`bubble ${role === 'user' ? 'user' : role === 'assistant' ? 'assistant' : 'other'}`} data-role={role} data-streaming={streaming === true ? 'true' : undefined}>
      <div class='who muted small'>{who}{streaming === true && <span class='typing'> · typing…</span>}</div>
      <div class='text'>{text === '' && streaming === true ? '…' : text}</div>
      {clipped && <button type='button' class='link small' onClick={() => { setWhole(true) }}>Show the whole message ({full.length.toLocaleString('en')} characters)</button>}
      {note !== undefined && <div class='note small'>{note}</div>}
    </div>
  )
}
