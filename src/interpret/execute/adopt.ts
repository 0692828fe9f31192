/**
 * Adopting a job into a run (`sagespec attach <job> --as <step> --resume <run-id>`): a job that
 * completed outside the run — started by hand, or by an earlier tool — is journaled as the run's
 * step, so resuming the run reuses it (its Describe response feeds the downstream refs) instead of
 * running the step again.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { openJournal, readRun, type StepRecord, type Transition } from './journal.js'

/** @category errors */
export type AdoptError =
  | { readonly _tag: 'NoSuchRun'; readonly runId: string; readonly stateDir: string }
  | { readonly _tag: 'NoSuchStep'; readonly runId: string; readonly step: string; readonly steps: ReadonlyArray<string> }
  | { readonly _tag: 'KindMismatch'; readonly step: string; readonly stepKind: string; readonly jobKind: string }
  | { readonly _tag: 'AlreadyCompleted'; readonly step: string; readonly physicalName: string }

export const describeAdoptError = (e: AdoptError): string => {
  switch (e._tag) {
    case 'NoSuchRun':
      return `no run "${e.runId}" in ${e.stateDir} (sagespec runs list shows the runs there)`
    case 'NoSuchStep':
      return `run ${e.runId} has no step "${e.step}" (its steps: ${e.steps.join(', ')})`
    case 'KindMismatch':
      return `step ${e.step} is a ${e.stepKind} step; a ${e.jobKind} job cannot stand in for it`
    case 'AlreadyCompleted':
      return `step ${e.step} already completed in this run (as ${e.physicalName}); nothing to adopt`
  }
}

/** Whether `step` of run `runId` can take a job of `kind`: checked before following it. */
export const checkAdoption = (stateDir: string, runId: string, step: string, kind: string): E.Either<AdoptError, void> => {
  const found = readRun(stateDir, runId)
  if (found === undefined) return E.left({ _tag: 'NoSuchRun', runId, stateDir })
  if (!found.run.steps.includes(step)) return E.left({ _tag: 'NoSuchStep', runId, step, steps: found.run.steps })
  const prior = found.steps.find((s) => s.name === step)
  if (prior !== undefined && prior.kind !== kind) return E.left({ _tag: 'KindMismatch', step, stepKind: prior.kind, jobKind: kind })
  if (prior?.status === 'Completed') return E.left({ _tag: 'AlreadyCompleted', step, physicalName: prior.physicalName ?? '' })
  return E.right(undefined)
}

/**
 * Journal a completed job as the run's step: its name, the transitions seen while following it, and
 * its final Describe response (dates as ISO strings, as every journal holds them).
 */
export const adopt = (
  stateDir: string,
  runId: string,
  step: string,
  job: { readonly kind: string; readonly name: string; readonly describe: unknown; readonly transitions: ReadonlyArray<Transition> },
  now: Date,
): E.Either<AdoptError, StepRecord> => {
  const ok = checkAdoption(stateDir, runId, step, job.kind)
  if (E.isLeft(ok)) return ok
  const found = readRun(stateDir, runId)!
  const prior = found.steps.find((s) => s.name === step)
  const { journal } = openJournal(stateDir, runId, found.run)
  const record: StepRecord = {
    name: step,
    kind: job.kind,
    attempt: prior?.attempt ?? 1,
    physicalName: job.name,
    status: 'Completed',
    requests: [],
    transitions: job.transitions,
    describe: JSON.parse(JSON.stringify(job.describe)) as unknown,
    startedAt: job.transitions[0]?.at ?? now.toISOString(),
    endedAt: now.toISOString(),
  }
  journal.putStep(record)
  return E.right(record)
}
