// channels.status (operator.read), channels.start / stop / logout
// (operator.admin), channels.pairing.list / approve / dismiss (operator.pairing): the
// channels feature's accounts, in OpenClaw's shapes.
import type { FastifyInstance } from 'fastify'
import {
  ChannelAccountParams, ChannelsLogoutResult, ChannelsPairingApproveParams, ChannelsPairingApproveResult,
  ChannelsPairingDismissParams, ChannelsPairingDismissResult, ChannelsPairingListParams, ChannelsPairingListResult, ChannelsStartResult, ChannelsStatusParams, ChannelsStatusResult,
  ChannelsStopResult
} from '../../../schemas/rpc/channels.js'
import { MAX_PENDING, PAIRING_TTL_MS } from '../../../src/channels/access.js'
import { channelsStatus } from '../../../src/channels/status.js'
import { SCOPE_ADMIN, SCOPE_PAIRING, SCOPE_READ } from '../../../src/rpc/scopes.js'

const PROBE_TIMEOUT_MS = 10_000
const PROBE_TIMEOUT_MAX_MS = 30_000

export function registerChannelMethods (app: FastifyInstance): void {
  const manager = app.channels
  app.rpc.register('channels.status', {
    scope: SCOPE_READ,
    params: ChannelsStatusParams,
    result: ChannelsStatusResult,
    handler: async (p) => await channelsStatus(manager, {
      probe: p.probe === true,
      timeoutMs: Math.min(p.timeoutMs ?? PROBE_TIMEOUT_MS, PROBE_TIMEOUT_MAX_MS),
      channel: p.channel,
      now: app.gateway.now()
    })
  })
  app.rpc.register('channels.start', {
    scope: SCOPE_ADMIN,
    params: ChannelAccountParams,
    result: ChannelsStartResult,
    handler: async (p) => {
      const { account, started } = await manager.start(p.channel, p.accountId)
      return { channel: p.channel, accountId: account.accountId, started }
    }
  })
  app.rpc.register('channels.stop', {
    scope: SCOPE_ADMIN,
    params: ChannelAccountParams,
    result: ChannelsStopResult,
    handler: async (p) => {
      const account = await manager.stop(p.channel, p.accountId)
      return { channel: p.channel, accountId: account.accountId, stopped: !account.running }
    }
  })
  app.rpc.register('channels.logout', {
    scope: SCOPE_ADMIN,
    params: ChannelAccountParams,
    result: ChannelsLogoutResult,
    handler: async (p) => {
      const { account, cleared } = await manager.logout(p.channel, p.accountId)
      return { channel: p.channel, accountId: account.accountId, cleared, loggedOut: cleared }
    }
  })
  app.rpc.register('channels.pairing.list', {
    scope: SCOPE_PAIRING,
    params: ChannelsPairingListParams,
    result: ChannelsPairingListResult,
    handler: async (p) => {
      const accounts = [...manager.list()].filter(([id]) => p.channel === undefined || p.channel === id)
        .flatMap(([id, e]) => [...e.accounts.values()].filter((a) => p.accountId === undefined || a.accountId === p.accountId)
          .map((a) => ({ channel: id, channelLabel: e.def.label, accountId: a.accountId, notifySupported: true })))
      const iso = (ms: number) => new Date(ms).toISOString()
      const requests = manager.pairingRequests(p.channel, p.accountId).map(({ channel, label, account, request: r }) => ({
        requestId: r.code,
        channel,
        channelLabel: label,
        accountId: account.accountId,
        senderId: r.peer,
        senderLabel: r.senderLabel === '' ? r.peer : r.senderLabel,
        createdAt: iso(r.createdAt),
        lastSeenAt: iso(r.createdAt),
        expiresAt: iso(r.expiresAt),
        notifySupported: true
      }))
      return { accounts, requests, commandOwnerConfigured: false, limits: { pendingPerAccount: MAX_PENDING, ttlMs: PAIRING_TTL_MS } }
    }
  })
  app.rpc.register('channels.pairing.approve', {
    scope: SCOPE_PAIRING,
    params: ChannelsPairingApproveParams,
    result: ChannelsPairingApproveResult,
    handler: async (p) => {
      const { request, notified } = await manager.approve(p.channel, p.accountId, p.requestId, p.notify === true)
      return {
        requestId: request.code,
        senderId: request.peer,
        notification: notified,
        commandOwnerBootstrap: p.bootstrapCommandOwner === true ? 'unavailable' as const : 'not-requested' as const
      }
    }
  })
  app.rpc.register('channels.pairing.dismiss', {
    scope: SCOPE_PAIRING,
    params: ChannelsPairingDismissParams,
    result: ChannelsPairingDismissResult,
    handler: async (p) => {
      const request = await manager.dismiss(p.channel, p.accountId, p.requestId)
      return { requestId: request.code, senderId: request.peer }
    }
  })
}
