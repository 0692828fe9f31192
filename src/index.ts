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
export { toText, writeText } from './interpret/dry-run/text.js'
export { toJsonPlan, writeJsonPlan } from './interpret/dry-run/json.js'
export { toMermaid, toDot } from './interpret/dry-run/graph.js'
export { toAirflowDag, writeAirflowDag, exportAirflowDag, checkAirflowDag, AirflowExportError, type DagOptions, type DefaultArgs } from './interpret/airflow/dag.js'
export { describeExportError, type ExportError, type CodeUpload } from './interpret/airflow/check.js'
export type { RunStamp } from './interpret/airflow/templates.js'
export { packCode, gzipArchive, codeLocation, codeKey, describePackError, type Packed, type PackError } from './interpret/code/pack.js'
export { predictor, describePredictError, type Predictor, type PredictorOptions, type PredictError, type Invocation } from './interpret/predict/predictor.js'
export * as Endpoints from './interpret/endpoints/manage.js'
export * as TuningAnalytics from './interpret/tuning/analytics.js'
export { toSvg as tuningPlot } from './interpret/tuning/plot.js'
export { follow, findJob, type JobKind, type FollowEvent, type Followed } from './interpret/execute/follow.js'
