/**
 * The local gateway: one long-lived loopback HTTP server that speaks the SageMaker Runtime API
 * (`POST /endpoints/<name>/invocations`) for every local endpoint at once, so the AWS SDK, boto3
 * (`AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`), curl and `sagespec predict` reach any of them by name.
 *
 * Routing comes from the endpoint registry (`registry.ts`), rechecked on every request with one
 * `stat`, so endpoints are created, updated and deleted while the gateway serves; what a request does
 * is `invoke.ts`, shared with the in-process path of the local backend. Bodies are held whole (at
 * most the 6 MB InvokeEndpoint allows, each way): a request whose container cannot be reached (an
 * update just replaced it) is retried once on the routing read afresh.
 *
 * @since 0.2.0
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import { invoker, MAX_PAYLOAD_BYTES, type InvokeAnswer } from './invoke.js'
import { listEndpoints, registryCache } from './registry.js'
import { errorResponse, seededRandom, type GatewayError } from './routing.js'
import { upstream } from './upstream.js'
import { acceptAsync, describeAsyncError, store } from './async.js'
import { s3Client } from '../context.js'

/** Up to this size a body is sent in the same write as its headers: half the syscalls and wake-ups. */
const SMALL = 64 * 1024

export const GATEWAY_SERVICE = 'sagespec-gateway'

export interface GatewayOptions {
  readonly stateDir: string
  /** 0 (the default) lets the system choose. */
  readonly port?: number
  /** Seed for weighted variant choice; random by default. */
  readonly seed?: number
  /** Close once no endpoint has been registered for this long; never when undefined. */
  readonly idleExitMs?: number
}

export interface Gateway {
  readonly url: string
  readonly port: number
  /** Resolves when the server has closed (by `close`, or by itself when idle). */
  readonly closed: Promise<void>
  readonly close: () => Promise<void>
}

const readAll = (stream: NodeJS.ReadableStream, limit: number): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    stream.on('data', (c: Buffer) => {
      size += c.length
      if (size > limit) over = true
      else chunks.push(c)
    })
    stream.on('end', () => resolve(over ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
    stream.on('error', reject)
  })

const header = (h: http.IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name]
  return Array.isArray(v) ? v.join(', ') : v
}

// -------------------------------------------------------------------------------------
// server
// -------------------------------------------------------------------------------------

export const startGateway = async (options: GatewayOptions): Promise<Gateway> => {
  const lookup = registryCache(options.stateDir)
  const random = options.seed === undefined ? Math.random : seededRandom(options.seed)
  const client = upstream(MAX_PAYLOAD_BYTES)
  const invoke = invoker(lookup, random, client)

  const answer = (res: http.ServerResponse, a: InvokeAnswer): void => {
    // Raw header pairs: no header object for Node to copy and validate name by name.
    const out: string[] = ['x-Amzn-Invoked-Production-Variant', a.variant, 'Content-Length', String(a.body.length)]
    if (a.contentType !== undefined) out.push('Content-Type', a.contentType)
    if (a.customAttributes !== undefined) out.push('X-Amzn-SageMaker-Custom-Attributes', a.customAttributes)
    res.writeHead(200, out)
    // A small answer (most predictions) as latin1 text goes out in one write with the headers.
    if (a.body.length <= SMALL) res.end(a.body.toString('latin1'), 'latin1')
    else res.end(a.body)
  }

  const fail = (res: http.ServerResponse, error: GatewayError): void => {
    const r = errorResponse(error)
    const text = JSON.stringify(r.body)
    res.writeHead(r.status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': r.type, 'Content-Length': Buffer.byteLength(text) })
    res.end(text)
  }

  const invocations = async (name: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const body = await readAll(req, MAX_PAYLOAD_BYTES)
    if (body === undefined) return fail(res, { _tag: 'PayloadTooLarge', limit: MAX_PAYLOAD_BYTES })
    const h = req.headers
    const r = await invoke(name, {
      body,
      contentType: h['content-type'],
      accept: h['accept'],
      customAttributes: header(h, 'x-amzn-sagemaker-custom-attributes'),
      targetVariant: header(h, 'x-amzn-sagemaker-target-variant'),
    })
    if (E.isLeft(r)) fail(res, r.left)
    else answer(res, r.right)
  }

  // Asynchronous invocations: accepted at once, run in the background, awaited at close.
  const acceptAsyncCall = acceptAsync(lookup, invoke, store(s3Client(process.env['AWS_REGION'] ?? 'us-east-1')), process.cwd())
  const running = new Set<Promise<void>>()
  const asyncInvocations = async (name: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    // The body (an inline payload) is not used: the input is at InputLocation.
    await readAll(req, MAX_PAYLOAD_BYTES)
    const h = req.headers
    const accepted = acceptAsyncCall(name, {
      inputLocation: header(h, 'x-amzn-sagemaker-inputlocation'),
      contentType: header(h, 'x-amzn-sagemaker-content-type'),
      accept: header(h, 'x-amzn-sagemaker-accept'),
      customAttributes: header(h, 'x-amzn-sagemaker-custom-attributes'),
      inferenceId: header(h, 'x-amzn-sagemaker-inference-id'),
    })
    if (E.isLeft(accepted)) {
      const e = describeAsyncError(accepted.left)
      const text = JSON.stringify({ message: e.message })
      res.writeHead(e.status, ['Content-Type', 'application/json', 'x-amzn-ErrorType', e.type, 'Content-Length', String(Buffer.byteLength(text))])
      return void res.end(text)
    }
    const a = accepted.right
    const text = JSON.stringify({ InferenceId: a.inferenceId })
    const out = ['Content-Type', 'application/json', 'X-Amzn-SageMaker-OutputLocation', a.outputLocation, 'Content-Length', String(Buffer.byteLength(text))]
    if (a.failureLocation !== undefined) out.push('X-Amzn-SageMaker-FailureLocation', a.failureLocation)
    res.writeHead(202, out)
    res.end(text)
    const p = a.run()
    running.add(p)
    void p.finally(() => running.delete(p))
  }

  const INVOCATIONS = /^\/endpoints\/([^/?]+)\/invocations(?:\?.*)?$/
  const ASYNC_INVOCATIONS = /^\/endpoints\/([^/?]+)\/async-invocations(?:\?.*)?$/
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/'
    const m = INVOCATIONS.exec(path)
    const done = (p: Promise<void>): void => {
      p.catch((e: unknown) => {
        if (!res.headersSent) fail(res, { _tag: 'Internal', message: (e as Error).message })
        else res.destroy()
      })
    }
    if (req.method === 'POST' && m !== null) return done(invocations(decodeURIComponent(m[1]!), req, res))
    const a = req.method === 'POST' ? ASYNC_INVOCATIONS.exec(path) : null
    if (a !== null) return done(asyncInvocations(decodeURIComponent(a[1]!), req, res))
    if (req.method === 'GET' && path === '/ping') {
      const text = JSON.stringify({ service: GATEWAY_SERVICE, stateDir: options.stateDir, pid: process.pid })
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
      return void res.end(text)
    }
    req.resume()
    fail(res, { _tag: 'UnknownOperation', method: req.method ?? '?', path })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port

  let resolveClosed!: () => void
  const closed = new Promise<void>((r) => (resolveClosed = r))
  let idleTimer: NodeJS.Timeout | undefined
  const close = async (): Promise<void> => {
    if (idleTimer !== undefined) clearInterval(idleTimer)
    idleTimer = undefined
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
    await Promise.all([...running])
    client.close()
    resolveClosed()
  }

  if (options.idleExitMs !== undefined) {
    const idleMs = options.idleExitMs
    let emptySince: number | undefined
    idleTimer = setInterval(
      () => {
        if (listEndpoints(options.stateDir).length > 0) emptySince = undefined
        else if (emptySince === undefined) emptySince = Date.now()
        else if (Date.now() - emptySince >= idleMs) void close()
      },
      Math.max(50, Math.min(1000, Math.floor(idleMs / 4))),
    )
  }

  return { url: `http://127.0.0.1:${port}`, port, closed, close }
}
