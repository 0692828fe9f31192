/**
 * Machine-readable plan: the requests in order, symbolic leaves kept as their JSON form
 * (`{"_tag":"Ref","step":"train","path":[…]}`), so another tool can resolve them.
 *
 * @since 0.1.0
 */
import type { Plan } from '../plan/plan.js'

/** @category interpreters */
export const toJsonPlan = (plan: Plan): string =>
  JSON.stringify(
    {
      params: plan.params,
      steps: plan.steps.map((p) => ({ name: p.name, kind: p.kind, dependsOn: p.dependsOn, physicalName: p.physicalName, requests: p.requests })),
    },
    null,
    2,
  ) + '\n'
