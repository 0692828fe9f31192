/**
 * A loopback HTTP proxy in front of moto for the AWS tests. It forwards every request and records
 * each one (service, operation, JSON body), and can be scripted to answer as the real service does
 * when things go wrong: throttling, a training job that stays InProgress for a number of polls, a
 * job that fails with a reason. It also answers StopTrainingJob, which moto lacks, as SageMaker does.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'

export interface Captured {
  /** From the signature's credential scope: `sagemaker`, `s3`, `logs`, `sagemaker` (runtime signs as sagemaker too). */
  readonly service: string
  /** `CreateTrainingJob`, `PutObject`… (REST operations are named from the method and path). */
  readonly operation: string
  readonly method: string
  readonly path: string
  /** The JSON body of a JSON-protocol call; undefined otherwise. */
  readonly body: unknown
  /** What the proxy did: forwarded to moto, answered a fault, or answered for moto (StopTrainingJob). */
  readonly answered: 'forwarded' | 'throttled' | 'emulated' | 'garbled'
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`: point AWS_ENDPOINT_URL here. */
  readonly endpoint: string
  readonly requests: ReadonlyArray<Captured>
  /** The next `times` calls of `operation` answer HTTP 400 ThrottlingException. */
  readonly throttle: (operation: string, times: number) => void
  /** The next call of `operation` answers `status` with an HTML page, as a proxy or load balancer in the way would. */
  readonly garble: (operation: string, status: number) => void
  /** The next `polls` DescribeTrainingJob answers for `job` say InProgress (Infinity: until released or stopped). */
  readonly hold: (job: string, polls: number) => void
  readonly release: (job: string) => void
  /** DescribeTrainingJob answers for `job` say Failed, with `reason`. */
  readonly fail: (job: string, reason: string) => void
  /** Answer every call of `operation` (a JSON-protocol one moto lacks, e.g. DescribeAlgorithm) with `output`. */
  readonly answer: (operation: string, output: unknown) => void
  /** Calls of `operation` so far (forwarded or not). */
  readonly count: (operation: string, answered?: Captured['answered']) => number
  readonly close: () => Promise<void>
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((res, rej) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => res(Buffer.concat(chunks)))
    req.on('error', rej)
  })

const serviceOf = (headers: IncomingHttpHeaders): string => /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(headers['authorization'] ?? ''))?.[1] ?? 'unknown'

/** The S3 REST operation a method and URL stand for (the ones the SDK sends in these tests). */
const s3Operation = (method: string, url: URL): string => {
  const parts = url.pathname.split('/').filter((p) => p !== '')
  const q = url.searchParams
  if (parts.length <= 1) {
    if (method === 'PUT') return 'CreateBucket'
    if (method === 'HEAD') return 'HeadBucket'
    if (method === 'GET') return q.get('list-type') === '2' ? 'ListObjectsV2' : parts.length === 0 ? 'ListBuckets' : 'ListObjects'
    if (method === 'DELETE') return 'DeleteBucket'
  }
  if (method === 'HEAD') return 'HeadObject'
  if (method === 'GET') return 'GetObject'
  if (method === 'DELETE') return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject'
  if (method === 'PUT') return q.has('partNumber') ? 'UploadPart' : 'PutObject'
  if (method === 'POST') return q.has('uploads') ? 'CreateMultipartUpload' : q.has('uploadId') ? 'CompleteMultipartUpload' : 'PostObject'
  return `${method} ${url.pathname}`
}

const operationOf = (req: IncomingMessage, service: string): string => {
  const target = req.headers['x-amz-target']
  if (typeof target === 'string') return target.slice(target.indexOf('.') + 1)
  const url = new URL(req.url ?? '/', 'http://x')
  if (/^\/endpoints\/[^/]+\/invocations$/.test(url.pathname)) return 'InvokeEndpoint'
  if (service === 's3') return s3Operation(req.method ?? 'GET', url)
  return `${req.method} ${url.pathname}`
}

const json = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Start the proxy on a free loopback port in front of `target` (moto's endpoint). */
export const startFaultProxy = async (target: string): Promise<FaultProxy> => {
  const upstream = new URL(target)
  const requests: Captured[] = []
  const throttles = new Map<string, number>()
  const holds = new Map<string, number>()
  const answers = new Map<string, unknown>()
  const failures = new Map<string, string>()
  const stopped = new Set<string>()
  const garbles = new Map<string, number>()

  const rewrite = (operation: string, body: unknown, text: string): string => {
    if (operation !== 'DescribeTrainingJob' || typeof body !== 'object' || body === null) return text
    const job = (body as { TrainingJobName?: string }).TrainingJobName ?? ''
    const out = json(text) as Record<string, unknown> | undefined
    if (out === undefined || out['TrainingJobStatus'] === undefined) return text
    if (stopped.has(job)) return JSON.stringify({ ...out, TrainingJobStatus: 'Stopped', SecondaryStatus: 'Stopped' })
    const reason = failures.get(job)
    if (reason !== undefined) return JSON.stringify({ ...out, TrainingJobStatus: 'Failed', SecondaryStatus: 'Failed', FailureReason: reason })
    const left = holds.get(job) ?? 0
    if (left <= 0) return text
    holds.set(job, left - 1)
    const transitions = Array.isArray(out['SecondaryStatusTransitions']) ? (out['SecondaryStatusTransitions'] as unknown[]).slice(0, 1) : undefined
    const { ModelArtifacts: _artifacts, TrainingEndTime: _end, FinalMetricDataList: _metrics, ...running } = out
    return JSON.stringify({ ...running, TrainingJobStatus: 'InProgress', SecondaryStatus: 'Training', ...(transitions === undefined ? {} : { SecondaryStatusTransitions: transitions }) })
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req)
    const service = serviceOf(req.headers)
    const operation = operationOf(req, service)
    const isJson = typeof req.headers['x-amz-target'] === 'string'
    const body = isJson ? json(raw.toString('utf8')) : undefined
    const base = { service, operation, method: req.method ?? 'GET', path: req.url ?? '/', body }
    const left = throttles.get(operation) ?? 0
    if (left > 0) {
      throttles.set(operation, left - 1)
      requests.push({ ...base, answered: 'throttled' })
      const payload = JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' })
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException', 'content-length': Buffer.byteLength(payload) })
      res.end(payload)
      return
    }
    const garbled = garbles.get(operation)
    if (garbled !== undefined) {
      garbles.delete(operation)
      requests.push({ ...base, answered: 'garbled' })
      const page = `<!doctype html><html><body><h1>${garbled}</h1></body></html>`
      res.writeHead(garbled, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page) })
      res.end(page)
      return
    }
    if (answers.has(operation)) {
      const payload = JSON.stringify(answers.get(operation))
      requests.push({ ...base, answered: 'emulated' })
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(payload) })
      res.end(payload)
      return
    }
    if (operation === 'StopTrainingJob') {
      // moto has no StopTrainingJob: answer as SageMaker does, and report the job Stopped from now on.
      const job = String((body as { TrainingJobName?: unknown } | undefined)?.TrainingJobName)
      holds.delete(job)
      stopped.add(job)
      requests.push({ ...base, answered: 'emulated' })
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': 2 })
      res.end('{}')
      return
    }
    requests.push({ ...base, answered: 'forwarded' })
    const headers = { ...req.headers }
    delete headers['transfer-encoding']
    delete headers['accept-encoding']
    headers['content-length'] = String(raw.length)
    const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const up = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (r) => {
        readBody(r).then((b) => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: b }), reject)
      })
      up.on('error', reject)
      up.end(raw)
    })
    const text = isJson && answer.status === 200 ? rewrite(operation, body, answer.body.toString('utf8')) : undefined
    const out = text === undefined ? answer.body : Buffer.from(text, 'utf8')
    const outHeaders = { ...answer.headers }
    delete outHeaders['transfer-encoding']
    // A HEAD answer's length is the object's, not this (empty) body's.
    if (req.method !== 'HEAD') outHeaders['content-length'] = String(out.length)
    res.writeHead(answer.status, outHeaders)
    res.end(req.method === 'HEAD' ? undefined : out)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`fault proxy: ${e instanceof Error ? e.message : String(e)}`)
    })
  })
  await new Promise<void>((res, rej) => {
    server.once('error', rej)
    server.listen(0, '127.0.0.1', () => res())
  })
  const port = (server.address() as { port: number }).port
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    throttle: (operation, times) => void throttles.set(operation, times),
    garble: (operation, status) => void garbles.set(operation, status),
    hold: (job, polls) => void holds.set(job, polls),
    release: (job) => void holds.delete(job),
    answer: (operation, output) => void answers.set(operation, output),
    fail: (job, reason) => void failures.set(job, reason),
    count: (operation, answered) => requests.filter((r) => r.operation === operation && (answered === undefined || r.answered === answered)).length,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections()
        server.close(() => res())
      }),
  }
}
