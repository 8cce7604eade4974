// Channels: what `channels.status` reports (OpenClaw's shape: channels in
// channelOrder, each with its accounts: running, connected, last error), or
// why there is nothing to show (no channel configured, or a gateway that does
// not report channel state).
import { useState } from 'preact/hooks'
import { formatTime, useApp, useRpc } from '../state.js'
import { NotOffered } from './not-offered.js'

export interface ChannelAccount {
  accountId: string
  name?: string
  enabled?: boolean
  configured?: boolean
  running?: boolean
  connected?: boolean
  reconnectAttempts?: number
  lastConnectedAt?: number
  lastInboundAt?: number
  lastOutboundAt?: number
  lastError?: string
  mode?: string
}

export interface ChannelsStatus {
  ts: number
  channelOrder: string[]
  channelLabels: Record<string, string>
  channelDetailLabels?: Record<string, string>
  channels: Record<string, unknown>
  channelAccounts: Record<string, ChannelAccount[]>
  channelDefaultAccountId: Record<string, string>
}

/** One word for an account's state, worst first. */
export function accountState (a: ChannelAccount): { label: string, tone: 'ok' | 'warn' | 'error' | 'muted' } {
  if (a.enabled === false) return { label: 'Disabled', tone: 'muted' }
  if (a.configured === false) return { label: 'Not configured', tone: 'warn' }
  if (a.running !== true) return { label: a.lastError !== undefined ? 'Stopped (error)' : 'Stopped', tone: a.lastError !== undefined ? 'error' : 'muted' }
  if (a.connected === false) return { label: a.reconnectAttempts !== undefined && a.reconnectAttempts > 0 ? `Reconnecting (attempt ${a.reconnectAttempts})` : 'Running, not connected', tone: 'warn' }
  return { label: a.connected === true ? 'Connected' : 'Running', tone: 'ok' }
}

export function Channels () {
  const { client } = useApp()
  const supported = client.supports('channels.status')
  const [probe, setProbe] = useState(false)
  const status = useRpc<ChannelsStatus>(supported ? 'channels.status' : undefined, probe ? { probe: true } : {}, [probe])
  if (!supported) return <NotOffered title='Channels' method='channels.status' what='channel state' />
  const data = status.data
  return (
    <div class='stack'>
      <h1>Channels</h1>
      <div class='actions'>
        <button type='button' disabled={status.loading} onClick={() => { if (probe) status.reload(); else setProbe(true) }}>{status.loading ? 'Checking…' : 'Probe now'}</button>
        {data !== undefined && <span class='muted small'>as of {formatTime(data.ts)}</span>}
      </div>
      {status.error !== undefined && <p class='error' role='alert'>{status.error}</p>}
      {data === undefined && status.error === undefined && <p class='muted'>Loading channel state…</p>}
      {data !== undefined && data.channelOrder.length === 0 && (
        <section class='card' data-testid='channels-empty'>
          <h2>No channel is configured</h2>
          <p class='muted'>Channels connect the gateway to chat apps. Add one under <code>channels</code> in the config (or a plugin that provides one), and its accounts show here with their state.</p>
        </section>
      )}
      {data?.channelOrder.map((id) => <ChannelCard key={id} id={id} data={data} />)}
    </div>
  )
}

function ChannelCard ({ id, data }: { id: string, data: ChannelsStatus }) {
  const accounts = data.channelAccounts[id] ?? []
  const fallback = accounts.length === 0 ? [{ accountId: data.channelDefaultAccountId[id] ?? 'default', ...(data.channels[id] as Partial<ChannelAccount> | undefined) }] : accounts
  return (
    <section class='card' data-testid={`channel-${id}`}>
      <h2>{data.channelLabels[id] ?? id} {data.channelDetailLabels?.[id] !== undefined && <span class='muted small'>{data.channelDetailLabels[id]}</span>}</h2>
      <div class='table-wrap'>
        <table>
          <thead><tr><th>Account</th><th>State</th><th>Last connected</th><th>Last message</th><th>Last error</th></tr></thead>
          <tbody>
            {fallback.map((a) => {
              const state = accountState(a)
              const last = Math.max(a.lastInboundAt ?? 0, a.lastOutboundAt ?? 0)
              return (
                <tr key={a.accountId}>
                  <td>{a.name ?? a.accountId}{data.channelDefaultAccountId[id] === a.accountId && <span class='pill'>default</span>}</td>
                  <td><span class={`state ${state.tone}`}>{state.label}</span></td>
                  <td>{formatTime(a.lastConnectedAt)}</td>
                  <td>{last > 0 ? formatTime(last) : '—'}</td>
                  <td class={a.lastError !== undefined ? 'error' : 'muted'}>{a.lastError ?? '—'}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
    </section>
  )
}
