/**
 * The dry-run printout: what a person reads before deciding to run. Per step: its kind, name,
 * dependencies, the key fields, and every request exactly as it will be sent.
 *
 * @since 0.1.0
 */
import { variantName } from '../../spec/endpoint.js'
import type { StepOf, StepTag } from '../../spec/step.js'
import type { Plan, PlannedStep } from '../plan/plan.js'
import { DEFAULTS } from '../plan/requests.js'
import { table, totals, usage, usageLine, type Prices } from './cost.js'
import { jsonWriter, showVal } from './render-value.js'
import { sampleNote } from './json.js'
import { showRepack, withCodeUris, type ResolvedArchive, type ResolvedAssets, type ResolvedRepack } from '../code/assets.js'
import { supportLines } from './targets.js'

/** What the plan is printed with besides the plan itself. */
export interface TextOptions {
  /** Values bound by `--param name=value` (their declarations are gone from the plan). */
  readonly bound?: Readonly<Record<string, string | number | boolean>>
  /** Instance type → hourly USD: worst cases shown in money too. */
  readonly prices?: Prices
  /** The plan's run-time values were replaced by samples (`plan --sample`): say so, and which stamp. */
  readonly sample?: { readonly runId: string }
  /** The code archives as packed now (`resolveAssets`): shown, and their URIs put in the requests. */
  readonly assets?: ResolvedAssets
}

/** Archives with at most this many files list them; bigger ones give the count only. */
const LISTED_FILES = 12

const archiveLines = (a: ResolvedArchive): ReadonlyArray<string> => [
  `   ${a.code.sourceDir ?? a.code.entryPoint} → ${a.location.uri}`,
  `     ${plural(a.files.length, 'file')}, ${a.size} bytes as tar, sha256 ${a.sha256}`,
  ...(a.files.length > 0 && a.files.length <= LISTED_FILES ? [`     files: ${a.files.join(', ')}`] : []),
  `     used by ${a.usedBy.join(', ')}`,
]

const repackLines = (r: ResolvedRepack): ReadonlyArray<string> => [
  `   ${showRepack(r)} → ${r.target}`,
  `     after ${r.dependsOn.join(', ') || '—'}: download the model archive, add code/ (${plural(r.files.length, 'file')}, ${r.size} bytes as tar, sha256 ${r.codeSha256})`,
  ...(r.files.length > 0 && r.files.length <= LISTED_FILES ? [`     files: ${r.files.join(', ')}`] : []),
  `     <sha256> hashes the original archive's bytes with the code's sha256; an archive already there is not made again`,
  `     used by ${r.usedBy.join(', ')}`,
]

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

type Lines = ReadonlyArray<readonly [string, string]>

const trainingLines = (s: StepOf<'Training'>): Lines => [
  s.image !== undefined ? ['image', showVal(s.image)] : ['algorithm', showVal(s.algorithmName)],
  ['instances', `${showVal(s.resources.instanceType)} × ${showVal(s.resources.instanceCount ?? DEFAULTS.instanceCount)}${s.spot !== undefined ? ' (spot)' : ''}`],
  ['input', `${showVal(s.inputMode ?? DEFAULTS.inputMode)} mode; channels: ${[...Object.keys(s.channels ?? {}), ...(s.modelUri !== undefined ? [s.modelChannelName ?? DEFAULTS.modelChannelName] : [])].join(', ') || 'none'}`],
  ['output', showVal(s.output.s3OutputPath)],
  ['hyperparameters', `${plural(Object.keys(s.hyperParameters ?? {}).length, 'value')}, ${s.hyperParameterEncoding ?? DEFAULTS.hyperParameterEncoding} encoding`],
]

const tuningLines = (s: StepOf<'Tuning'>): Lines => [
  ['strategy', `${s.strategy ?? DEFAULTS.strategy}, ${s.objective.type} ${s.objective.metricName}`],
  ['jobs', `${showVal(s.maxJobs ?? DEFAULTS.maxJobs)} in all, ${showVal(s.maxParallelJobs ?? DEFAULTS.maxParallelJobs)} at a time, early stopping ${s.earlyStopping ?? DEFAULTS.earlyStopping}`],
  [
    'ranges',
    Object.entries(s.ranges)
      .map(([n, r]) => {
        if (r._tag === 'Categorical') return `${n} ∈ {${r.values.join(', ')}}`
        const notes = [...(r._tag === 'Integer' ? ['int'] : []), ...(r.scaling !== undefined && r.scaling !== 'Auto' ? [showVal(r.scaling).toLowerCase()] : [])]
        return `${n} ∈ [${showVal(r.min)}, ${showVal(r.max)}]${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`
      })
      .join('; '),
  ],
  // The template's lines, counting only the static hyperparameters (the tuned ones are ranges above).
  ...trainingLines({
    ...s.training,
    _tag: 'Training',
    name: s.name,
    hyperParameters: Object.fromEntries(Object.entries(s.training.hyperParameters ?? {}).filter(([k]) => !Object.prototype.hasOwnProperty.call(s.ranges, k))),
  }).map(([k, v]) => (k === 'hyperparameters' ? (['static hyperparameters', v] as const) : ([k, v] as const))),
]

const modelLines = (s: StepOf<'Model'>): Lines => {
  const cs = s.containers ?? (s.container !== undefined ? [s.container] : [])
  return cs.map((c, i) => [
    cs.length > 1 ? `container ${i + 1}` : 'container',
    `${showVal(c.image ?? c.modelPackageName)}${c.modelDataUrl !== undefined ? ` with ${showVal(c.modelDataUrl)}` : ''}`,
  ])
}

const endpointLines = (s: StepOf<'Endpoint'>): Lines => [
  ['endpoint', `${showVal(s.endpointName ?? s.name)} (${(s.update ?? DEFAULTS.endpointUpdate) ? 'create or update' : 'create only'})`],
  ...s.variants.map(
    (v, i) =>
      [
        'variant',
        `${variantName(v, i)}: ${showVal(v.model)} on ${showVal(v.instanceType)} × ${showVal(v.initialInstanceCount ?? 1)}, weight ${showVal(v.initialWeight ?? 1)}`,
      ] as const,
  ),
]

const transformLines = (s: StepOf<'Transform'>): Lines => [
  ['model', showVal(s.model)],
  ['instances', `${showVal(s.resources.instanceType)} × ${showVal(s.resources.instanceCount ?? DEFAULTS.instanceCount)}`],
  ['input', `${showVal(s.input.uri)}${s.input.splitType !== undefined ? ` split by ${showVal(s.input.splitType)}` : ''}`],
  ['output', showVal(s.output.s3OutputPath)],
  ...(s.dataProcessing === undefined ? [] : ([['data processing', dataProcessing(s.dataProcessing)]] as const)),
]

/** Which part of each record goes in and comes out, and what the output is joined with. */
const dataProcessing = (d: NonNullable<StepOf<'Transform'>['dataProcessing']>): string =>
  [
    `input filter ${showVal(d.inputFilter ?? '$')}`,
    `join with ${d.joinSource === undefined || showVal(d.joinSource) === 'None' ? 'nothing' : `the ${showVal(d.joinSource).toLowerCase()}`}`,
    `output filter ${showVal(d.outputFilter ?? '$')}`,
  ].join(', ')

const modelPackageLines = (s: StepOf<'ModelPackage'>): Lines => [
  ['algorithm', showVal(s.algorithmName)],
  ['model data', showVal(s.modelDataUrl)],
]

const KEY_LINES: { readonly [K in StepTag]: (s: StepOf<K>) => Lines } = {
  Training: trainingLines,
  Tuning: tuningLines,
  Model: modelLines,
  Endpoint: endpointLines,
  Transform: transformLines,
  ModelPackage: modelPackageLines,
}

const DEPENDS_ON = 'depends on'
const WORST_CASE = 'worst case'

/**
 * One step's text pushed onto `out`, to be joined with its neighbours in one go: its requests' JSON
 * comes from a writer that pushes pieces (`jsonWriter`), never a string of its own.
 */
const writeStep = (prices: Prices | undefined, json: ReturnType<typeof jsonWriter>) => (p: PlannedStep, i: number, out: string[]): void => {
  const worst = usageLine(usage(p), prices)
  const lines = (KEY_LINES[p.kind] as (s: PlannedStep['step']) => Lines)(p.step)
  let width = worst === undefined ? DEPENDS_ON.length : Math.max(DEPENDS_ON.length, WORST_CASE.length)
  for (const [k] of lines) width = Math.max(width, k.length)
  out.push(`${i + 1}. ${p.name} (${p.kind}) → ${showVal(p.physicalName)}\n   ${DEPENDS_ON.padEnd(width)}  ${p.dependsOn.length === 0 ? '—' : p.dependsOn.join(', ')}`)
  for (const [k, v] of lines) out.push(`\n   ${k.padEnd(width)}  ${v}`)
  if (worst !== undefined) out.push(`\n   ${WORST_CASE.padEnd(width)}  ${worst}`)
  for (const r of p.requests) {
    out.push(`\n   ${r._tag === 'CreateEndpoint' && r.orUpdate !== undefined ? 'CreateEndpoint (UpdateEndpoint if it exists)' : r._tag}\n     `)
    json(r.input, out)
  }
}

const ECR_REGION = /\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//

/** Regions the program names itself: in ECR image URIs and framework presets' settings. */
const regions = (plan: Plan): ReadonlyArray<string> => {
  const found = new Set<string>()
  const go = (v: unknown, key: string | undefined): void => {
    if (typeof v === 'string') {
      // Most strings are not ECR URIs: `includes` says so before the expression is run.
      const m = v.includes('.dkr.ecr.') ? ECR_REGION.exec(v) : null
      if (m !== null) found.add(m[1]!)
      else if (key === 'region') found.add(v)
    } else if (Array.isArray(v)) for (const x of v) go(x, undefined)
    else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) go((v as Record<string, unknown>)[k], k)
  }
  for (const p of plan.steps) go(p.step, undefined)
  return [...found].sort()
}

/** @category interpreters */
export const toText = (planned: Plan, options: TextOptions = {}): string => {
  // Steps joined 64 at a time, then the whole once: at 8 or 32 steps a batch the young-generation
  // collector spent 3-4x as long on a 10,000-step plan (--trace-gc), 128 or more gained nothing.
  // Not one list of every piece: grown old, it would point at millions of young strings, which the
  // collector pays for at each pass.
  const chunks: string[] = []
  render(planned, options, 64, (pieces) => {
    chunks.push(pieces.join(''))
    return []
  })
  return chunks.join('')
}

/**
 * `toText`'s text handed to `write` in pieces, in order (joined, they are that text byte for byte): a
 * step at a time, so a large plan is written out without ever being one string.
 *
 * @category interpreters
 */
export const writeText = (planned: Plan, options: TextOptions, write: (chunk: string) => void): void =>
  render(planned, options, 1, (pieces) => {
    write(pieces.join(''))
    return []
  })

/**
 * The text as pieces pushed onto a list, which goes to `flush` after the lines before the steps,
 * after every `batch` steps and at the end; `flush` gives the list to go on with.
 */
const render = (planned: Plan, options: TextOptions, batch: number, flush: (pieces: string[]) => string[]): void => {
  const plan = options.assets === undefined ? planned : withCodeUris(planned, options.assets, { showRepacks: true })
  const archives = options.assets?.archives ?? []
  const repacks = options.assets?.repacks ?? []
  const code = [
    ...(archives.length === 0 ? [] : ['Code archives (packed now, byte for byte as every runner packs and uploads them):', ...archives.flatMap(archiveLines)]),
    ...(repacks.length === 0
      ? []
      : [
          ...(archives.length === 0 ? [] : ['']),
          'Model archives repacked with their serving code (the container reads it from the model, /opt/ml/model/code):',
          ...repacks.flatMap(repackLines),
        ]),
  ]
  const bound = Object.entries(options.bound ?? {})
  const header = `Plan: ${plural(plan.steps.length, 'step')}, ${plural(plan.params.length + bound.length, 'parameter')}. Nothing has run; ${options.sample !== undefined ? `${sampleNote(options.sample.runId)}.` : "<run> is the run's unique stamp."}`
  const where = regions(plan)
  const region = where.length === 0 ? [] : [`Region: ${where.join(', ')} (named by the program's image URIs and presets)`]
  const params =
    plan.params.length + bound.length === 0
      ? []
      : [
          'Parameters:',
          ...table([
            ...bound.map(([name, value]) => [name, 'bound', `${JSON.stringify(value)} (from --param)`]),
            ...plan.params.map((d) => [
              d.name,
              d.type,
              [
                d.default !== undefined ? `default ${JSON.stringify(d.default)}` : '(required)',
                ...(d.allowed !== undefined ? [`one of ${JSON.stringify(d.allowed)}`] : []),
                ...(d.description !== undefined ? [`— ${d.description}`] : []),
              ].join('  '),
            ]),
          ]),
        ]
  const targets = supportLines(plan)
  // The lines before the steps, the steps a blank line apart, then the lines after them.
  let pieces = flush([[header, ...region, ...(targets.length > 0 ? ['', ...targets] : []), ...(params.length > 0 ? ['', ...params] : []), ...(code.length > 0 ? ['', ...code] : []), ''].join('\n') + '\n'])
  const step = writeStep(options.prices, jsonWriter('     '))
  plan.steps.forEach((p, i) => {
    if (i > 0) pieces.push('\n\n')
    step(p, i, pieces)
    if ((i + 1) % batch === 0 || i + 1 === plan.steps.length) pieces = flush(pieces)
  })
  const end = totals(plan, options.prices)
  pieces.push('\n' + [...(end.length > 0 ? ['', ...end] : []), ''].join('\n'))
  flush(pieces)
}
