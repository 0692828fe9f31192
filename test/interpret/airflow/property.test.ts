/**
 * Property: for arbitrary programs whose user text is adversarial (quotes, backslashes, newlines, CR,
 * NUL, bidi controls, lone surrogates, `'''`, `{{`, `}}`, `{%`, text that looks like our own templates),
 * the DAG parses with python3, every config literal reads back, plain text is written as it is, and
 * Jinja2 — rendering as Airflow does — gives back exactly the user's text, with refs, params and the run
 * stamp reading what the plan says. Programs are sampled with a fixed seed and checked in one python3
 * batch, so the run is bounded and repeatable.
 */
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { message } from '../../../src/spec/errors.js'
import { program, type Program } from '../../../src/spec/program.js'
import { endpoint, model, training, transform, tuning, type Step } from '../../../src/spec/step.js'
import { validate } from '../../../src/spec/validate.js'
import { concat, isExpr, param, runId } from '../../../src/spec/val.js'
import { toPlan, type Plan } from '../../../src/interpret/plan/plan.js'
import { toAirflowDag } from '../../../src/interpret/airflow/dag.js'
import { JINJA_REASON, JINJA_SKIP, PY_REASON, PY_SKIP, inspectDags, literalOf, renderDags, type Inspected, type PyValue } from './harness.js'
import { markerParams, markerResolver, operatorConfig, resolved, RUN } from './expected.js'

const ROLE = 'arn:aws:iam::111122223333:role/SageMakerRole'

// -------------------------------------------------------------------------------------
// adversarial text
// -------------------------------------------------------------------------------------

const PIECES = [
  "'", '"', '\\', '\n', '\r', '\r\n', '\t', '\0', '\x7f', '{{', '}}', '{%', '%}', '{#', '#}', "'''", '"""', '{', '}', '%', '#',
  ' ', 'a', 'Z', '0', 'é', 'ü', '日本', '😀', '\u2028', '\u2029', '\u202e', '\ufeff', '\u00a0', '\ud800', '\udfff', '\\n', '\\x41',
  '{{ params.x }}', "{{ ti.xcom_pull(task_ids='train') }}", '{% raw %}', '{{ ts_nodash }}',
]
const text = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
)
/** Fields whose pattern is Java's `.*`/`.+`: no line terminators (Java's `.` stops at U+0085 too). */
const oneLine = text.map((s) => s.replace(/[\n\r\u0085\u2028\u2029]/g, '_'))
const oneLineNonEmpty = oneLine.map((s) => (s === '' ? 'k' : s))
const s3Uri = oneLine.map((s) => `s3://bucket/${s}`)
const image = text.map((s) => `img/${s.replace(/\s/g, '')}`)
// Tags allow letters, separators (incl. U+2028/U+2029), numbers and _.:/=+-@ only.
const TAG_PIECES = ['a', 'Z', 'é', '日', '٣', '𝟘', ' ', '\u00a0', '\u3000', '\u2028', '\u2029', '_', '.', ':', '/', '=', '+', '-', '@', '7']
const tagText = (min: number) => fc.array(fc.constantFrom(...TAG_PIECES), { minLength: min, maxLength: 8 }).map((a) => a.join(''))
const tags = fc.dictionary(tagText(1), tagText(0), { maxKeys: 3 })
const baseName = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?$/)
const envKey = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/)
const env = fc.dictionary(envKey, text, { maxKeys: 3 })

// -------------------------------------------------------------------------------------
// programs
// -------------------------------------------------------------------------------------

const programs: fc.Arbitrary<Program> = fc
  .record({
    trainBase: fc.option(baseName, { nil: undefined }),
    // Hyperparameter values are Java's `.*` too (SageMaker refuses a line break); env values take anything.
    hp: fc.dictionary(oneLine, oneLine, { maxKeys: 4 }),
    encoding: fc.constantFrom('plain' as const, 'json' as const),
    trainEnv: env,
    trainTags: tags,
    channels: fc.dictionary(fc.stringMatching(/^[A-Za-z0-9._-]{1,10}$/), s3Uri, { maxKeys: 2 }),
    output: s3Uri,
    image,
    metric: fc.option(fc.record({ name: oneLineNonEmpty, regex: oneLineNonEmpty }), { nil: undefined }),
    hpParam: fc.option(fc.record({ name: fc.constantFrom('alpha', 'beta_2', 'Gamma'), default: oneLine, description: fc.option(text, { nil: undefined }) }), { nil: undefined }),
    countParam: fc.boolean(),
    modelEnv: env,
    modelJoinText: text,
    endpointTags: tags,
    transformIn: s3Uri,
    transformEnv: fc.dictionary(envKey, text, { maxKeys: 2 }),
    tune: fc.option(fc.record({ staticHp: fc.dictionary(oneLine, oneLine, { maxKeys: 2 }), rangeName: oneLineNonEmpty, values: fc.array(oneLine.map((s) => s.slice(0, 256)), { minLength: 1, maxLength: 3 }) }), { nil: undefined }),
  })
  .map((r) => {
    const hpParam = r.hpParam === undefined ? undefined : param.string(r.hpParam.name, { default: r.hpParam.default, ...(r.hpParam.description !== undefined ? { description: r.hpParam.description } : {}) })
    const train = training('train', {
      image: r.image,
      role: ROLE,
      resources: { instanceType: 'ml.m5.xlarge', ...(r.countParam ? { instanceCount: param.integer('count', { default: 2 }) } : {}) },
      output: { s3OutputPath: r.output },
      ...(r.trainBase !== undefined ? { baseJobName: r.trainBase } : {}),
      hyperParameters: { ...r.hp, ...(hpParam !== undefined ? { from_param: hpParam } : {}) },
      hyperParameterEncoding: r.encoding,
      environment: r.trainEnv,
      tags: r.trainTags,
      channels: Object.fromEntries(Object.entries(r.channels).map(([k, uri]) => [k, { uri }])),
      ...(r.metric !== undefined ? { metricDefinitions: [r.metric] } : {}),
    })
    const m = model('m', {
      container: { image: r.image, modelDataUrl: train.outputs.modelArtifacts, environment: { ...r.modelEnv, JOINED: concat(r.modelJoinText, train.outputs.jobName, '-', runId) } },
      role: ROLE,
    })
    const e = endpoint('e', { variants: [{ model: m.outputs.name, instanceType: 'ml.m5.large' }], tags: r.endpointTags })
    const x = transform('x', {
      model: m.outputs.name,
      resources: { instanceType: 'ml.m5.large' },
      input: { uri: r.transformIn },
      output: { s3OutputPath: r.output },
      environment: r.transformEnv,
    })
    const steps: Step[] = [train, m, e, x]
    if (r.tune !== undefined)
      steps.push(
        tuning('t', {
          training: { image: r.image, role: ROLE, resources: { instanceType: 'ml.m5.xlarge' }, output: { s3OutputPath: r.output }, hyperParameters: r.tune.staticHp, metricDefinitions: [{ name: 'auc', regex: 'auc=(.*)' }] },
          objective: { metricName: 'auc', type: 'Maximize' },
          ranges: { [r.tune.rangeName]: { _tag: 'Categorical', values: r.tune.values } },
        }),
      )
    return program(...steps)
  })

// -------------------------------------------------------------------------------------
// checks
// -------------------------------------------------------------------------------------

/** Strings Jinja leaves alone need no escaping: the exporter must write them as they are. */
const plainStrings = (v: unknown, path: ReadonlyArray<string> = []): Array<readonly [ReadonlyArray<string>, string]> => {
  if (typeof v === 'string') return /[{\r]|\n$/.test(v) ? [] : [[path, v]]
  if (isExpr(v) || typeof v !== 'object' || v === null) return []
  return Object.entries(v).flatMap(([k, x]) => plainStrings(x, [...path, k]))
}
const at = (v: unknown, path: ReadonlyArray<string>): unknown => path.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], v)

const SAMPLES = 60
const samples = fc.sample(programs, { numRuns: SAMPLES, seed: 20261125 })
const cases = samples.map((p, i) => {
  const v = validate(p)
  if (E.isLeft(v)) throw new Error(`sample ${i} is not a valid program (the arbitrary must build valid ones):\n${v.left.map(message).join('\n')}`)
  const plan: Plan = toPlan(v.right)
  return { plan, dag: toAirflowDag(plan, { dagId: `prop-${i}`, schedule: null, startDate: '2026-01-01' }) }
})

describe('airflow/dag with adversarial programs', () => {
  it('exports every sampled program deterministically', () => {
    cases.forEach((c, i) => expect(toAirflowDag(toPlan(E.getOrElseW(() => undefined as never)(validate(samples[i]))), { dagId: `prop-${i}`, schedule: null, startDate: '2026-01-01' })).toBe(c.dag))
  })

  it('writes no raw control, separator or surrogate characters: every string is one escaped line', () => {
    for (const c of cases) expect(c.dag).not.toMatch(/[\0-\x08\x0b-\x1f\x7f\u2028\u2029\u202e\ufeff\ud800-\udfff]/u)
  })

  describe.skipIf(PY_SKIP)(`read by python3${PY_SKIP ? ` (skipped: ${PY_REASON})` : ''}`, () => {
    it('parses, and plain text is written exactly; params read back with their defaults and descriptions', () => {
      const got: Inspected[] = inspectDags(cases.map((c) => c.dag))
      cases.forEach((c, i) => {
        const g = got[i]!
        expect(Object.keys(g.configs)).toHaveLength(c.plan.steps.length)
        for (const s of c.plan.steps) {
          const t = g.tasks.find((x) => literalOf(x.kwargs.task_id) === s.name)!
          const config = g.configs[(t.kwargs.config as { name: string }).name]
          const expected = operatorConfig(s)
          for (const [path, value] of plainStrings(expected)) expect(at(config, path), `${s.name}: ${JSON.stringify(path)}`).toBe(value)
          // Dict keys are not templates: hyperparameter names come back exactly, whatever they hold.
          if (s.kind === 'Training') expect(Object.keys((config as { HyperParameters?: object }).HyperParameters ?? {})).toEqual(Object.keys((expected as { HyperParameters?: object }).HyperParameters ?? {}))
        }
        const params = (g.dag.kwargs.params as { dict: ReadonlyArray<readonly [string, { args: PyValue[]; kwargs: Record<string, PyValue> }]> } | undefined)?.dict ?? []
        expect(params.map(([k, v]) => [k, literalOf(v.args[0]), v.kwargs.description === undefined ? undefined : literalOf(v.kwargs.description)])).toEqual(
          c.plan.params.map((p) => [p.name, p.default, p.description]),
        )
      })
    })
  })

  describe.skipIf(JINJA_SKIP)(`rendered by Jinja2${JINJA_SKIP ? ` (skipped: ${JINJA_REASON})` : ''}`, () => {
    it("gives back the user's exact text, and each template reads what the plan says", () => {
      const rendered = renderDags(
        cases.map((c, i) => ({
          source: c.dag,
          context: { mode: 'markers', params: markerParams(c.plan), ts_nodash: '<RUN>', ds_nodash: RUN.slice(0, 8), run_id: 'r', dag_id: `prop-${i}` },
        })),
      )
      const got = inspectDags(cases.map((c) => c.dag))
      cases.forEach((c, i) => {
        for (const s of c.plan.steps) {
          const t = got[i]!.tasks.find((x) => literalOf(x.kwargs.task_id) === s.name)!
          const r = rendered[i]![(t.kwargs.config as { name: string }).name]!
          expect(r.config, `sample ${i}, step ${s.name}`).toEqual(resolved(operatorConfig(s), markerResolver(c.plan)))
        }
      })
    })
  })
})
