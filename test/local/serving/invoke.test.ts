/**
 * The two ways to InvokeEndpoint a local endpoint give the same result: the local backend's
 * in-process routing (what `predictor` and `sagespec predict --target local` use) and the gateway
 * answering the AWS SDK (what boto3 and curl use) — the same bytes, content type, variant, custom
 * attributes, and the same errors by name, message and fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvokeEndpointCommand, SageMakerRuntimeClient, type InvokeEndpointCommandInput } from '@aws-sdk/client-sagemaker-runtime'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Backend } from '../../../src/interpret/execute/port.js'
import { readGatewayRecord } from '../../../src/local/serving/daemon.js'
import type { Gateway } from '../../../src/local/serving/gateway.js'
import { putEndpoint, type VariantRoute } from '../../../src/local/serving/registry.js'
import { predictor } from '../../../src/interpret/predict/predictor.js'
import { cleanupDirs, ECHO_MODEL, modelDir, startContainer, startServingSides, tempDir, type FakeContainer, type ServingSides } from './support.js'

const dirs: string[] = []
const containers: FakeContainer[] = []
let state: string
let gateway: Gateway
let backend: Backend
let sides: ServingSides | undefined
let client: SageMakerRuntimeClient

const single = (name: string, c: FakeContainer, weight = 1): VariantRoute => ({ name, weight, containers: [{ name: 'primary', addresses: [{ port: c.port }] }] })

beforeAll(async () => {
  const root = tempDir(dirs)
  state = join(root, 'state')
  const start = async (name: string, script: string, files: Record<string, string> = {}): Promise<FakeContainer> => {
    const c = await startContainer(modelDir(root, name, script, files))
    containers.push(c)
    return c
  }
  const a = await start('a', ECHO_MODEL, { 'model.txt': 'model-a' })
  const b = await start('b', ECHO_MODEL, { 'model.txt': 'model-b' })
  const attrs = await start('attrs', `
def model_fn(model_dir):
    return None
def transform_fn(model, body, content_type, accept):
    return "ct=%s accept=%s" % (content_type, accept), "application/x-seen"
`)
  const failing = await start('failing', `
def model_fn(model_dir):
    return None
def predict_fn(data, model):
    raise ValueError("cannot predict " + str(data))
`)
  const stage = (tag: string) => `
def model_fn(model_dir):
    return "${tag}"
def transform_fn(model, body, content_type, accept):
    return body.decode() + "|" + model + "(" + str(content_type) + "->" + str(accept) + ")", "application/x-${tag}"
`
  const first = await start('first', stage('first'))
  const second = await start('second', stage('second'))
  putEndpoint(state, { name: 'ep', variants: [single('one', a, 1), single('two', b, 0)] })
  putEndpoint(state, { name: 'seen', variants: [single('AllTraffic', attrs)] })
  putEndpoint(state, { name: 'broken', variants: [single('AllTraffic', failing)] })
  putEndpoint(state, { name: 'silent', variants: [single('AllTraffic', a, 0)] })
  putEndpoint(state, {
    name: 'pipe',
    variants: [{ name: 'AllTraffic', weight: 1, containers: [{ name: 'featurizer', addresses: [{ port: first.port }] }, { name: 'model', addresses: [{ port: second.port }] }] }],
  })
  sides = await startServingSides(state, root)
  ;({ gateway, client, backend } = sides)
})

afterAll(async () => {
  await sides?.close()
  await Promise.all(containers.splice(0).map((c) => c.stop()))
  cleanupDirs(dirs)
})

/** What a caller sees of an answer or an error, whichever path gave it. */
const seen = async (call: () => Promise<{ Body?: Uint8Array; ContentType?: string; InvokedProductionVariant?: string; CustomAttributes?: string }>) => {
  try {
    const out = await call()
    return { ok: true, body: new TextDecoder().decode(out.Body), contentType: out.ContentType, variant: out.InvokedProductionVariant, attributes: out.CustomAttributes }
  } catch (e) {
    const err = e as Error & Record<string, unknown>
    return { ok: false, name: err.name, message: err.message, fault: err['$fault'], status: (err['$metadata'] as { httpStatusCode?: number } | undefined)?.httpStatusCode, originalStatus: err['OriginalStatusCode'], originalMessage: err['OriginalMessage'] }
  }
}

const both = async (input: InvokeEndpointCommandInput) => {
  const inProcess = await seen(() => backend.send('InvokeEndpoint', input))
  const viaGateway = await seen(() => client.send(new InvokeEndpointCommand(input)))
  return { inProcess, viaGateway }
}

const CASES: ReadonlyArray<readonly [string, InvokeEndpointCommandInput, Record<string, unknown>]> = [
  ['an answer by weight', { EndpointName: 'ep', Body: new TextEncoder().encode('1,2'), ContentType: 'text/csv' }, { ok: true, body: 'model-a:1,2', contentType: 'text/plain', variant: 'one' }],
  ['TargetVariant over a weight of 0', { EndpointName: 'ep', Body: new TextEncoder().encode('x'), TargetVariant: 'two' }, { ok: true, body: 'model-b:x', variant: 'two' }],
  ['content type and accept passed on', { EndpointName: 'seen', Body: new TextEncoder().encode('x'), ContentType: 'text/csv', Accept: 'application/json' }, { ok: true, body: 'ct=text/csv accept=application/json', contentType: 'application/x-seen' }],
  ['an inference pipeline', { EndpointName: 'pipe', Body: new TextEncoder().encode('in'), ContentType: 'text/csv', Accept: 'text/csv' }, { ok: true, body: 'in|first(text/csv->None)|second(application/x-first->text/csv)', contentType: 'application/x-second' }],
  ['an unknown variant', { EndpointName: 'ep', Body: new TextEncoder().encode('x'), TargetVariant: 'three' }, { ok: false, name: 'ValidationError', status: 400 }],
  ['an unknown endpoint', { EndpointName: 'nowhere', Body: new TextEncoder().encode('x') }, { ok: false, name: 'ValidationError', status: 400 }],
  ['no traffic', { EndpointName: 'silent', Body: new TextEncoder().encode('x') }, { ok: false, name: 'ValidationError', status: 400 }],
  ['a model error', { EndpointName: 'broken', Body: new TextEncoder().encode('1,2'), ContentType: 'text/csv' }, { ok: false, name: 'ModelError', status: 424, originalStatus: 500, originalMessage: 'ValueError: cannot predict [[1, 2]]' }],
]

describe('in-process routing and the gateway', () => {
  for (const [what, input, expected] of CASES) {
    it(`answer alike: ${what}`, async () => {
      const { inProcess, viaGateway } = await both(input)
      expect(inProcess).toMatchObject(expected)
      expect(inProcess).toEqual(viaGateway)
    })
  }

  it('give the predictor the same answers and the same errors', async () => {
    const gatewayBackend: Backend = { ...backend, send: (async (op: string, input: InvokeEndpointCommandInput) => {
      if (op !== 'InvokeEndpoint') throw new Error(op)
      return client.send(new InvokeEndpointCommand(input))
    }) as Backend['send'] }
    for (const name of ['ep', 'broken', 'nowhere']) {
      const here = await predictor(name, { backend, contentType: 'text/csv' }).invoke(new TextEncoder().encode('7,8'))
      const there = await predictor(name, { backend: gatewayBackend, contentType: 'text/csv' }).invoke(new TextEncoder().encode('7,8'))
      const plain = (r: typeof here) => (E.isRight(r) ? { ...r.right, body: new TextDecoder().decode(r.right.body) } : r.left)
      expect(plain(here)).toEqual(plain(there))
      // In process indeed: no gateway daemon was started for the backend's calls.
      expect(readGatewayRecord(state)).toBeUndefined()
      expect(E.isRight(here) ? 'answer' : here.left._tag).toBe(name === 'ep' ? 'answer' : name === 'broken' ? 'ModelError' : 'ServiceError')
    }
  })
})
