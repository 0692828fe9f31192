import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { endpoint, model, program, training, validate, type Program } from '../../../src/index.js'
import { run, type RunEvent, type RunOptions } from '../../../src/interpret/execute/executor.js'
import { readRun } from '../../../src/interpret/execute/journal.js'
import { toPlan, type Plan } from '../../../src/interpret/plan/plan.js'
import { noSleep, scriptedBackend, type Script } from '../../support/scripted-backend.js'

const root = mkdtempSync(join(tmpdir(), 'sagespec-executor-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0
const stateDir = () => join(root, `state-${n++}`)

const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
const image = '111122223333.dkr.ecr.us-west-2.amazonaws.com/churn:1.0'
const train = (name: string, after?: string[]) =>
  training(name, {
    image,
    role,
    resources: { instanceType: 'ml.m5.xlarge' },
    output: { s3OutputPath: 's3://bucket/models' },
    channels: { train: { uri: 's3://bucket/train/' } },
    ...(after === undefined ? {} : { after }),
  })

const chain = (): Program => {
  const t = train('train')
  const m = model('churn', { container: { image, modelDataUrl: t.outputs.modelArtifacts }, role })
  const e = endpoint('serve', { variants: [{ model: m.outputs.name, instanceType: 'ml.m5.large' }] })
  return program(t, m, e)
}

const planOf = (p: Program): Plan => {
  const v = validate(p)
  if (E.isLeft(v)) throw new Error(JSON.stringify(v.left))
  return toPlan(v.right)
}

const go = (plan: Plan, script: Script | ReturnType<typeof scriptedBackend>, options: Partial<RunOptions> = {}) => {
  const backend = 'send' in script ? script : scriptedBackend(script)
  const events: RunEvent[] = []
  return run(plan, { backend, runId: 'r1', stateDir: options.stateDir ?? stateDir(), sleep: noSleep, onEvent: (e) => void events.push(e), ...options }).then((result) => ({
    result,
    backend,
    events,
  }))
}

describe('executor', () => {
  it('runs a chain in order and resolves each ref from the upstream Describe response', async () => {
    const { result, backend } = await go(planOf(chain()), {})
    expect(result.status).toBe('Completed')
    expect(backend.creates().map((c) => c.op)).toEqual(['CreateTrainingJob', 'CreateModel', 'CreateEndpointConfig', 'CreateEndpoint'])
    const createModel = backend.creates('CreateModel')[0]!.input
    expect(createModel.PrimaryContainer.ModelDataUrl).toBe('s3://bucket/models/train-r1/output/model.tar.gz')
    expect(backend.creates('CreateEndpointConfig')[0]!.input.ProductionVariants[0].ModelName).toBe('churn-r1')
    expect(result.steps.map((s) => [s.name, s.status, s.physicalName])).toEqual([
      ['train', 'Completed', 'train-r1'],
      ['churn', 'Completed', 'churn-r1'],
      ['serve', 'Completed', 'serve'],
    ])
    expect(result.steps[0]!.outputs).toEqual({ modelArtifacts: 's3://bucket/models/train-r1/output/model.tar.gz', 'metric:validation:auc': 0.9 })
  })

  it('journals every step: physical name, sent requests, transitions and the final Describe response', async () => {
    const dir = stateDir()
    await go(planOf(chain()), {}, { stateDir: dir })
    const journal = readRun(dir, 'r1')!
    expect(journal.run.status).toBe('Completed')
    const t = journal.steps.find((s) => s.name === 'train')!
    expect(t.physicalName).toBe('train-r1')
    expect(t.requests.map((r) => [r.op, r.outcome])).toEqual([['CreateTrainingJob', 'created']])
    expect(t.transitions.map((x) => x.status)).toEqual(['InProgress', 'Completed'])
    expect((t.describe as any).TrainingJobStatus).toBe('Completed')
    expect(readdir(join(dir, 'runs', 'r1', 'steps')).every((f) => f.endsWith('.json'))).toBe(true)
  })

  it('a failed step stops new steps and is reported with its reason', async () => {
    const { result, backend } = await go(planOf(chain()), { fail: (name) => (name === 'train-r1' ? 'AlgorithmError: boom' : undefined) })
    expect(result.status).toBe('Failed')
    expect(backend.creates().map((c) => c.op)).toEqual(['CreateTrainingJob'])
    expect(result.errors).toEqual([{ _tag: 'JobFailed', step: 'train', physicalName: 'train-r1', status: 'Failed', reason: 'AlgorithmError: boom' }])
    expect(result.steps.map((s) => s.status)).toEqual(['Failed', 'Pending', 'Pending'])
  })

  it('running steps are awaited after a failure elsewhere', async () => {
    const p = planOf(program(train('a'), train('b')))
    const { result } = await go(p, { fail: (name) => (name === 'a-r1' ? 'bad' : undefined), polls: (name) => (name === 'b-r1' ? 5 : 0) })
    expect(result.status).toBe('Failed')
    expect(result.steps.map((s) => s.status)).toEqual(['Failed', 'Completed'])
  })

  it('throttling is retried', async () => {
    const { result, backend } = await go(planOf(chain()), { throttle: (op, i) => op === 'DescribeTrainingJob' && i < 2 })
    expect(result.status).toBe('Completed')
    expect(backend.calls.filter((c) => c.op === 'DescribeTrainingJob').length).toBeGreaterThan(2)
    expect(backend.creates('CreateTrainingJob')).toHaveLength(1)
  })

  it('gives up on throttling after the retry budget, naming the call', async () => {
    const { result, backend } = await go(planOf(chain()), { throttle: (op) => op === 'CreateModel' }, { maxAttempts: 3 })
    expect(result.status).toBe('Failed')
    expect(result.errors[0]).toMatchObject({ _tag: 'ServiceError', step: 'churn', op: 'CreateModel', name: 'ThrottlingException' })
    expect(result.errors[0]).toMatchObject({ message: expect.stringContaining('gave up after 3 attempts') })
    expect(backend.calls.filter((c) => c.op === 'CreateModel')).toHaveLength(3)
  })

  it('one attempt means one: a throttled create is sent once and the run fails saying so', async () => {
    const { result, backend } = await go(planOf(chain()), { throttle: (op) => op === 'CreateModel' }, { maxAttempts: 1 })
    expect(result.status).toBe('Failed')
    expect(backend.calls.filter((c) => c.op === 'CreateModel')).toHaveLength(1)
    expect(result.errors[0]).toMatchObject({ message: expect.stringContaining('gave up after 1 attempt,') })
  })

  it("the backend's maxAttempts is the policy when the run does not say", async () => {
    const { result, backend } = await go(planOf(chain()), { ...scriptedBackend({ throttle: (op) => op === 'CreateModel' }), maxAttempts: 2 })
    expect(result.status).toBe('Failed')
    expect(backend.calls.filter((c) => c.op === 'CreateModel')).toHaveLength(2)
  })

  it('fan-out respects the parallel bound and dependency order', async () => {
    const steps = Array.from({ length: 10 }, (_, i) => train(`t${i}`))
    const last = train('last', steps.map((s) => s.name))
    const { result, backend } = await go(planOf(program(...steps, last)), { polls: () => 3 }, { maxParallel: 3 })
    expect(result.status).toBe('Completed')
    expect(backend.maxConcurrent()).toBe(3)
    const creates = backend.creates('CreateTrainingJob').map((c) => c.input.TrainingJobName)
    expect(creates[creates.length - 1]).toBe('last-r1')
    const lastCreate = backend.calls.findIndex((c) => c.op === 'CreateTrainingJob' && c.input.TrainingJobName === 'last-r1')
    const completedBefore = new Set(
      backend.calls.slice(0, lastCreate).filter((c) => c.op === 'DescribeTrainingJob' && c.input.TrainingJobName !== 'last-r1').map((c) => c.input.TrainingJobName),
    )
    expect(completedBefore.size).toBe(10)
  })

  it('an interrupted run resumes without creating anything twice', async () => {
    const dir = stateDir()
    const backend = scriptedBackend({ polls: () => 3 })
    const controller = new AbortController()
    const events: RunEvent[] = []
    const first = await run(planOf(chain()), {
      backend,
      runId: 'r1',
      stateDir: dir,
      sleep: noSleep,
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e)
        if (e._tag === 'StatusChanged' && e.step === 'train' && e.status === 'InProgress') controller.abort()
      },
    })
    expect(first.status).toBe('Interrupted')
    expect(readRun(dir, 'r1')!.steps.find((s) => s.name === 'train')!.status).toBe('Running')
    const second = await run(planOf(chain()), { backend, runId: 'r1', stateDir: dir, sleep: noSleep })
    expect(second.status).toBe('Completed')
    expect(backend.creates().map((c) => c.op)).toEqual(['CreateTrainingJob', 'CreateModel', 'CreateEndpointConfig', 'CreateEndpoint'])
  })

  it('a resumed step does not report again the statuses it reported before the interrupt', async () => {
    const dir = stateDir()
    const backend = scriptedBackend({ polls: () => 3 })
    const controller = new AbortController()
    const events: RunEvent[] = []
    const onEvent = (e: RunEvent) => {
      events.push(e)
      if (e._tag === 'StatusChanged' && e.step === 'train' && e.status === 'InProgress') controller.abort()
    }
    await run(planOf(chain()), { backend, runId: 'r1', stateDir: dir, sleep: noSleep, signal: controller.signal, onEvent })
    await run(planOf(chain()), { backend, runId: 'r1', stateDir: dir, sleep: noSleep, onEvent: (e) => void events.push(e) })
    const train = events.flatMap((e) => (e._tag === 'StatusChanged' && e.step === 'train' ? [e.status] : []))
    expect(train).toEqual(['InProgress', 'Completed'])
    expect(readRun(dir, 'r1')!.steps.find((s) => s.name === 'train')!.transitions.map((t) => t.status)).toEqual(['InProgress', 'Completed'])
  })

  it('re-running a finished run id creates nothing and sends nothing', async () => {
    const dir = stateDir()
    const backend = scriptedBackend()
    await run(planOf(chain()), { backend, runId: 'r1', stateDir: dir, sleep: noSleep })
    const before = backend.calls.length
    const again = await run(planOf(chain()), { backend, runId: 'r1', stateDir: dir, sleep: noSleep })
    expect(again.status).toBe('Completed')
    expect(backend.calls.length).toBe(before)
    expect(again.steps.every((s) => s.reused)).toBe(true)
  })

  it('a run id of another program is refused before anything is sent', async () => {
    const dir = stateDir()
    const backend = scriptedBackend()
    await run(planOf(chain()), { backend, runId: 'r1', stateDir: dir, sleep: noSleep, program: 'a.ts' })
    const before = backend.calls.length
    const other = await run(planOf(chain()), { backend, runId: 'r1', stateDir: dir, sleep: noSleep, program: 'b.ts' })
    expect(other.status).toBe('Failed')
    expect(other.errors).toEqual([{ _tag: 'RunIdInUse', runId: 'r1', program: 'a.ts' }])
    expect(backend.calls.length).toBe(before)
    expect(readRun(dir, 'r1')!.run.program).toBe('a.ts')
  })

  it('adopts what exists by name when the journal was lost', async () => {
    const backend = scriptedBackend()
    await run(planOf(chain()), { backend, runId: 'r1', stateDir: stateDir(), sleep: noSleep })
    const again = await run(planOf(chain()), { backend, runId: 'r1', stateDir: stateDir(), sleep: noSleep })
    expect(again.status).toBe('Completed')
    expect(backend.creates()).toHaveLength(4)
  })

  it('a failed step is retried only when asked, under a new name', async () => {
    const dir = stateDir()
    let failing = true
    const backend = scriptedBackend({ fail: (name) => (failing && name === 'train-r1' ? 'flaky' : undefined) })
    const first = await run(planOf(chain()), { backend, runId: 'r1', stateDir: dir, sleep: noSleep })
    expect(first.status).toBe('Failed')
    failing = false
    const plain = await run(planOf(chain()), { backend, runId: 'r1', stateDir: dir, sleep: noSleep })
    expect(plain.status).toBe('Failed')
    expect(plain.errors[0]).toMatchObject({ _tag: 'PreviouslyFailed', step: 'train' })
    expect(backend.creates('CreateTrainingJob')).toHaveLength(1)
    const retried = await run(planOf(chain()), { backend, runId: 'r1', stateDir: dir, sleep: noSleep, retryFailed: true })
    expect(retried.status).toBe('Completed')
    expect(backend.creates('CreateTrainingJob').map((c) => c.input.TrainingJobName)).toEqual(['train-r1', 'train-r1-r2'])
  })

  it('updates an endpoint that exists with another config, and waits for the new one', async () => {
    const backend = scriptedBackend()
    await run(planOf(chain()), { backend, runId: 'r1', stateDir: stateDir(), sleep: noSleep })
    const second = await run(planOf(chain()), { backend, runId: 'r2', stateDir: stateDir(), sleep: noSleep })
    expect(second.status).toBe('Completed')
    expect(backend.calls.filter((c) => c.op === 'UpdateEndpoint').map((c) => c.input)).toEqual([{ EndpointName: 'serve', EndpointConfigName: 'serve-r2' }])
    expect(second.steps[2]!.outputs).toEqual({ endpointName: 'serve', endpointConfig: 'serve-r2' })
  })

  it('--stop-on-interrupt stops the running job and records it stopped', async () => {
    const dir = stateDir()
    const backend = scriptedBackend({ polls: () => 100 })
    const controller = new AbortController()
    const result = await run(planOf(chain()), {
      backend,
      runId: 'r1',
      stateDir: dir,
      sleep: noSleep,
      signal: controller.signal,
      stopOnInterrupt: true,
      onEvent: (e) => {
        if (e._tag === 'StatusChanged' && e.status === 'InProgress') controller.abort()
      },
    })
    expect(result.status).toBe('Interrupted')
    expect(backend.calls.filter((c) => c.op === 'StopTrainingJob')).toHaveLength(1)
    expect(readRun(dir, 'r1')!.steps[0]!.status).toBe('Stopped')
  })

  it('a step stopped by an interrupt starts again on resume, under a new name, without --retry-failed', async () => {
    const dir = stateDir()
    const backend = scriptedBackend({ polls: (name) => (name === 'train-r1' ? 100 : 1) })
    const controller = new AbortController()
    await run(planOf(chain()), {
      backend,
      runId: 'r1',
      stateDir: dir,
      sleep: noSleep,
      signal: controller.signal,
      stopOnInterrupt: true,
      onEvent: (e) => {
        if (e._tag === 'StatusChanged' && e.status === 'InProgress') controller.abort()
      },
    })
    const resumed = await run(planOf(chain()), { backend, runId: 'r1', stateDir: dir, sleep: noSleep })
    expect(resumed.status).toBe('Completed')
    expect(backend.creates('CreateTrainingJob').map((c) => c.input.TrainingJobName)).toEqual(['train-r1', 'train-r1-r2'])
  })

  it('stages each code archive once and puts its URI in the request', async () => {
    const { pytorch } = await import('../../../src/frameworks/index.js')
    const t = pytorch('digits', {
      entryPoint: 'train.py',
      sourceDir: 'examples/pytorch',
      codeLocation: 's3://bucket/code',
      frameworkVersion: '2.2.0',
      pyVersion: 'py310',
      instanceType: 'ml.c5.xlarge',
      region: 'us-west-2',
      role,
      output: { s3OutputPath: 's3://bucket/out' },
    })
    const p = planOf(program(t))
    expect(p.assets).toHaveLength(1)
    const { result, backend } = await go(p, {})
    expect(result.status).toBe('Completed')
    expect(backend.staged).toHaveLength(1)
    const hp = backend.creates('CreateTrainingJob')[0]!.input.HyperParameters
    expect(hp.sagemaker_submit_directory).toBe(JSON.stringify(`s3://bucket/code/${backend.staged[0]!.sha256}/sourcedir.tar.gz`))
  })

  it('no journal file is left half-written (temporary files are renamed into place)', async () => {
    const dir = stateDir()
    await go(planOf(chain()), {}, { stateDir: dir })
    const files = readdir(join(dir, 'runs', 'r1', 'steps'))
    expect(files.sort()).toEqual(['churn.json', 'serve.json', 'train.json'])
    for (const f of files) expect(() => JSON.parse(readFileSync(join(dir, 'runs', 'r1', 'steps', f), 'utf8'))).not.toThrow()
    expect(existsSync(join(dir, 'runs', 'r1', 'run.json'))).toBe(true)
  })
})

import { readdirSync } from 'node:fs'
const readdir = (d: string) => readdirSync(d)
