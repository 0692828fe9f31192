import { afterAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import * as http from 'node:http'
import * as net from 'node:net'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describeNotReady, waitReady } from '../../../src/local/serving/readiness.js'
import { cleanupDirs, MODEL_SERVER, onLines, modelDir, startContainer, tempDir, type FakeContainer } from './support.js'

const dirs: string[] = []
const started: FakeContainer[] = []
afterAll(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop()))
  cleanupDirs(dirs)
})

const start = async (dir: string, env: Record<string, string> = {}): Promise<FakeContainer> => {
  const c = await startContainer(dir, env)
  started.push(c)
  return c
}

const request = (port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}, agent?: http.Agent) =>
  new Promise<{ status: number; text: string; type: string | undefined; socket: unknown }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, ...(agent ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString(), type: res.headers['content-type'], socket: req.socket }))
    })
    req.on('error', reject)
    req.end(body)
  })

// A model that is a Python callable: the default input/predict/output handlers do the rest.
const SUM_MODEL = `
def model_fn(model_dir):
    return lambda rows: [sum(r) for r in rows] if isinstance(rows[0], list) else {"n": len(rows)}
`

describe('model_server.py', () => {
  it('answers /ping, /execution-parameters and CSV/JSON with the default handlers', async () => {
    const c = await start(modelDir(tempDir(dirs), 'm', SUM_MODEL), { SAGESPEC_MAX_PAYLOAD_IN_MB: '2' })
    expect((await request(c.port, 'GET', '/ping')).status).toBe(200)
    const params = await request(c.port, 'GET', '/execution-parameters')
    expect(JSON.parse(params.text)).toMatchObject({ BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 2 })
    const csv = await request(c.port, 'POST', '/invocations', '1,2,3\n4,5.5,6\n', { 'content-type': 'text/csv', accept: 'text/csv' })
    expect(csv).toMatchObject({ status: 200, text: '6\n15.5\n', type: 'text/csv' })
    const json = await request(c.port, 'POST', '/invocations', '[[1,2],[3,4]]', { 'content-type': 'application/json', accept: 'application/json' })
    expect(json).toMatchObject({ status: 200, text: '[3, 7]', type: 'application/json' })
    const noAccept = await request(c.port, 'POST', '/invocations', '[1,2]', { 'content-type': 'application/json' })
    expect(noAccept).toMatchObject({ status: 200, text: '{"n": 2}', type: 'application/json' })
    expect((await request(c.port, 'POST', '/invocations', 'x', { 'content-type': 'image/png' })).status).toBe(415)
    expect((await request(c.port, 'POST', '/invocations', '[[1]]', { 'content-type': 'application/json', accept: 'image/png' })).status).toBe(406)
  })

  it('keeps the connection alive between requests', async () => {
    const c = await start(modelDir(tempDir(dirs), 'm', SUM_MODEL))
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const a = await request(c.port, 'POST', '/invocations', '1,1', { 'content-type': 'text/csv', accept: 'text/csv' }, agent)
      const b = await request(c.port, 'POST', '/invocations', '2,2', { 'content-type': 'text/csv', accept: 'text/csv' }, agent)
      expect([a.text, b.text]).toEqual(['2\n', '4\n'])
      expect(a.socket).toBe(b.socket)
    } finally {
      agent.destroy()
    }
  })

  it('loads SAGEMAKER_PROGRAM from SAGEMAKER_SUBMIT_DIRECTORY with input_fn/predict_fn/output_fn, and a failing handler is a 500 with its message', async () => {
    const root = tempDir(dirs)
    const model = join(root, 'model')
    mkdirSync(model)
    writeFileSync(join(model, 'factor'), '10')
    const code = join(root, 'code')
    mkdirSync(code)
    writeFileSync(join(code, 'helper.py'), 'def scale(x, f):\n    return x * f\n')
    writeFileSync(join(code, 'serve.py'), `
import os
from helper import scale
def model_fn(model_dir):
    return int(open(os.path.join(model_dir, "factor")).read())
def input_fn(body, content_type):
    return int(body)
def predict_fn(data, model):
    if data < 0:
        raise ValueError("negative")
    return scale(data, model)
def output_fn(prediction, accept):
    return "v=%d" % prediction, "text/x-value"
`)
    const c = await start(model, { SAGEMAKER_PROGRAM: 'serve.py', SAGEMAKER_SUBMIT_DIRECTORY: code })
    expect(await request(c.port, 'POST', '/invocations', '4')).toMatchObject({ status: 200, text: 'v=40', type: 'text/x-value' })
    expect(await request(c.port, 'POST', '/invocations', '-1')).toMatchObject({ status: 500, text: 'ValueError: negative' })
  })
})

describe('waitReady', () => {
  it('resolves once the server answers /ping', async () => {
    const c = await start(modelDir(tempDir(dirs), 'm', SUM_MODEL))
    const r = await waitReady({ port: c.port, exited: c.exited, lastLines: () => c.lines, deadlineMs: 30_000 })
    expect(E.isRight(r)).toBe(true)
  })

  it('fails fast with the last log lines when the container exits before answering', async () => {
    const root = tempDir(dirs)
    const model = modelDir(root, 'm', 'def model_fn(model_dir):\n    raise RuntimeError("no weights in " + model_dir)\n')
    const child = spawn('python3', ['-u', MODEL_SERVER], { env: { ...process.env, SM_MODEL_DIR: model, SAGEMAKER_BIND_TO_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    const lines: string[] = []
    onLines(child.stderr, (l) => lines.push(l))
    const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? 1)))
    // Nothing listens on a port of a closed server.
    const port = await freePort()
    const r = await waitReady({ port, exited, lastLines: () => lines, deadlineMs: 120_000 })
    expect(E.isLeft(r) && r.left._tag).toBe('Exited')
    if (E.isLeft(r)) {
      const message = describeNotReady('the model server', r.left)
      expect(message).toContain('exited with code 1 before answering GET /ping')
      expect(message).toContain('RuntimeError: no weights in')
    }
  })

  it('gives up after the deadline when the container accepts but never answers', async () => {
    const silent = net.createServer(() => undefined)
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    try {
      const port = (silent.address() as net.AddressInfo).port
      const r = await waitReady({ port, exited: new Promise(() => undefined), lastLines: () => ['still loading'], deadlineMs: 300, requestTimeoutMs: 100 })
      expect(E.isLeft(r) && r.left._tag).toBe('TimedOut')
      if (E.isLeft(r)) expect(describeNotReady('c', r.left)).toContain('still loading')
    } finally {
      silent.close()
    }
  })
})

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
