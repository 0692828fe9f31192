import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient, ValidationError } from '@aws-sdk/client-sagemaker-runtime'
import { relative } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { startGateway, type Gateway } from '../../../src/local/serving/gateway.js'
import { deleteEndpoint, putEndpoint, type EndpointRecord, type VariantRoute } from '../../../src/local/serving/registry.js'
import { pickVariant, seededRandom } from '../../../src/local/serving/routing.js'
import { alive, ensureGateway, readGatewayRecord, stopGateway } from '../../../src/local/serving/daemon.js'
import { cleanupDirs, ECHO_MODEL, modelDir, startContainer, tempDir, type FakeContainer } from './support.js'

const dirs: string[] = []
const containers: FakeContainer[] = []
let root: string
let modelA: FakeContainer
let modelB: FakeContainer

const start = async (dir: string): Promise<FakeContainer> => {
  const c = await startContainer(dir)
  containers.push(c)
  return c
}

const single = (name: string, c: FakeContainer, weight = 1): VariantRoute => ({ name, weight, containers: [{ name: 'primary', addresses: [{ port: c.port }] }] })

const invoke = async (g: Gateway, endpoint: string, body: string, headers: Record<string, string> = {}) => {
  const r = await fetch(`${g.url}/endpoints/${endpoint}/invocations`, { method: 'POST', body, headers: { 'content-type': 'text/csv', ...headers } })
  return { status: r.status, text: await r.text(), headers: r.headers }
}

beforeAll(async () => {
  root = tempDir(dirs)
  modelA = await start(modelDir(root, 'a', ECHO_MODEL, { 'model.txt': 'model-a' }))
  modelB = await start(modelDir(root, 'b', ECHO_MODEL, { 'model.txt': 'model-b' }))
})

afterAll(async () => {
  await Promise.all(containers.splice(0).map((c) => c.stop()))
  cleanupDirs(dirs)
})

describe('the gateway', () => {
  let gateway: Gateway | undefined
  let state: string
  const open = async (seed?: number): Promise<Gateway> => {
    state = tempDir(dirs)
    gateway = await startGateway({ stateDir: state, ...(seed === undefined ? {} : { seed }) })
    return gateway
  }
  afterEach(async () => {
    await gateway?.close()
    gateway = undefined
  })

  it('serves two endpoints of different models at once, each with its own model', async () => {
    const g = await open()
    putEndpoint(state, { name: 'ep-a', variants: [single('AllTraffic', modelA)] })
    putEndpoint(state, { name: 'ep-b', variants: [single('AllTraffic', modelB)] })
    const [a, b] = await Promise.all([invoke(g, 'ep-a', '1,2'), invoke(g, 'ep-b', '3,4')])
    expect(a).toMatchObject({ status: 200, text: 'model-a:1,2' })
    expect(b).toMatchObject({ status: 200, text: 'model-b:3,4' })
    expect(a.headers.get('content-type')).toBe('text/plain')
    expect(a.headers.get('x-amzn-invoked-production-variant')).toBe('AllTraffic')
  })

  it('routes by TargetVariant whatever the weights, and refuses an unknown variant', async () => {
    const g = await open()
    putEndpoint(state, { name: 'ep', variants: [single('one', modelA, 1), single('two', modelB, 0)] })
    const r = await invoke(g, 'ep', 'x', { 'X-Amzn-SageMaker-Target-Variant': 'two' })
    expect(r).toMatchObject({ status: 200, text: 'model-b:x' })
    expect(r.headers.get('x-amzn-invoked-production-variant')).toBe('two')
    const bad = await invoke(g, 'ep', 'x', { 'X-Amzn-SageMaker-Target-Variant': 'three' })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('x-amzn-errortype')).toBe('ValidationError')
    expect(bad.text).toContain('one, two')
  })

  it('splits traffic by weight: the seeded draw is reproducible and follows the weights', async () => {
    const variants = [single('light', modelA, 1), single('heavy', modelB, 3)]
    const counts = async (): Promise<Record<string, number>> => {
      const g = await open(7)
      putEndpoint(state, { name: 'ep', variants })
      const seen: Record<string, number> = { light: 0, heavy: 0 }
      for (let i = 0; i < 200; i++) {
        const r = await invoke(g, 'ep', String(i))
        seen[r.headers.get('x-amzn-invoked-production-variant')!]! += 1
        expect(r.text.startsWith(r.headers.get('x-amzn-invoked-production-variant') === 'light' ? 'model-a' : 'model-b')).toBe(true)
      }
      await g.close()
      return seen
    }
    const first = await counts()
    expect(await counts()).toEqual(first)
    // The same seed through the pure choice gives the same split.
    const random = seededRandom(7)
    const expected: Record<string, number> = { light: 0, heavy: 0 }
    for (let i = 0; i < 200; i++) {
      const v = pickVariant(random, undefined)({ name: 'ep', variants })
      expected[E.isRight(v) ? v.right.name : 'none']! += 1
    }
    expect(first).toEqual(expected)
    expect(first.heavy! + first.light!).toBe(200)
    expect(first.heavy!).toBeGreaterThan(first.light! * 2)
  })

  it('chains the containers of an inference pipeline, each output the next input with its content type', async () => {
    const stage = (tag: string) => `
def model_fn(model_dir):
    return "${tag}"
def transform_fn(model, body, content_type, accept):
    return body.decode() + "|" + model + "(" + str(content_type) + "->" + str(accept) + ")", "application/x-${tag}"
`
    const first = await start(modelDir(root, 'first', stage('first')))
    const second = await start(modelDir(root, 'second', stage('second')))
    const g = await open()
    putEndpoint(state, {
      name: 'pipe',
      variants: [{ name: 'AllTraffic', weight: 1, containers: [{ name: 'featurizer', addresses: [{ port: first.port }] }, { name: 'model', addresses: [{ port: second.port }] }] }],
    })
    const r = await invoke(g, 'pipe', 'in', { accept: 'text/csv' })
    expect(r.status).toBe(200)
    expect(r.text).toBe('in|first(text/csv->None)|second(application/x-first->text/csv)')
    expect(r.headers.get('content-type')).toBe('application/x-second')
  })

  it('answers the AWS SDK: body, content type, variant, custom attributes; ModelError and ValidationError', async () => {
    const failing = await start(modelDir(root, 'failing', `
def model_fn(model_dir):
    return None
def predict_fn(data, model):
    raise ValueError("cannot predict " + str(data))
`))
    const g = await open()
    putEndpoint(state, { name: 'ep-a', variants: [single('AllTraffic', modelA)] })
    putEndpoint(state, { name: 'broken', variants: [single('AllTraffic', failing)] })
    const client = new SageMakerRuntimeClient({ endpoint: g.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 })
    try {
      const out = await client.send(new InvokeEndpointCommand({ EndpointName: 'ep-a', Body: new TextEncoder().encode('5,6'), ContentType: 'text/csv', CustomAttributes: 'trace=1' }))
      expect(new TextDecoder().decode(out.Body)).toBe('model-a:5,6')
      expect(out.ContentType).toBe('text/plain')
      expect(out.InvokedProductionVariant).toBe('AllTraffic')
      const err = await client.send(new InvokeEndpointCommand({ EndpointName: 'broken', Body: new TextEncoder().encode('1,2'), ContentType: 'text/csv' })).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ModelError)
      expect((err as ModelError).OriginalStatusCode).toBe(500)
      expect((err as ModelError).OriginalMessage).toBe('ValueError: cannot predict [[1, 2]]')
      expect((err as ModelError).message).toContain('from primary')
      const missing = await client.send(new InvokeEndpointCommand({ EndpointName: 'nowhere', Body: new Uint8Array(1) })).catch((e: unknown) => e)
      expect(missing).toBeInstanceOf(ValidationError)
      expect((missing as ValidationError).message).toContain('Endpoint nowhere not found')
    } finally {
      client.destroy()
    }
  })

  it('keeps answering while an endpoint is updated in place and after its old container is gone', async () => {
    const old = await start(modelDir(root, 'old', ECHO_MODEL, { 'model.txt': 'old' }))
    const g = await open()
    putEndpoint(state, { name: 'live', variants: [single('AllTraffic', old)] })
    const answers: string[] = []
    let switched = false
    let after = 0
    const loop = (async () => {
      // Keep asking until well after the switch and the old container's removal.
      while (after < 20) {
        const r = await invoke(g, 'live', 'q')
        answers.push(`${r.status} ${r.text}`)
        if (switched) after += 1
      }
    })()
    while (answers.length < 5) await new Promise((r) => setImmediate(r))
    // An update: new containers first, then the switch, then the old ones removed.
    const fresh = await start(modelDir(root, 'new', ECHO_MODEL, { 'model.txt': 'new' }))
    putEndpoint(state, { name: 'live', variants: [single('AllTraffic', fresh)] })
    await old.stop()
    switched = true
    await loop
    expect(answers.filter((a) => !a.startsWith('200 '))).toEqual([])
    expect(answers[0]).toBe('200 old:q')
    expect(answers.at(-1)).toBe('200 new:q')
    // Deleted: unknown again.
    deleteEndpoint(state, 'live')
    expect((await invoke(g, 'live', 'q')).status).toBe(400)
  })
})

describe('ensureGateway', () => {
  it('starts one detached gateway per state folder, reuses it, and it exits by itself once no endpoint is left', async () => {
    const state = tempDir(dirs)
    putEndpoint(state, { name: 'ep-a', variants: [single('AllTraffic', modelA)] })
    const first = await ensureGateway(state, { idleExitMs: 300 })
    if (E.isLeft(first)) throw new Error(first.left)
    try {
      expect(readGatewayRecord(state)).toEqual(first.right)
      // Found again, also when the folder is named relatively.
      const again = await ensureGateway(relative(process.cwd(), state), { idleExitMs: 300 })
      expect(E.isRight(again) && again.right.pid).toBe(first.right.pid)
      const r = await fetch(`${first.right.url}/endpoints/ep-a/invocations`, { method: 'POST', body: 'z' })
      expect(await r.text()).toBe('model-a:z')
      deleteEndpoint(state, 'ep-a')
      const deadline = Date.now() + 20_000
      while (alive(first.right.pid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50))
      expect(alive(first.right.pid)).toBe(false)
      expect(readGatewayRecord(state)).toBeUndefined()
    } finally {
      await stopGateway(state)
    }
  })
})
