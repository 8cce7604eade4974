// Requests Node's HTTP parser gives up on before any route sees them: a body
// that does not arrive within the request timeout (contract 3.1: 408 "Request
// body timeout"), headers over the size limit, bytes that are not HTTP. They
// get the OpenAI envelope and the security headers like every other error,
// then the connection is closed (its framing can no longer be trusted).
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { openAiError } from './openai-error.js'
import { SECURITY_HEADERS } from './security-headers.js'

interface ClientFailure { status: number, message: string, code: string }

function failureOf (code: string | undefined): ClientFailure {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, message: 'Request body timeout', code: 'request_timeout' }
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, message: 'Request header fields too large.', code: 'headers_too_large' }
  return { status: 400, message: 'Malformed HTTP request.', code: 'bad_request' }
}

const SECURITY_LINES = Object.entries(SECURITY_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('')

export function clientErrorHandler (this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const failure = failureOf(err.code)
  this.log.debug({ code: err.code, status: failure.status }, 'client error')
  if (socket.writable) {
    const body = JSON.stringify(openAiError(failure.status, failure.message, { code: failure.code }))
    socket.write(
      `HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status] ?? ''}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${SECURITY_LINES}connection: close\r\n\r\n${body}`
    )
  }
  socket.destroy(err)
}
