// Hooks: whether webhook ingress is on and where, what came in lately, and
// how much failed (`hooks.status`).
import { formatTime, useApp, useRpc } from '../state.js'
import { NotOffered } from './not-offered.js'

interface Delivery { ts: number, path: string, status: number, action?: 'agent' | 'wake', runId?: string, error?: string }
interface HooksStatus { enabled: boolean, path: string, mappings: number, deliveries: number, failures: number, authFailures: number, recent: Delivery[] }

export function Hooks () {
  const { client } = useApp()
  const supported = client.supports('hooks.status')
  const status = useRpc<HooksStatus>(supported ? 'hooks.status' : undefined, {})
  if (!supported) return <NotOffered title='Hooks' method='hooks.status' what='webhook state' />
  const s = status.data
  return (
    <div class='stack'>
      <h1>Hooks</h1>
      <div class='actions'><button type='button' disabled={status.loading} onClick={() => { status.reload() }}>Refresh</button></div>
      {status.error !== undefined && <p class='error' role='alert'>{status.error}</p>}
      {s === undefined && status.error === undefined && <p class='muted'>Loading…</p>}
      {s !== undefined && !s.enabled && (
        <section class='card' data-testid='hooks-off'>
          <h2>Webhooks are off</h2>
          <p class='muted'>Set <code>hooks.enabled: true</code> and a <code>hooks.token</code> (not the gateway token) to accept deliveries at <code>{s.path}</code>.</p>
        </section>
      )}
      {s !== undefined && s.enabled && (
        <>
          <section class='grid'>
            <div class='card stat'><div class='muted small'>Path</div><div class='big'><code>{s.path}</code></div></div>
            <div class='card stat'><div class='muted small'>Deliveries</div><div class='big' data-testid='hooks-deliveries'>{s.deliveries}</div></div>
            <div class='card stat'><div class='muted small'>Failures</div><div class={`big ${s.failures > 0 ? 'warn' : ''}`}>{s.failures}</div></div>
            <div class='card stat'><div class='muted small'>Refused (auth)</div><div class={`big ${s.authFailures > 0 ? 'warn' : ''}`}>{s.authFailures}</div></div>
          </section>
          <p class='muted small'>{s.mappings} mapping{s.mappings === 1 ? '' : 's'} besides <code>{s.path}/wake</code> and <code>{s.path}/agent</code>.</p>
          <section class='card'>
            <h2>Recent deliveries</h2>
            {s.recent.length === 0
              ? <p class='muted'>Nothing delivered since the gateway started.</p>
              : (
                <div class='table-wrap'>
                  <table data-testid='hooks-recent'>
                    <thead><tr><th>When</th><th>Path</th><th>Status</th><th>Action</th><th>Run or error</th></tr></thead>
                    <tbody>
                      {[...s.recent].reverse().map((d, i) => (
                        <tr key={`${d.ts}-${i}`}>
                          <td>{formatTime(d.ts)}</td><td><code>{d.path}</code></td>
                          <td class={d.status >= 400 ? 'error' : ''}>{d.status}</td><td>{d.action ?? '—'}</td>
                          <td class={d.error !== undefined ? 'error' : 'muted'}>{d.error ?? d.runId ?? '—'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                )}
          </section>
        </>
      )}
    </div>
  )
}
