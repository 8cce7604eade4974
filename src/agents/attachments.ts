// Chat attachments (base64 content from the Control UI or the CLI) as model
// input: images become image parts, text files become fenced text.
import type { ContentPart } from '../providers/index.js'
import { AgentError } from '../errors/agents.js'

export interface AttachmentInput { mimeType?: string | undefined, fileName?: string | undefined, content?: unknown }

export interface AttachmentLimits { maxBytes: number, maxImageBytes: number }

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-yaml|yaml|javascript|typescript))/

export function attachmentParts (items: readonly AttachmentInput[], limits: AttachmentLimits): ContentPart[] {
  const parts: ContentPart[] = []
  let total = 0
  for (const [i, a] of items.entries()) {
    if (typeof a.content !== 'string' || a.content === '') throw new AgentError('ATTACHMENT_INVALID', `attachment ${i} has no base64 content`)
    const data = a.content.replace(/^data:[^;]+;base64,/, '')
    const bytes = Math.floor(data.length * 3 / 4)
    total += bytes
    const mime = (a.mimeType ?? '').toLowerCase()
    const name = a.fileName ?? `attachment-${i + 1}`
    if (mime.startsWith('image/')) {
      if (bytes > limits.maxImageBytes) throw new AgentError('ATTACHMENT_TOO_LARGE', `image ${name} is larger than ${limits.maxImageBytes} bytes`)
      parts.push({ type: 'image', mimeType: mime, data })
    } else if (TEXT_TYPES.test(mime)) {
      parts.push({ type: 'text', text: `\n\n[${name}]\n\`\`\`\n${Buffer.from(data, 'base64').toString('utf8')}\n\`\`\`` })
    } else {
      throw new AgentError('ATTACHMENT_INVALID', `attachment ${name}: unsupported type "${mime || 'unknown'}" (images and text files are supported)`)
    }
    if (total > limits.maxBytes) throw new AgentError('ATTACHMENT_TOO_LARGE', `attachments exceed ${limits.maxBytes} bytes in total`)
  }
  return parts
}

export function attachmentLimits (mediaMaxMb: number | undefined): AttachmentLimits {
  const maxBytes = Math.round((mediaMaxMb ?? 20) * 1024 * 1024)
  return { maxBytes, maxImageBytes: Math.min(maxBytes, 6 * 1024 * 1024) }
}

/** The user message content for a text plus attachments. */
export function userContent (text: string, parts: ContentPart[]): string | ContentPart[] {
  if (parts.length === 0) return text
  return text === '' ? parts : [{ type: 'text', text }, ...parts]
}
