/**
 * What SageMaker cannot do that a program may ask for, found before anything starts: `file://`
 * locations, which only a local run can read. Channels and transform inputs can be uploaded first
 * (`--upload-local-data s3://bucket/prefix`) and the plan rewritten to read them from S3; other
 * `file://` locations (output paths, model data) are refused. Pure: no I/O here.
 *
 * @since 0.2.0
 */
import type { SpecError } from '../../spec/errors.js'
import { isExpr } from '../../spec/val.js'
import { stepsNamingFiles, type Plan, type PlannedStep } from '../plan/plan.js'
import type { Request } from '../plan/requests.js'
import { parseS3Uri } from './s3-uri.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A `file://` location in a step's requests. */
export interface LocalLocation {
  readonly step: string
  /** Where the program says it: `steps.train.channels.train.uri` (or the request path when the program does not). */
  readonly path: string
  readonly uri: string
  /** Data SageMaker reads (a channel, a transform input): can be uploaded and read from S3. */
  readonly uploadable: boolean
}

// -------------------------------------------------------------------------------------
// finding
// -------------------------------------------------------------------------------------

/** The literal text a value starts with, looking into joins. */
const leadingText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : isExpr(v) && v._tag === 'Join' && v.values.length > 0 ? leadingText(v.values[0]) : undefined

const at = (v: unknown, path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === 'object' && o !== null && Object.prototype.hasOwnProperty.call(o, k) ? (o as Record<string, unknown>)[k] : undefined), v)

const isChannelSource = (path: ReadonlyArray<string>): boolean => path.slice(-3).join('.') === 'DataSource.FileDataSource.FileUri'
const isTransformInput = (path: ReadonlyArray<string>): boolean => path.join('.') === 'TransformInput.DataSource.S3DataSource.S3Uri'

/** The program's own path for a request path, where it has one. */
const programPath = (p: PlannedStep, input: unknown, path: ReadonlyArray<string>): string => {
  const step = p.step as unknown as Record<string, unknown>
  if (isChannelSource(path)) {
    const i = path.indexOf('InputDataConfig')
    const name = at(input, [...path.slice(0, i + 2), 'ChannelName'])
    const job = path[0] === 'TrainingJobDefinition' ? ['training'] : []
    if (typeof name === 'string' && at(step, [...job, 'channels', name]) !== undefined) return [...job, 'channels', name, 'uri'].join('.')
    if (at(step, [...job, 'modelUri']) !== undefined) return [...job, 'modelUri'].join('.')
  }
  if (isTransformInput(path)) return 'input.uri'
  return path.join('.')
}

/** Every `file://` location in the plan's requests, in plan order. */
export const localLocations = (plan: Plan): ReadonlyArray<LocalLocation> => {
  const out: LocalLocation[] = []
  // One path stack for the whole walk, copied only where a location is found: most plans have none,
  // and a path array per visited value was a tenth of `plan --format json`'s time.
  const path: string[] = []
  const naming = stepsNamingFiles(plan)
  if (naming !== undefined && naming.size === 0) return out
  for (const p of plan.steps) {
    if (naming !== undefined && !naming.has(p.name)) continue
    for (const r of p.requests) {
      const go = (v: unknown): void => {
        if (typeof v !== 'object' || v === null) {
          if (typeof v === 'string' && v.startsWith('file://')) found(p, r.input, v, v)
          return
        }
        if (isExpr(v)) {
          const text = leadingText(v)
          if (text !== undefined && text.startsWith('file://')) found(p, r.input, v, text)
          return
        }
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            path.push(String(i))
            go(v[i])
            path.pop()
          }
          return
        }
        for (const k in v) {
          if (!Object.prototype.hasOwnProperty.call(v, k)) continue
          path.push(k)
          go((v as Record<string, unknown>)[k])
          path.pop()
        }
      }
      go(r.input)
    }
  }
  function found(p: PlannedStep, input: unknown, v: unknown, uri: string): void {
    const at = [...path]
    out.push({ step: p.name, path: `steps.${p.name}.${programPath(p, input, at)}`, uri, uploadable: typeof v === 'string' && (isChannelSource(at) || isTransformInput(at)) })
  }
  return out
}

// -------------------------------------------------------------------------------------
// checks
// -------------------------------------------------------------------------------------

export interface CapabilityOptions {
  /** `--upload-local-data`: where `file://` data goes. */
  readonly uploadLocalData?: string
}

/**
 * What keeps the plan from running on SageMaker with these options; empty when it can.
 *
 * @category validation
 */
export const awsProblems = (plan: Plan, options: CapabilityOptions = {}): ReadonlyArray<SpecError> => {
  const dest = options.uploadLocalData
  const badDest: ReadonlyArray<SpecError> =
    dest !== undefined && parseS3Uri(dest) === undefined
      ? [{ _tag: 'Rule', path: '--upload-local-data', expected: 'an s3://bucket/prefix URI for local data', actual: dest }]
      : []
  const refused = localLocations(plan).flatMap((l): ReadonlyArray<SpecError> => {
    if (!l.uploadable)
      return [{ _tag: 'Rule', path: l.path, expected: 'an s3:// location (SageMaker reads and writes S3, not this machine; a file:// location is for --target local)', actual: l.uri }]
    if (dest === undefined)
      return [
        {
          _tag: 'Rule',
          path: l.path,
          expected: 'an s3:// location (SageMaker reads data from S3, not this machine): upload it first, or run with --upload-local-data s3://bucket/prefix',
          actual: l.uri,
        },
      ]
    return []
  })
  return [...badDest, ...refused]
}

// -------------------------------------------------------------------------------------
// rewriting
// -------------------------------------------------------------------------------------

const rewriteValue = (v: unknown, path: ReadonlyArray<string>, uploaded: ReadonlyMap<string, string>): unknown => {
  if (isExpr(v)) return v
  if (Array.isArray(v)) return v.map((x, i) => rewriteValue(x, [...path, String(i)], uploaded))
  if (typeof v !== 'object' || v === null) return typeof v === 'string' && isTransformInput(path) ? (uploaded.get(v) ?? v) : v
  const o = v as Record<string, unknown>
  const file = o['FileDataSource'] as { FileUri?: unknown; FileDataDistributionType?: unknown } | undefined
  if (path[path.length - 1] === 'DataSource' && file !== undefined && typeof file.FileUri === 'string' && uploaded.has(file.FileUri)) {
    // The same distribution, now over S3 keys.
    return { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: uploaded.get(file.FileUri)!, S3DataDistributionType: file.FileDataDistributionType } }
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, rewriteValue(x, [...path, k], uploaded)]))
}

/**
 * The plan reading uploaded local data from S3: each `file://` channel or transform input found in
 * `uploaded` (file URI → S3 URI) becomes an S3 source; everything else is as it was.
 *
 * @category combinators
 */
export const withUploadedData =
  (uploaded: ReadonlyMap<string, string>) =>
  (plan: Plan): Plan => ({
    ...plan,
    steps: plan.steps.map((p) => ({
      ...p,
      requests: p.requests.map((r) => ({ ...r, input: rewriteValue(r.input, [], uploaded) }) as Request),
    })),
  })
