import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as _ from '../../../src/local/tuning/driver.js'
import { peakConcurrency, type ParentResults } from '../../../src/local/tuning/state.js'
import { checkRequest, serviceModelOrSkip } from '../../support/service-model.js'
import { fakeRunner } from './fake-runner.js'
import { BRANIN_MIN, branin, continuous, FORRESTER_MIN, forrester, request, type Config, type Request } from './requests.js'

const start = (req: Request, runner: _.Runner, options: _.TuneOptions = {}): _.TuningJob => {
  const job = _.tune(req, runner, options)
  if (E.isLeft(job)) throw new Error(JSON.stringify(job.left))
  return job.right
}
const errorsOf = (req: Request) => {
  const job = _.tune(req, fakeRunner('loss', () => [0]).runner)
  return E.isLeft(job) ? job.left : []
}
const num = (s: string | undefined) => Number(s)

const brandinConfig = (strategy: 'Bayesian' | 'Random', seed: number, max: number): Partial<Config> => ({
  Strategy: strategy,
  RandomSeed: seed,
  ResourceLimits: { MaxNumberOfTrainingJobs: max, MaxParallelTrainingJobs: 1 },
  ParameterRanges: { ContinuousParameterRanges: [continuous('x1', '-5', '10'), continuous('x2', '0', '15')] },
})

describe('tuning driver', () => {
  describe('Grid', () => {
    it('runs every combination of the categorical values exactly once', async () => {
      const fake = fakeRunner('loss', (h) => [num(h.a) * 10 + num(h.b) + (h.c === 'x' ? 0 : 100)])
      const job = start(
        request('grid', {
          Strategy: 'Grid',
          ResourceLimits: { MaxParallelTrainingJobs: 3 },
          ParameterRanges: { CategoricalParameterRanges: [{ Name: 'a', Values: ['1', '2', '3'] }, { Name: 'b', Values: ['5', '6'] }, { Name: 'c', Values: ['x', 'y'] }] },
        }),
        fake.runner,
      )
      const d = await job.done
      const combos = fake.started.map((s) => `${s.hyperParameters.a}/${s.hyperParameters.b}/${s.hyperParameters.c}`)
      expect(combos.length).toBe(12)
      expect(new Set(combos).size).toBe(12)
      for (const a of ['1', '2', '3']) for (const b of ['5', '6']) for (const c of ['x', 'y']) expect(combos).toContain(`${a}/${b}/${c}`)
      expect(d.HyperParameterTuningJobStatus).toBe('Completed')
      expect(d.TrainingJobStatusCounters).toEqual({ Completed: 12, InProgress: 0, RetryableError: 0, NonRetryableError: 0, Stopped: 0 })
      expect(d.BestTrainingJob?.TunedHyperParameters).toEqual({ a: '1', b: '5', c: 'x' })
      expect(d.BestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric).toEqual({ MetricName: 'loss', Value: 15 })
    })

    it('accepts only categorical ranges, and a MaxNumberOfTrainingJobs equal to the combinations', () => {
      expect(errorsOf(request('g', { Strategy: 'Grid', ParameterRanges: { IntegerParameterRanges: [{ Name: 'n', MinValue: '1', MaxValue: '3' }] } }))[0]?.message).toContain(
        'only categorical ranges',
      )
      expect(
        errorsOf(request('g', { Strategy: 'Grid', ResourceLimits: { MaxNumberOfTrainingJobs: 3, MaxParallelTrainingJobs: 1 }, ParameterRanges: { CategoricalParameterRanges: [{ Name: 'a', Values: ['1', '2'] }] } })),
      ).toEqual([{ _tag: 'InvalidRequest', path: 'HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs', message: expect.stringContaining('number of combinations (2)') }])
    })
  })

  describe('Random', () => {
    it('stays inside every range and follows its scaling', async () => {
      const fake = fakeRunner('loss', () => [1])
      await start(
        request('random', {
          RandomSeed: 7,
          ResourceLimits: { MaxNumberOfTrainingJobs: 400, MaxParallelTrainingJobs: 4 },
          ParameterRanges: {
            ContinuousParameterRanges: [continuous('lr', '0.0001', '1', 'Logarithmic'), continuous('m', '0', '0.999', 'ReverseLogarithmic')],
            IntegerParameterRanges: [{ Name: 'depth', MinValue: '2', MaxValue: '6', ScalingType: 'Linear' }],
          },
        }),
        fake.runner,
      ).done
      const lr = fake.started.map((s) => num(s.hyperParameters.lr))
      const m = fake.started.map((s) => num(s.hyperParameters.m))
      const depth = fake.started.map((s) => s.hyperParameters.depth ?? '')
      expect(lr.every((v) => v >= 0.0001 && v <= 1)).toBe(true)
      expect(m.every((v) => v >= 0 && v <= 0.999)).toBe(true)
      expect(depth.every((v) => /^[2-6]$/.test(v))).toBe(true)
      // Log-uniform: half below the geometric middle 0.01, a quarter below 0.001.
      const below = (xs: ReadonlyArray<number>, t: number) => xs.filter((v) => v < t).length / xs.length
      expect(below(lr, 0.01)).toBeGreaterThan(0.4)
      expect(below(lr, 0.01)).toBeLessThan(0.6)
      expect(below(lr, 0.001)).toBeGreaterThan(0.17)
      expect(below(lr, 0.001)).toBeLessThan(0.33)
      // Reverse-log: half above 1 − 10^-1.5 ≈ 0.968, so most values sit near MaxValue.
      expect(below(m, 1 - 10 ** -1.5)).toBeGreaterThan(0.4)
      expect(below(m, 1 - 10 ** -1.5)).toBeLessThan(0.6)
      expect(new Set(depth).size).toBe(5)
    })
  })

  describe('limits', () => {
    it('never runs more than MaxParallelTrainingJobs at once, and does reach it (counted from its own events)', async () => {
      for (const parallel of [1, 3]) {
        const fake = fakeRunner('loss', (h) => [3, 2, num(h.x)])
        const job = start(request(`par-${parallel}`, { ResourceLimits: { MaxNumberOfTrainingJobs: 10, MaxParallelTrainingJobs: parallel }, ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')] } }), fake.runner)
        await job.done
        expect(fake.started.length).toBe(10)
        expect(peakConcurrency(job.state().events)).toBe(parallel)
      }
    })

    it('names training jobs as SageMaker does: <tuning job>-<NNN>-<8 hex>, within 63 characters', async () => {
      const name = 'a-tuning-job-name-of-32-chars-xx'
      const fake = fakeRunner('loss', () => [1])
      await start(request(name, { ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')] } }), fake.runner).done
      expect(fake.started.map((s) => s.name)).toEqual(Array.from({ length: 10 }, (_x, i) => expect.stringMatching(new RegExp(`^${name}-${String(i + 1).padStart(3, '0')}-[0-9a-f]{8}$`))))
      expect(Math.max(...fake.started.map((s) => s.name.length))).toBeLessThanOrEqual(63)
    })

    it('stops starting jobs, and stops running ones, once a job reaches TargetObjectiveMetricValue', async () => {
      const fake = fakeRunner('loss', (h) => [branin(num(h.x1), num(h.x2))])
      const target = 5
      const job = start(
        request('target', { ...brandinConfig('Random', 3, 300), ResourceLimits: { MaxNumberOfTrainingJobs: 300, MaxParallelTrainingJobs: 2 }, TuningJobCompletionCriteria: { TargetObjectiveMetricValue: target } }),
        fake.runner,
      )
      const d = await job.done
      expect(fake.started.length).toBeLessThan(300)
      expect(d.HyperParameterTuningJobStatus).toBe('Completed')
      expect(d.BestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric?.Value).toBeLessThanOrEqual(target)
      // Only the job that reached it and the one beside it ran; none started after.
      const reached = job.state().jobs.findIndex((j) => (j.objective ?? Infinity) <= target)
      expect(job.state().jobs.length).toBeLessThanOrEqual(reached + 2)
    })

    it('completes when MaxNumberOfTrainingJobsNotImproving jobs in a row do not beat the best by 1%', async () => {
      const fake = fakeRunner('loss', () => [1])
      const job = start(
        request('flat', {
          ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')] },
          ResourceLimits: { MaxNumberOfTrainingJobs: 50, MaxParallelTrainingJobs: 1 },
          TuningJobCompletionCriteria: { BestObjectiveNotImproving: { MaxNumberOfTrainingJobsNotImproving: 4 } },
        }),
        fake.runner,
      )
      const d = await job.done
      expect(fake.started.length).toBe(5)
      expect(d.TuningJobCompletionDetails).toEqual({ NumberOfTrainingJobsObjectiveNotImproving: 4 })
    })
  })

  it('MaxRuntimeInSeconds: past it no job starts, and the tuning job completes with what it has', async () => {
    // A clock that moves 10 s at each reading: a few jobs in, 120 s have passed.
    let t = 0
    const now = () => new Date(Date.UTC(2026, 0, 1) + 10_000 * t++)
    const fake = fakeRunner('loss', () => [1])
    const job = start(
      request('overtime', { ResourceLimits: { MaxNumberOfTrainingJobs: 10, MaxParallelTrainingJobs: 1, MaxRuntimeInSeconds: 120 }, ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')] } }),
      fake.runner,
      { now },
    )
    const d = await job.done
    expect(fake.started.length).toBeGreaterThan(0)
    expect(fake.started.length).toBeLessThan(10)
    expect(d.HyperParameterTuningJobStatus).toBe('Completed')
    expect(errorsOf(request('short', { ResourceLimits: { MaxNumberOfTrainingJobs: 1, MaxParallelTrainingJobs: 1, MaxRuntimeInSeconds: 60 }, ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')] } }))[0]?.path).toBe(
      'HyperParameterTuningJobConfig.ResourceLimits.MaxRuntimeInSeconds',
    )
  })

  describe('early stopping Auto (median rule)', () => {
    it('stops a job worse than the median of the earlier jobs running averages, and no other', async () => {
      const curves: Record<string, ReadonlyArray<number>> = {
        g1: [10, 5, 3, 2],
        g2: [11, 6, 3, 2],
        g3: [9, 5, 4, 2],
        bad: [10, 9, 9, 9],
        g4: [10, 4, 3, 1],
      }
      const fake = fakeRunner('loss', (h) => curves[h.run ?? ''] ?? [])
      const job = start(
        request('median', { Strategy: 'Grid', TrainingJobEarlyStoppingType: 'Auto', ResourceLimits: { MaxParallelTrainingJobs: 1 }, ParameterRanges: { CategoricalParameterRanges: [{ Name: 'run', Values: Object.keys(curves) }] } }),
        fake.runner,
      )
      const d = await job.done
      const byRun = Object.fromEntries(job.state().jobs.map((j) => [j.tuned.run, j]))
      // At epoch 2 the earlier jobs' running averages are 7.5, 8.5, 7: median 7.5 < 9.
      expect(byRun.bad?.status).toBe('Stopped')
      expect(byRun.bad?.intermediate).toEqual([10, 9])
      expect(byRun.bad?.stopReason).toContain('median')
      expect(byRun.bad?.objectiveStatus).toBe('Succeeded')
      expect(['g1', 'g2', 'g3', 'g4'].map((r) => byRun[r]?.status)).toEqual(['Completed', 'Completed', 'Completed', 'Completed'])
      expect(d.TrainingJobStatusCounters).toMatchObject({ Completed: 4, Stopped: 1 })
    })

    it('is off by default: the same bad job runs to the end', async () => {
      const fake = fakeRunner('loss', (h) => (h.run === 'bad' ? [10, 9, 9, 9] : [10, 5, 3, 2]))
      const job = start(request('off', { Strategy: 'Grid', ResourceLimits: { MaxParallelTrainingJobs: 1 }, ParameterRanges: { CategoricalParameterRanges: [{ Name: 'run', Values: ['a', 'b', 'c', 'bad'] }] } }), fake.runner)
      await job.done
      expect(job.state().jobs.map((j) => j.status)).toEqual(['Completed', 'Completed', 'Completed', 'Completed'])
    })
  })

  describe('Hyperband', () => {
    it('stops jobs at their bracket rungs, never before MinResource, and every job at MaxResource', async () => {
      // 20 epochs, MaxResource 9: the tuner stops whoever is still running at 9 reports.
      const fake = fakeRunner('loss', (h) => Array.from({ length: 20 }, (_x, t) => num(h.x) + 1 / (t + 1)))
      const job = start(
        request('hyperband', {
          Strategy: 'Hyperband',
          RandomSeed: 5,
          StrategyConfig: { HyperbandStrategyConfig: { MinResource: 1, MaxResource: 9 } },
          ResourceLimits: { MaxNumberOfTrainingJobs: 17, MaxParallelTrainingJobs: 2 },
          ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')] },
        }),
        fake.runner,
      )
      await job.done
      const jobs = job.state().jobs
      const reports = jobs.map((j) => j.intermediate.length)
      expect(reports.every((n) => n >= 1 && n <= 9)).toBe(true)
      // Brackets take turns: 9 jobs judged at 1 and 3, 5 jobs judged at 3, 3 jobs never before 9.
      expect(reports.slice(0, 9).every((n) => [1, 3, 9].includes(n))).toBe(true)
      expect(reports.slice(0, 9).filter((n) => n < 9).length).toBeGreaterThan(0)
      expect(reports.slice(9, 14).every((n) => [3, 9].includes(n))).toBe(true)
      expect(reports.slice(14)).toEqual([9, 9, 9])
      expect(jobs.every((j) => j.status === 'Stopped' && j.objectiveStatus === 'Succeeded')).toBe(true)
      expect(jobs.filter((j) => j.intermediate.length === 9).every((j) => j.stopReason === 'reached MaxResource (9)')).toBe(true)
    })

    it('infers MaxResource from the epochs static hyperparameter, and refuses early stopping Auto beside it', () => {
      const base = { Strategy: 'Hyperband' as const, ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')] } }
      expect(errorsOf(request('hb', base, { num_epochs: '30' }))).toEqual([])
      expect(errorsOf(request('hb', base))[0]?.path).toBe('HyperParameterTuningJobConfig.StrategyConfig.HyperbandStrategyConfig.MaxResource')
      expect(errorsOf(request('hb', { ...base, TrainingJobEarlyStoppingType: 'Auto' }, { epochs: '9' }))[0]?.message).toContain('set TrainingJobEarlyStoppingType to Off')
    })
  })

  describe('Bayesian', () => {
    // Evaluations until a job is within 1% of the optimum: the target stops the tuning job there.
    const evaluations = async (strategy: 'Bayesian' | 'Random', seed: number, cap: number, fn: 'forrester' | 'branin'): Promise<number> => {
      const fake = fakeRunner('loss', (h) => [fn === 'forrester' ? forrester(num(h.x)) : branin(num(h.x1), num(h.x2))])
      const optimum = fn === 'forrester' ? FORRESTER_MIN : BRANIN_MIN
      const ranges = fn === 'forrester' ? { ContinuousParameterRanges: [continuous('x', '0', '1')] } : brandinConfig(strategy, seed, cap).ParameterRanges
      const d = await start(
        request(`${fn}-${strategy}-${seed}`.toLowerCase(), {
          Strategy: strategy,
          RandomSeed: seed,
          ResourceLimits: { MaxNumberOfTrainingJobs: cap, MaxParallelTrainingJobs: 1 },
          ParameterRanges: ranges,
          TuningJobCompletionCriteria: { TargetObjectiveMetricValue: optimum + 0.01 * Math.abs(optimum) },
        }),
        fake.runner,
      ).done
      const best = d.BestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric?.Value ?? Infinity
      return best <= optimum + 0.01 * Math.abs(optimum) ? fake.started.length : cap + 1
    }

    it('reaches within 1% of the optimum of a multimodal function in fewer evaluations than Random (8 seeds)', async () => {
      const seeds = [1, 2, 3, 4, 5, 6, 7, 8]
      const bayes = await Promise.all(seeds.map((s) => evaluations('Bayesian', s, 200, 'forrester')))
      const random = await Promise.all(seeds.map((s) => evaluations('Random', s, 200, 'forrester')))
      const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length
      expect(bayes.every((n) => n <= 200)).toBe(true)
      expect(mean(bayes)).toBeLessThan(mean(random))
    })

    it('reaches within 1% of Branin\'s minimum within 60 evaluations, where Random does not (4 seeds)', async () => {
      const seeds = [1, 2, 3, 4]
      const bayes = await Promise.all(seeds.map((s) => evaluations('Bayesian', s, 60, 'branin')))
      const random = await Promise.all(seeds.map((s) => evaluations('Random', s, 60, 'branin')))
      expect(bayes.every((n) => n <= 60)).toBe(true)
      expect(random.every((n) => n > 60)).toBe(true)
    })

    it('is deterministic: the same seed gives the same job list, another seed another', async () => {
      const list = async (seed: number) => {
        const fake = fakeRunner('loss', (h) => [branin(num(h.x1), num(h.x2))])
        await start(request('det', { ...brandinConfig('Bayesian', seed, 14), ResourceLimits: { MaxNumberOfTrainingJobs: 14, MaxParallelTrainingJobs: 2 } }), fake.runner).done
        return fake.started.map((s) => `${s.name} ${s.hyperParameters.x1} ${s.hyperParameters.x2}`)
      }
      const a = await list(11)
      expect(await list(11)).toEqual(a)
      expect(await list(12)).not.toEqual(a)
    })
  })

  describe('warm start', () => {
    const config = (seed: number): Partial<Config> => ({
      Strategy: 'Bayesian',
      RandomSeed: seed,
      ResourceLimits: { MaxNumberOfTrainingJobs: 6, MaxParallelTrainingJobs: 1 },
      ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')] },
    })
    const parentOf = async (name: string): Promise<ParentResults> => {
      const job = start(request(name, config(1)), fakeRunner('loss', (h) => [forrester(num(h.x))]).runner)
      await job.done
      return { staticHyperParameters: {}, trainingJobs: (E.getOrElseW(() => ({ TrainingJobSummaries: [] }))(job.listTrainingJobs({ MaxResults: 100 })).TrainingJobSummaries ?? []) }
    }

    it("feeds the parents' results to the strategy and reports the overall best (IdenticalDataAndAlgorithm)", async () => {
      const parent = await parentOf('parent')
      const child = (warm: boolean) => {
        const fake = fakeRunner('loss', (h) => [forrester(num(h.x))])
        const job = start(
          request('child', config(2), {}, warm ? { WarmStartConfig: { WarmStartType: 'IdenticalDataAndAlgorithm', ParentHyperParameterTuningJobs: [{ HyperParameterTuningJobName: 'parent' }] } } : {}),
          fake.runner,
          { parents: (n) => (n === 'parent' ? parent : undefined) },
        )
        return job.done.then((d) => ({ d, first: fake.started[0]?.hyperParameters.x }))
      }
      const cold = await child(false)
      const warm = await child(true)
      // With six parent points the child has enough to fit its surrogate from the first job on.
      expect(warm.first).not.toEqual(cold.first)
      const all = [...parent.trainingJobs, warm.d.BestTrainingJob]
      const bestValue = Math.min(...all.map((s) => s?.FinalHyperParameterTuningJobObjectiveMetric?.Value ?? Infinity))
      expect(warm.d.OverallBestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric?.Value).toBe(bestValue)
      expect(cold.d.OverallBestTrainingJob).toBeUndefined()
      expect(warm.d.WarmStartConfig?.WarmStartType).toBe('IdenticalDataAndAlgorithm')
    })

    it('refuses a parent no earlier tuning job answers for', () => {
      const job = _.tune(
        request('orphan', config(1), {}, { WarmStartConfig: { WarmStartType: 'TransferLearning', ParentHyperParameterTuningJobs: [{ HyperParameterTuningJobName: 'nobody' }] } }),
        fakeRunner('loss', () => [1]).runner,
        { parents: () => undefined },
      )
      expect(E.isLeft(job) && job.left[0]).toEqual({ _tag: 'ParentNotFound', path: 'WarmStartConfig.ParentHyperParameterTuningJobs', message: expect.stringContaining('nobody') })
    })
  })

  describe('stop and failures', () => {
    it('StopHyperParameterTuningJob: Stopping, running jobs stopped, nothing new, then Stopped', async () => {
      const fake = fakeRunner('loss', () => Array.from({ length: 50 }, (_x, t) => 1 / (t + 1)))
      const job = start(request('stopme', { ResourceLimits: { MaxNumberOfTrainingJobs: 10, MaxParallelTrainingJobs: 2 }, ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')] } }), fake.runner, {
        onChange: (s) => {
          if (s.jobs.some((j) => j.intermediate.length === 3) && s.status === 'InProgress') job.stop()
        },
      })
      const d = await job.done
      expect(d.HyperParameterTuningJobStatus).toBe('Stopped')
      expect(fake.started.length).toBe(2)
      expect(d.TrainingJobStatusCounters).toMatchObject({ Stopped: 2, InProgress: 0 })
      expect(job.state().events.filter((e) => e._tag === 'StatusChanged').map((e) => (e as { status: string }).status)).toEqual(['Stopping', 'Stopped'])
    })

    it('a job that fails counts as NonRetryableError with its reason; when every job fails the tuning job fails', async () => {
      const fake = fakeRunner('loss', (h) => {
        if (num(h.x) < 2) throw new Error('AlgorithmError: out of memory')
        return [1]
      })
      const d = await start(request('fails', { ResourceLimits: { MaxNumberOfTrainingJobs: 3, MaxParallelTrainingJobs: 1 }, ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')] } }), fake.runner).done
      expect(d.HyperParameterTuningJobStatus).toBe('Failed')
      expect(d.FailureReason).toContain('AlgorithmError: out of memory')
      expect(d.TrainingJobStatusCounters).toMatchObject({ NonRetryableError: 3 })
      expect(d.ObjectiveStatusCounters).toEqual({ Succeeded: 0, Pending: 0, Failed: 3 })
      expect(d.BestTrainingJob).toBeUndefined()
    })

    it('a job that never logs the objective metric has ObjectiveStatus Failed', async () => {
      const d = await start(request('silent', { ResourceLimits: { MaxNumberOfTrainingJobs: 1, MaxParallelTrainingJobs: 1 }, ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')] } }), fakeRunner('loss', () => []).runner).done
      expect(d.TrainingJobStatusCounters).toMatchObject({ Completed: 1 })
      expect(d.ObjectiveStatusCounters).toMatchObject({ Failed: 1 })
    })
  })

  describe('Describe and List', () => {
    const run = async () => {
      const times = Array.from({ length: 1000 }, (_x, i) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)))
      let tick = 0
      const job = start(
        request('shapes', { RandomSeed: 1, ResourceLimits: { MaxNumberOfTrainingJobs: 5, MaxParallelTrainingJobs: 2 }, ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')], IntegerParameterRanges: [{ Name: 'n', MinValue: '1', MaxValue: '3' }] } }),
        fakeRunner('loss', (h) => [2, num(h.x)]).runner,
        { now: () => times[tick++] as Date, arnPrefix: 'arn:aws:sagemaker:eu-west-1:111122223333' },
      )
      return { job, d: await job.done }
    }

    it('Describe has the cloud shape: best job, counters, times, ARNs', async () => {
      const { job, d } = await run()
      const best = job.state().jobs.reduce((a, b) => ((a.objective as number) <= (b.objective as number) ? a : b))
      expect(d).toMatchObject({
        HyperParameterTuningJobName: 'shapes',
        HyperParameterTuningJobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:hyper-parameter-tuning-job/shapes',
        HyperParameterTuningJobStatus: 'Completed',
        CreationTime: new Date(Date.UTC(2026, 0, 1)),
        TrainingJobStatusCounters: { Completed: 5, InProgress: 0, RetryableError: 0, NonRetryableError: 0, Stopped: 0 },
        ObjectiveStatusCounters: { Succeeded: 5, Pending: 0, Failed: 0 },
        BestTrainingJob: {
          TrainingJobName: best.name,
          TrainingJobArn: `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${best.name}`,
          TuningJobName: 'shapes',
          TrainingJobStatus: 'Completed',
          TunedHyperParameters: best.tuned,
          FinalHyperParameterTuningJobObjectiveMetric: { MetricName: 'loss', Value: best.objective },
          ObjectiveStatus: 'Succeeded',
        },
      })
      expect((d.HyperParameterTuningEndTime as Date) > (d.CreationTime as Date)).toBe(true)
      expect(Object.keys(d.BestTrainingJob?.TunedHyperParameters ?? {}).sort()).toEqual(['n', 'x'])
    })

    it('Describe and List responses fit the service model', async (ctx) => {
      const found = serviceModelOrSkip()
      if (found.skip !== undefined) return ctx.skip(found.skip)
      const { job, d } = await run()
      const asInput = (shape: string) => ({ ...found.model, operations: new Map([[shape, { name: shape, input: { shape, idempotencyToken: false, jsonvalue: false, streaming: false } }]]) })
      expect(checkRequest(asInput('DescribeHyperParameterTuningJobResponse'), 'DescribeHyperParameterTuningJobResponse', d)).toEqual([])
      const list = job.listTrainingJobs({ MaxResults: 2 })
      expect(checkRequest(asInput('ListTrainingJobsForHyperParameterTuningJobResponse'), 'ListTrainingJobsForHyperParameterTuningJobResponse', E.isRight(list) ? list.right : undefined)).toEqual([])
    })

    it('List pages, filters and sorts as the cloud does', async () => {
      const { job } = await run()
      const names = job.state().jobs.map((j) => j.name)
      const page1 = job.listTrainingJobs({ MaxResults: 2 })
      const page2 = job.listTrainingJobs({ MaxResults: 2, NextToken: E.isRight(page1) ? page1.right.NextToken : 'x' })
      const page3 = job.listTrainingJobs({ MaxResults: 2, NextToken: E.isRight(page2) ? page2.right.NextToken : 'x' })
      const pages = [page1, page2, page3].map((p) => (E.isRight(p) ? p.right : { TrainingJobSummaries: [] }))
      expect(pages.flatMap((p) => p.TrainingJobSummaries?.map((s) => s.TrainingJobName))).toEqual([...names].sort())
      expect(pages[2]?.NextToken).toBeUndefined()
      const byValue = job.listTrainingJobs({ SortBy: 'FinalObjectiveMetricValue', SortOrder: 'Descending', MaxResults: 100 })
      const values = E.isRight(byValue) ? byValue.right.TrainingJobSummaries?.map((s) => s.FinalHyperParameterTuningJobObjectiveMetric?.Value as number) : []
      expect(values).toEqual([...(values ?? [])].sort((a, b) => b - a))
      const none = job.listTrainingJobs({ StatusEquals: 'Failed' })
      expect(E.isRight(none) && none.right.TrainingJobSummaries).toEqual([])
      expect(E.isLeft(job.listTrainingJobs({ NextToken: 'garbage' }))).toBe(true)
    })
  })

  describe('requests SageMaker would refuse', () => {
    it('names every problem', () => {
      const errors = errorsOf(
        request('x'.repeat(33), {
          HyperParameterTuningJobObjective: undefined,
          ResourceLimits: { MaxNumberOfTrainingJobs: 0, MaxParallelTrainingJobs: 1 },
          ParameterRanges: { ContinuousParameterRanges: [continuous('x', '0', '1')] },
        }),
      )
      expect(errors.map((e) => e.path)).toEqual([
        'HyperParameterTuningJobName',
        'HyperParameterTuningJobConfig.HyperParameterTuningJobObjective',
        'HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs',
      ])
    })
  })
})
