/**
 * InvokeEndpointAsync on this machine: the AWS SDK's InvokeEndpointAsyncCommand pointed at the
 * gateway, and the local backend in process — 202 with an inference id and the output location,
 * the answer written to <S3OutputPath>/<id>.out, a failure to <S3FailurePath>/<id>-error.out, and
 * the runtime's errors for what cannot be accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient, ValidationError } from '@aws-sdk/client-sagemaker-runtime'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Backend } from '../../../src/interpret/execute/port.js'
import type { Gateway } from '../../../src/local/serving/gateway.js'
import { putEndpoint } from '../../../src/local/serving/registry.js'
import { cleanupDirs, ECHO_MODEL, modelDir, startContainer, startServingSides, tempDir, type FakeContainer, type ServingSides } from './support.js'

const dirs: string[] = []
const containers: FakeContainer[] = []
let root: string
let gateway: Gateway
let client: SageMakerRuntimeClient
let backend: Backend
let sides: ServingSides | undefined

/** Poll for a file the background inference writes; no fixed sleep. */
const written = async (uri: string, timeoutMs = 20_000): Promise<string> => {
  const path = fileURLToPath(uri)
  const deadline = Date.now() + timeoutMs
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} was not written`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return readFileSync(path, 'utf8')
}

beforeAll(async () => {
  root = tempDir(dirs)
  const state = join(root, 'state')
  const a = await startContainer(modelDir(root, 'a', ECHO_MODEL, { 'model.txt': 'model-a' }))
  const failing = await startContainer(modelDir(root, 'failing', `
def model_fn(model_dir):
    return None
def predict_fn(data, model):
    raise ValueError("cannot predict " + str(data))
`))
  containers.push(a, failing)
  const route = (c: FakeContainer) => [{ name: 'AllTraffic', weight: 1, containers: [{ name: 'primary', addresses: [{ port: c.port }] }] }]
  const out = `file://${join(root, 'out')}`
  const fail = `file://${join(root, 'fail')}`
  putEndpoint(state, { name: 'async-a', variants: route(a), async: { outputPath: out, failurePath: fail } })
  putEndpoint(state, { name: 'async-broken', variants: route(failing), async: { outputPath: out, failurePath: fail } })
  putEndpoint(state, { name: 'realtime', variants: route(a) })
  writeFileSync(join(root, 'in.csv'), '1,2')
  sides = await startServingSides(state, root)
  ;({ gateway, client, backend } = sides)
})

afterAll(async () => {
  await sides?.close()
  await Promise.all(containers.splice(0).map((c) => c.stop()))
  cleanupDirs(dirs)
})

describe('InvokeEndpointAsync', () => {
  it('through the gateway: 202, the inference id and where the answer goes; the answer is written there', async () => {
    const out = await client.send(new InvokeEndpointAsyncCommand({ EndpointName: 'async-a', InputLocation: `file://${join(root, 'in.csv')}`, ContentType: 'text/csv' }))
    expect(out.$metadata.httpStatusCode).toBe(202)
    expect(out.InferenceId).toMatch(/^[0-9a-f-]{36}$/)
    expect(out.OutputLocation).toBe(`file://${join(root, 'out')}/${out.InferenceId}.out`)
    expect(out.FailureLocation).toBe(`file://${join(root, 'fail')}/${out.InferenceId}-error.out`)
    expect(await written(out.OutputLocation!)).toBe('model-a:1,2')
  })

  it('a failing model writes its error to the failure location, under the id the caller chose', async () => {
    const out = await client.send(new InvokeEndpointAsyncCommand({ EndpointName: 'async-broken', InputLocation: `file://${join(root, 'in.csv')}`, ContentType: 'text/csv', InferenceId: 'mine-1' }))
    expect(out.InferenceId).toBe('mine-1')
    expect(await written(out.FailureLocation!)).toContain('ModelError: Received server error (500) from primary with message "ValueError: cannot predict [[1, 2]]"')
    expect(existsSync(fileURLToPath(out.OutputLocation!))).toBe(false)
  })

  it('refuses an endpoint without AsyncInferenceConfig, an unknown one, and a missing input location', async () => {
    const send = (input: ConstructorParameters<typeof InvokeEndpointAsyncCommand>[0]) => client.send(new InvokeEndpointAsyncCommand(input)).catch((e: unknown) => e)
    const notAsync = await send({ EndpointName: 'realtime', InputLocation: `file://${join(root, 'in.csv')}` })
    expect(notAsync).toBeInstanceOf(ValidationError)
    expect((notAsync as Error).message).toContain('no AsyncInferenceConfig')
    expect(await send({ EndpointName: 'nowhere', InputLocation: `file://${join(root, 'in.csv')}` })).toBeInstanceOf(ValidationError)
    const noInput = await send({ EndpointName: 'async-a', InputLocation: 'ftp://x/y' })
    expect((noInput as Error).message).toContain('InputLocation')
  })

  it('in process through the local backend: the same answer, the same places', async () => {
    const out = await backend.send('InvokeEndpointAsync', { EndpointName: 'async-a', InputLocation: 'file://in.csv', ContentType: 'text/csv', InferenceId: 'here-1' })
    expect(out).toEqual({ InferenceId: 'here-1', OutputLocation: `file://${join(root, 'out')}/here-1.out`, FailureLocation: `file://${join(root, 'fail')}/here-1-error.out` })
    expect(await written(out.OutputLocation!)).toBe('model-a:1,2')
    const refused = await backend.send('InvokeEndpointAsync', { EndpointName: 'realtime', InputLocation: 'file://in.csv' }).catch((e: Error) => e)
    expect(refused).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('no AsyncInferenceConfig') })
  })
})
