// Errors of the channels feature (WS channels.*), with OpenClaw's wire messages.
import { RpcError } from './index.js'

export const unknownChannel = (channel: string) =>
  new RpcError('INVALID_REQUEST', `unknown channel: ${channel}`, { details: { code: 'CHANNEL_UNKNOWN' } })

export const unknownAccount = (channel: string, accountId: string) =>
  new RpcError('INVALID_REQUEST', `unknown account ${accountId} of channel ${channel}`, { details: { code: 'CHANNEL_ACCOUNT_UNKNOWN' } })

export const notStartable = (channel: string, accountId: string, why: string) =>
  new RpcError('INVALID_REQUEST', `channel ${channel} account ${accountId} cannot start: ${why}`, { details: { code: 'CHANNEL_NOT_STARTABLE' } })

export const logoutUnsupported = (channel: string) =>
  new RpcError('INVALID_REQUEST', `channel ${channel} does not support logout`, { details: { code: 'CHANNEL_LOGOUT_UNSUPPORTED' } })

export const pairingRequestGone = () =>
  new RpcError('INVALID_REQUEST', 'pending DM access request no longer exists', { details: { code: 'PAIRING_REQUEST_UNKNOWN' } })
