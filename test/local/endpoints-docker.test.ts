/**
 * Local endpoints and batch transform on the Docker runtime, with the probe image as the model's
 * container (it answers /ping and echoes /invocations with its host name): the endpoint answers the
 * AWS SDK through the gateway, outlives the command, and the next command deletes it — no container
 * left. Skipped with the reason where no engine answers and CI is not set; in CI that is an error.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import type { Backend } from '../../src/interpret/execute/port.js'
import { createLocalBackend } from '../../src/local/backend.js'
import { createContext } from '../../src/local/context.js'
import { endpointHandlers } from '../../src/local/endpoints.js'
import { modelHandlers } from '../../src/local/models.js'
import { createDockerRuntime } from '../../src/local/runtime/docker.js'
import { readGatewayRecord, stopGateway } from '../../src/local/serving/daemon.js'
import { transformHandlers } from '../../src/local/transform.js'
import { PROBE_IMAGE, dockerForTests, tempFolder } from '../support/docker.js'

const ready = await dockerForTests()
const tag = randomBytes(3).toString('hex')

describe.skipIf(ready._tag === 'Skip')(`local endpoints on Docker${ready._tag === 'Skip' ? ` (skipped: ${ready.reason})` : ''}`, () => {
  if (ready._tag === 'Skip') return
  const { docker } = ready
  const folder = tempFolder('endpoints-docker')
  const stateDir = join(folder.path, 'state')
  const backends: Backend[] = []
  const backendFor = async (): Promise<Backend> => {
    const runtime = await createDockerRuntime()
    if ('unavailable' in runtime) throw new Error(runtime.unavailable)
    const b = createLocalBackend(createContext({ stateDir, baseDir: folder.path, runtime, region: 'us-west-2', stopGraceMs: 2000 }), [modelHandlers, endpointHandlers, transformHandlers])
    backends.push(b)
    return b
  }
  const containersOf = async (label: string) =>
    (await docker.listContainers({ all: true, filters: JSON.stringify({ label: [label] }) })).map((c) => c.Names.join(','))
  const until = async (backend: Backend, name: string, read: () => Promise<string | undefined>, want: ReadonlyArray<string>): Promise<string> => {
    for (;;) {
      const s = await read()
      if (s !== undefined && (want.includes(s) || s === 'Failed')) return s
      await backend.changed!(name, 1000)
    }
  }

  afterAll(async () => {
    for (const b of backends) await b.close()
    const runtime = await createDockerRuntime()
    if (!('unavailable' in runtime)) {
      await runtime.sweep({ 'sagespec.endpoint': `probe-${tag}` })
      await runtime.close()
    }
    await stopGateway(stateDir)
    folder.remove()
  })

  it('serves the probe behind the gateway; the endpoint outlives the command; the next one deletes it', async () => {
    let backend = await backendFor()
    const name = `probe-${tag}`
    await backend.send('CreateModel', { ModelName: 'probe', ExecutionRoleArn: 'arn:aws:iam::111122223333:role/R', PrimaryContainer: { Image: PROBE_IMAGE } })
    await backend.send('CreateEndpointConfig', { EndpointConfigName: 'probe-config', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'probe', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }] })
    await backend.send('CreateEndpoint', { EndpointName: name, EndpointConfigName: 'probe-config' })
    const status = () => backend.send('DescribeEndpoint', { EndpointName: name }).then((d) => d.EndpointStatus)
    expect(await until(backend, name, status, ['InService'])).toBe('InService')
    const client = new SageMakerRuntimeClient({ endpoint: readGatewayRecord(stateDir)!.url, region: 'us-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 })
    const ask = async () => JSON.parse(new TextDecoder().decode((await client.send(new InvokeEndpointCommand({ EndpointName: name, Body: new TextEncoder().encode('1,2'), ContentType: 'text/csv' }))).Body)) as unknown
    try {
      expect(await ask()).toEqual({ host: 'algo-1', body: '1,2' })
      await backend.close()
      expect(await ask()).toEqual({ host: 'algo-1', body: '1,2' })
      expect(await containersOf(`sagespec.endpoint=${name}`)).toHaveLength(1)
      backend = await backendFor()
      await backend.send('DeleteEndpoint', { EndpointName: name })
      expect(await containersOf(`sagespec.endpoint=${name}`)).toEqual([])
    } finally {
      client.destroy()
    }
  })

  it('runs a batch transform through the container, writing <output>/<name>.out', async () => {
    const backend = await backendFor()
    const input = join(folder.path, 'in')
    mkdirSync(input, { recursive: true })
    writeFileSync(join(input, 'a.csv'), '1,2\n3,4\n')
    await backend.send('CreateModel', { ModelName: 'probe-t', ExecutionRoleArn: 'arn:aws:iam::111122223333:role/R', PrimaryContainer: { Image: PROBE_IMAGE } })
    const job = `batch-${tag}`
    await backend.send('CreateTransformJob', {
      TransformJobName: job,
      ModelName: 'probe-t',
      BatchStrategy: 'SingleRecord',
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 'file://in/' } }, ContentType: 'text/csv', SplitType: 'Line' },
      TransformOutput: { S3OutputPath: 'file://out', AssembleWith: 'Line' },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    })
    const status = () => backend.send('DescribeTransformJob', { TransformJobName: job }).then((d) => d.TransformJobStatus)
    expect(await until(backend, job, status, ['Completed', 'Stopped'])).toBe('Completed')
    expect(readFileSync(join(folder.path, 'out', 'a.csv.out'), 'utf8')).toBe('{"host": "algo-1", "body": "1,2\\n"}\n{"host": "algo-1", "body": "3,4\\n"}\n')
    expect(await containersOf(`sagespec.transform=${job}`)).toEqual([])
    rmSync(join(folder.path, 'out'), { recursive: true, force: true })
  })
})
