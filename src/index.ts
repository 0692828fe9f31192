/**
 * sagespec: describe SageMaker work as typed, immutable data.
 *
 * @since 0.1.0
 */
export * from './spec/index.js'
export { bindParams } from './spec/bind.js'
export { toPlan, type Plan, type PlannedStep } from './interpret/plan/plan.js'
export { resolve, type Symbolic, type Resolver } from './interpret/plan/symbolic.js'
export type { Request } from './interpret/plan/requests.js'
export { toText } from './interpret/dry-run/text.js'
export { toJsonPlan } from './interpret/dry-run/json.js'
export { toMermaid, toDot } from './interpret/dry-run/graph.js'
