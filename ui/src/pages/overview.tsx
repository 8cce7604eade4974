// Overview: is the gateway healthy, how long has it run, who is connected,
// and what is degraded. On first run (no model configured) it offers the
// provider form instead of leaving the operator to find the config file.
import { useState } from 'preact/hooks'
import type { Health, Presence } from '../gateway.js'
import { formatDuration, formatTime, useApp, useGatewayEvent, useRpc } from '../state.js'
import { FirstRun, useModelSetup } from './first-run.js'

interface Status {
  gateway?: { version?: string, uptimeMs?: number, bind?: string, host?: string, port?: number, authMode?: string }
  connections?: { count: number }
  sessions?: { count: number }
}

export function Overview () {
  const { hello } = useApp()
  const health = useRpc<Health>('health')
  const status = useRpc<Status>('status')
  const presence = useRpc<Presence[]>('system-presence')
  const setup = useModelSetup()
  // Once shown, the first-run card stays (it turns into "Model ready" after saving).
  const [firstRun, setFirstRun] = useState(false)
  if (setup.needed && !firstRun) setFirstRun(true)
  const [live, setLive] = useState<Health | undefined>(undefined)
  const [people, setPeople] = useState<Presence[] | undefined>(undefined)
  useGatewayEvent((e) => {
    if (e.event === 'health') setLive(e.payload as Health)
    if (e.event === 'presence') setPeople((e.payload as { presence: Presence[] }).presence)
  })
  const h = live ?? health.data ?? hello?.snapshot.health
  const s = status.data
  const clients = people ?? presence.data ?? hello?.snapshot.presence ?? []
  const degraded = h?.configReload?.lastError !== undefined || h?.secrets?.status === 'degraded'

  return (
    <div class='stack'>
      <h1>Overview</h1>
      {firstRun && <FirstRun onSaved={() => { setup.reload() }} />}
      <section class='grid'>
        <div class='card stat' data-testid='health'>
          <div class='muted small'>Health</div>
          <div class={`big ${degraded ? 'warn' : 'ok'}`}>{h === undefined ? '…' : degraded ? 'Degraded' : 'Healthy'}</div>
        </div>
        <div class='card stat'>
          <div class='muted small'>Version</div>
          <div class='big'>{s?.gateway?.version ?? hello?.server.version ?? '…'}</div>
        </div>
        <div class='card stat'>
          <div class='muted small'>Uptime</div>
          <div class='big'>{s?.gateway?.uptimeMs !== undefined ? formatDuration(s.gateway.uptimeMs) : '…'}</div>
        </div>
        <div class='card stat'>
          <div class='muted small'>Sessions</div>
          <div class='big'>{s?.sessions?.count ?? h?.sessions?.count ?? '…'}</div>
        </div>
      </section>
      {h?.configReload?.lastError !== undefined && (
        <div class='banner warn' role='alert'>
          <strong>The last config edit was not applied.</strong> {h.configReload.lastError}
          {h.configReload.lastErrorAt !== undefined && <span class='muted'> ({formatTime(h.configReload.lastErrorAt)})</span>}
          <span> The gateway keeps running on the previous config.</span>
        </div>
      )}
      {h?.secrets?.status === 'degraded' && (
        <div class='banner warn' role='alert'>
          <strong>Secrets are degraded.</strong> {h.secrets.lastError ?? ''} The last good values are still in use.
        </div>
      )}
      {!setup.needed && setup.model !== undefined && (
        <p class='muted'>Default model: <code>{setup.model}</code></p>
      )}
      <section class='card'>
        <h2>Gateway</h2>
        <dl class='facts'>
          <dt>Listening</dt><dd>{s?.gateway !== undefined ? `${s.gateway.host ?? ''}:${s.gateway.port ?? ''} (${s.gateway.bind ?? ''})` : '…'}</dd>
          <dt>Auth</dt><dd>{s?.gateway?.authMode ?? '…'}</dd>
          <dt>Config reload</dt><dd>{h?.configReload?.hotReloadStatus ?? '…'}</dd>
          <dt>Secrets</dt><dd>{h?.secrets?.status ?? 'ok'}</dd>
          <dt>Connections</dt><dd>{s?.connections?.count ?? '…'}</dd>
        </dl>
        {(health.error ?? status.error) !== undefined && <p class='error'>{health.error ?? status.error}</p>}
      </section>
      <section class='card'>
        <h2>Connected clients</h2>
        {clients.length === 0
          ? <p class='muted'>No one else is connected.</p>
          : (
            <div class='table-wrap'>
              <table>
                <thead><tr><th>Host</th><th>Mode</th><th>Platform</th><th>Version</th><th>Since</th></tr></thead>
                <tbody>
                  {clients.map((p, i) => (
                    <tr key={p.deviceId ?? `${p.host ?? ''}-${i}`}>
                      <td>{p.host ?? '—'}{p.ip !== undefined && <span class='muted small'> {p.ip}</span>}</td>
                      <td>{p.mode ?? '—'}</td><td>{p.platform ?? '—'}</td><td>{p.version ?? '—'}</td><td>{formatTime(p.ts)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            )}
      </section>
    </div>
  )
}
