/**
 * Local endpoints and transform jobs through the local backend on the process runtime: models from
 * file:// archives, the gateway answering the AWS SDK, an update while serving, an endpoint that
 * outlives the command and is deleted by the next one, and a batch transform to file://.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import type { Backend } from '../../src/interpret/execute/port.js'
import { packFolder } from '../../src/local/archive.js'
import { createLocalBackend } from '../../src/local/backend.js'
import { createContext } from '../../src/local/context.js'
import { endpointHandlers } from '../../src/local/endpoints.js'
import { modelHandlers } from '../../src/local/models.js'
import { markedProcesses, processRuntime } from '../../src/local/runtime/process.js'
import { alive, readGatewayRecord, stopGateway } from '../../src/local/serving/daemon.js'
import { transformHandlers } from '../../src/local/transform.js'
import { main } from '../../src/cli/main.js'

const root = mkdtempSync(join(tmpdir(), 'sagespec-endpoints-'))
const stateDir = join(root, 'state')

const backendFor = (): Backend =>
  createLocalBackend(
    createContext({ stateDir, baseDir: root, runtime: processRuntime({ dir: join(stateDir, 'local', 'processes') }), region: 'us-west-2', stopGraceMs: 2000 }),
    [modelHandlers, endpointHandlers, transformHandlers],
  )

const INFERENCE = `
import os
def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.txt")) as f:
        return f.read().strip()
def transform_fn(model, body, content_type, accept):
    lines = [l for l in body.decode().split("\\n") if l]
    return "".join("%s:%s\\n" % (model, l) for l in lines), "text/csv"
`

const archive = async (name: string, files: Record<string, string>): Promise<string> => {
  const dir = join(root, 'src', name)
  mkdirSync(dir, { recursive: true })
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text)
  const file = join(root, 'archives', `${name}.tar.gz`)
  await packFolder(dir, file)
  return `file://${file}`
}

/** Processes whose SAGESPEC_PROCESS marker starts with `prefix` (Linux /proc). */
const serversOf = (prefix: string): number[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').some((v) => v.startsWith(`SAGESPEC_PROCESS=${prefix}`))
      } catch {
        return false
      }
    })
    .map(Number)

const until = async (backend: Backend, name: string, read: () => Promise<string | undefined>, want: ReadonlyArray<string>): Promise<string> => {
  for (;;) {
    const s = await read()
    if (s !== undefined && (want.includes(s) || s === 'Failed')) return s
    await backend.changed!(name, 1000)
  }
}

let backend: Backend
beforeAll(async () => {
  backend = backendFor()
  const code = await archive('code', { 'inference.py': INFERENCE })
  for (const m of ['a', 'b']) {
    const data = await archive(`model-${m}`, { 'model.txt': `model-${m}` })
    await backend.send('CreateModel', {
      ModelName: `model-${m}`,
      ExecutionRoleArn: 'arn:aws:iam::111122223333:role/SageMakerRole',
      PrimaryContainer: {
        Image: '246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
        ModelDataUrl: data,
        Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: code },
      },
    })
    await backend.send('CreateEndpointConfig', {
      EndpointConfigName: `config-${m}`,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: `model-${m}`, InitialInstanceCount: 1, InstanceType: 'ml.m5.large', InitialVariantWeight: 1 }],
    })
  }
})

afterAll(async () => {
  await backend.close()
  // Whatever a failed test left serving goes too.
  await processRuntime({ dir: join(stateDir, 'local', 'processes') }).sweep({})
  await stopGateway(stateDir)
  rmSync(root, { recursive: true, force: true })
})

describe('local endpoints', () => {
  it('serves an endpoint behind the gateway, updates it while answering, outlives the command, and is deleted by the next one', async () => {
    const status = () => backend.send('DescribeEndpoint', { EndpointName: 'live' }).then((d) => d.EndpointStatus)
    await backend.send('CreateEndpoint', { EndpointName: 'live', EndpointConfigName: 'config-a' })
    expect(await until(backend, 'live', status, ['InService'])).toBe('InService')
    const gw = readGatewayRecord(stateDir)!
    const client = new SageMakerRuntimeClient({ endpoint: gw.url, region: 'us-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 })
    const ask = async (): Promise<string> => {
      const out = await client.send(new InvokeEndpointCommand({ EndpointName: 'live', Body: new TextEncoder().encode('1,2\n'), ContentType: 'text/csv' }))
      return new TextDecoder().decode(out.Body)
    }
    try {
      expect(await ask()).toBe('model-a:1,2\n')
      const viaBackend = await backend.send('InvokeEndpoint', { EndpointName: 'live', Body: new TextEncoder().encode('3\n'), ContentType: 'text/csv' })
      expect(new TextDecoder().decode(viaBackend.Body)).toBe('model-a:3\n')

      // An update: requests keep being answered during the switch.
      await backend.send('UpdateEndpoint', { EndpointName: 'live', EndpointConfigName: 'config-b' })
      const answers: string[] = []
      let settled = false
      const loop = (async () => {
        let after = 0
        while (after < 10) {
          answers.push(await ask().catch((e: Error) => `error: ${e.name}`))
          if (settled) after += 1
        }
      })()
      expect(await until(backend, 'live', status, ['InService'])).toBe('InService')
      settled = true
      await loop
      expect(answers.filter((a) => a.startsWith('error'))).toEqual([])
      expect(answers.at(-1)).toBe('model-b:1,2\n')
      expect((await backend.send('DescribeEndpoint', { EndpointName: 'live' })).EndpointConfigName).toBe('config-b')

      // The command ends; the endpoint does not.
      await backend.close()
      expect(await ask()).toBe('model-b:1,2\n')
      const marker = JSON.parse(readFileSync(join(stateDir, 'local', 'processes', 'live-g2-v0-c0.json'), 'utf8')) as { marker: string }
      expect(markedProcesses(marker.marker).length).toBeGreaterThan(0)

      // The next command deletes it: its servers go, and the gateway leaves once no endpoint is left.
      backend = backendFor()
      expect((await backend.send('ListEndpoints', {})).Endpoints?.map((e) => e.EndpointName)).toEqual(['live'])
      await backend.send('DeleteEndpoint', { EndpointName: 'live' })
      expect(markedProcesses(marker.marker)).toEqual([])
      const gone = await ask().catch((e: Error) => e.name)
      expect(gone).toBe('ValidationError')
      const deadline = Date.now() + 30_000
      while (alive(gw.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      expect(alive(gw.pid)).toBe(false)
    } finally {
      client.destroy()
    }
  })

  it('fails an endpoint whose model archive is unsafe, writing nothing outside its folder', async () => {
    const evil = join(root, 'archives', 'evil.tar')
    // A tar whose only entry is ../../escaped.txt, written by hand.
    const h = Buffer.alloc(512)
    h.write('../../escaped.txt', 0)
    h.write('0000644\0', 100)
    h.write('0000000\0', 108)
    h.write('0000000\0', 116)
    h.write('00000000004\0', 124)
    h.write('00000000000\0', 136)
    h.write('        ', 148)
    h.write('0', 156)
    h.write('ustar\x0000', 257)
    let sum = 0
    for (const b of h) sum += b
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    const body = Buffer.alloc(512)
    body.write('evil')
    writeFileSync(evil, Buffer.concat([h, body, Buffer.alloc(1024)]))
    await backend.send('CreateModel', { ModelName: 'evil', ExecutionRoleArn: 'arn:aws:iam::111122223333:role/R', PrimaryContainer: { Image: 'x', ModelDataUrl: `file://${evil}` } })
    await backend.send('CreateEndpointConfig', { EndpointConfigName: 'config-evil', ProductionVariants: [{ VariantName: 'v', ModelName: 'evil', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }] })
    await backend.send('CreateEndpoint', { EndpointName: 'evil', EndpointConfigName: 'config-evil' })
    const status = () => backend.send('DescribeEndpoint', { EndpointName: 'evil' }).then((d) => d.EndpointStatus)
    expect(await until(backend, 'evil', status, ['InService'])).toBe('Failed')
    const d = await backend.send('DescribeEndpoint', { EndpointName: 'evil' })
    expect(d.FailureReason).toContain('../../escaped.txt')
    expect(readFileSync(evil).length).toBeGreaterThan(0)
    expect(() => readFileSync(join(stateDir, 'local', 'endpoints', 'escaped.txt'))).toThrow()
    expect(() => readFileSync(join(stateDir, 'local', 'escaped.txt'))).toThrow()
    await backend.send('DeleteEndpoint', { EndpointName: 'evil' })
  })
})

describe('local batch transform', () => {
  it('writes <S3OutputPath>/<input name>.out through the model served in transform mode', async () => {
    const input = join(root, 'batch-in')
    mkdirSync(join(input, 'part'), { recursive: true })
    writeFileSync(join(input, 'a.csv'), '1,2\n3,4\n')
    writeFileSync(join(input, 'part', 'b.csv'), '5\n')
    await backend.send('CreateTransformJob', {
      TransformJobName: 'batch-1',
      ModelName: 'model-a',
      BatchStrategy: 'MultiRecord',
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 'file://batch-in/' } }, ContentType: 'text/csv', SplitType: 'Line' },
      TransformOutput: { S3OutputPath: 'file://batch-out', Accept: 'text/csv', AssembleWith: 'Line' },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    })
    const status = () => backend.send('DescribeTransformJob', { TransformJobName: 'batch-1' }).then((d) => d.TransformJobStatus)
    const end = await until(backend, 'batch-1', status, ['Completed', 'Stopped'])
    const d = await backend.send('DescribeTransformJob', { TransformJobName: 'batch-1' })
    expect([end, d.FailureReason]).toEqual(['Completed', undefined])
    expect(readFileSync(join(root, 'batch-out', 'a.csv.out'), 'utf8')).toBe('model-a:1,2\nmodel-a:3,4\n')
    expect(readFileSync(join(root, 'batch-out', 'part', 'b.csv.out'), 'utf8')).toBe('model-a:5\n')
    // Its server is gone with the job.
    expect(serversOf('batch-1-c0-')).toEqual([])
  })
})

describe('sagespec endpoints', () => {
  it('lists, describes and deletes local endpoints from another command', async () => {
    await backend.send('CreateEndpointConfig', {
      EndpointConfigName: 'config-cli',
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'model-a', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }],
    })
    await backend.send('CreateEndpoint', { EndpointName: 'cli-ep', EndpointConfigName: 'config-cli' })
    const status = () => backend.send('DescribeEndpoint', { EndpointName: 'cli-ep' }).then((d) => d.EndpointStatus)
    expect(await until(backend, 'cli-ep', status, ['InService'])).toBe('InService')
    const out: string[] = []
    const err: string[] = []
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }
    const cli = (...args: string[]) => main(['endpoints', ...args, '--target', 'local', '--state-dir', stateDir, '--runtime', 'process'], io)
    expect(await cli('list')).toBe(0)
    expect(out.join('\n')).toMatch(/cli-ep +InService/)
    expect(await cli('describe', 'cli-ep')).toBe(0)
    expect(out.join('\n')).toContain('Endpoint cli-ep: InService')
    expect(await cli('delete', 'cli-ep')).toBe(0)
    expect(await cli('describe', 'cli-ep')).not.toBe(0)
    expect(err.join('\n')).toContain('no endpoint "cli-ep"')
    expect(serversOf('cli-ep-')).toEqual([])
  })
})

describe('an endpoint whose servers are gone', () => {
  it('is described OutOfService, with what to do, and can still be deleted', async () => {
    await backend.send('CreateEndpoint', { EndpointName: 'gone', EndpointConfigName: 'config-a' })
    const status = () => backend.send('DescribeEndpoint', { EndpointName: 'gone' }).then((d) => d.EndpointStatus)
    expect(await until(backend, 'gone', status, ['InService'])).toBe('InService')
    // As after a restart of the machine: the servers end, the record stays.
    await processRuntime({ dir: join(stateDir, 'local', 'processes') }).sweep({ 'sagespec.endpoint': 'gone' })
    expect(serversOf('gone-')).toEqual([])
    const d = await backend.send('DescribeEndpoint', { EndpointName: 'gone' })
    expect(d.EndpointStatus).toBe('OutOfService')
    expect(d.FailureReason).toMatch(/^Container primary of variant AllTraffic no longer listens on 127\.0\.0\.1:\d+: .* Delete the endpoint and create it again\.$/)
    await backend.send('DeleteEndpoint', { EndpointName: 'gone' })
    expect((await backend.send('ListEndpoints', { NameContains: 'gone' })).Endpoints).toEqual([])
  })
})

describe('UpdateEndpointWeightsAndCapacities', () => {
  it('changes routing at once, shows desired and current weights, starts and stops instances; the CLI sends it', async () => {
    await backend.send('CreateEndpointConfig', {
      EndpointConfigName: 'config-ab',
      ProductionVariants: [
        { VariantName: 'A', ModelName: 'model-a', InitialInstanceCount: 1, InstanceType: 'ml.m5.large', InitialVariantWeight: 1 },
        { VariantName: 'B', ModelName: 'model-b', InitialInstanceCount: 1, InstanceType: 'ml.m5.large', InitialVariantWeight: 0 },
      ],
    })
    await backend.send('CreateEndpoint', { EndpointName: 'ab', EndpointConfigName: 'config-ab' })
    const describe = () => backend.send('DescribeEndpoint', { EndpointName: 'ab' })
    const status = () => describe().then((d) => d.EndpointStatus)
    expect(await until(backend, 'ab', status, ['InService'])).toBe('InService')
    const gw = readGatewayRecord(stateDir)!
    const client = new SageMakerRuntimeClient({ endpoint: gw.url, region: 'us-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 })
    // Weight 0 takes no traffic: every answer says which variant it came from, on both paths.
    const answers = async (n: number): Promise<ReadonlyArray<string>> => {
      const seen = new Set<string>()
      for (let i = 0; i < n; i++) {
        const here = await backend.send('InvokeEndpoint', { EndpointName: 'ab', Body: new TextEncoder().encode('1\n'), ContentType: 'text/csv' })
        const there = await client.send(new InvokeEndpointCommand({ EndpointName: 'ab', Body: new TextEncoder().encode('1\n'), ContentType: 'text/csv' }))
        seen.add(`${here.InvokedProductionVariant} ${new TextDecoder().decode(here.Body).trim()}`)
        seen.add(`${there.InvokedProductionVariant} ${new TextDecoder().decode(there.Body).trim()}`)
      }
      return [...seen].sort()
    }
    try {
      expect(await answers(10)).toEqual(['A model-a:1'])
      await backend.send('UpdateEndpointWeightsAndCapacities', { EndpointName: 'ab', DesiredWeightsAndCapacities: [{ VariantName: 'A', DesiredWeight: 0 }, { VariantName: 'B', DesiredWeight: 1 }] })
      // At once, before the endpoint is InService again.
      expect(await answers(10)).toEqual(['B model-b:1'])
      expect(await until(backend, 'ab', status, ['InService'])).toBe('InService')
      // sagespec predict --target local (routing in its own process) follows the new weights too.
      writeFileSync(join(root, 'row.csv'), '5\n')
      const bytes: Uint8Array[] = []
      const predicted = await main(['predict', 'ab', '--data', join(root, 'row.csv'), '--target', 'local', '--state-dir', stateDir, '--runtime', 'process'], {
        out: () => undefined,
        err: (s) => void bytes.push(Buffer.from(s)),
        write: (b) => void bytes.push(b),
      })
      expect([predicted, Buffer.concat(bytes).toString()]).toEqual([0, 'model-b:5\n'])
      expect((await describe()).ProductionVariants?.map((v) => [v.VariantName, v.CurrentWeight, v.DesiredWeight, v.CurrentInstanceCount])).toEqual([
        ['A', 0, 0, 1],
        ['B', 1, 1, 1],
      ])

      // Two instances of B, through the CLI: two servers take its requests, the old one is gone.
      const before = JSON.parse(readFileSync(join(stateDir, 'local', 'endpoints', 'ab.json'), 'utf8')) as { meta: { jobs: string[] } }
      const out: string[] = []
      const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s) }
      const cli = (...args: string[]) => main(['endpoints', ...args, '--target', 'local', '--state-dir', stateDir, '--runtime', 'process'], io)
      expect(await cli('update-weights', 'ab', '--variant', 'A=1', '--instances', 'B=2')).toBe(0)
      expect(out.join('\n')).toContain('B weight 1, 2 instances')
      const after = JSON.parse(readFileSync(join(stateDir, 'local', 'endpoints', 'ab.json'), 'utf8')) as { variants: Array<{ name: string; containers: Array<{ addresses: unknown[] }> }>; meta: { jobs: string[] } }
      expect(after.variants.find((v) => v.name === 'B')!.containers[0]!.addresses).toHaveLength(2)
      const oldB = before.meta.jobs.find((j) => j.includes('-v1-'))!
      expect(after.meta.jobs).not.toContain(oldB)
      expect(after.meta.jobs).toContain(before.meta.jobs.find((j) => j.includes('-v0-')))
      expect(serversOf(`${oldB}-`)).toEqual([])
      expect((await describe()).ProductionVariants?.map((v) => [v.VariantName, v.CurrentWeight, v.CurrentInstanceCount])).toEqual([
        ['A', 1, 1],
        ['B', 1, 2],
      ])
      expect(await answers(10)).toEqual(['A model-a:1', 'B model-b:1'])

      // A variant it does not have is refused, with the ones it has.
      const bad = await backend.send('UpdateEndpointWeightsAndCapacities', { EndpointName: 'ab', DesiredWeightsAndCapacities: [{ VariantName: 'C', DesiredWeight: 1 }] }).catch((e: Error) => e)
      expect(bad).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('[C]') })
      expect(await cli('update-weights', 'ab', '--variant', 'A=-1')).toBe(2)
    } finally {
      client.destroy()
      await backend.send('DeleteEndpoint', { EndpointName: 'ab' })
    }
    expect(serversOf('ab-')).toEqual([])
  })
})

describe('an asynchronous local endpoint', () => {
  it('takes AsyncInferenceConfig from its endpoint config and writes <S3OutputPath>/<id>.out', async () => {
    await backend.send('CreateEndpointConfig', {
      EndpointConfigName: 'config-async',
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'model-a', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }],
      AsyncInferenceConfig: { OutputConfig: { S3OutputPath: 'file://async-out' } },
    })
    expect((await backend.send('DescribeEndpointConfig', { EndpointConfigName: 'config-async' })).AsyncInferenceConfig?.OutputConfig?.S3OutputPath).toBe('file://async-out')
    await backend.send('CreateEndpoint', { EndpointName: 'later', EndpointConfigName: 'config-async' })
    const status = () => backend.send('DescribeEndpoint', { EndpointName: 'later' }).then((d) => d.EndpointStatus)
    expect(await until(backend, 'later', status, ['InService'])).toBe('InService')
    writeFileSync(join(root, 'async-in.csv'), '9\n')
    try {
      const out = await backend.send('InvokeEndpointAsync', { EndpointName: 'later', InputLocation: 'file://async-in.csv', ContentType: 'text/csv', InferenceId: 'q1' })
      // No failure path configured: failures would go beside the output, and none is announced.
      expect(out).toEqual({ InferenceId: 'q1', OutputLocation: 'file://async-out/q1.out' })
      const file = join(root, 'async-out', 'q1.out')
      const deadline = Date.now() + 20_000
      while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      expect(readFileSync(file, 'utf8')).toBe('model-a:9\n')
    } finally {
      await backend.send('DeleteEndpoint', { EndpointName: 'later' })
    }
  })
})
