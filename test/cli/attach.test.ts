import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { attachCommand } from '../../src/cli/attach.js'
import { run } from '../../src/interpret/execute/executor.js'
import { readRun } from '../../src/interpret/execute/journal.js'
import { toPlan } from '../../src/interpret/plan/plan.js'
import { model, program, training, validate } from '../../src/index.js'
import type { Backend, LogLine } from '../../src/interpret/execute/port.js'
import { noSleep, scriptedBackend, type Script } from '../support/scripted-backend.js'

const trainingJob = (name: string) => ({ TrainingJobName: name, RoleArn: 'arn:aws:iam::111122223333:role/SageMakerRole', OutputDataConfig: { S3OutputPath: 's3://bucket/models' } })

const root = mkdtempSync(join(tmpdir(), 'sagespec-cli-attach-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const at = (s: number) => new Date(Date.UTC(2026, 2, 14, 10, 0, s))

/** Secondary transitions as SageMaker adds them: one more on the 2nd and the 4th Describe. */
const secondary = (): Script['annotate'] => {
  let describes = 0
  return (family) =>
    family !== 'training'
      ? undefined
      : (describes++,
        {
          SecondaryStatusTransitions: [
            { Status: 'Starting', StartTime: at(1), StatusMessage: 'Preparing the instances for training' },
            ...(describes >= 2 ? [{ Status: 'Training', StartTime: at(20), StatusMessage: 'Training image download completed. Training in progress.' }] : []),
            ...(describes >= 4 ? [{ Status: 'Completed', StartTime: at(80), StatusMessage: 'Training job completed' }] : []),
          ],
        })
}

/** Logs: each call hands out the next batch (the cursor is the batch number). */
const withLogs = (b: Backend, batches: ReadonlyArray<ReadonlyArray<LogLine>>): Backend => ({
  ...b,
  logs: async (_kind, _name, cursor) => {
    const i = (cursor as number | undefined) ?? 0
    return { lines: batches[i] ?? [], cursor: i + 1 }
  },
})

const cli = async (backend: Backend, ...args: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const status = await attachCommand([...args, '--target', 'aws'], { out: (s) => void out.push(s), err: (s) => void err.push(s) }, {
    connect: async () => backend,
    sleep: noSleep,
    random: () => 0.5,
    now: () => at(99),
  })
  return { status, out, err }
}

describe('sagespec attach', () => {
  it('follows a training job: each transition once, with its time, and its logs, until it completes', async () => {
    const b = scriptedBackend({ polls: () => 3, annotate: secondary() })
    await b.send('CreateTrainingJob', trainingJob('train-r1'))
    const logged = withLogs(b, [[{ host: 'algo-1', line: 'epoch 1 loss 0.4' }], [], [{ host: 'algo-2', line: 'epoch 2 loss 0.3' }]])
    const r = await cli(logged, 'train-r1')
    expect(r).toStrictEqual({
      status: 0,
      err: [],
      out: [
        'Following training job train-r1 on a scripted test backend',
        // The first Describe (finding the job's kind) saw Starting; following starts with the next.
        '10:01:39 train-r1: InProgress',
        '10:00:01 train-r1:   Starting — Preparing the instances for training',
        '10:00:20 train-r1:   Training — Training image download completed. Training in progress.',
        'train-r1 [algo-1] epoch 1 loss 0.4',
        '10:01:39 train-r1: Completed',
        '10:01:20 train-r1:   Completed — Training job completed',
        // Drained after the end: the last lines are not lost.
        'train-r1 [algo-2] epoch 2 loss 0.3',
        'train-r1: Completed',
      ],
    })
  })

  it('finds the kind by name; a tuning job reports its progress on each change', async () => {
    const counters = (left: number) => ({
      TrainingJobStatusCounters: { Completed: 3 - left, InProgress: left > 0 ? 2 : 0, RetryableError: 0, NonRetryableError: left === 1 ? 1 : 0, Stopped: 0 },
      ...(left < 3 ? { BestTrainingJob: { TrainingJobName: 'tune-002', FinalHyperParameterTuningJobObjectiveMetric: { MetricName: 'validation:auc', Value: 0.91 } } } : {}),
    })
    const b = scriptedBackend({ polls: () => 3, annotate: (family, _n, left) => (family === 'tuning' ? counters(left) : undefined) })
    await b.send('CreateHyperParameterTuningJob', { HyperParameterTuningJobName: 'tune', HyperParameterTuningJobConfig: { Strategy: 'Random', ResourceLimits: { MaxParallelTrainingJobs: 2 } } })
    const r = await cli(b, 'tune')
    expect(r.status).toBe(0)
    expect(r.out).toStrictEqual([
      'Following tuning job tune on a scripted test backend',
      '10:01:39 tune: InProgress',
      '10:01:39 tune: 2 completed, 2 in progress, 1 failed, 0 stopped; best validation:auc 0.91 (tune-002)',
      '10:01:39 tune: 3 completed, 0 in progress, 0 failed, 0 stopped; best validation:auc 0.91 (tune-002)',
      '10:01:39 tune: Completed',
      'tune: Completed',
    ])
    // Training first, then tuning: the first kind that knows the name.
    expect(b.calls.slice(1, 3).map((c) => c.op)).toStrictEqual(['DescribeTrainingJob', 'DescribeHyperParameterTuningJob'])
  })

  it('exits 1 with the reason when the job fails, and names a job no kind knows', async () => {
    const b = scriptedBackend({ polls: () => 0, fail: (n) => (n === 'bad' ? 'AlgorithmError: out of memory' : undefined) })
    await b.send('CreateTransformJob', {
      TransformJobName: 'bad',
      ModelName: 'm',
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/in' } } },
      TransformOutput: { S3OutputPath: 's3://bucket/out' },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    })
    const failed = await cli(b, 'bad', '--kind', 'transform')
    expect(failed.status).toBe(1)
    expect(failed.out.slice(-2)).toStrictEqual(['10:01:39 bad: Failed', 'bad: Failed: AlgorithmError: out of memory'])
    expect(await cli(b, 'ghost')).toStrictEqual({ status: 1, out: [], err: ['no training, tuning or transform job named "ghost" on --target aws'] })
    expect(await cli(b, 'bad', '--kind', 'training')).toStrictEqual({ status: 1, out: [], err: ['no training job named "bad" on --target aws'] })
    expect((await cli(b, 'bad', '--kind', 'endpoint')).status).toBe(2)
  })

  it('Ctrl-C stops following and leaves the job running', async () => {
    const b = scriptedBackend({ polls: () => 1000 })
    await b.send('CreateTrainingJob', trainingJob('long'))
    const controller = new AbortController()
    const out: string[] = []
    const err: string[] = []
    const status = await attachCommand(['long', '--target', 'aws'], { out: (s) => void out.push(s), err: (s) => void err.push(s) }, {
      connect: async () => b,
      sleep: async () => controller.abort(),
      now: () => at(0),
      signal: controller.signal,
    })
    expect(status).toBe(130)
    expect(err).toStrictEqual(['Stopped following long; the job goes on. Attach again with: sagespec attach long --target aws'])
    expect(b.calls.some((c) => c.op.startsWith('Stop'))).toBe(false)
  })

  it('--as STEP --resume RUN journals the completed job as the step: resuming reuses it and reads its outputs', async () => {
    const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
    const image = '111122223333.dkr.ecr.us-west-2.amazonaws.com/churn:1.0'
    const t = training('train', { image, role, resources: { instanceType: 'ml.m5.xlarge' }, output: { s3OutputPath: 's3://bucket/models' }, channels: { train: { uri: 's3://bucket/train/' } } })
    const v = validate(program(t, model('churn', { container: { image, modelDataUrl: t.outputs.modelArtifacts }, role })))
    if (E.isLeft(v)) throw new Error('program')
    const plan = toPlan(v.right)
    const stateDir = join(root, 'adopt')
    // The run is interrupted while its training job runs (Ctrl-C at its first poll)…
    const controller = new AbortController()
    const b = scriptedBackend({
      polls: (name) => (name === 'by-hand' ? 2 : 1),
      before: (op) => {
        if (op === 'DescribeTrainingJob' && b.creates().length > 0) controller.abort()
      },
    })
    const first = await run(plan, { backend: b, runId: 'r1', stateDir, sleep: noSleep, signal: controller.signal, program: 'churn.ts' })
    expect(first.status).toBe('Interrupted')
    // …and the user trains by hand instead.
    await b.send('CreateTrainingJob', { ...trainingJob('by-hand'), OutputDataConfig: { S3OutputPath: 's3://bucket/manual' } })
    const out: string[] = []
    const err: string[] = []
    const deps = { connect: async () => b, sleep: noSleep, now: () => at(30) }
    const status = await attachCommand(['by-hand', '--as', 'train', '--resume', 'r1', '--target', 'local', '--state-dir', stateDir], { out: (x) => void out.push(x), err: (x) => void err.push(x) }, deps)
    expect(err).toStrictEqual([])
    expect(status).toBe(0)
    expect(out.at(-1)).toBe('Adopted by-hand as step train of run r1. Resume with: sagespec run churn.ts --target local --resume r1')
    const journaled = readRun(stateDir, 'r1')!.steps.find((s) => s.name === 'train')!
    expect([journaled.status, journaled.physicalName, journaled.transitions.map((x) => x.status)]).toStrictEqual(['Completed', 'by-hand', ['InProgress', 'Completed']])

    const resumed = await run(plan, { backend: b, runId: 'r1', stateDir, sleep: noSleep })
    expect(resumed.status).toBe('Completed')
    expect(resumed.steps.map((s) => [s.name, s.physicalName, s.reused])).toStrictEqual([
      ['train', 'by-hand', true],
      ['churn', 'churn-r1', false],
    ])
    expect(b.creates('CreateModel')[0]!.input.PrimaryContainer.ModelDataUrl).toBe('s3://bucket/manual/by-hand/output/model.tar.gz')

    // Once completed, the step takes no other job; a wrong step or run is named.
    const again = async (...args: string[]) => {
      const e: string[] = []
      const code = await attachCommand(['by-hand', ...args, '--target', 'local', '--state-dir', stateDir], { out: () => undefined, err: (x) => void e.push(x) }, deps)
      return [code, e.join('\n')]
    }
    expect(await again('--as', 'train', '--resume', 'r1')).toStrictEqual([1, 'step train already completed in this run (as by-hand); nothing to adopt'])
    expect(await again('--as', 'nope', '--resume', 'r1')).toStrictEqual([1, 'run r1 has no step "nope" (its steps: train, churn)'])
    expect(await again('--as', 'churn', '--resume', 'r1')).toStrictEqual([1, 'step churn is a Model step; a Training job cannot stand in for it'])
    expect(await again('--as', 'train', '--resume', 'r9')).toStrictEqual([1, `no run "r9" in ${stateDir} (sagespec runs list shows the runs there)`])
    expect((await again('--as', 'train'))[0]).toBe(2)
  })
})
