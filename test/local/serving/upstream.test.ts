/**
 * The gateway's container client: its response parser over every way a container may frame an
 * answer (split at any byte), and the client against scripted loopback servers — kept connections,
 * a connection the server closed while idle, nothing listening, answers that break off.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as net from 'node:net'
import fc from 'fast-check'
import { ResponseParser, upstream, validHeaderValue, type Upstream } from '../../../src/local/serving/upstream.js'

const parseSplit = (raw: string, cuts: ReadonlyArray<number>, limit = 1 << 20, close = false) => {
  const bytes = Buffer.from(raw, 'latin1')
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const p = new ResponseParser(limit)
  let from = 0
  for (const at of [...points, bytes.length]) {
    const s = p.feed(bytes.subarray(from, at))
    from = at
    if (s._tag !== 'More') return { ...s, fed: from }
  }
  return close ? { ...p.end(), fed: from } : { _tag: 'More' as const, fed: from }
}

const ANSWERS: ReadonlyArray<{ readonly what: string; readonly raw: string; readonly body: string; readonly keepAlive: boolean; readonly close?: boolean }> = [
  { what: 'Content-Length', raw: 'HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 5\r\n\r\n1,2,3', body: '1,2,3', keepAlive: true },
  { what: 'chunked with an extension and a trailer', raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n', body: 'abc0123456789', keepAlive: true },
  { what: 'an HTTP/1.0 body delimited by the close', raw: 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end', body: 'until the end', keepAlive: false, close: true },
  { what: 'Connection: close', raw: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok', body: 'ok', keepAlive: false },
  { what: 'a 100 Continue first', raw: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes', body: 'yes', keepAlive: true },
  { what: 'a 204 without a body', raw: 'HTTP/1.1 204 No Content\r\n\r\n', body: '', keepAlive: true },
]

describe('the response parser', () => {
  for (const a of ANSWERS) {
    it(`reads ${a.what}, however the bytes are split`, () => {
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 8 }), (cuts) => {
          const r = parseSplit(a.raw, cuts, 1 << 20, a.close === true)
          expect(r._tag).toBe('Done')
          if (r._tag !== 'Done') return
          expect(r.body.toString('latin1')).toBe(a.body)
          expect(r.keepAlive).toBe(a.keepAlive)
          expect(r.rest).toBe(0)
        }),
        { numRuns: 60 },
      )
    })
  }

  it('lower-cases header names and joins repeated ones', () => {
    const r = parseSplit('HTTP/1.1 200 OK\r\nX-A: 1\r\nx-a: 2\r\nCONTENT-LENGTH: 0\r\n\r\n', [])
    expect(r._tag === 'Done' && r.headers.get('x-a')).toBe('1, 2')
  })

  it('refuses what is not HTTP, a bad length, a bad chunk, and a body over the limit', () => {
    expect(parseSplit('SSH-2.0-OpenSSH\r\n\r\n', [])).toMatchObject({ _tag: 'Bad', cause: expect.stringContaining('not an HTTP/1.x answer') })
    expect(parseSplit('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', [])).toMatchObject({ _tag: 'Bad', cause: expect.stringContaining('Content-Length') })
    expect(parseSplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', [])).toMatchObject({ _tag: 'Bad', cause: expect.stringContaining('chunk size') })
    expect(parseSplit('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n0123456789A', [], 10)).toMatchObject({ _tag: 'Bad', cause: expect.stringContaining('larger than') })
    // Broken off: the close comes before the length is reached.
    expect(parseSplit('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc', [], 100, true)).toMatchObject({ _tag: 'Bad', cause: expect.stringContaining('middle of the answer') })
  })

  it('says bytes followed the answer (they must not be taken for the next one)', () => {
    const r = parseSplit('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxEXTRA', [])
    expect(r._tag === 'Done' && r.rest).toBe(5)
  })
})

describe('header values', () => {
  it('refuses CR, LF and controls, accepts text', () => {
    expect(validHeaderValue('text/csv; charset=utf-8')).toBe(true)
    expect(validHeaderValue('a\r\nX-Injected: 1')).toBe(false)
    expect(validHeaderValue('a\u0000')).toBe(false)
  })
})

// -------------------------------------------------------------------------------------
// against scripted servers
// -------------------------------------------------------------------------------------

interface Scripted {
  readonly port: number
  readonly connections: () => number
  readonly requests: string[]
  readonly close: () => Promise<void>
}

/** A server that answers each request with `answer(n)` (n counts requests); `'close'` closes the socket. */
const scripted = async (answer: (n: number, socket: net.Socket) => string | 'close'): Promise<Scripted> => {
  let connections = 0
  let n = 0
  const requests: string[] = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    connections += 1
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    let buf = ''
    socket.on('data', (c: Buffer) => {
      buf += c.toString('latin1')
      for (;;) {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const length = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0)
        if (buf.length < end + 4 + length) return
        requests.push(buf.slice(0, end + 4 + length))
        buf = buf.slice(end + 4 + length)
        const a = answer(n++, socket)
        if (a === 'close') socket.destroy()
        else socket.write(a, 'latin1')
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

const ok = (body: string): string => `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`
const req = (body: string) => ({ path: '/invocations', headers: [['Content-Type', 'text/csv']] as Array<readonly [string, string]>, body: Buffer.from(body) })

describe('the container client', () => {
  const opened: Array<{ close: () => unknown }> = []
  afterEach(async () => {
    for (const o of opened.splice(0).reverse()) await o.close()
  })
  const client = (limit = 1 << 20): Upstream => {
    const c = upstream(limit)
    opened.push(c)
    return c
  }
  const server = async (answer: Parameters<typeof scripted>[0]): Promise<Scripted> => {
    const s = await scripted(answer)
    opened.push(s)
    return s
  }

  it('sends one well-formed request and keeps the connection for the next ones', async () => {
    const s = await server((n) => ok(`answer ${n}`))
    const c = client()
    for (let i = 0; i < 3; i++) {
      const r = await c.post(s.port, req(`q${i}`))
      expect(r._tag === 'Answered' && r.body.toString()).toBe(`answer ${i}`)
      expect(r._tag === 'Answered' && r.headers.get('content-type')).toBe('text/plain')
    }
    expect(s.connections()).toBe(1)
    expect(s.requests[0]).toBe(`POST /invocations HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nContent-Type: text/csv\r\nContent-Length: 2\r\n\r\nq0`)
  })

  it('sends a large body whole', async () => {
    const s = await server(() => ok('got it'))
    const big = 'x'.repeat(200_000)
    const r = await client().post(s.port, req(big))
    expect(r._tag).toBe('Answered')
    expect(s.requests[0]!.endsWith(`Content-Length: 200000\r\n\r\n${big}`)).toBe(true)
  })

  it('opens a new connection after Connection: close, and retries on a fresh one when a kept connection was closed while idle', async () => {
    const s = await server((n) => (n === 0 ? `HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na` : ok('b')))
    const c = client()
    expect(await c.post(s.port, req('1'))).toMatchObject({ _tag: 'Answered' })
    expect(await c.post(s.port, req('2'))).toMatchObject({ _tag: 'Answered' })
    expect(s.connections()).toBe(2)

    // The server drops its end of the idle connection; the next request still gets through.
    let drop: net.Socket | undefined
    const t = await server((_, socket) => {
      drop = socket
      return ok('c')
    })
    expect(await c.post(t.port, req('3'))).toMatchObject({ _tag: 'Answered' })
    drop!.destroy()
    const r = await c.post(t.port, req('4'))
    expect(r._tag === 'Answered' && r.body.toString()).toBe('c')
    expect(t.connections()).toBe(2)
  })

  it('is Unreachable where nothing listens, and a BadAnswer when the answer breaks off', async () => {
    const probe = net.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const free = (probe.address() as net.AddressInfo).port
    await new Promise<void>((r) => probe.close(() => r()))
    expect(await client().post(free, req('x'))).toEqual({ _tag: 'Unreachable', cause: 'ECONNREFUSED' })

    const s = await server((_, socket) => {
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort')
      return 'close'
    })
    expect(await client().post(s.port, req('x'))).toMatchObject({ _tag: 'BadAnswer', cause: expect.stringContaining('middle of the answer') })
  })

  it('stops at its limit, and an abort ends the request', async () => {
    const s = await server(() => ok('0123456789'))
    expect(await client(5).post(s.port, req('x'))).toMatchObject({ _tag: 'BadAnswer', cause: expect.stringContaining('larger than') })
    const silent = await server(() => '')
    const ac = new AbortController()
    const p = client().post(silent.port, req('x'), ac.signal)
    ac.abort()
    await expect(p).rejects.toMatchObject({ name: 'AbortError' })
  })
})
