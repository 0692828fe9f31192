/**
 * What a DAG's configs should hold, written here independently of `src/interpret/airflow` from the
 * provider's documented behaviour: which request goes to which operator, which XCom key holds a step's
 * Describe* response, and how refs, params and the run stamp read as templates.
 */
import { lookupOutput } from '../../../src/spec/outputs.js'
import { OUTPUT_SCHEMAS } from '../../../src/spec/step.js'
import { collectExprs, isExpr, type Code, type Ref } from '../../../src/spec/val.js'
import type { Plan, PlannedStep } from '../../../src/interpret/plan/plan.js'
import type { Request } from '../../../src/interpret/plan/requests.js'
import { resolve, type Resolver } from '../../../src/interpret/plan/symbolic.js'

type Kind = 'Training' | 'Tuning' | 'Model' | 'Endpoint' | 'Transform' | 'ModelPackage'

/** Each operator returns `{<key>: Describe*}` (the endpoint and transform operators return two keys). */
export const XCOM_KEY: Readonly<Record<Kind, string>> = {
  Training: 'Training',
  Tuning: 'Tuning',
  Model: 'Model',
  Endpoint: 'Endpoint',
  Transform: 'Transform',
  // The DAG's own create_model_package returns {'ModelPackage': DescribeModelPackage}.
  ModelPackage: 'ModelPackage',
}

export const OPERATOR_CLASS: Readonly<Record<Kind, string>> = {
  Training: 'SageMakerTrainingOperator',
  Tuning: 'SageMakerTuningOperator',
  Model: 'SageMakerModelOperator',
  Endpoint: 'SageMakerEndpointOperator',
  Transform: 'SageMakerTransformOperator',
  ModelPackage: 'PythonOperator',
}

/** The SageMaker operation each part of a config is sent as. */
export const OPERATIONS: Readonly<Record<Kind, ReadonlyArray<readonly [string | undefined, string]>>> = {
  Training: [[undefined, 'CreateTrainingJob']],
  Tuning: [[undefined, 'CreateHyperParameterTuningJob']],
  Model: [[undefined, 'CreateModel']],
  Endpoint: [
    ['EndpointConfig', 'CreateEndpointConfig'],
    ['Endpoint', 'CreateEndpoint'],
  ],
  Transform: [[undefined, 'CreateTransformJob']],
  ModelPackage: [[undefined, 'CreateModelPackage']],
}

const input = (s: PlannedStep, tag: Request['_tag']): Record<string, unknown> => {
  const r = s.requests.find((x) => x._tag === tag)
  if (r === undefined) throw new Error(`${s.name} sends no ${tag}`)
  return r.input as Record<string, unknown>
}

/** The operator's config: the plan's requests as the operator takes them (before S3Operations). */
export const operatorConfig = (s: PlannedStep): Record<string, unknown> => {
  switch (s.kind) {
    case 'Training':
      return input(s, 'CreateTrainingJob')
    case 'Tuning':
      return input(s, 'CreateHyperParameterTuningJob')
    case 'Model':
      return input(s, 'CreateModel')
    case 'Endpoint':
      return { EndpointConfig: input(s, 'CreateEndpointConfig'), Endpoint: input(s, 'CreateEndpoint') }
    case 'Transform':
      return input(s, 'CreateTransformJob')
    case 'ModelPackage':
      return input(s, 'CreateModelPackage')
    default:
      throw new Error(`no operator for ${s.kind}`)
  }
}

const kindOf = (plan: Plan, step: string): Kind => plan.steps.find((s) => s.name === step)!.kind as Kind

/**
 * The config as the DAG file should spell it, for plain text only (no `{`, `\r` or trailing `\n`, which
 * need escaping: those are checked by rendering with Jinja instead).
 */
export const expectedLiteral = (
  plan: Plan,
  v: unknown,
  runStamp = '{{ ts_nodash }}',
  codeUri: (c: Code) => string = () => {
    throw new Error('no code')
  },
): unknown => {
  const plain = (s: string): string => {
    if (/[{\r]|\n$/.test(s)) throw new Error(`expectedLiteral handles plain text only: ${JSON.stringify(s)}`)
    return s
  }
  const expr = (e: unknown): string => {
    if (!isExpr(e)) return plain(String(e))
    switch (e._tag) {
      case 'Ref':
        return `{{ ti.xcom_pull(task_ids='${e.step}')${[XCOM_KEY[kindOf(plan, e.step)], ...e.path].map((k) => `['${k}']`).join('')} }}`
      case 'Param':
        return `{{ params.${e.name} }}`
      case 'RunId':
        return runStamp
      case 'Code':
        return codeUri(e)
      case 'Repack':
        throw new Error('expectedLiteral: repacks are checked by the repack tests')
      case 'Join':
        return e.values.map(expr).join(plain(e.on))
      case 'Json':
        // Run-time refs and params are JSON-encoded by Jinja; strings we build are quoted now.
        if (e.value._tag === 'Param') return `{{ params.${e.value.name} | tojson }}`
        if (e.value._tag === 'Ref') return `${expr(e.value).slice(0, -3)} | tojson }}`
        return JSON.stringify(expr(e.value))
    }
  }
  const go = (x: unknown): unknown => {
    if (isExpr(x)) return expr(x)
    if (typeof x === 'string') return plain(x)
    if (Array.isArray(x)) return x.map(go)
    if (typeof x === 'object' && x !== null) return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, go(y)]))
    return x
  }
  return go(v)
}

// -------------------------------------------------------------------------------------
// render contexts
// -------------------------------------------------------------------------------------

export const RUN = '20261125T102030'

/** The run stamps' templates, as the DAG header documents them. */
export const RUN_STAMP_TEMPLATES = {
  ts_nodash: '{{ ts_nodash }}',
  ds_nodash: '{{ ds_nodash }}',
  run_hash: "{{ macros.uuid.uuid5(macros.uuid.NAMESPACE_URL, dag.dag_id ~ '/' ~ run_id).hex[:15] }}",
} as const

/** Markers: each template renders to a recognisable text naming what it read. */
/** What Jinja's `tojson` writes: Python's json.dumps (ASCII only) with `<>&'` escaped for HTML. */
export const jinjaJson = (v: string | number | boolean): string =>
  JSON.stringify(v)
    .replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/'/g, '\\u0027')

export const markerResolver = (plan: Plan, codeUri: (c: Code) => string = () => 'no-code'): Resolver => ({
  json: jinjaJson,
  ref: (r) => `<ref:${r.step}.${XCOM_KEY[kindOf(plan, r.step)]}.${r.path.join('.')}>`,
  param: (p) => `<param:${p.name}>`,
  runId: '<RUN>',
  code: codeUri,
})

export const markerParams = (plan: Plan): Record<string, string> => Object.fromEntries(plan.params.map((p) => [p.name, `<param:${p.name}>`]))

/** A value SageMaker would return at this output path, valid where our programs put it. */
const sampleOutput = (plan: Plan, r: Ref<unknown>): string | number => {
  const found = lookupOutput(OUTPUT_SCHEMAS[kindOf(plan, r.step)], r.path)
  if (found._tag === 'Found' && found.type === 'number') return 7
  const last = r.path[r.path.length - 1] ?? ''
  if (/Name$/.test(last)) return `${r.step}-sample-1`
  if (/Arn$/.test(last)) return `arn:aws:sagemaker:us-west-2:111122223333:thing/${r.step}`
  if (/^S3/.test(last)) return `s3://sample-bucket/${r.step}/model.tar.gz`
  return `sample-${r.step}`
}

const SAMPLE_BY_TYPE = { String: 'sample', Integer: 3, Float: 0.5, Boolean: true } as const

/** Sample run-time values: XCom results for every ref, param values, and a resolver giving the same. */
export const sampleValues = (plan: Plan, codeUri: (c: Code) => string = () => 'no-code') => {
  const xcom: Record<string, Record<string, unknown>> = {}
  const refs = collectExprs(plan.steps.map((s) => s.requests)).refs
  for (const r of refs) {
    let node = (xcom[r.step] ??= {}) as Record<string, unknown>
    const keys = [XCOM_KEY[kindOf(plan, r.step)], ...r.path]
    keys.slice(0, -1).forEach((k) => (node = (node[k] ??= {}) as Record<string, unknown>))
    node[keys[keys.length - 1]!] = sampleOutput(plan, r)
  }
  const params = Object.fromEntries(plan.params.map((p) => [p.name, p.default ?? SAMPLE_BY_TYPE[p.type]]))
  const resolver: Resolver = {
    json: jinjaJson,
    ref: (r) => sampleOutput(plan, r),
    param: (p) => params[p.name] as string | number | boolean,
    runId: RUN,
    code: codeUri,
  }
  return { xcom, params, resolver }
}

export const resolved = (v: unknown, r: Resolver): unknown => resolve(v as never, r)
