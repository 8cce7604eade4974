// Raw HTTP on a fresh TCP connection, for what clients get wrong (slow or
// broken requests) that fetch would never send.
import net from 'node:net'

/** Writes raw bytes and reads until the server closes the connection (10 s at most). */
export function rawExchange (port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.write(bytes) })
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => { text += d })
    socket.on('close', () => { resolve(text) })
    socket.on('error', reject)
    socket.setTimeout(10_000, () => { socket.destroy(new Error('no answer')) })
  })
}
