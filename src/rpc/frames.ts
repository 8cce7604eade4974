// Serialises outgoing frames. Events are rendered once per broadcast as a
// prefix/suffix pair so each recipient only costs a concatenation of its seq.
import type { RpcErrorShape } from '../errors/index.js'
import type { StateVersion } from './types.js'

export function resOkFrame (id: string, payloadJson: string | undefined): string {
  return payloadJson === undefined
    ? `{"type":"res","id":${JSON.stringify(id)},"ok":true}`
    : `{"type":"res","id":${JSON.stringify(id)},"ok":true,"payload":${payloadJson}}`
}

export function resErrFrame (id: string, error: RpcErrorShape): string {
  return `{"type":"res","id":${JSON.stringify(id)},"ok":false,"error":${JSON.stringify(error)}}`
}

/** A directed event: no seq (connect.challenge, ctx.sendEvent). */
export function directEventFrame (event: string, payload: unknown): string {
  return JSON.stringify({ type: 'event', event, payload })
}

/** A broadcast event split around its seq: `${head}${seq}${tail}`. */
export interface SeqFrame { head: string, tail: string }

export function seqEventFrame (event: string, payloadJson: string | undefined, stateVersion?: StateVersion): SeqFrame {
  const payload = payloadJson === undefined ? '' : `,"payload":${payloadJson}`
  const sv = stateVersion === undefined ? '' : `,"stateVersion":{"presence":${stateVersion.presence},"health":${stateVersion.health}}`
  return { head: `{"type":"event","event":${JSON.stringify(event)}${payload},"seq":`, tail: `${sv}}` }
}
