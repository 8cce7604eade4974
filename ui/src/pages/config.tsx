// Config: the gateway's openclaw.json as JSON5 text, secrets redacted. The
// text is checked as it is typed (syntax here, the schema by the gateway on
// save), saved with the hash it was loaded at (a conflicting edit is caught,
// never overwritten silently), and the reply says whether it applied live or
// needs a restart. The unsaved edit is a draft that survives reconnects.
import JSON5 from 'json5'
import { useEffect, useMemo, useState } from 'preact/hooks'
import { RpcError } from '../gateway.js'
import { errorText, useApp, useDraft, useRpc } from '../state.js'
import { ConfigForm } from './config-form.js'

interface ConfigGet { path: string, exists: boolean, valid: boolean, raw: string | null, parsed: unknown, hash: string, appliedConfigHash?: string | null, configRevisionHash?: string | null, issues: Array<{ path: string, message: string }> }
interface Reload { applied: 'live' | 'restart' | 'pending-restart' | 'none' | 'failed', hotPaths?: string[], restartPaths?: string[], error?: string }
interface WriteResult { ok: true, hash: string, noop?: boolean, changedPaths?: string[], reload?: Reload }

type Outcome =
  | { kind: 'saved', text: string, tone: 'ok' | 'warn' }
  | { kind: 'invalid', text: string, issues: Array<{ path: string, message: string }> }
  | { kind: 'conflict', text: string }
  | { kind: 'error', text: string }

function describe (r: WriteResult): Outcome {
  if (r.noop === true) return { kind: 'saved', text: 'Nothing changed: the file already says this.', tone: 'ok' }
  const reload = r.reload
  const paths = (list: string[] | undefined) => (list !== undefined && list.length > 0 ? ` (${list.join(', ')})` : '')
  switch (reload?.applied) {
    case 'live': return { kind: 'saved', text: `Saved and applied live${paths(reload.hotPaths)}. No restart needed.`, tone: 'ok' }
    case 'restart': return { kind: 'saved', text: `Saved. The gateway is restarting to apply it${paths(reload.restartPaths)}; this page reconnects by itself.`, tone: 'warn' }
    case 'pending-restart': return { kind: 'saved', text: `Saved. A restart is needed before it takes effect${paths(reload.restartPaths)}.`, tone: 'warn' }
    case 'failed': return { kind: 'saved', text: `Saved, but the gateway could not load it: ${reload.error ?? 'unknown error'}. It keeps running on the previous config.`, tone: 'warn' }
    case 'none': return { kind: 'saved', text: 'Saved. Nothing the running gateway uses changed.', tone: 'ok' }
    default: return { kind: 'saved', text: 'Saved.', tone: 'ok' }
  }
}

function syntaxError (text: string): string | undefined {
  try {
    JSON5.parse(text)
    return undefined
  } catch (e) {
    return errorText(e).replace(/^JSON5: /, '')
  }
}

export function ConfigPage () {
  const { client } = useApp()
  const supported = client.supports('config.get')
  const loaded = useRpc<ConfigGet>(supported ? 'config.get' : undefined, {})
  const [draft, setDraft] = useDraft('config')
  const [baseHash, setBaseHash] = useDraft('config.baseHash')
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const [view, setView] = useState<'raw' | 'form'>('raw')
  const data = loaded.data

  // First load (or after "load latest"): the editor takes the file unless an unsaved edit is waiting.
  useEffect(() => {
    if (data === undefined) return
    if (draft === '' || baseHash === '') {
      setDraft(data.raw ?? (data.parsed !== null ? JSON.stringify(data.parsed, null, 2) : ''))
      setBaseHash(data.hash)
    }
  }, [data])

  const syntax = useMemo(() => (draft === '' ? undefined : syntaxError(draft)), [draft])
  const dirty = data !== undefined && draft !== (data.raw ?? '') && baseHash !== ''
  const stale = data !== undefined && baseHash !== '' && baseHash !== data.hash

  const loadLatest = () => {
    setDraft('')
    setBaseHash('')
    setOutcome(undefined)
    loaded.reload()
  }
  const save = async () => {
    if (syntax !== undefined) return
    setBusy(true)
    setOutcome(undefined)
    try {
      const r = await client.request<WriteResult>('config.set', { raw: draft, baseHash })
      setBaseHash(r.hash)
      setOutcome(describe(r))
      // The saved text is now the file: reload it (the reply's text is the file, secrets redacted).
      setDraft('')
      setBaseHash('')
      loaded.reload()
    } catch (e) {
      if (e instanceof RpcError && /config changed since last load|base hash/.test(e.message)) {
        setOutcome({ kind: 'conflict', text: 'The config file changed since you loaded it (someone else saved, or it was edited by hand). Your edit is kept below.' })
      } else if (e instanceof RpcError && Array.isArray(e.details?.issues)) {
        setOutcome({ kind: 'invalid', text: e.message, issues: e.details.issues as Array<{ path: string, message: string }> })
      } else {
        setOutcome({ kind: 'error', text: errorText(e) })
      }
    } finally {
      setBusy(false)
    }
  }

  if (!supported) {
    return <div class='stack'><h1>Config</h1><p class='banner warn'>This gateway does not offer config editing over RPC (config.get is not among its methods).</p></div>
  }
  return (
    <div class='stack config-page'>
      <h1>Config</h1>
      {data !== undefined && (
        <p class='muted small'>
          <code>{data.path}</code>{' '}
          {data.appliedConfigHash !== undefined && data.appliedConfigHash !== null && data.configRevisionHash !== undefined && data.appliedConfigHash !== data.configRevisionHash && (
            <span class='pill warn'>saved file not yet running (restart pending or not loadable)</span>
          )}
        </p>
      )}
      {loaded.error !== undefined && <p class='error' role='alert'>{loaded.error}</p>}
      {data !== undefined && !data.valid && (
        <div class='banner warn' role='alert'>
          The file on disk is not valid; the gateway runs on its last good config.
          <ul>{data.issues.map((i) => <li key={i.path}><code>{i.path}</code>: {i.message}</li>)}</ul>
        </div>
      )}
      <div class='toolbar' role='group' aria-label='Editor'>
        <button type='button' aria-pressed={view === 'raw'} onClick={() => { setView('raw') }}>JSON5</button>
        <button type='button' aria-pressed={view === 'form'} onClick={() => { setView('form') }}>Form</button>
      </div>
      {view === 'form' && data !== undefined && (
        <>
          {outcome !== undefined && outcome.kind === 'saved' && <div class={`banner ${outcome.tone}`} role='status' data-testid='config-outcome'><p>{outcome.text}</p></div>}
          <ConfigForm
            parsed={data.parsed} hash={data.hash} describe={(r: WriteResult) => { const d = describe(r); return d.kind === 'saved' ? d : { text: d.text, tone: 'warn' } }}
            onSaving={() => { setOutcome(undefined) }}
            onSaved={(text, tone) => {
              setOutcome({ kind: 'saved', text, tone })
              if (!dirty) { setDraft(''); setBaseHash('') }
              loaded.reload()
            }}
          />
        </>
      )}
      {view === 'raw' && stale && outcome?.kind !== 'conflict' && (
        <div class='banner warn'>The file changed since this edit began. Saving will be refused; load the latest version or save your edit after reviewing it.</div>
      )}
      {view === 'raw' && (data === undefined || baseHash === '') && loaded.error === undefined && <p class='muted'>Loading the config…</p>}
      {view === 'raw' && data !== undefined && baseHash !== '' && (
        <>
          <label for='config-raw' class='sr-only'>Config (JSON5)</label>
          <textarea
            id='config-raw' class='code' spellcheck={false} rows={24} value={draft}
            aria-invalid={syntax !== undefined} aria-describedby='config-status'
            onInput={(e) => { setDraft(e.currentTarget.value); if (baseHash === '' && data !== undefined) setBaseHash(data.hash) }}
          />
          <div id='config-status' class='small'>
            {syntax !== undefined
              ? <p class='error' data-testid='config-syntax'>Not valid JSON5: {syntax}</p>
              : <p class='muted'>Secrets show as <code>__OPENCLAW_REDACTED__</code>; leave them as they are to keep the stored values.</p>}
          </div>
          {outcome !== undefined && (
            <div class={`banner ${outcome.kind === 'saved' ? outcome.tone : 'error'}`} role='status' data-testid='config-outcome'>
              <p>{outcome.text}</p>
              {outcome.kind === 'invalid' && <ul>{outcome.issues.map((i, n) => <li key={n}><code>{i.path}</code>: {i.message}</li>)}</ul>}
              {outcome.kind === 'conflict' && (
                <div class='actions'>
                  <button type='button' onClick={loadLatest}>Load the latest version (discard my edit)</button>
                  <button type='button' onClick={() => { navigator.clipboard?.writeText(draft).catch(() => {}) }}>Copy my edit</button>
                </div>
              )}
            </div>
          )}
          <div class='actions'>
            <button type='button' class='primary' disabled={busy || syntax !== undefined || !dirty} onClick={() => { void save() }}>{busy ? 'Saving…' : 'Save'}</button>
            <button type='button' disabled={busy} onClick={loadLatest}>{dirty ? 'Discard changes' : 'Reload'}</button>
          </div>
        </>
      )}
    </div>
  )
}
