/**
 * What the local backend can run, checked on the plan before anything starts: each problem at the
 * path of the step, with the reason and what to do instead. A request no family handles is refused
 * here too, so a program never half-runs locally.
 *
 * One entry per request kind; a family that adds handlers adds its checks here.
 *
 * @since 0.2.0
 */
import { existsSync } from 'node:fs'
import type { SpecError } from '../spec/errors.js'
import type { PlannedStep } from '../interpret/plan/plan.js'
import type { Request, RequestOf, RequestTag } from '../interpret/plan/requests.js'
import type { Handlers } from './context.js'
import { parseLocation } from './storage.js'

export interface CheckContext {
  readonly runtime: 'docker' | 'process'
  readonly baseDir: string
}

type Check<K extends RequestTag> = (r: RequestOf<K>, step: PlannedStep, c: CheckContext) => ReadonlyArray<SpecError>

const rule = (path: string, expected: string, actual: unknown): SpecError => ({ _tag: 'Rule', path, expected, actual })

/** A literal string, or undefined for a value known only at run time. */
const lit = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

const trainingChecks: Check<'CreateTrainingJob'> = (r, step, c) => {
  const at = `steps.${step.name}`
  const i = r.input as Record<string, any>
  const spec = (i['AlgorithmSpecification'] ?? {}) as Record<string, unknown>
  const channels = (Array.isArray(i['InputDataConfig']) ? i['InputDataConfig'] : []) as ReadonlyArray<Record<string, any>>
  const hps = (i['HyperParameters'] ?? {}) as Record<string, unknown>
  const errors: SpecError[] = []
  if (lit(spec['TrainingInputMode']) === 'Pipe' || channels.some((ch) => lit(ch['InputMode']) === 'Pipe'))
    errors.push(rule(`${at}.inputMode`, 'File or FastFile input mode: local jobs read channels as files (Pipe mode is not emulated locally)', 'Pipe'))
  if (spec['AlgorithmName'] !== undefined)
    errors.push(rule(`${at}.algorithmName`, 'a training image: Marketplace algorithms run only in the cloud (use --target aws)', spec['AlgorithmName']))
  if (c.runtime === 'process' && hps['sagemaker_program'] === undefined && spec['AlgorithmName'] === undefined)
    errors.push(
      rule(
        `${at}.image`,
        'a script-mode step (a framework preset with an entry point): the process runtime runs entry points as python3 processes, and this image (a BYO container or an Amazon algorithm) needs a container — run it with --runtime docker',
        spec['TrainingImage'],
      ),
    )
  channels.forEach((ch, n) => {
    const src = (ch['DataSource'] ?? {}) as Record<string, any>
    const where = `${at}.channels.${lit(ch['ChannelName']) ?? n}`
    if (src['FileSystemDataSource'] !== undefined) errors.push(rule(where, 'an s3:// or file:// channel: EFS and FSx file systems are not reachable locally', 'FileSystemDataSource'))
    if (lit(src['S3DataSource']?.['S3DataType']) === 'AugmentedManifestFile') errors.push(rule(`${where}.s3DataType`, 'S3Prefix or ManifestFile: augmented manifests need Pipe mode, which local jobs do not emulate', 'AugmentedManifestFile'))
    const uri = lit(src['FileDataSource']?.['FileUri'])
    const l = uri === undefined ? undefined : parseLocation(uri, c.baseDir)
    if (l?._tag === 'File' && !existsSync(l.path)) errors.push(rule(`${where}.uri`, `a file or folder that exists (${l.path} does not; relative file:// paths are read from ${c.baseDir})`, uri))
  })
  return errors
}

// A tuning job's training jobs are its definition with the static and tuned hyperparameters.
const tuningChecks: Check<'CreateHyperParameterTuningJob'> = (r, step, c) => {
  const d = ((r.input as Record<string, any>)['TrainingJobDefinition'] ?? {}) as Record<string, unknown>
  const input = { AlgorithmSpecification: d['AlgorithmSpecification'], InputDataConfig: d['InputDataConfig'], HyperParameters: d['StaticHyperParameters'] }
  return trainingChecks({ _tag: 'CreateTrainingJob', input } as never, step, c)
}

const CHECKS: { readonly [K in RequestTag]?: Check<K> } = {
  CreateTrainingJob: trainingChecks,
  CreateHyperParameterTuningJob: tuningChecks,
}

/** Every problem of the plan for this runtime and these handlers; empty when it can run. */
export const localProblems = (steps: ReadonlyArray<PlannedStep>, handlers: Handlers, c: CheckContext): ReadonlyArray<SpecError> =>
  steps.flatMap((step) =>
    step.requests.flatMap((r: Request) => {
      if (handlers[r._tag] === undefined) return [rule(`steps.${step.name}`, `a step the local backend can run (${r._tag} is not supported by the local backend yet; use --target aws)`, step.kind)]
      const check = CHECKS[r._tag] as Check<typeof r._tag> | undefined
      return check === undefined ? [] : check(r as never, step, c)
    }),
  )
