/**
 * Tuning benchmark, in one run:
 *
 * 1. Bayesian vs Random: training jobs until one is within 1% of a known optimum, averaged over
 *    seeds — the Forrester function (1-D, multimodal) and Branin (2-D). Jobs are instant stand-ins
 *    whose objective is the function; the tuning job's target objective stops it at the first hit.
 *    Random on Branin needs thousands of jobs, so it is counted straight from the Random strategy
 *    (its point i depends only on the seed and i: the points the driver would run, without the driver).
 * 2. MaxParallelTrainingJobs 2 vs 1: the same seeded tuning job of real local training jobs (the
 *    process runtime, a Python script that spins the CPU for about a second), wall time side by side.
 *
 *   npx tsx bench/tuning.ts
 *
 * Prints counts and ratios; never fails on time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type * as SM from '@aws-sdk/client-sagemaker'
import * as E from 'fp-ts/lib/Either.js'
import { gzipArchive, packCode } from '../src/interpret/code/pack.js'
import { createLocalBackend, stageCodeLocally } from '../src/local/backend.js'
import { createContext } from '../src/local/context.js'
import { FAMILIES } from '../src/local/index.js'
import { processRuntime } from '../src/local/runtime/process.js'
import { tune, type MetricValue, type Runner } from '../src/local/tuning/driver.js'
import { seeded } from '../src/local/tuning/rng.js'
import { fromRanges, fromUnit } from '../src/local/tuning/space.js'
import { random } from '../src/local/tuning/strategies/random.js'

// -------------------------------------------------------------------------------------
// 1. Bayesian vs Random
// -------------------------------------------------------------------------------------

const forrester = (x: number): number => (6 * x - 2) ** 2 * Math.sin(12 * x - 4)
const branin = (x1: number, x2: number): number => {
  const b = 5.1 / (4 * Math.PI ** 2)
  const c = 5 / Math.PI
  const t = 1 / (8 * Math.PI)
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10
}

interface Problem {
  readonly name: string
  readonly optimum: number
  readonly ranges: SM.ParameterRanges
  readonly f: (h: Readonly<Record<string, string>>) => number
}

const PROBLEMS: ReadonlyArray<Problem> = [
  { name: 'Forrester (1-D)', optimum: -6.02074, ranges: { ContinuousParameterRanges: [{ Name: 'x', MinValue: '0', MaxValue: '1', ScalingType: 'Linear' }] }, f: (h) => forrester(Number(h.x)) },
  {
    name: 'Branin (2-D)',
    optimum: 0.397887,
    ranges: {
      ContinuousParameterRanges: [
        { Name: 'x1', MinValue: '-5', MaxValue: '10', ScalingType: 'Linear' },
        { Name: 'x2', MinValue: '0', MaxValue: '15', ScalingType: 'Linear' },
      ],
    },
    f: (h) => branin(Number(h.x1), Number(h.x2)),
  },
]

const instant = (f: (h: Readonly<Record<string, string>>) => number): { runner: Runner; count: () => number } => {
  let n = 0
  return {
    count: () => n,
    runner: {
      startTrainingJob: async (_name, hps) => {
        n++
        const value = f(hps)
        async function* metrics(): AsyncGenerator<MetricValue> {
          yield { name: 'loss', value }
        }
        return { metrics: metrics(), outcome: Promise.resolve({ status: 'Completed' as const, finalMetrics: [{ MetricName: 'loss', Value: value }] }) }
      },
      stop: async () => undefined,
    },
  }
}

const definition = (statics: Record<string, string> = {}): SM.HyperParameterTrainingJobDefinition => ({
  AlgorithmSpecification: { TrainingImage: 'bench', TrainingInputMode: 'File', MetricDefinitions: [{ Name: 'loss', Regex: 'loss=([0-9.eE+-]+)' }] },
  RoleArn: 'arn:aws:iam::111122223333:role/SageMakerRole',
  OutputDataConfig: { S3OutputPath: 'file://out' },
  ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
  StoppingCondition: { MaxRuntimeInSeconds: 600 },
  StaticHyperParameters: statics,
})

const tuningRequest = (name: string, strategy: 'Bayesian' | 'Random', seed: number, maxJobs: number, parallel: number, ranges: SM.ParameterRanges, target?: number, statics?: Record<string, string>): SM.CreateHyperParameterTuningJobCommandInput => ({
  HyperParameterTuningJobName: name,
  HyperParameterTuningJobConfig: {
    Strategy: strategy,
    RandomSeed: seed,
    HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'loss' },
    ResourceLimits: { MaxNumberOfTrainingJobs: maxJobs, MaxParallelTrainingJobs: parallel },
    ParameterRanges: ranges,
    ...(target === undefined ? {} : { TuningJobCompletionCriteria: { TargetObjectiveMetricValue: target } }),
  },
  TrainingJobDefinition: definition(statics),
})

const CAP = 300
const bayesianCount = async (p: Problem, seed: number): Promise<number> => {
  const target = p.optimum + 0.01 * Math.abs(p.optimum)
  const fake = instant(p.f)
  const job = tune(tuningRequest(`bench-${seed}`, 'Bayesian', seed, CAP, 1, p.ranges, target), fake.runner)
  if (E.isLeft(job)) throw new Error(JSON.stringify(job.left))
  const d = await job.right.done
  const best = d.BestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric?.Value ?? Number.POSITIVE_INFINITY
  return best <= target ? fake.count() : Number.POSITIVE_INFINITY
}

const randomCount = (p: Problem, seed: number): number => {
  const target = p.optimum + 0.01 * Math.abs(p.optimum)
  const space = fromRanges(p.ranges, {})
  if (E.isLeft(space)) throw new Error(JSON.stringify(space.left))
  const names = space.right.dimensions.map((d) => d.name)
  const strategy = random(space.right)
  for (let i = 0; i < 1_000_000; i++) {
    const [u] = strategy.next(1)({ trials: [], proposed: i }, seeded(seed))
    const point = fromUnit(space.right)(u ?? [])
    if (p.f(Object.fromEntries(names.map((n, k) => [n, String(point[k])]))) <= target) return i + 1
  }
  return Number.POSITIVE_INFINITY
}

const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / xs.length

const searchBench = async () => {
  const seeds = Array.from({ length: 10 }, (_, i) => i + 1)
  console.log('Bayesian vs Random: training jobs until one is within 1% of the optimum (10 seeds, MaxParallel 1)')
  for (const p of PROBLEMS) {
    const b = await Promise.all(seeds.map((s) => bayesianCount(p, s)))
    const r = seeds.map((s) => randomCount(p, s))
    console.log(`  ${p.name.padEnd(16)} Bayesian mean ${mean(b).toFixed(1).padStart(7)} [${b.join(' ')}]`)
    console.log(`  ${''.padEnd(16)} Random   mean ${mean(r).toFixed(1).padStart(7)} [${r.join(' ')}]`)
    console.log(`  ${''.padEnd(16)} ratio Bayesian/Random ${(mean(b) / mean(r)).toFixed(3)} (goal <= 0.5)`)
  }
}

// -------------------------------------------------------------------------------------
// 2. MaxParallel 2 vs 1, real local jobs
// -------------------------------------------------------------------------------------

const SPIN = `
import argparse, time
p = argparse.ArgumentParser()
p.add_argument("-x", "--x", type=float, default=0.0)
p.add_argument("--seconds", type=float, default=1.0)
a, _ = p.parse_known_args()
end = time.process_time() + a.seconds
n = 0
while time.process_time() < end:
    n += 1
print("loss=%.6f" % ((a.x - 0.3) ** 2), flush=True)
`

const parallelBench = async () => {
  const root = mkdtempSync(join(tmpdir(), 'sagespec-bench-tuning-'))
  try {
    mkdirSync(join(root, 'src'), { recursive: true })
    writeFileSync(join(root, 'src', 'train.py'), SPIN)
    const jobs = 6
    const wall = async (parallel: number, tag: string): Promise<number> => {
      const stateDir = join(root, `state-${tag}`)
      const ctx = createContext({ stateDir, baseDir: root, runtime: processRuntime({ dir: join(stateDir, 'local', 'processes') }), region: 'us-west-2' })
      const backend = createLocalBackend(ctx, FAMILIES)
      try {
        const packed = packCode({ _tag: 'Code', entryPoint: 'train.py', sourceDir: join(root, 'src'), s3Prefix: 's3://unused/code' } as never)
        if (E.isLeft(packed)) throw new Error(JSON.stringify(packed.left))
        const code = stageCodeLocally(join(stateDir, 'local'), packed.right.sha256, gzipArchive(packed.right.tar))
        const statics = { sagemaker_program: '"train.py"', sagemaker_submit_directory: JSON.stringify(code), seconds: '1.0' }
        const request = tuningRequest(`par-${tag}`, 'Random', 1, jobs, parallel, { ContinuousParameterRanges: [{ Name: 'x', MinValue: '0', MaxValue: '1', ScalingType: 'Linear' }] }, undefined, statics)
        request.TrainingJobDefinition!.OutputDataConfig = { S3OutputPath: `file://${join(root, 'out', tag)}` }
        const t0 = process.hrtime.bigint()
        await backend.send('CreateHyperParameterTuningJob', request)
        for (;;) {
          const d = await backend.send('DescribeHyperParameterTuningJob', { HyperParameterTuningJobName: `par-${tag}` })
          if (['Completed', 'Failed', 'Stopped'].includes(d.HyperParameterTuningJobStatus ?? '')) {
            if (d.HyperParameterTuningJobStatus !== 'Completed' || d.TrainingJobStatusCounters?.Completed !== jobs) throw new Error(`bench tuning job ended ${d.HyperParameterTuningJobStatus}: ${d.FailureReason ?? ''}`)
            break
          }
          await backend.changed!(`par-${tag}`, 1000)
        }
        return Number(process.hrtime.bigint() - t0) / 1e6
      } finally {
        await backend.close()
      }
    }
    console.log(`MaxParallelTrainingJobs 2 vs 1: ${jobs} local training jobs (process runtime, ~1 s of CPU each), ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)} at the start`)
    const rounds = 2
    const one: number[] = []
    const two: number[] = []
    for (let i = 0; i < rounds; i++) {
      one.push(await wall(1, `one-${i}`))
      two.push(await wall(2, `two-${i}`))
    }
    console.log(`  one at a time  ${one.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')}`)
    console.log(`  two at a time  ${two.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')}`)
    console.log(`  wall ratio 2/1 ${(mean(two) / mean(one)).toFixed(3)} (goal <= 0.6; load average ${loadavg()[0]?.toFixed(1)} at the end: other work on the cores inflates it)`)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

await searchBench()
await parallelBench()
