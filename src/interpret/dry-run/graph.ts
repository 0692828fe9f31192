/**
 * The program's DAG as Mermaid or Graphviz DOT text: works in CI logs, pull requests and docs, with
 * no notebook. Edges from refs are labelled with what flows; `after` edges are dashed.
 *
 * @since 0.1.0
 */
import { collectExprs } from '../../spec/val.js'
import type { Plan } from '../plan/plan.js'

interface Edge {
  readonly from: string
  readonly to: string
  /** Outputs that flow along the edge; empty for an explicit `after`. */
  readonly labels: ReadonlyArray<string>
}

export const edges = (plan: Plan): ReadonlyArray<Edge> =>
  plan.steps.flatMap((p) => {
    const refs = collectExprs(p.step).refs
    return p.dependsOn.map((from) => ({
      from,
      to: p.name,
      labels: [...new Set(refs.filter((r) => r.step === from).map((r) => r.path.join('.')))],
    }))
  })

/** @category interpreters */
export const toMermaid = (plan: Plan): string => {
  const id = new Map(plan.steps.map((p, i) => [p.name, `s${i}`]))
  const nodes = plan.steps.map((p) => `  ${id.get(p.name)}["${p.name}<br/><small>${p.kind}</small>"]`)
  const lines = edges(plan).map((e) =>
    e.labels.length === 0 ? `  ${id.get(e.from)} -.-> ${id.get(e.to)}` : `  ${id.get(e.from)} -->|"${e.labels.join(', ')}"| ${id.get(e.to)}`,
  )
  return ['flowchart TD', ...nodes, ...lines, ''].join('\n')
}

const dotStr = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`

/** @category interpreters */
export const toDot = (plan: Plan): string => {
  const nodes = plan.steps.map((p) => `  ${dotStr(p.name)} [label=${dotStr(`${p.name}\n${p.kind}`)}];`)
  const lines = edges(plan).map(
    (e) => `  ${dotStr(e.from)} -> ${dotStr(e.to)}${e.labels.length === 0 ? ' [style=dashed]' : ` [label=${dotStr(e.labels.join('\n'))}]`};`,
  )
  return ['digraph sagespec {', '  rankdir=LR;', '  node [shape=box, style=rounded, fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];', ...nodes, ...lines, '}', ''].join('\n')
}
