/**
 * The images a run needs, checked with the chosen runtime before anything starts: under Docker a
 * missing image (sagespec never pulls) or a GPU job on an engine without GPUs is a problem of the
 * step that names it, reported with the plan's other problems, so no job of the run has started.
 *
 * @since 0.2.0
 */
import type { SpecError } from '../spec/errors.js'
import type { PlannedStep } from '../interpret/plan/plan.js'
import { missingImageMessage } from './runtime/messages.js'
import type { Runtime } from './runtime/runtime.js'
import { GPU_FAMILIES } from './training.js'

export interface ImageProblem {
  readonly step: string
  readonly image: string
  /** The runtime's words: what is wrong and what to do. */
  readonly reason: string
  /** The image is simply not on this machine (rather than, say, no GPU for it). */
  readonly missing: boolean
}

/** A literal string, or undefined for a value known only at run time (checked when the job starts). */
const lit = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

const wantedBy = (step: PlannedStep): ReadonlyArray<{ readonly step: string; readonly image: string; readonly gpu: boolean }> =>
  step.requests.flatMap((r) => {
    if (r._tag !== 'CreateTrainingJob') return []
    const i = r.input as { AlgorithmSpecification?: { TrainingImage?: unknown }; ResourceConfig?: { InstanceType?: unknown } }
    const image = lit(i.AlgorithmSpecification?.TrainingImage)
    return image === undefined ? [] : [{ step: step.name, image, gpu: GPU_FAMILIES.test(lit(i.ResourceConfig?.InstanceType) ?? '') }]
  })

/** Every image problem of the plan under this runtime; empty when all are here (or the runtime runs no images). */
export const imageProblems = async (steps: ReadonlyArray<PlannedStep>, runtime: Runtime): Promise<ReadonlyArray<ImageProblem>> => {
  if (runtime.kind !== 'docker') return []
  const wanted = steps.flatMap(wantedBy)
  const reasons = await Promise.all(wanted.map((w) => runtime.check({ id: w.step, mode: 'train', image: w.image, hosts: [], labels: {}, gpu: w.gpu })))
  return wanted.flatMap((w, n) => {
    const reason = reasons[n]
    return reason === undefined ? [] : [{ step: w.step, image: w.image, reason, missing: reason === missingImageMessage(w.image) }]
  })
}

/** As plan problems: the runtime's reason says what to do; the found value stays short (the CLI shortens long ones). */
export const asSpecErrors = (problems: ReadonlyArray<ImageProblem>): ReadonlyArray<SpecError> =>
  problems.map((p) => ({ _tag: 'Rule', path: `steps.${p.step}.image`, expected: `an image this machine can run (${p.reason})`, actual: p.image }))
