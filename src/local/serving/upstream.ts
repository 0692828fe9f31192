/**
 * The gateway's client for its containers: persistent loopback sockets, one request at a time on
 * each, a request written in one `write` and the answer read by a small HTTP/1.1 response parser.
 *
 * Why not `http.request` with an Agent: measured on this project's 2-core machine, a keep-alive round
 * trip to the model server took about 230 µs through `http.request` and 115 µs through a socket
 * written this way — the request objects, header validation and agent bookkeeping were half the cost
 * of every prediction. What a container may answer is still covered: `Content-Length`, chunked
 * bodies, bodies delimited by the connection's end (HTTP/1.0 servers), `Connection: close`, and
 * interim `100 Continue` answers.
 *
 * @since 0.2.0
 */
import * as net from 'node:net'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface UpstreamRequest {
  readonly path: string
  /** Header name → value; values were checked by `validHeaderValue`. */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: Uint8Array
}

export type Call =
  | {
      readonly _tag: 'Answered'
      readonly status: number
      /** Lower-cased names; a repeated header's values joined with ", ". */
      readonly headers: ReadonlyMap<string, string>
      readonly body: Buffer
    }
  /** No answer began: nothing listens there, or the connection broke before the first byte. */
  | { readonly _tag: 'Unreachable'; readonly cause: string }
  /** The answer broke off, was not HTTP, or was larger than the limit. */
  | { readonly _tag: 'BadAnswer'; readonly cause: string }

export interface Upstream {
  readonly post: (port: number, request: UpstreamRequest, signal?: AbortSignal) => Promise<Call>
  /** Close every socket; later posts open new ones. */
  readonly close: () => void
}

/** What a header value may hold: no CR, LF or other control characters (they would split the request). */
export const validHeaderValue = (v: string): boolean => !/[^\t\x20-\x7e\x80-\xff]/.test(v)

// -------------------------------------------------------------------------------------
// the response parser
// -------------------------------------------------------------------------------------

const CRLF2 = Buffer.from('\r\n\r\n')
const MAX_HEAD = 64 * 1024

type Framing =
  | { readonly _tag: 'Length'; remaining: number }
  | { readonly _tag: 'Chunked'; state: 'size' | 'data' | 'dataEnd' | 'trailers'; remaining: number }
  | { readonly _tag: 'UntilClose' }

interface Head {
  readonly status: number
  readonly headers: Map<string, string>
  readonly keepAlive: boolean
  readonly framing: Framing
}

type Parsed = { readonly _tag: 'Head'; readonly head: Head } | { readonly _tag: 'Interim' } | { readonly _tag: 'Bad'; readonly cause: string }

const parseHead = (text: string, noBody: boolean): Parsed => {
  const lines = text.split('\r\n')
  const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '')
  if (m === null) return { _tag: 'Bad', cause: `not an HTTP/1.x answer: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}` }
  const status = Number(m[2])
  if (status >= 100 && status < 200) return { _tag: 'Interim' }
  const headers = new Map<string, string>()
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    const colon = line.indexOf(':')
    if (colon <= 0) return { _tag: 'Bad', cause: `a malformed header line: ${JSON.stringify(line.slice(0, 80))}` }
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    const before = headers.get(name)
    headers.set(name, before === undefined ? value : `${before}, ${value}`)
  }
  const connection = (headers.get('connection') ?? '').toLowerCase()
  const keepAlive = m[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive')
  const te = (headers.get('transfer-encoding') ?? '').toLowerCase()
  const cl = headers.get('content-length')
  let framing: Framing
  if (noBody || status === 204 || status === 304) framing = { _tag: 'Length', remaining: 0 }
  else if (te !== '' && te !== 'identity') {
    if (!te.endsWith('chunked')) return { _tag: 'Bad', cause: `an unsupported transfer encoding "${te}"` }
    framing = { _tag: 'Chunked', state: 'size', remaining: 0 }
  } else if (cl !== undefined) {
    if (!/^\d+$/.test(cl)) return { _tag: 'Bad', cause: `a malformed Content-Length "${cl}"` }
    framing = { _tag: 'Length', remaining: Number(cl) }
  } else framing = { _tag: 'UntilClose' }
  return { _tag: 'Head', head: { status, headers, keepAlive: keepAlive && framing._tag !== 'UntilClose', framing } }
}

type Step =
  | { readonly _tag: 'More' }
  | { readonly _tag: 'Done'; readonly status: number; readonly headers: Map<string, string>; readonly body: Buffer; readonly keepAlive: boolean; readonly rest: number }
  | { readonly _tag: 'Bad'; readonly cause: string }

/**
 * One answer's parser: fed the socket's chunks, it says when the answer is complete. `end` is the
 * connection's end, which completes a body delimited by it.
 */
export class ResponseParser {
  private pending: Buffer = Buffer.alloc(0)
  private head: Head | undefined
  private readonly body: Buffer[] = []
  private size = 0
  /** Has any byte of the answer arrived? */
  started = false

  constructor(private readonly limit: number) {}

  feed(chunk: Buffer): Step {
    if (chunk.length > 0) this.started = true
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    for (;;) {
      if (this.head === undefined) {
        const end = this.pending.indexOf(CRLF2)
        if (end < 0) return this.pending.length > MAX_HEAD ? { _tag: 'Bad', cause: 'its headers are larger than 64 KB' } : { _tag: 'More' }
        const parsed = parseHead(this.pending.toString('latin1', 0, end), false)
        this.pending = this.pending.subarray(end + 4)
        if (parsed._tag === 'Bad') return parsed
        if (parsed._tag === 'Interim') continue
        this.head = parsed.head
      }
      const f = this.head.framing
      switch (f._tag) {
        case 'UntilClose':
          if (!this.take(this.pending.length)) return this.tooLarge()
          return { _tag: 'More' }
        case 'Length': {
          const n = Math.min(f.remaining, this.pending.length)
          if (!this.take(n)) return this.tooLarge()
          f.remaining -= n
          return f.remaining === 0 ? this.done() : { _tag: 'More' }
        }
        case 'Chunked': {
          const step = this.chunked(f)
          if (step !== undefined) return step
          continue
        }
      }
    }
  }

  /** The connection ended: complete for a body delimited by it, broken otherwise. */
  end(): Step {
    if (this.head?.framing._tag === 'UntilClose') return this.done()
    return { _tag: 'Bad', cause: this.started ? 'the connection closed in the middle of the answer' : 'the connection closed before an answer' }
  }

  /** Advance a chunked body; undefined: the state changed, go on. */
  private chunked(f: Extract<Framing, { _tag: 'Chunked' }>): Step | undefined {
    if (f.state === 'size' || f.state === 'trailers' || f.state === 'dataEnd') {
      const eol = this.pending.indexOf('\r\n')
      if (eol < 0) return this.pending.length > MAX_HEAD ? { _tag: 'Bad', cause: 'a chunk line is too long' } : { _tag: 'More' }
      const line = this.pending.toString('latin1', 0, eol)
      this.pending = this.pending.subarray(eol + 2)
      if (f.state === 'dataEnd') {
        if (line !== '') return { _tag: 'Bad', cause: 'a chunk is not followed by CRLF' }
        f.state = 'size'
        return undefined
      }
      if (f.state === 'trailers') return line === '' ? this.done() : undefined
      const size = /^([0-9a-fA-F]+)\s*(?:;.*)?$/.exec(line)
      if (size === null) return { _tag: 'Bad', cause: `a malformed chunk size ${JSON.stringify(line.slice(0, 40))}` }
      f.remaining = parseInt(size[1]!, 16)
      f.state = f.remaining === 0 ? 'trailers' : 'data'
      return undefined
    }
    const n = Math.min(f.remaining, this.pending.length)
    if (!this.take(n)) return this.tooLarge()
    f.remaining -= n
    if (f.remaining > 0) return { _tag: 'More' }
    f.state = 'dataEnd'
    return undefined
  }

  private take(n: number): boolean {
    if (n === 0) return true
    this.size += n
    if (this.size > this.limit) return false
    this.body.push(this.pending.subarray(0, n))
    this.pending = this.pending.subarray(n)
    return true
  }

  private tooLarge(): Step {
    return { _tag: 'Bad', cause: `its answer is larger than ${this.limit / (1024 * 1024)} MB` }
  }

  private done(): Step {
    const h = this.head!
    const body = this.body.length === 1 ? this.body[0]! : Buffer.concat(this.body)
    return { _tag: 'Done', status: h.status, headers: h.headers, body, keepAlive: h.keepAlive, rest: this.pending.length }
  }
}

// -------------------------------------------------------------------------------------
// the client
// -------------------------------------------------------------------------------------

/** Up to this size a body goes out in the same write as the request's head. */
const SMALL = 64 * 1024

const requestHead = (port: number, r: UpstreamRequest): string => {
  let head = `POST ${r.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`
  for (const [k, v] of r.headers) head += `${k}: ${v}\r\n`
  return `${head}Content-Length: ${r.body.length}\r\n\r\n`
}

const abortError = (): Error => Object.assign(new Error('The operation was aborted'), { name: 'AbortError' })

/**
 * A client that keeps idle connections per port. `limit` bounds an answer's body. Idle sockets do
 * not keep the process alive.
 */
export const upstream = (limit: number): Upstream => {
  const idle = new Map<number, net.Socket[]>()
  const all = new Set<net.Socket>()

  const release = (port: number, socket: net.Socket): void => {
    socket.unref()
    let list = idle.get(port)
    if (list === undefined) idle.set(port, (list = []))
    list.push(socket)
  }

  const connect = (port: number): net.Socket => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true })
    all.add(socket)
    const forget = (): void => {
      all.delete(socket)
      const list = idle.get(port)
      const i = list === undefined ? -1 : list.indexOf(socket)
      if (i >= 0) list!.splice(i, 1)
    }
    socket.on('close', forget)
    // An idle socket the server closed: forgotten on close; errors while idle are not the caller's.
    socket.on('error', () => undefined)
    return socket
  }

  const once = (port: number, socket: net.Socket, request: UpstreamRequest, signal: AbortSignal | undefined): Promise<Call & { readonly reused?: boolean }> =>
    new Promise((resolve, reject) => {
      socket.ref()
      const parser = new ResponseParser(limit)
      const finish = (call: Call | Error, keep: boolean): void => {
        socket.off('data', onData)
        socket.off('end', onEnd)
        socket.off('error', onError)
        signal?.removeEventListener('abort', onAbort)
        if (keep) release(port, socket)
        else socket.destroy()
        if (call instanceof Error) reject(call)
        else resolve(call)
      }
      const answer = (s: Step): void => {
        if (s._tag === 'More') return
        if (s._tag === 'Bad') return finish({ _tag: parser.started ? 'BadAnswer' : 'Unreachable', cause: s.cause }, false)
        finish({ _tag: 'Answered', status: s.status, headers: s.headers, body: s.body }, s.keepAlive && s.rest === 0)
      }
      const onData = (c: Buffer): void => answer(parser.feed(c))
      const onEnd = (): void => answer(parser.end())
      const onError = (e: NodeJS.ErrnoException): void =>
        finish({ _tag: parser.started ? 'BadAnswer' : 'Unreachable', cause: e.code ?? e.message }, false)
      const onAbort = (): void => finish(abortError(), false)
      socket.on('data', onData)
      socket.on('end', onEnd)
      socket.on('error', onError)
      signal?.addEventListener('abort', onAbort, { once: true })
      const head = requestHead(port, request)
      if (request.body.length <= SMALL) socket.write(head + Buffer.from(request.body.buffer, request.body.byteOffset, request.body.length).toString('latin1'), 'latin1')
      else {
        socket.cork()
        socket.write(head, 'latin1')
        socket.write(request.body)
        socket.uncork()
      }
    })

  return {
    post: async (port, request, signal) => {
      if (signal?.aborted === true) throw abortError()
      const list = idle.get(port)
      let socket = list?.pop()
      while (socket !== undefined && (socket.destroyed || !socket.writable)) socket = list?.pop()
      if (socket !== undefined) {
        const call = await once(port, socket, request, signal)
        // A kept connection the server had just closed: nothing was answered, so try a fresh one.
        if (call._tag !== 'Unreachable') return call
      }
      return once(port, connect(port), request, signal)
    },
    close: () => {
      for (const s of all) s.destroy()
      all.clear()
      idle.clear()
    },
  }
}
