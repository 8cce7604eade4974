// The OpenAI error envelope `{error:{message,type,param,code}}`, used for every
// gateway-raised HTTP error (contract 3.1) and for everything under /v1.
export interface OpenAiErrorBody {
  error: { message: string, type: string, param: string | null, code: string | null }
}

export function openAiErrorType (status: number): string {
  if (status === 401) return 'unauthorized'
  if (status === 403) return 'forbidden'
  if (status === 429) return 'rate_limited'
  if (status >= 500) return 'api_error'
  return 'invalid_request_error'
}

export function openAiError (status: number, message: string, opts: { type?: string, param?: string | null, code?: string | null } = {}): OpenAiErrorBody {
  return { error: { message, type: opts.type ?? openAiErrorType(status), param: opts.param ?? null, code: opts.code ?? null } }
}

/** Stable lower-case code for a catalogued error (`GW_ERR_NOT_FOUND` → `not_found`). */
export function codeOf (err: { code?: string }): string | null {
  return typeof err.code === 'string' ? err.code.replace(/^GW_ERR_|^FST_ERR_/, '').toLowerCase() : null
}
