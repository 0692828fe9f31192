/**
 * The machinery every Amazon algorithm preset shares: read the hyperparameter options through the
 * algorithm's table, add `feature_dim` and `mini_batch_size` from the record sets, turn the record
 * sets into channels, pick the image for the region, and build a `Training` step. Total: every
 * problem becomes a `presetErrors` entry (`{ path, expected, actual }`, the path relative to the step),
 * which `validate` reports as `steps.<name>.<path>`. Refs and params skip literal checks.
 *
 * Error paths point at the step's data: a hyperparameter's problem is at `hyperParameters.<wire
 * name>` (the key the plan shows), a record set's at `channels.<channel>`, the instance count at
 * `resources.instanceCount`, the image at `image`.
 *
 * @since 0.1.0
 */
import { JOB_KEYS, pickJob, type JobOptions, type TrainingBody } from '../job-options.js'
import * as E from 'fp-ts/lib/Either.js'
import type { Channel } from '../../spec/training.js'
import { training, type TrainingStep } from '../../spec/step.js'
import type { Val } from '../../spec/val.js'
import { isExpr } from '../../spec/val.js'
import { algorithmImage, describeImageError } from '../images.js'
import { check, describe, encode, type Descriptor, type HpTable, type NumberDescriptor } from './descriptors.js'
import type { RecordInput } from './record-set.js'
import type { AlgorithmSpec } from './tables.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface PresetError {
  readonly path: string
  readonly expected: string
  readonly actual?: unknown
}

type HpValue = NonNullable<TrainingBody['hyperParameters']>[string]

export type { JobOptions }

/** What every Amazon algorithm preset takes besides its hyperparameters. */
export interface AlgorithmOptions extends JobOptions {
  readonly role: Val<string>
  /** Picks the algorithm's image (`<account>.dkr.ecr.<region>.amazonaws.com/<algorithm>:1`). */
  readonly region: string
  readonly instanceType: Val<string>
  /** @default 1 */
  readonly instanceCount?: Val<number>
  /** @default 30 */
  readonly volumeSizeInGb?: Val<number>
  readonly volumeKmsKeyId?: Val<string>
  readonly output: TrainingBody['output']
  /** The data: one record set, or one per channel (the reference SDK's `fit(records)`). A `train` one is needed. */
  readonly records: RecordInput | ReadonlyArray<RecordInput>
  /** `mini_batch_size`; each algorithm documents its default. */
  readonly miniBatchSize?: Val<number>
}

const COMMON_KEYS: ReadonlySet<string> = new Set<string>([
  'role',
  'region',
  'instanceType',
  'instanceCount',
  'volumeSizeInGb',
  'volumeKmsKeyId',
  'output',
  'records',
  'miniBatchSize',
  ...JOB_KEYS,
])

/** A cross-field rule of one algorithm (e.g. KNN's dimension reduction): reads the options. */
export type CrossRule = (options: Readonly<Record<string, unknown>>, spec: AlgorithmSpec) => ReadonlyArray<PresetError>

// -------------------------------------------------------------------------------------
// pieces
// -------------------------------------------------------------------------------------

/** For rules: is the option a literal (not a ref or param, not absent)? */
export const isLiteral = (v: unknown): boolean => v !== undefined && !isExpr(v)

/** The error for a value a descriptor rejects (or a required one that is missing). */
export const hpError = (d: Descriptor, v: unknown): PresetError =>
  v === undefined ? { path: `hyperParameters.${d.wire}`, expected: `${describe(d)} (required)`, actual: undefined } : { path: `hyperParameters.${d.wire}`, expected: describe(d), actual: v }

const checked = (d: Descriptor, v: unknown): ReadonlyArray<PresetError> =>
  v === undefined ? (d.required === true ? [hpError(d, v)] : []) : check(d, v) ? [] : [hpError(d, v)]

const recordList = (r: RecordInput | ReadonlyArray<RecordInput> | undefined): ReadonlyArray<RecordInput> =>
  r === undefined ? [] : Array.isArray(r) ? (r as ReadonlyArray<RecordInput>) : [r as RecordInput]

const channelOf = (r: RecordInput): Channel => ({
  uri: r.uri,
  ...(r.s3DataType !== undefined ? { s3DataType: r.s3DataType } : {}),
  distribution: r.distribution ?? 'ShardedByS3Key',
  ...(r.contentType !== undefined ? { contentType: r.contentType } : {}),
})

interface Channels {
  readonly channels: Readonly<Record<string, Channel>>
  readonly train: RecordInput | undefined
  readonly errors: ReadonlyArray<PresetError>
}

const channelsOf = (records: ReadonlyArray<RecordInput>): Channels => {
  const errors: PresetError[] = []
  const channels: Record<string, Channel> = {}
  for (const r of records) {
    const name = r.channel ?? 'train'
    // A record set that could not be made has no channel: its problem is the one error to report.
    if (r.problem !== undefined) errors.push({ path: `channels.${name}`, expected: r.problem.expected, actual: r.problem.actual })
    else if (Object.prototype.hasOwnProperty.call(channels, name)) errors.push({ path: `channels.${name}`, expected: 'one record set per channel (duplicate channels are not allowed)', actual: name })
    else channels[name] = channelOf(r)
  }
  const train = records.find((r) => (r.channel ?? 'train') === 'train')
  if (train === undefined) errors.push({ path: 'channels.train', expected: 'a record set for the "train" channel', actual: records.map((r) => r.channel ?? 'train') })
  return { channels, train, errors }
}

/** `mini_batch_size` by the algorithm's policy: the value to send (if any) and what is wrong. */
const miniBatch = (
  spec: AlgorithmSpec,
  given: Val<number> | undefined,
  train: RecordInput | undefined,
  instanceCount: Val<number>,
): { readonly value: Val<number> | undefined; readonly errors: ReadonlyArray<PresetError> } => {
  const d: NumberDescriptor = spec.miniBatchSize
  const p = spec.miniBatch
  if (given !== undefined) return { value: given, errors: checked(d, given) }
  switch (p._tag) {
    case 'Default':
    case 'Fixed':
      return { value: p.value, errors: [] }
    case 'Optional':
      return { value: undefined, errors: [] }
    case 'Required':
      return { value: undefined, errors: [{ path: `hyperParameters.${d.wire}`, expected: `${describe(d)} (required by ${spec.title})`, actual: undefined }] }
    case 'Computed': {
      // The reference SDK: min(DEFAULT_MINI_BATCH_SIZE, max(1, int(num_records / train_instance_count))).
      const n = train?.numRecords
      if (n !== undefined && typeof instanceCount === 'number' && instanceCount > 0)
        return { value: Math.min(p.cap, Math.max(1, Math.floor(n / instanceCount))), errors: [] }
      return p.required
        ? {
            value: undefined,
            errors: [
              {
                path: `hyperParameters.${d.wire}`,
                expected: `${describe(d)}: give miniBatchSize, or records with numRecords and a literal instanceCount to compute it from`,
                actual: undefined,
              },
            ],
          }
        : { value: undefined, errors: [] }
    }
  }
}

// -------------------------------------------------------------------------------------
// the builder
// -------------------------------------------------------------------------------------

/**
 * Build an Amazon algorithm's training step from its table and the user's options.
 *
 * @category constructors
 */
export const algorithmTraining = <H extends HpTable>(
  spec: AlgorithmSpec<H>,
  name: string,
  options: AlgorithmOptions,
  rules: ReadonlyArray<CrossRule> = [],
): TrainingStep & { readonly outputs: ReturnType<typeof training>['outputs'] } => {
  const errors: PresetError[] = []
  const o = options as unknown as Readonly<Record<string, unknown>>

  // Options nobody reads are typos (TypeScript catches them; plain JavaScript does not).
  for (const k of Object.keys(o))
    if (o[k] !== undefined && !COMMON_KEYS.has(k) && !Object.prototype.hasOwnProperty.call(spec.hyperParameters, k))
      errors.push({ path: `hyperParameters.${k}`, expected: `an option of ${spec.title}: ${Object.keys(spec.hyperParameters).join(', ')}`, actual: o[k] })

  // Joins are strings too; the field's type leaves them out only because its literal is a union.
  const hyperParameters: Record<string, HpValue> = {}
  for (const [option, d] of Object.entries(spec.hyperParameters)) {
    const v = o[option]
    errors.push(...checked(d, v))
    if (v !== undefined) hyperParameters[d.wire] = encode(d, v) as HpValue
  }
  for (const rule of rules) errors.push(...rule(o, spec as AlgorithmSpec))

  const records = recordList(options.records)
  const ch = channelsOf(records)
  errors.push(...ch.errors)

  const featureDim = ch.train?.problem === undefined ? ch.train?.featureDim : undefined
  if (ch.train !== undefined && ch.train.problem === undefined) errors.push(...checked(spec.featureDim, featureDim))
  if (featureDim !== undefined) hyperParameters[spec.featureDim.wire] = encode(spec.featureDim, featureDim) as HpValue

  const instanceCount = options.instanceCount ?? 1
  const mb = miniBatch(spec, options.miniBatchSize, ch.train, instanceCount)
  errors.push(...mb.errors)
  if (mb.value !== undefined) hyperParameters[spec.miniBatchSize.wire] = encode(spec.miniBatchSize, mb.value) as HpValue
  for (const [k, v] of Object.entries(spec.constants ?? {})) hyperParameters[k] = v

  const image = algorithmImage(spec.algorithm, options.region)
  if (E.isLeft(image)) {
    const d = describeImageError(image.left)
    errors.push({ path: 'image', expected: d.expected, actual: d.actual })
  }

  const job = pickJob(options) as Partial<JobOptions>
  return training(name, {
    ...(E.isRight(image) ? { image: image.right } : {}),
    role: options.role,
    resources: {
      instanceType: options.instanceType,
      instanceCount,
      ...(options.volumeSizeInGb !== undefined ? { volumeSizeInGb: options.volumeSizeInGb } : {}),
      ...(options.volumeKmsKeyId !== undefined ? { volumeKmsKeyId: options.volumeKmsKeyId } : {}),
    },
    output: options.output,
    ...(Object.keys(ch.channels).length > 0 ? { channels: ch.channels } : {}),
    hyperParameters,
    hyperParameterEncoding: 'plain',
    ...job,
    ...(errors.length > 0 ? { presetErrors: errors } : {}),
  })
}

