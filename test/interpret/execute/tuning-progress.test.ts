import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { eventLine } from '../../../src/cli/run.js'
import { run, type RunEvent } from '../../../src/interpret/execute/executor.js'
import { toPlan } from '../../../src/interpret/plan/plan.js'
import { showProgress, tuningProgress } from '../../../src/interpret/tuning/progress.js'
import { validate } from '../../../src/spec/validate.js'
import tuningExample from '../../../examples/tuning.js'
import { noSleep, scriptedBackend } from '../../support/scripted-backend.js'

const root = mkdtempSync(join(tmpdir(), 'sagespec-tuning-progress-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** The counters a tuning job shows as its polls run out: jobs finish, one fails, a best appears. */
const counters = (left: number) => ({
  TrainingJobStatusCounters: { Completed: 4 - left, InProgress: Math.min(left, 2), RetryableError: left < 2 ? 1 : 0, NonRetryableError: 0, Stopped: 0 },
  BestTrainingJob: left < 4 ? { TrainingJobName: `tune-r1-00${4 - left}-aaaa`, FinalHyperParameterTuningJobObjectiveMetric: { MetricName: 'validation:auc', Value: [0.91, 0.92, 0.93, 0.94][3 - left]! } } : undefined,
})

describe('tuning progress in a run', () => {
  it('is reported once per change of the counters or the best objective, and printed as one line', async () => {
    const v = validate(tuningExample)
    if (E.isLeft(v)) throw new Error('example')
    const plan = toPlan(v.right)
    // The tuning job stays InProgress for 6 polls; its counters move on 5 of them.
    const backend = scriptedBackend({ polls: (n) => (n.startsWith('tune') ? 6 : 0), annotate: (family, _n, left) => (family === 'tuning' ? counters(Math.max(0, left - 1)) : undefined) })
    const events: RunEvent[] = []
    const result = await run(plan, { backend, runId: 'r1', stateDir: join(root, 's1'), sleep: noSleep, onEvent: (e) => void events.push(e), params: {} })
    expect(result.status).toBe('Completed')
    const at = new Date(Date.UTC(2026, 2, 14, 10, 0, 0))
    const lines = events.filter((e) => e._tag === 'TuningProgress').map((e) => eventLine({ ...e, at }))
    expect(lines).toStrictEqual([
      '10:00:00 tune: 0 completed, 2 in progress, 0 failed, 0 stopped',
      '10:00:00 tune: 1 completed, 2 in progress, 0 failed, 0 stopped; best validation:auc 0.91 (tune-r1-001-aaaa)',
      '10:00:00 tune: 2 completed, 2 in progress, 0 failed, 0 stopped; best validation:auc 0.92 (tune-r1-002-aaaa)',
      '10:00:00 tune: 3 completed, 1 in progress, 1 failed, 0 stopped; best validation:auc 0.93 (tune-r1-003-aaaa)',
      '10:00:00 tune: 4 completed, 0 in progress, 1 failed, 0 stopped; best validation:auc 0.94 (tune-r1-004-aaaa)',
    ])
    // Only the tuning step reports progress, and the status lines are as before.
    expect(new Set(events.filter((e) => e._tag === 'TuningProgress').map((e) => e.step))).toStrictEqual(new Set(['tune']))
    expect(events.filter((e) => e._tag === 'StatusChanged' && e.step === 'tune').map((e) => e._tag === 'StatusChanged' && e.status)).toStrictEqual(['InProgress', 'Completed'])
  })

  it('a run without counters in the Describe response reports no progress', async () => {
    const v = validate(tuningExample)
    if (E.isLeft(v)) throw new Error('example')
    const events: RunEvent[] = []
    await run(toPlan(v.right), { backend: scriptedBackend({ polls: () => 1 }), runId: 'r1', stateDir: join(root, 's2'), sleep: noSleep, onEvent: (e) => void events.push(e) })
    expect(events.filter((e) => e._tag === 'TuningProgress')).toStrictEqual([])
  })

  it('reads the counters: retryable and non-retryable errors are failures', () => {
    const p = tuningProgress({ TrainingJobStatusCounters: { Completed: 5, InProgress: 1, RetryableError: 1, NonRetryableError: 2, Stopped: 1 } })
    expect(p).toStrictEqual({ completed: 5, inProgress: 1, failed: 3, stopped: 1 })
    expect(showProgress(p!)).toBe('5 completed, 1 in progress, 3 failed, 1 stopped')
    expect(tuningProgress({})).toBeUndefined()
  })
})
