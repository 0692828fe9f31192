/**
 * Local tuning end to end on the process runtime: real local training jobs of a small Python script
 * whose objective is a known function of its hyperparameters, through the backend's tuning handlers
 * and through the executor.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gzipArchive, packCode } from '../../../src/interpret/code/pack.js'
import { run } from '../../../src/interpret/execute/executor.js'
import type { Backend } from '../../../src/interpret/execute/port.js'
import { isNotFound, type Output } from '../../../src/interpret/plan/operations.js'
import { toPlan } from '../../../src/interpret/plan/plan.js'
import { program, validate } from '../../../src/index.js'
import { frameworkTuning, sklearn } from '../../../src/frameworks/index.js'
import { createLocalBackend, stageCodeLocally } from '../../../src/local/backend.js'
import { createContext, notifier } from '../../../src/local/context.js'
import { FAMILIES } from '../../../src/local/index.js'
import { mergeHandlers } from '../../../src/local/backend.js'
import { localProblems } from '../../../src/local/capabilities.js'
import tuningExample from '../../../examples/tuning.js'
import { processRuntime } from '../../../src/local/runtime/process.js'
import { peakConcurrency } from '../../../src/local/tuning/state.js'
import type { TuningRecord } from '../../../src/local/tuning.js'
import { gone } from '../support.js'
import { request, type Config } from './requests.js'

const SCRIPT = `
import argparse, os, time
p = argparse.ArgumentParser()
p.add_argument("-x", "--x", type=float, default=0.0)  # the toolkit passes one-letter names with one dash
p.add_argument("-n", "--n", type=int, default=0)
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--sleep", type=float, default=0.0)
a, _ = p.parse_known_args()
if a.sleep > 0:
    with open(os.path.join(os.environ["PID_DIR"], os.environ["TRAINING_JOB_NAME"]), "w") as f:
        f.write(str(os.getpid()))
target = (a.x - 0.3) ** 2 + 0.01 * (a.n - 4) ** 2
for e in range(1, a.epochs + 1):
    time.sleep(a.sleep)
    print("epoch %d loss=%.10f" % (e, target + 0.1 / e), flush=True)
`
/** The script's final loss for these hyperparameters. */
const loss = (h: Record<string, string> | undefined) => (Number(h?.x) - 0.3) ** 2 + 0.01 * (Number(h?.n) - 4) ** 2 + 0.1 / 3

const root = join(tmpdir(), `sagespec-tuning-e2e-${process.pid}`)
const stateDir = join(root, 'state')
const pids = join(root, 'pids')
let backend: Backend
let code: string

beforeAll(() => {
  mkdirSync(join(root, 'src'), { recursive: true })
  mkdirSync(pids, { recursive: true })
  writeFileSync(join(root, 'src', 'train.py'), SCRIPT)
  const ctx = createContext({ stateDir, baseDir: root, runtime: processRuntime({ dir: join(stateDir, 'local', 'processes') }), region: 'us-west-2', stopGraceMs: 2000 })
  backend = createLocalBackend(ctx, FAMILIES)
  const packed = packCode({ _tag: 'Code', entryPoint: 'train.py', sourceDir: join(root, 'src'), s3Prefix: 's3://unused/code' } as never)
  if (E.isLeft(packed)) throw new Error(JSON.stringify(packed.left))
  code = stageCodeLocally(join(stateDir, 'local'), packed.right.sha256, gzipArchive(packed.right.tar))
})
afterAll(async () => {
  await backend.close()
  rmSync(root, { recursive: true, force: true })
})

const scriptRequest = (name: string, config: Partial<Config>, statics: Record<string, string> = {}, rest = {}) => {
  const r = request(
    name,
    { ResourceLimits: { MaxNumberOfTrainingJobs: 6, MaxParallelTrainingJobs: 2 }, ...config },
    { sagemaker_program: '"train.py"', sagemaker_submit_directory: JSON.stringify(code), sagemaker_region: '"us-west-2"', epochs: '3', ...statics },
    rest,
  )
  return {
    ...r,
    TrainingJobDefinition: {
      ...r.TrainingJobDefinition!,
      AlgorithmSpecification: { TrainingImage: 'sagemaker-scikit-learn:1.2-1-cpu-py3', TrainingInputMode: 'File' as const, MetricDefinitions: [{ Name: 'loss', Regex: 'loss=([0-9.]+)' }] },
      OutputDataConfig: { S3OutputPath: `file://${join(root, 'out')}` },
      Environment: { PID_DIR: pids },
    },
  }
}

const ranges = { ContinuousParameterRanges: [{ Name: 'x', MinValue: '0', MaxValue: '1', ScalingType: 'Linear' as const }], IntegerParameterRanges: [{ Name: 'n', MinValue: '1', MaxValue: '8', ScalingType: 'Linear' as const }] }

const waitTuning = async (name: string, timeoutMs = 60_000): Promise<Output<'DescribeHyperParameterTuningJob'>> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const d = await backend.send('DescribeHyperParameterTuningJob', { HyperParameterTuningJobName: name })
    if (['Completed', 'Failed', 'Stopped'].includes(d.HyperParameterTuningJobStatus ?? '')) return d
    if (Date.now() > deadline) throw new Error(`${name} still ${d.HyperParameterTuningJobStatus} after ${timeoutMs} ms`)
    await backend.changed!(name, 1000)
  }
}

const record = (name: string): TuningRecord => JSON.parse(readFileSync(join(stateDir, 'local', 'tuning-jobs', `${name}.json`), 'utf8')) as TuningRecord

describe('local tuning (process runtime)', () => {
  it('runs real training jobs, at most MaxParallel at once, and reports each objective and the best as the cloud does', async () => {
    await backend.send('CreateHyperParameterTuningJob', scriptRequest('e2e-random', { Strategy: 'Random', RandomSeed: 4, ParameterRanges: ranges }))
    const d = await waitTuning('e2e-random')
    expect(d.FailureReason).toBeUndefined()
    expect(d.HyperParameterTuningJobStatus).toBe('Completed')
    expect(d.TrainingJobStatusCounters).toEqual({ Completed: 6, InProgress: 0, RetryableError: 0, NonRetryableError: 0, Stopped: 0 })
    const listed = await backend.send('ListTrainingJobsForHyperParameterTuningJob', { HyperParameterTuningJobName: 'e2e-random', MaxResults: 100, SortBy: 'FinalObjectiveMetricValue' })
    const summaries = listed.TrainingJobSummaries ?? []
    expect(summaries).toHaveLength(6)
    for (const s of summaries) expect(s.FinalHyperParameterTuningJobObjectiveMetric?.Value).toBeCloseTo(loss(s.TunedHyperParameters), 8)
    expect(d.BestTrainingJob?.TrainingJobName).toBe(summaries[0]?.TrainingJobName)
    // The best job is a real local training job: its own Describe has the tuned values and the metric.
    const best = await backend.send('DescribeTrainingJob', { TrainingJobName: d.BestTrainingJob?.TrainingJobName ?? '' })
    expect(best.HyperParameters).toMatchObject({ ...d.BestTrainingJob?.TunedHyperParameters, epochs: '3' })
    expect(best.FinalMetricDataList?.[0]?.Value).toBeCloseTo(d.BestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric?.Value as number, 10)
    // Overlap counted from the tuning job's journal, not from time.
    expect(peakConcurrency(record('e2e-random').events)).toBe(2)
  })

  it('Grid runs every combination once as real jobs, and finds the known best', async () => {
    await backend.send(
      'CreateHyperParameterTuningJob',
      scriptRequest('e2e-grid', { Strategy: 'Grid', ResourceLimits: { MaxParallelTrainingJobs: 2 }, ParameterRanges: { CategoricalParameterRanges: [{ Name: 'x', Values: ['0.1', '0.3', '0.5'] }, { Name: 'n', Values: ['2', '4'] }] } }),
    )
    const d = await waitTuning('e2e-grid')
    const l = await backend.send('ListTrainingJobsForHyperParameterTuningJob', { HyperParameterTuningJobName: 'e2e-grid' })
    expect(new Set((l.TrainingJobSummaries ?? []).map((s) => `${s.TunedHyperParameters?.x}/${s.TunedHyperParameters?.n}`))).toEqual(new Set(['0.1/2', '0.1/4', '0.3/2', '0.3/4', '0.5/2', '0.5/4']))
    expect(d.BestTrainingJob?.TunedHyperParameters).toEqual({ x: '0.3', n: '4' })
    expect(d.BestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric?.Value).toBeCloseTo(0.1 / 3, 8)
  })

  it('warm-starts from an earlier local tuning job recorded in the state folder', async () => {
    await backend.send(
      'CreateHyperParameterTuningJob',
      scriptRequest('e2e-warm', { Strategy: 'Bayesian', RandomSeed: 1, ResourceLimits: { MaxNumberOfTrainingJobs: 2, MaxParallelTrainingJobs: 1 }, ParameterRanges: ranges }, {}, {
        WarmStartConfig: { WarmStartType: 'IdenticalDataAndAlgorithm', ParentHyperParameterTuningJobs: [{ HyperParameterTuningJobName: 'e2e-random' }] },
      }),
    )
    const d = await waitTuning('e2e-warm')
    const parent = await backend.send('DescribeHyperParameterTuningJob', { HyperParameterTuningJobName: 'e2e-random' })
    const values = [parent.BestTrainingJob, d.BestTrainingJob].map((s) => s?.FinalHyperParameterTuningJobObjectiveMetric?.Value as number)
    expect(d.OverallBestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric?.Value).toBe(Math.min(...values))
    await expect(
      backend.send('CreateHyperParameterTuningJob', scriptRequest('e2e-orphan', { ParameterRanges: ranges }, {}, { WarmStartConfig: { WarmStartType: 'TransferLearning', ParentHyperParameterTuningJobs: [{ HyperParameterTuningJobName: 'never-ran' }] } })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('never-ran') })
  })

  it('stops a running tuning job: its training jobs are stopped and leave no process', async () => {
    await backend.send('CreateHyperParameterTuningJob', scriptRequest('e2e-stop', { ParameterRanges: ranges }, { epochs: '100', sleep: '0.2' }))
    // Wait until both running jobs have reported an epoch.
    for (const deadline = Date.now() + 30_000; ; ) {
      const l = await backend.send('ListTrainingJobsForHyperParameterTuningJob', { HyperParameterTuningJobName: 'e2e-stop' })
      const names = (l.TrainingJobSummaries ?? []).map((s) => s.TrainingJobName ?? '')
      const log = (n: string) => join(stateDir, 'local', 'training-jobs', n, 'log.txt')
      if (names.length === 2 && names.every((n) => existsSync(log(n)) && readFileSync(log(n), 'utf8').includes('epoch 1'))) break
      if (Date.now() > deadline) throw new Error('the training jobs did not start')
      await backend.changed!('e2e-stop', 500)
    }
    await backend.send('StopHyperParameterTuningJob', { HyperParameterTuningJobName: 'e2e-stop' })
    const d = await waitTuning('e2e-stop')
    expect(d.HyperParameterTuningJobStatus).toBe('Stopped')
    expect(d.TrainingJobStatusCounters).toMatchObject({ Stopped: 2, InProgress: 0 })
    const l = await backend.send('ListTrainingJobsForHyperParameterTuningJob', { HyperParameterTuningJobName: 'e2e-stop' })
    for (const s of l.TrainingJobSummaries ?? []) expect(gone(Number(readFileSync(join(pids, s.TrainingJobName ?? ''), 'utf8')))).toBe(true)
    await expect(backend.send('StopHyperParameterTuningJob', { HyperParameterTuningJobName: 'e2e-stop' })).rejects.toMatchObject({ name: 'ValidationException' })
  })

  it('Hyperband stops real jobs on the objective values they print (none runs its 10 epochs past MaxResource 3)', async () => {
    await backend.send(
      'CreateHyperParameterTuningJob',
      scriptRequest('e2e-hyperband', { Strategy: 'Hyperband', RandomSeed: 2, StrategyConfig: { HyperbandStrategyConfig: { MinResource: 1, MaxResource: 3 } }, ResourceLimits: { MaxNumberOfTrainingJobs: 5, MaxParallelTrainingJobs: 2 }, ParameterRanges: ranges }, { epochs: '10', sleep: '0.2' }),
    )
    const d = await waitTuning('e2e-hyperband')
    expect(d.HyperParameterTuningJobStatus).toBe('Completed')
    expect(d.TrainingJobStatusCounters).toMatchObject({ Stopped: 5, Completed: 0 })
    const l = await backend.send('ListTrainingJobsForHyperParameterTuningJob', { HyperParameterTuningJobName: 'e2e-hyperband' })
    for (const s of l.TrainingJobSummaries ?? []) {
      const printed = readFileSync(join(stateDir, 'local', 'training-jobs', s.TrainingJobName ?? '', 'log.txt'), 'utf8').split('\n').filter((x) => x.includes('loss=')).length
      expect(printed).toBeGreaterThanOrEqual(1)
      expect(printed).toBeLessThan(10)
      expect(s.ObjectiveStatus).toBe('Succeeded')
      expect(gone(Number(readFileSync(join(pids, s.TrainingJobName ?? ''), 'utf8')))).toBe(true)
    }
  })

  it('answers for a tuning job that does not exist as the cloud does, and refuses a bad request with every reason', async () => {
    const missing = await backend.send('DescribeHyperParameterTuningJob', { HyperParameterTuningJobName: 'nope' }).catch((e: unknown) => e)
    expect(isNotFound(missing)).toBe(true)
    await expect(backend.send('CreateHyperParameterTuningJob', scriptRequest('e2e-bad', { Strategy: 'Grid', ParameterRanges: ranges }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('only categorical ranges'),
    })
    await expect(backend.send('CreateHyperParameterTuningJob', scriptRequest('e2e-random', { ParameterRanges: ranges }))).rejects.toMatchObject({ name: 'ResourceInUse' })
  })

  it('runs a tuning step of a program through the executor; its best training job is the step output', async () => {
    const tune = frameworkTuning(
      'tune',
      sklearn('train', {
        entryPoint: 'train.py',
        sourceDir: join(root, 'src'),
        codeLocation: 's3://unused/code',
        frameworkVersion: '1.2-1',
        region: 'us-west-2',
        role: 'arn:aws:iam::111122223333:role/SageMakerRole',
        instanceType: 'ml.m5.large',
        output: { s3OutputPath: `file://${join(root, 'out')}` },
        hyperParameters: { epochs: 3 },
        metricDefinitions: [{ name: 'loss', regex: 'loss=([0-9.]+)' }],
      }),
      {
        objective: { metricName: 'loss', type: 'Minimize' },
        ranges: { x: { _tag: 'Continuous', min: 0, max: 1 }, n: { _tag: 'Integer', min: 1, max: 8 } },
        strategy: 'Bayesian',
        maxJobs: 4,
        maxParallelJobs: 2,
      },
    )
    const v = validate(program(tune))
    if (E.isLeft(v)) throw new Error(JSON.stringify(v.left))
    const result = await run(toPlan(v.right), { backend, runId: 'tuning-e2e', stateDir: join(root, 'journal'), baseDir: root })
    expect(result.errors).toEqual([])
    expect(result.status).toBe('Completed')
    const step = result.steps.find((s) => s.name === 'tune')
    expect(step?.status).toBe('Completed')
    const d = await backend.send('DescribeHyperParameterTuningJob', { HyperParameterTuningJobName: step?.physicalName ?? '' })
    expect(d.TrainingJobStatusCounters?.Completed).toBe(4)
    expect(d.BestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric?.Value).toBeCloseTo(loss(d.BestTrainingJob?.TunedHyperParameters), 8)
    expect(Object.values(step?.outputs ?? {})).toContain(d.BestTrainingJob?.TrainingJobName)
  })
})

describe('local capabilities of a tuning step', () => {
  it('are its training definition\'s: a BYO image needs Docker, and says so before anything starts', () => {
    const v = validate(tuningExample)
    if (E.isLeft(v)) throw new Error(JSON.stringify(v.left))
    const problems = localProblems(toPlan(v.right).steps, mergeHandlers(FAMILIES), { runtime: 'process', baseDir: root })
    expect(problems).toContainEqual(expect.objectContaining({ path: 'steps.tune.image', expected: expect.stringContaining('--runtime docker') }))
    expect(JSON.stringify(problems)).not.toContain('CreateHyperParameterTuningJob is not supported')
  })
})

describe('the notifier', () => {
  it('a change nobody waited for wakes the next waiter at once (a Describe just before a change cannot sleep through it)', async () => {
    const n = notifier()
    n.notify('job')
    let woke = false
    const p = n.changed('job', 60_000).then(() => (woke = true))
    await Promise.resolve()
    await p
    expect(woke).toBe(true)
    // Seen once: the next wait waits again.
    let again = false
    void n.changed('job', 60_000).then(() => (again = true))
    await new Promise((r) => setImmediate(r))
    expect(again).toBe(false)
    n.notify('job')
  })
})
