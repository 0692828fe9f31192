/**
 * Arbitrary *valid* programs, built by construction rather than filtered: step bodies are derived
 * from the step codecs (`arbitraryOf`), then shaped to satisfy the cross-field rules from extra random
 * draws; step i takes refs only from steps 0..i-1, only outputs that exist and fit the field; params
 * replace literals with a declaration whose default is that literal, so every program is valid and
 * every resolved request is concrete and realistic.
 *
 * Also here: `walkLeaves` (the codec-guided walk the laws use to find and break fields) and
 * `sampleResolver` (realistic values for refs, params, the run id and code archives).
 */
import fc from 'fast-check'
import type * as t from 'io-ts'
import { metaOf, type Meta, type ValKind } from '../../src/spec/codec.js'
import * as P from '../../src/spec/primitives.js'
import { program, withParams, type ParamDecl, type Program } from '../../src/spec/program.js'
import { EndpointStep, ModelPackageStep, ModelStep, STEP_TAGS, TrainingStep, TransformStep, TuningStep, make, type Step, type StepOf, type StepTag } from '../../src/spec/step.js'
import { CategoricalRange, SCALING_TYPES } from '../../src/spec/tuning.js'
import { code, concat, existing, isExpr, join, ref, runId, type Existing, type Param } from '../../src/spec/val.js'
import { arbitraryOf, type Overrides } from './arbitrary.js'

// -------------------------------------------------------------------------------------
// codec-guided walks
// -------------------------------------------------------------------------------------

export interface Leaf {
  /** Path segments from the walked value's root. */
  readonly path: ReadonlyArray<string>
  /** The codec of the leaf's literal (for `val` fields, the inner literal codec). */
  readonly codec: t.Type<any, any, unknown>
  readonly meta: Meta
  readonly value: unknown
  /** Set for `val` fields: the scalar kind refs and params placed here must fit. */
  readonly valKind?: ValKind
}

type Obj = Record<string, any>
const isObj = (u: unknown): u is Obj => typeof u === 'object' && u !== null && !Array.isArray(u)

/**
 * Rebuild `value` along `codec`, letting `f` replace any literal leaf (scalar, enum or opaque; a
 * `val` field whose value is a ref/param/join is left alone). Returns a new value; the input is not
 * touched.
 */
export const mapLeaves = (codec: t.Type<any, any, unknown>, value: unknown, f: (leaf: Leaf) => unknown, path: ReadonlyArray<string> = []): unknown => {
  const m = metaOf(codec)
  switch (m.kind) {
    case 'val':
      return isExpr(value) ? value : f({ path, codec: m.codec, meta: metaOf(m.codec), value, valKind: m.valKind })
    case 'struct': {
      if (!isObj(value)) return value
      const fields = { ...m.required, ...m.optional }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fields[k] !== undefined && v !== undefined ? mapLeaves(fields[k]!, v, f, [...path, k]) : v]))
    }
    case 'array':
      return Array.isArray(value) ? value.map((x, i) => mapLeaves(m.item, x, f, [...path, String(i)])) : value
    case 'record':
      return isObj(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapLeaves(m.value, v, f, [...path, k])])) : value
    case 'taggedUnion': {
      const member = isObj(value) && typeof value._tag === 'string' ? m.members[value._tag] : undefined
      return member === undefined ? value : mapLeaves(member, value, f, path)
    }
    case 'string':
    case 'number':
    case 'boolean':
    case 'oneOf':
    case 'opaque':
      return f({ path, codec, meta: m, value })
  }
}

/** Every literal leaf of a value, with its codec. */
export const walkLeaves = (codec: t.Type<any, any, unknown>, value: unknown): ReadonlyArray<Leaf> => {
  const out: Leaf[] = []
  mapLeaves(codec, value, (leaf) => {
    out.push(leaf)
    return leaf.value
  })
  return out
}

/** Every struct in a value with the path to it, for breakers that remove or add fields. */
export const walkStructs = (
  codec: t.Type<any, any, unknown>,
  value: unknown,
  path: ReadonlyArray<string> = [],
): ReadonlyArray<{ readonly path: ReadonlyArray<string>; readonly required: ReadonlyArray<string>; readonly value: Obj }> => {
  const m = metaOf(codec)
  switch (m.kind) {
    case 'struct': {
      if (!isObj(value)) return []
      const fields = { ...m.required, ...m.optional }
      return [
        { path, required: Object.keys(m.required), value },
        ...Object.entries(value).flatMap(([k, v]) => (fields[k] !== undefined && v !== undefined ? walkStructs(fields[k]!, v, [...path, k]) : [])),
      ]
    }
    case 'array':
      return Array.isArray(value) ? value.flatMap((x, i) => walkStructs(m.item, x, [...path, String(i)])) : []
    case 'record':
      return isObj(value) ? Object.entries(value).flatMap(([k, v]) => walkStructs(m.value, v, [...path, k])) : []
    case 'taggedUnion': {
      const member = isObj(value) && typeof value._tag === 'string' ? m.members[value._tag] : undefined
      return member === undefined ? [] : walkStructs(member, value, path)
    }
    default:
      return []
  }
}

// -------------------------------------------------------------------------------------
// options
// -------------------------------------------------------------------------------------

export interface ProgramOptions {
  /** At most this many steps (default 6, at most 8). */
  readonly maxSteps?: number
  /** Allow `file://` data sources (local runs only; SageMaker has no such source). */
  readonly local?: boolean
  /** Generate the `overrides` escape hatch with arbitrary JSON (unchecked by design). */
  readonly overrides?: boolean
  /** Leave out the tuning `randomSeed` (an installed service model that predates it). */
  readonly omitRandomSeed?: boolean
  /** Leave out a tuning template's `environment` (an installed service model that predates it). */
  readonly omitTuningEnvironment?: boolean
  /** Leave out the tuning `maxRuntimeInSeconds` (an installed service model that predates it). */
  readonly omitTuningMaxRuntime?: boolean
  /** Give every model a role (older service models require `ExecutionRoleArn`). */
  readonly modelRoleRequired?: boolean
  /** Arbitraries by codec name, over the defaults (e.g. `StepName`, `BaseName` to make names collide). */
  readonly arbitraries?: Overrides
}

/** Instance types every API's enum lists (training, transform, endpoints), in every model version we meet. */
export const INSTANCE_TYPES = ['ml.m5.large', 'ml.m5.xlarge', 'ml.m5.2xlarge', 'ml.c5.xlarge', 'ml.c5.2xlarge'] as const

const overridesFor = (o: ProgramOptions): Overrides => ({
  InstanceType: fc.constantFrom(...INSTANCE_TYPES),
  // Each use has its own list (src/spec/instance-types.ts); these types are in all three.
  TrainingInstanceType: fc.constantFrom(...INSTANCE_TYPES),
  ProductionVariantInstanceType: fc.constantFrom(...INSTANCE_TYPES),
  TransformInstanceType: fc.constantFrom(...INSTANCE_TYPES),
  // Model package versions: older service models allow 1 to 5 digits, newer ones more.
  ModelPackageName: (arbitraryOf(P.ModelPackageName) as fc.Arbitrary<string>).filter((s) => !/\/[0-9]{6,}$/.test(s)),
  ...(o.local ? {} : { DataUri: arbitraryOf(P.S3Uri), ModelDataUrl: arbitraryOf(P.S3Uri) }),
  ...o.arbitraries,
})

// -------------------------------------------------------------------------------------
// random draws used to shape steps
// -------------------------------------------------------------------------------------

interface Draw {
  /** 0 ≤ n' < n */
  readonly nat: (n: number) => number
  readonly chance: (p: number) => boolean
  readonly pick: <A>(xs: ReadonlyArray<A>) => A | undefined
}

const drawFrom = (seed: ReadonlyArray<number>): Draw => {
  let i = 0
  const next = () => seed[i++ % seed.length] ?? 0
  const nat = (n: number) => (n <= 0 ? 0 : next() % n)
  return { nat, chance: (p) => nat(1000) < p * 1000, pick: (xs) => (xs.length === 0 ? undefined : xs[nat(xs.length)]) }
}

// -------------------------------------------------------------------------------------
// shaping each kind so that its cross-field rules hold
// -------------------------------------------------------------------------------------

interface Extras {
  readonly image: string
  readonly algorithmName: string
  readonly modelPackageName: Existing
  readonly role: string
  readonly vpc: { subnets: string[]; securityGroupIds: string[] }
  readonly categorical: Obj
}

const without = (o: Obj, ...keys: ReadonlyArray<string>): Obj => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)))

const fixVpc = (o: Obj, x: Extras): Obj => (o.vpc === undefined ? o : { ...o, vpc: x.vpc })

const dedupeBy = <A>(xs: ReadonlyArray<A>, key: (a: A) => unknown): A[] => {
  const seen = new Set<unknown>()
  return xs.filter((a) => {
    const k = key(a)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

const BUILT_IN = /\/(kmeans|pca|linear-learner|factorization-machines|lda|ntm|randomcutforest|knn|object2vec|ipinsights|forecasting-deepar|xgboost):1$/

/** A training job body (also a tuning template) that satisfies `trainingJobRules`. */
const fixTrainingJob = (job: Obj, x: Extras, d: Draw): Obj => {
  let j: Obj = without(job, 'image', 'algorithmName')
  j = d.chance(0.25) ? { ...j, algorithmName: job.algorithmName ?? x.algorithmName } : { ...j, image: job.image ?? x.image }
  j = fixVpc(j, x)
  if (j.spot !== undefined) {
    const maxRun = j.stopping?.maxRuntimeInSeconds ?? 86400
    j = { ...j, spot: { maxWaitTimeInSeconds: Math.max(j.spot.maxWaitTimeInSeconds, maxRun) } }
  }
  if (j.modelUri === undefined) j = without(j, 'modelChannelName')
  else if (j.channels !== undefined) j = { ...j, channels: without(j.channels, j.modelChannelName ?? 'model') }
  if (j.metricDefinitions !== undefined) j = { ...j, metricDefinitions: dedupeBy(j.metricDefinitions as Obj[], (m) => m.name) }
  return j
}

const u01 = (x: number) => (Math.abs(x) % 1000) / 1000

/** A numeric range whose bounds and scaling satisfy the tuning rules. */
const fixRange = (r: Obj): Obj => {
  if (r._tag === 'Categorical') return r
  const integer = r._tag === 'Integer'
  const scaling = integer && r.scaling === 'ReverseLogarithmic' ? 'Auto' : r.scaling
  const withScaling = (lo: number, hi: number) => ({ _tag: r._tag, min: lo, max: hi, ...(scaling === undefined ? {} : { scaling }) })
  const [a, b] = [r.min as number, r.max as number]
  if (scaling === 'ReverseLogarithmic') {
    const lo = 0.01 + 0.4 * u01(a)
    return withScaling(lo, lo + 0.01 + 0.5 * u01(b))
  }
  if (scaling === 'Logarithmic') {
    const lo = integer ? 1 + (Math.abs(a) % 100) : 0.001 + (Math.abs(a) % 100)
    return withScaling(lo, lo + 1 + (Math.abs(b) % 100))
  }
  const [lo, hi] = a < b ? [a, b] : a > b ? [b, a] : [a, a + 1]
  return withScaling(lo, hi)
}

const fixTuning = (s: Obj, x: Extras, d: Draw, o: ProgramOptions): Obj => {
  let training = fixTrainingJob(s.training, x, d)
  if (o.omitTuningEnvironment) training = without(training, 'environment')
  let t: Obj = { ...s, training }
  if (o.omitRandomSeed) t = without(t, 'randomSeed')
  if (o.omitTuningMaxRuntime) t = without(t, 'maxRuntimeInSeconds')
  const strategy = t.strategy ?? 'Bayesian'
  let ranges: Obj = Object.fromEntries(Object.entries(t.ranges as Obj).map(([k, r]) => [k, fixRange(r)]))
  if (Object.keys(ranges).length === 0) ranges = { learning_rate: x.categorical }
  if (strategy === 'Grid') {
    ranges = Object.fromEntries(Object.entries(ranges).map(([k, r]) => [k, r._tag === 'Categorical' ? r : x.categorical]))
    t = without(t, 'maxJobs')
  }
  t = { ...t, ranges }
  if (strategy !== 'Hyperband') t = without(t, 'hyperband')
  else {
    t = without(t, 'earlyStopping')
    const h = t.hyperband as Obj | undefined
    if (h?.minResource !== undefined && h.maxResource !== undefined && h.minResource > h.maxResource)
      t = { ...t, hyperband: { minResource: h.maxResource, maxResource: h.minResource } }
  }
  if (t.maxJobs !== undefined && t.maxParallelJobs !== undefined && t.maxParallelJobs > t.maxJobs) t = { ...t, maxParallelJobs: t.maxJobs }
  // A BYO image reports metrics through regexes only, so the objective must be one of them.
  if (typeof t.training.image === 'string' && !BUILT_IN.test(t.training.image)) {
    const defs: Obj[] = t.metricDefinitions ?? t.training.metricDefinitions ?? []
    const chosen = d.pick(defs)
    if (chosen !== undefined) t = { ...t, objective: { ...t.objective, metricName: chosen.name } }
    else {
      const def = { name: t.objective.metricName, regex: `${t.objective.metricName.length > 0 ? 'metric' : 'm'}=([0-9.]+)` }
      t = t.metricDefinitions !== undefined ? { ...t, metricDefinitions: [def] } : { ...t, training: { ...t.training, metricDefinitions: [def] } }
    }
  }
  return t
}

const fixContainer = (c: Obj, x: Extras, d: Draw): Obj => {
  const rest = without(c, 'image', 'modelPackageName')
  return d.chance(0.2) ? { ...rest, modelPackageName: c.modelPackageName ?? x.modelPackageName } : { ...rest, image: c.image ?? x.image }
}

const fixModel = (s: Obj, x: Extras, d: Draw, o: ProgramOptions): Obj => {
  let m: Obj = without(s, 'container', 'containers')
  const pipeline = d.chance(0.3)
  const given: Obj[] = s.containers ?? (s.container !== undefined ? [s.container] : [])
  const first = given[0] ?? {}
  const containers = (pipeline ? (given.length > 0 ? given : [first]) : [first]).map((c) => fixContainer(c, x, d))
  // Hostnames must be distinct; drop repeats.
  const seen = new Set<string>()
  const distinct = containers.map((c) => {
    if (c.containerHostname === undefined) return c
    if (seen.has(c.containerHostname)) return without(c, 'containerHostname')
    seen.add(c.containerHostname)
    return c
  })
  m = pipeline ? { ...m, containers: distinct } : { ...m, container: distinct[0] }
  if (m.role === undefined && (o.modelRoleRequired || distinct.some((c) => c.image !== undefined))) m = { ...m, role: x.role }
  return fixVpc(m, x)
}

const fixEndpoint = (s: Obj): Obj => {
  const names = new Set<string>()
  const variants = (s.variants as Obj[]).map((v, i) => {
    let name: string = v.name ?? (i === 0 ? 'AllTraffic' : `variant-${i + 1}`)
    let k = 0
    while (names.has(name)) name = `v${i}-${k++}`
    names.add(name)
    return name === (v.name ?? (i === 0 ? 'AllTraffic' : `variant-${i + 1}`)) ? v : { ...v, name }
  })
  return { ...s, variants }
}

const fixTransform = (s: Obj): Obj => {
  const { maxPayloadInMb: p, maxConcurrentTransforms: c } = s
  return p !== undefined && c !== undefined && p * c > 100 ? { ...s, maxConcurrentTransforms: Math.floor(100 / p) } : s
}

// -------------------------------------------------------------------------------------
// wiring: refs to earlier steps, only where the output fits the field
// -------------------------------------------------------------------------------------

interface Earlier {
  readonly name: string
  readonly kind: StepTag
  /** A tuning step's range names: refs to its tuned hyperparameters name one of them. */
  readonly ranges: ReadonlyArray<string>
}

const ARTIFACTS = ['ModelArtifacts', 'S3ModelArtifacts']

const wire = (s: Obj, prev: ReadonlyArray<Earlier>, d: Draw): Obj => {
  const of = (kind: StepTag) => prev.filter((p) => p.kind === kind)
  const maybe = (kind: StepTag, p = 0.5): Earlier | undefined => (d.chance(p) ? d.pick(of(kind)) : undefined)
  let out: Obj = s
  const wireJob = (job: Obj): Obj => {
    let j = job
    const t = maybe('Training')
    if (t !== undefined) j = { ...j, modelUri: ref(t.name, ARTIFACTS), channels: without(j.channels ?? {}, j.modelChannelName ?? 'model') }
    if (j.channels !== undefined)
      j = {
        ...j,
        channels: Object.fromEntries(
          Object.entries(j.channels as Obj).map(([k, c]) => {
            const from = maybe('Training', 0.3)
            const xf = from === undefined ? maybe('Transform', 0.3) : undefined
            return [k, from !== undefined ? { ...c, uri: ref(from.name, ARTIFACTS) } : xf !== undefined ? { ...c, uri: ref(xf.name, ['TransformOutput', 'S3OutputPath']) } : c]
          }),
        ),
      }
    const extraHp: Obj = {}
    const jobRef = maybe('Training', 0.3)
    if (jobRef !== undefined) extraHp.ref_parent_job = ref(jobRef.name, ['TrainingJobName'])
    const tuned = maybe('Tuning', 0.4)
    if (tuned !== undefined && tuned.ranges.length > 0) {
      extraHp.ref_best_eta = ref(tuned.name, ['BestTrainingJob', 'TunedHyperParameters', tuned.ranges[d.nat(tuned.ranges.length)]!])
      extraHp.ref_best_score = ref(tuned.name, ['BestTrainingJob', 'FinalHyperParameterTuningJobObjectiveMetric', 'Value'])
    }
    if (d.chance(0.15)) extraHp.sagemaker_submit_directory = code({ entryPoint: 'train.py', sourceDir: 'src', s3Prefix: 's3://bucket/code' })
    if (Object.keys(extraHp).length > 0) j = { ...j, hyperParameters: { ...(j.hyperParameters ?? {}), ...extraHp } }
    if (d.chance(0.2)) j = { ...j, output: { ...j.output, s3OutputPath: join('/', ['s3://bucket/output', runId]) } }
    const roleFrom = maybe('Training', 0.15)
    if (roleFrom !== undefined) j = { ...j, role: ref(roleFrom.name, ['RoleArn']) }
    return j
  }
  const handlers: { readonly [K in StepTag]: () => Obj } = {
    Training: () => wireJob(out),
    Tuning: () => {
      let t: Obj = { ...out, training: wireJob(out.training) }
      const parent = maybe('Tuning')
      if (parent !== undefined && t.warmStart !== undefined)
        t = { ...t, warmStart: { ...t.warmStart, parents: [ref(parent.name, ['HyperParameterTuningJobName']), ...t.warmStart.parents.slice(1)] } }
      return t
    },
    Model: () => {
      const wireContainer = (c: Obj): Obj => {
        if (c.modelPackageName !== undefined) {
          const pkg = maybe('ModelPackage')
          return pkg === undefined ? c : { ...c, modelPackageName: ref(pkg.name, ['ModelPackageArn']) }
        }
        const t = maybe('Training')
        if (t !== undefined) return { ...c, modelDataUrl: ref(t.name, ARTIFACTS) }
        const tune = maybe('Tuning')
        return tune === undefined ? c : { ...c, modelDataUrl: concat('s3://bucket/tuning/', ref<string>(tune.name, ['BestTrainingJob', 'TrainingJobName']), '/output/model.tar.gz') }
      }
      return out.containers !== undefined ? { ...out, containers: out.containers.map(wireContainer) } : { ...out, container: wireContainer(out.container) }
    },
    Endpoint: () => ({
      ...out,
      variants: (out.variants as Obj[]).map((v) => {
        const m = maybe('Model', 0.7)
        return m === undefined ? v : { ...v, model: ref(m.name, ['ModelName']) }
      }),
    }),
    Transform: () => {
      const m = maybe('Model', 0.7)
      const xf = maybe('Transform', 0.3)
      return { ...out, ...(m === undefined ? {} : { model: ref(m.name, ['ModelName']) }), ...(xf === undefined ? {} : { input: { ...out.input, uri: ref(xf.name, ['TransformOutput', 'S3OutputPath']) } }) }
    },
    ModelPackage: () => {
      const t = maybe('Training', 0.7)
      return t === undefined ? out : { ...out, modelDataUrl: ref(t.name, ARTIFACTS) }
    },
  }
  out = handlers[s._tag as StepTag]()
  const after = prev.filter(() => d.chance(0.15)).map((p) => p.name)
  return after.length > 0 ? { ...out, after } : without(out, 'after')
}

// -------------------------------------------------------------------------------------
// params: a literal becomes a param whose default is that literal
// -------------------------------------------------------------------------------------

const CANONICAL_INT = /^(0|-?[1-9]\d{0,8})$/

const paramTypeFor = (kind: ValKind, v: unknown, d: Draw): ParamDecl['type'] | undefined => {
  if (typeof v === 'boolean') return kind === 'boolean' || kind === 'scalar' ? 'Boolean' : undefined
  if (typeof v === 'number') return kind === 'integer' ? 'Integer' : Number.isInteger(v) && d.chance(0.5) ? 'Integer' : 'Float'
  if (typeof v === 'string' && (kind === 'string' || kind === 'scalar')) return 'String'
  return undefined
}

interface Parameterised {
  readonly step: Obj
  /** Declarations given only in the program's params (use sites name them only, as hand-written JSON does). */
  readonly separate: ReadonlyArray<ParamDecl>
}

const parameterise = (codec: t.Type<any, any, unknown>, s: Obj, d: Draw, next: () => string): Parameterised => {
  const separate: ParamDecl[] = []
  const step = mapLeaves(codec, s, (leaf) => {
    if (leaf.valKind === undefined || !d.chance(0.08)) return leaf.value
    let value = leaf.value
    let type = paramTypeFor(leaf.valKind, value, d)
    // A numeric string in a string field may come from an Integer param (validate allows it).
    if (type === 'String' && typeof value === 'string' && CANONICAL_INT.test(value) && d.chance(0.5)) {
      type = 'Integer'
      value = Number(value)
    }
    if (type === undefined) return leaf.value
    const decl: ParamDecl = {
      name: next(),
      type,
      default: value as string | number | boolean,
      ...(d.chance(0.3) ? { allowed: [value as string | number | boolean] } : {}),
      ...(d.chance(0.2) ? { description: 'generated' } : {}),
    }
    if (d.chance(0.3)) {
      separate.push(decl)
      return { _tag: 'Param', name: decl.name } satisfies Param<unknown>
    }
    return { _tag: 'Param', ...decl } satisfies Param<unknown>
  }) as Obj
  return { step, separate }
}

// -------------------------------------------------------------------------------------
// the program arbitrary
// -------------------------------------------------------------------------------------

const CODECS: { readonly [K in StepTag]: t.Type<any, any, unknown> } = {
  Training: TrainingStep,
  Tuning: TuningStep,
  Model: ModelStep,
  Endpoint: EndpointStep,
  Transform: TransformStep,
  ModelPackage: ModelPackageStep,
}

const codecOf = (kind: StepTag) => CODECS[kind]

interface Seed {
  readonly name: string
  readonly body: Obj
  readonly extras: Extras
  readonly draws: ReadonlyArray<number>
}

const extrasArb = (ov: Overrides): fc.Arbitrary<Extras> =>
  fc.record({
    image: arbitraryOf(P.ImageUri, ov) as fc.Arbitrary<string>,
    algorithmName: arbitraryOf(P.AlgorithmName, ov) as fc.Arbitrary<string>,
    modelPackageName: (arbitraryOf(P.ModelPackageName, ov) as fc.Arbitrary<string>).map(existing),
    role: arbitraryOf(P.RoleArn, ov) as fc.Arbitrary<string>,
    vpc: fc.record({
      subnets: arbitraryOf(P.Vpc.optional.subnets, ov) as fc.Arbitrary<string[]>,
      securityGroupIds: arbitraryOf(P.Vpc.optional.securityGroupIds, ov) as fc.Arbitrary<string[]>,
    }),
    categorical: arbitraryOf(CategoricalRange, ov) as fc.Arbitrary<Obj>,
  })

const shape = (kind: StepTag, body: Obj, x: Extras, d: Draw, o: ProgramOptions): Obj => {
  const handlers: { readonly [K in StepTag]: () => Obj } = {
    Training: () => fixTrainingJob(body, x, d),
    Tuning: () => fixTuning(body, x, d, o),
    Model: () => fixModel(body, x, d, o),
    Endpoint: () => fixEndpoint(body),
    Transform: () => fixTransform(body),
    ModelPackage: () => body,
  }
  const shaped = handlers[kind]()
  const cleaned = without(shaped, 'presetErrors', ...(o.overrides ? [] : ['overrides']))
  return kind === 'Tuning' ? { ...cleaned, training: without(cleaned.training, 'presetErrors', 'overrides') } : cleaned
}

// Training and models first-class: they are what other steps refer to.
const KIND_WEIGHTS: ReadonlyArray<{ readonly kind: StepTag; readonly weight: number }> = STEP_TAGS.map((kind) => ({
  kind,
  weight: kind === 'Training' || kind === 'Model' ? 3 : 2,
}))

/** Arbitrary valid programs of 1..maxSteps steps. */
export const arbitraryProgram = (o: ProgramOptions = {}): fc.Arbitrary<Program> => {
  const ov = overridesFor(o)
  const maxSteps = Math.min(o.maxSteps ?? 6, 8)
  // Built once: deriving an arbitrary compiles its patterns, far too slow to repeat per sample.
  const name = arbitraryOf(P.StepName, ov) as fc.Arbitrary<string>
  const extras = extrasArb(ov)
  const draws = fc.array(fc.nat(), { minLength: 8, maxLength: 8 })
  const seed: fc.Arbitrary<Seed> = fc.oneof(
    ...KIND_WEIGHTS.map(({ kind, weight }) => ({ weight, arbitrary: fc.record({ name, body: arbitraryOf(codecOf(kind), ov) as fc.Arbitrary<Obj>, extras, draws }) })),
  )
  return fc.uniqueArray(seed, { minLength: 1, maxLength: maxSteps, selector: (s) => s.name }).map((seeds) => build(seeds, o))
}

/**
 * `existing(x)` names something made outside the program, so a generated one never takes a step's
 * name (validate refuses that as a likely mistake): the last character changes, keeping the pattern.
 */
const outsideNames = (stepNames: ReadonlySet<string>) => {
  const rename = (n: string): string => {
    for (const c of 'xyz0123456789') {
      const m = n.slice(0, -1) + c
      if (!stepNames.has(m)) return m
    }
    return n
  }
  const go = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(go)
    if (typeof v !== 'object' || v === null) return v
    const o = v as Obj
    if (o['_tag'] === 'Existing' && typeof o['name'] === 'string') return stepNames.has(o['name']) ? existing(rename(o['name'])) : v
    if (isExpr(v)) return v
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, go(x)]))
  }
  return go
}

const build = (seeds: ReadonlyArray<Seed>, o: ProgramOptions): Program => {
  const outside = outsideNames(new Set(seeds.map((s) => s.name)))
  const prev: Earlier[] = []
  const steps: Step[] = []
  const separate: ParamDecl[] = []
  let k = 0
  const nextParam = () => `p${k++}`
  for (const s of seeds) {
    const d = drawFrom(s.draws)
    const kind = s.body._tag as StepTag
    const shaped = shape(kind, { ...s.body, name: s.name }, s.extras, d, o)
    // Wiring keeps the rules: a model channel it adds replaces any channel of that name.
    const wired = wire(shaped, prev, d)
    const p = parameterise(codecOf(kind), wired, d, nextParam)
    separate.push(...p.separate)
    steps.push(make(outside(p.step) as StepOf<StepTag>) as Step)
    prev.push({ name: s.name, kind, ranges: kind === 'Tuning' ? Object.keys((p.step as Obj).ranges ?? {}) : [] })
  }
  return separate.length > 0 ? withParams(...separate)(program(...steps)) : program(...steps)
}

// -------------------------------------------------------------------------------------
// sample values for resolving requests
// -------------------------------------------------------------------------------------

// The resolver `sagespec plan --sample` uses, so the laws check the same values users see.
export { SAMPLE_RUN_ID, SAMPLE_ROLE, SAMPLE_IMAGE, sampleResolver } from '../../src/interpret/plan/sample.js'
