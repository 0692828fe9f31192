/**
 * The local gateway: one long-lived loopback HTTP server that speaks the SageMaker Runtime API
 * (`POST /endpoints/<name>/invocations`) for every local endpoint at once, so the AWS SDK, boto3
 * (`AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`), curl and `sagespec predict` reach any of them by name.
 *
 * Routing comes from the endpoint registry (`registry.ts`), rechecked on every request with one
 * `stat`, so endpoints are created, updated and deleted while the gateway serves. A request whose
 * container cannot be reached (it was just replaced by an update) is retried once on the routing
 * read afresh; for that the request body is held (at most the 6 MB InvokeEndpoint accepts), while
 * the last container's answer streams straight back to the caller.
 *
 * @since 0.2.0
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { listEndpoints, registryCache, type ContainerRoute, type EndpointRecord, type VariantRoute } from './registry.js'
import { errorResponse, pickVariant, seededRandom, type GatewayError } from './routing.js'

/** Up to this size a body is sent in the same write as its headers: half the syscalls and wake-ups. */
const SMALL = 64 * 1024

/** InvokeEndpoint's payload limit. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024

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

// -------------------------------------------------------------------------------------
// talking to containers
// -------------------------------------------------------------------------------------

type Call =
  | { readonly _tag: 'Answered'; readonly response: http.IncomingMessage }
  | { readonly _tag: 'Unreachable'; readonly cause: string }

const post = (agent: http.Agent, port: number, body: Buffer, headers: http.OutgoingHttpHeaders): Promise<Call> =>
  new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/invocations', agent, headers: { ...headers, 'content-length': body.length } },
      (response) => resolve({ _tag: 'Answered', response }),
    )
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ _tag: 'Unreachable', cause: e.code ?? e.message }))
    // A small body as latin1 text goes out in one write with the headers (a Buffer would be a second).
    if (body.length <= SMALL) req.end(body.toString('latin1'), 'latin1')
    else req.end(body)
  })

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
    stream.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)))
    stream.on('error', reject)
  })

const header = (h: http.IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name]
  return Array.isArray(v) ? v.join(', ') : v
}

/** Forwarded to every container, as the runtime does. */
const CUSTOM_ATTRIBUTES = 'x-amzn-sagemaker-custom-attributes'

type Outcome =
  | { readonly _tag: 'Answered' }
  | { readonly _tag: 'Failed'; readonly error: GatewayError }
  | { readonly _tag: 'Retry'; readonly error: GatewayError }

// -------------------------------------------------------------------------------------
// server
// -------------------------------------------------------------------------------------

export const startGateway = async (options: GatewayOptions): Promise<Gateway> => {
  const lookup = registryCache(options.stateDir)
  const random = options.seed === undefined ? Math.random : seededRandom(options.seed)
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1000 })
  // Round-robin over a container's instances.
  const turns = new Map<string, number>()
  const addressOf = (variant: VariantRoute, c: ContainerRoute): number => {
    const key = `${variant.name}/${c.name}`
    const n = turns.get(key) ?? 0
    turns.set(key, n + 1)
    return c.addresses[n % c.addresses.length]!.port
  }

  /** Run a variant's containers in order; the last one's answer streams to `res`. */
  const invoke = async (variant: VariantRoute, body: Buffer, req: http.IncomingMessage, res: http.ServerResponse): Promise<Outcome> => {
    let input = body
    let contentType = header(req.headers, 'content-type')
    const accept = header(req.headers, 'accept')
    const custom = header(req.headers, CUSTOM_ATTRIBUTES)
    for (const [i, container] of variant.containers.entries()) {
      const last = i === variant.containers.length - 1
      const port = addressOf(variant, container)
      const headers: http.OutgoingHttpHeaders = {}
      if (contentType !== undefined) headers['content-type'] = contentType
      // The caller's Accept is for what comes out of the endpoint: the last container.
      if (last && accept !== undefined) headers['accept'] = accept
      if (custom !== undefined) headers[CUSTOM_ATTRIBUTES] = custom
      const call = await post(agent, port, input, headers)
      if (call._tag === 'Unreachable') return { _tag: 'Retry', error: { _tag: 'Unreachable', container: container.name, port, cause: call.cause } }
      const { response } = call
      const status = response.statusCode ?? 500
      if (status < 200 || status > 299) {
        const text = (await readAll(response, 64 * 1024))?.toString('utf8') ?? ''
        return { _tag: 'Failed', error: { _tag: 'ContainerError', container: container.name, status, message: text } }
      }
      if (!last) {
        const out = await readAll(response, MAX_PAYLOAD_BYTES)
        if (out === undefined) return { _tag: 'Failed', error: { _tag: 'ContainerError', container: container.name, status: 413, message: 'its answer is larger than 6 MB' } }
        input = out
        contentType = header(response.headers, 'content-type')
        continue
      }
      const out: http.OutgoingHttpHeaders = { 'x-Amzn-Invoked-Production-Variant': variant.name }
      const ct = header(response.headers, 'content-type')
      if (ct !== undefined) out['Content-Type'] = ct
      const attrs = header(response.headers, CUSTOM_ATTRIBUTES)
      if (attrs !== undefined) out['X-Amzn-SageMaker-Custom-Attributes'] = attrs
      const length = header(response.headers, 'content-length')
      if (length !== undefined && Number(length) <= SMALL) {
        // Small answers (most predictions) whole, in one write; larger ones stream through.
        const whole = (await readAll(response, SMALL)) ?? Buffer.alloc(0)
        out['Content-Length'] = whole.length
        res.writeHead(200, out)
        res.end(whole.toString('latin1'), 'latin1')
        return { _tag: 'Answered' }
      }
      if (length !== undefined) out['Content-Length'] = length
      res.writeHead(200, out)
      response.pipe(res)
      await new Promise<void>((resolve) => {
        res.on('close', resolve)
        response.on('error', () => res.destroy())
      })
      return { _tag: 'Answered' }
    }
    // A variant always has a container (the backend writes none without); an empty one is a bug.
    throw new Error(`variant ${variant.name} has no container`)
  }

  const fail = (res: http.ServerResponse, error: GatewayError): void => {
    const r = errorResponse(error)
    const text = JSON.stringify(r.body)
    res.writeHead(r.status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': r.type, 'Content-Length': Buffer.byteLength(text) })
    res.end(text)
  }

  const route = (name: string, target: string | undefined): E.Either<GatewayError, VariantRoute> =>
    pipe(
      E.fromNullable<GatewayError>({ _tag: 'UnknownEndpoint', endpoint: name })(lookup(name)),
      E.flatMap((endpoint: EndpointRecord) => pickVariant(random, target)(endpoint)),
    )

  const invocations = async (name: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const body = await readAll(req, MAX_PAYLOAD_BYTES)
    if (body === undefined) return fail(res, { _tag: 'PayloadTooLarge', limit: MAX_PAYLOAD_BYTES })
    const target = header(req.headers, 'x-amzn-sagemaker-target-variant')
    // A second try reads the routing afresh: an update may have just replaced the containers.
    for (let attempt = 1; ; attempt++) {
      const variant = route(name, target)
      if (E.isLeft(variant)) return fail(res, variant.left)
      const outcome = await invoke(variant.right, body, req, res)
      if (outcome._tag === 'Answered') return
      if (outcome._tag === 'Failed' || attempt >= 2) return fail(res, outcome.error)
    }
  }

  const INVOCATIONS = /^\/endpoints\/([^/?]+)\/invocations(?:\?.*)?$/
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
    agent.destroy()
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
