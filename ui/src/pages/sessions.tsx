// Sessions: search and page through sessions.list, preview the last
// messages, rename (label), reset, delete, or open one in Chat.
import { useState } from 'preact/hooks'
import { errorText, formatTime, useApp, useGatewayEvent, useRpc } from '../state.js'

interface Row { key: string, label?: string, displayName?: string, updatedAt?: number | null, model?: string, totalTokens?: number, hasActiveRun?: boolean }
interface ListResult { sessions: Row[], totalCount?: number, hasMore?: boolean, nextOffset?: number }
interface Preview { key: string, status: string, items: Array<{ role: string, text: string }> }

const PAGE = 20

export function Sessions () {
  const [search, setSearch] = useState('')
  const [query, setQuery] = useState('')
  const [offset, setOffset] = useState(0)
  const list = useRpc<ListResult>('sessions.list', { limit: PAGE, offset, ...(query !== '' ? { search: query } : {}) }, [offset, query])
  useGatewayEvent((e) => { if (e.event === 'sessions.changed') list.reload() })
  const rows = list.data?.sessions ?? []
  const total = list.data?.totalCount

  return (
    <div class='stack'>
      <h1>Sessions</h1>
      <form class='toolbar' role='search' onSubmit={(e) => { e.preventDefault(); setOffset(0); setQuery(search.trim()) }}>
        <label for='session-search' class='sr-only'>Search sessions</label>
        <input id='session-search' type='search' placeholder='Search by key or label' value={search} onInput={(e) => { setSearch(e.currentTarget.value) }} />
        <button type='submit'>Search</button>
      </form>
      {list.error !== undefined && <p class='error' role='alert'>{list.error}</p>}
      {list.data !== undefined && rows.length === 0 && <p class='muted'>{query === '' ? 'No sessions yet. Start one in Chat.' : `No session matches “${query}”.`}</p>}
      <ul class='sessions' data-testid='sessions'>
        {rows.map((r) => <SessionItem key={r.key} row={r} onChanged={() => { list.reload() }} />)}
      </ul>
      <div class='pager'>
        <button type='button' disabled={offset === 0} onClick={() => { setOffset(Math.max(0, offset - PAGE)) }}>Previous</button>
        <span class='muted small'>{rows.length > 0 ? `${offset + 1}–${offset + rows.length}` : '0'}{total !== undefined ? ` of ${total}` : ''}</span>
        <button type='button' disabled={list.data?.hasMore !== true} onClick={() => { setOffset(offset + PAGE) }}>Next</button>
      </div>
    </div>
  )
}

function SessionItem ({ row, onChanged }: { row: Row, onChanged: () => void }) {
  const { client, navigate } = useApp()
  const [preview, setPreview] = useState<Preview | undefined>(undefined)
  const [renaming, setRenaming] = useState<string | undefined>(undefined)
  const [confirm, setConfirm] = useState<'reset' | 'delete' | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const title = row.label ?? row.displayName ?? row.key

  const act = async (method: string, params: unknown) => {
    setError(undefined)
    try {
      await client.request(method, params)
      setConfirm(undefined)
      setRenaming(undefined)
      onChanged()
    } catch (e) {
      setError(errorText(e))
    }
  }
  const togglePreview = async () => {
    if (preview !== undefined) { setPreview(undefined); return }
    try {
      const r = await client.request<{ previews: Preview[] }>('sessions.preview', { keys: [row.key], limit: 6 })
      setPreview(r.previews[0])
    } catch (e) {
      setError(errorText(e))
    }
  }
  const open = () => {
    sessionStorage.setItem('openclaw.chat.session', row.key)
    navigate('chat')
  }

  return (
    <li class='card session' data-key={row.key}>
      <div class='session-head'>
        <div>
          <div class='title'>{title}{row.hasActiveRun === true && <span class='pill'>running</span>}</div>
          <div class='muted small'>{row.key} · {formatTime(row.updatedAt)}{row.model !== undefined ? ` · ${row.model}` : ''}{row.totalTokens !== undefined ? ` · ${row.totalTokens} tokens` : ''}</div>
        </div>
        <div class='actions'>
          <button type='button' onClick={open}>Open</button>
          <button type='button' aria-expanded={preview !== undefined} onClick={() => { void togglePreview() }}>Preview</button>
          <button type='button' onClick={() => { setRenaming(row.label ?? '') }}>Rename</button>
          <button type='button' onClick={() => { setConfirm('reset') }}>Reset</button>
          <button type='button' class='danger' onClick={() => { setConfirm('delete') }}>Delete</button>
        </div>
      </div>
      {renaming !== undefined && (
        <form class='inline' onSubmit={(e) => { e.preventDefault(); void act('sessions.patch', { key: row.key, label: renaming.trim() === '' ? null : renaming.trim() }) }}>
          <label for={`rename-${row.key}`} class='sr-only'>New name</label>
          <input id={`rename-${row.key}`} value={renaming} placeholder='Session name' autoFocus onInput={(e) => { setRenaming(e.currentTarget.value) }} />
          <button type='submit' class='primary'>Save name</button>
          <button type='button' onClick={() => { setRenaming(undefined) }}>Cancel</button>
        </form>
      )}
      {confirm !== undefined && (
        <div class='inline' role='alertdialog' aria-label={`Confirm ${confirm}`}>
          <span>{confirm === 'delete' ? 'Delete this session and its transcript?' : 'Start this session over (the transcript is archived)?'}</span>
          <button type='button' class='danger' autoFocus onClick={() => { void act(confirm === 'delete' ? 'sessions.delete' : 'sessions.reset', { key: row.key }) }}>
            {confirm === 'delete' ? 'Yes, delete' : 'Yes, reset'}
          </button>
          <button type='button' onClick={() => { setConfirm(undefined) }}>Cancel</button>
        </div>
      )}
      {error !== undefined && <p class='error' role='alert'>{error}</p>}
      {preview !== undefined && (
        <div class='preview'>
          {preview.items.length === 0 ? <p class='muted small'>No messages.</p> : preview.items.map((it, i) => <p key={i}><strong>{it.role}:</strong> {it.text}</p>)}
        </div>
      )}
    </li>
  )
}
