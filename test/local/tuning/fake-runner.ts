/**
 * A pure, instant stand-in for local training jobs: each job's objective curve is a known function of
 * its hyperparameters; metric values are yielded one per microtask, so parallel jobs interleave
 * deterministically. `stop` ends a job after the value it is reporting.
 */
import type { MetricValue, Runner, TrainingOutcome, TrainingRun } from '../../../src/local/tuning/driver.js'

export interface FakeJob {
  readonly name: string
  readonly hyperParameters: Readonly<Record<string, string>>
}

export interface Fake {
  readonly runner: Runner
  readonly started: ReadonlyArray<FakeJob>
  readonly stopped: ReadonlySet<string>
}

/** `curve(hps)`: the objective metric's values, one per epoch; the last one is the final value. A throw fails the job. */
export const fakeRunner = (metric: string, curve: (hps: Readonly<Record<string, string>>) => ReadonlyArray<number>): Fake => {
  const started: Array<FakeJob> = []
  const stopped = new Set<string>()
  const runner: Runner = {
    startTrainingJob: async (name, hyperParameters): Promise<TrainingRun> => {
      started.push({ name, hyperParameters })
      let settle: (o: TrainingOutcome) => void = () => undefined
      const outcome = new Promise<TrainingOutcome>((resolve) => {
        settle = resolve
      })
      async function* metrics(): AsyncGenerator<MetricValue> {
        let values: ReadonlyArray<number>
        try {
          values = curve(hyperParameters)
        } catch (e) {
          settle({ status: 'Failed', failureReason: e instanceof Error ? e.message : String(e) })
          return
        }
        let last: number | undefined
        for (const value of values) {
          await Promise.resolve()
          if (stopped.has(name)) break
          last = value
          yield { name: metric, value }
        }
        const finalMetrics = last === undefined ? [] : [{ MetricName: metric, Value: last }]
        settle(stopped.has(name) ? { status: 'Stopped', finalMetrics } : { status: 'Completed', finalMetrics })
      }
      return { metrics: metrics(), outcome }
    },
    stop: async (name) => {
      stopped.add(name)
    },
  }
  return { runner, started, stopped }
}
