/**
 * The program's DAG as Mermaid or Graphviz DOT text: works in CI logs, pull requests and docs, with
 * no notebook. Each node shows the instances its step runs on; edges from refs are labelled with what
 * flows, in words; `after` edges are dashed.
 *
 * @since 0.1.0
 */
import { collectExprs } from '../../spec/val.js'
import type { Plan, PlannedStep } from '../plan/plan.js'
import { showFleet, usage, type Fleet } from './cost.js'

interface Edge {
  readonly from: string
  readonly to: string
  /** Outputs that flow along the edge; empty for an explicit `after`. */
  readonly labels: ReadonlyArray<string>
}

/** Outputs whose last segment alone would mislead or say too little. */
const READABLE: { readonly [path: string]: string } = {
  'ModelArtifacts.S3ModelArtifacts': 'model artifacts',
  'BestTrainingJob.TrainingJobName': 'best training job',
  'BestTrainingJob.TrainingJobArn': 'best training job ARN',
  'OutputDataConfig.S3OutputPath': 'output path',
  'TransformOutput.S3OutputPath': 'output path',
}

const ACRONYMS = new Set(['arn', 's3', 'kms', 'url', 'uri', 'id'])

/** `TrainingJobName` → `training job name`; map keys (hyperparameter names) stay as written. */
const words = (segment: string): string =>
  segment
    .split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()))
    .join(' ')

/** An output path as words: `ModelArtifacts.S3ModelArtifacts` → `model artifacts`. */
export const readable = (path: ReadonlyArray<string>): string => {
  const whole = path.join('.')
  if (Object.prototype.hasOwnProperty.call(READABLE, whole)) return READABLE[whole]!
  // A free map key (`HyperParameters.eta`) is a name the user chose: keep it, after its map's words.
  const last = path[path.length - 1] ?? ''
  return path.length > 1 && /(HyperParameters|Environment)$/.test(path[path.length - 2]!) ? `${words(path[path.length - 2]!)} ${last}` : words(last)
}

export const edges = (plan: Plan): ReadonlyArray<Edge> =>
  plan.steps.flatMap((p) => {
    const refs = collectExprs(p.step).refs
    return p.dependsOn.map((from) => ({
      from,
      to: p.name,
      labels: [...new Set(refs.filter((r) => r.step === from).map((r) => readable(r.path)))],
    }))
  })

/** The instances a step runs on, one fleet per line (an endpoint may have several variants). */
const fleets = (p: PlannedStep): ReadonlyArray<Fleet> => {
  const u = usage(p)
  return u._tag === 'Bounded' || u._tag === 'Unbounded' ? [u.fleet] : u._tag === 'Standing' ? u.fleets : []
}

const mermaidText = (s: string) => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')

/** @category interpreters */
export const toMermaid = (plan: Plan): string => {
  const id = new Map(plan.steps.map((p, i) => [p.name, `s${i}`]))
  const nodes = plan.steps.map(
    (p) => `  ${id.get(p.name)}["${mermaidText(p.name)}<br/><small>${[p.kind, ...fleets(p).map((f) => mermaidText(showFleet(f)))].join('<br/>')}</small>"]`,
  )
  const lines = edges(plan).map((e) =>
    e.labels.length === 0 ? `  ${id.get(e.from)} -.-> ${id.get(e.to)}` : `  ${id.get(e.from)} -->|"${mermaidText(e.labels.join(', '))}"| ${id.get(e.to)}`,
  )
  return ['flowchart TD', ...nodes, ...lines, ''].join('\n')
}

const dotStr = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`

/** @category interpreters */
export const toDot = (plan: Plan): string => {
  const nodes = plan.steps.map((p) => `  ${dotStr(p.name)} [label=${dotStr([p.name, p.kind, ...fleets(p).map(showFleet)].join('\n'))}];`)
  const lines = edges(plan).map(
    (e) => `  ${dotStr(e.from)} -> ${dotStr(e.to)}${e.labels.length === 0 ? ' [style=dashed]' : ` [label=${dotStr(e.labels.join('\n'))}]`};`,
  )
  return ['digraph sagespec {', '  rankdir=LR;', '  node [shape=box, style=rounded, fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];', ...nodes, ...lines, '}', ''].join('\n')
}
