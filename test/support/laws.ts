/**
 * Laws as small predicate factories (fp-ts-laws shape): each takes what it needs and returns a
 * function that throws (via `expect`) when the law does not hold, so `fc.property` reports the
 * counterexample with the failing assertion.
 */
import { expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { message, type SpecError } from '../../src/spec/errors.js'
import { ProgramCodec, ParamDeclCodec, stepKeys, toJson, type Program } from '../../src/spec/program.js'
import { Step } from '../../src/spec/step.js'
import { existingNameCodec } from '../../src/spec/fields.js'
import { validate } from '../../src/spec/validate.js'
import { collectExprs } from '../../src/spec/val.js'
import { toPlan, type Plan } from '../../src/interpret/plan/plan.js'
import { toJsonPlan } from '../../src/interpret/dry-run/json.js'
import { resolve, type Resolver } from '../../src/interpret/plan/symbolic.js'
import { checkRequest, formatViolations, type ServiceModel, type StructureShape } from './service-model.js'
import { walkLeaves, walkStructs, type Leaf, type ProgramOptions } from './programs.js'

const validOrThrow = (u: unknown) => {
  const r = validate(u)
  if (E.isLeft(r)) throw new Error(`expected a valid program:\n${r.left.map(message).join('\n')}`)
  return r.right
}

// -------------------------------------------------------------------------------------
// laws
// -------------------------------------------------------------------------------------

/**
 * (a) The JSON form decodes back to the same program. (`toEqual` plus the serialised form rather than
 * `toStrictEqual`: generated record keys include `constructor`, which toStrictEqual reads as a class.)
 */
export const roundTrips = (p: Program): void => {
  const original = { version: '1', params: p.params, steps: p.steps }
  const decoded = ProgramCodec.decode(JSON.parse(toJson(p)))
  if (E.isLeft(decoded)) throw new Error(`the JSON form does not decode: ${decoded.left.map((e) => e.message).join('; ')}`)
  expect(decoded.right).toEqual(original)
  expect(JSON.stringify(decoded.right)).toBe(JSON.stringify(original))
}

/** (b) What the program arbitrary builds is valid. */
export const isValid = (p: Program): void => {
  const r = validate(p)
  expect(E.isLeft(r) ? r.left.map(message) : []).toStrictEqual([])
}

/** (c) Planning is deterministic, also for the program rebuilt from its JSON form. */
export const planIsDeterministic = (p: Program): void => {
  const once = toJsonPlan(toPlan(validOrThrow(p)))
  expect(toJsonPlan(toPlan(validOrThrow(p)))).toBe(once)
  expect(toJsonPlan(toPlan(validOrThrow(JSON.parse(toJson(p)))))).toBe(once)
}

/** (d) Every step comes after each step it refers to and each step it names in `after`; every step is planned once. */
export const orderRespectsEdges = (p: Program): void => {
  const plan = toPlan(validOrThrow(p))
  const position = new Map(plan.steps.map((s, i) => [s.name, i]))
  expect([...position.keys()].sort()).toStrictEqual(p.steps.map((s) => s.name).sort())
  for (const s of p.steps) {
    const edges = new Set([...(s.after ?? []), ...collectExprs(s).refs.map((r) => r.step)])
    for (const from of edges) expect(position.get(from)!, `${from} before ${s.name}`).toBeLessThan(position.get(s.name)!)
    expect([...plannedDeps(plan, s.name)].sort()).toStrictEqual([...edges].sort())
  }
}

const plannedDeps = (plan: Plan, name: string) => plan.steps.find((s) => s.name === name)?.dependsOn ?? []

/** Every request a plan sends, with the API operation it goes to (UpdateEndpoint included). */
export const operations = (plan: Plan): ReadonlyArray<{ readonly step: string; readonly operation: string; readonly input: unknown }> =>
  plan.steps.flatMap((s) =>
    s.requests.flatMap((r) => [
      { step: s.name, operation: r._tag as string, input: r.input as unknown },
      ...(r._tag === 'CreateEndpoint' && r.orUpdate !== undefined ? [{ step: s.name, operation: 'UpdateEndpoint', input: r.orUpdate as unknown }] : []),
    ]),
  )

/** (e) Every request, resolved with sample values, satisfies the service model. */
export const requestsMatchServiceModel =
  (model: ServiceModel, resolverFor: (p: Program) => Resolver) =>
  (p: Program): void => {
    const valid = validOrThrow(p)
    const r = resolverFor(valid)
    const problems = operations(toPlan(valid)).flatMap(({ step, operation, input }) => {
      const v = checkRequest(model, operation, resolve(input as never, r))
      return v.length === 0 ? [] : [`${step} ${operation}:\n${formatViolations(v)}`]
    })
    if (problems.length > 0) throw new Error(`requests violate the service model:\n${problems.join('\n')}`)
  }

// -------------------------------------------------------------------------------------
// breakers: one field made invalid, and the path where the error must be
// -------------------------------------------------------------------------------------

export interface Broken {
  readonly program: unknown
  /** The dotted path an error must have. */
  readonly path: string
  readonly what: string
}

type Json = Record<string, any>

const setAt = (v: any, path: ReadonlyArray<string>, f: (x: any) => any): any => {
  const [k, ...rest] = path
  if (k === undefined) return f(v)
  if (Array.isArray(v)) return v.map((y, i) => (String(i) === k ? setAt(y, rest, f) : y))
  return { ...v, [k]: setAt(v[k], rest, f) }
}

const BAD = 'bad value!'

/** Invalid replacements for a literal leaf, from what its codec says it accepts. */
const badValues = (leaf: Leaf): ReadonlyArray<{ readonly value: unknown; readonly what: string }> => {
  const m = leaf.meta
  switch (m.kind) {
    case 'string':
      return [
        { value: 12345, what: 'a number in a string field' },
        ...(m.pattern !== undefined && !m.pattern.test(BAD) ? [{ value: BAD, what: 'a value that breaks the pattern' }] : []),
        ...(Number.isFinite(m.max) && m.max < 5000 ? [{ value: 'x'.repeat(m.max + 1), what: 'one character too many' }] : []),
        ...(m.min > 0 ? [{ value: '', what: 'an empty string' }] : []),
      ]
    case 'number':
      return [
        { value: 'not a number', what: 'a string in a number field' },
        ...(m.min !== undefined ? [{ value: m.min - 1, what: 'below the minimum' }] : []),
        ...(m.max !== undefined ? [{ value: m.max + 1, what: 'above the maximum' }] : []),
        ...(m.integer ? [{ value: 1.5, what: 'a fraction in an integer field' }] : []),
      ]
    case 'boolean':
      return [{ value: 'yes', what: 'a string in a boolean field' }]
    case 'oneOf':
      return [{ value: 'Nope', what: 'a value outside the enum' }]
    default:
      // A field naming another resource: a bare name must be a ref or existing(…).
      if (existingNameCodec(leaf.codec) !== undefined) return [{ value: 'churn', what: 'a bare name where a resource is named' }]
      return [] // opaque leaves accept what their hand-written check accepts: not derivable
  }
}

/** Every single-field corruption of a (JSON) program that must be reported at a known path. */
export const breakers = (p: Program): ReadonlyArray<Broken> => {
  const json = JSON.parse(toJson(p)) as Json
  const steps = json.steps as Json[]
  const out: Broken[] = []
  const stepPath = (brokenSteps: unknown[], i: number, rest: ReadonlyArray<string>) => ['steps', stepKeys(brokenSteps)[i]!, ...rest].join('.')
  steps.forEach((s, i) => {
    for (const leaf of walkLeaves(Step, s))
      for (const bad of badValues(leaf)) {
        const broken = setAt(json, ['steps', String(i), ...leaf.path], () => bad.value)
        out.push({ program: broken, path: stepPath(broken.steps, i, leaf.path), what: `${bad.what} (${JSON.stringify(leaf.value)})` })
      }
    for (const st of walkStructs(Step, s)) {
      const withExtra = setAt(json, ['steps', String(i), ...st.path], (o: Json) => ({ ...o, zzUnknown: 1 }))
      out.push({ program: withExtra, path: stepPath(withExtra.steps, i, [...st.path, 'zzUnknown']), what: 'an unknown field' })
      for (const k of st.required) {
        const missing = setAt(json, ['steps', String(i), ...st.path], (o: Json) => Object.fromEntries(Object.entries(o).filter(([x]) => x !== k)))
        out.push({ program: missing, path: stepPath(missing.steps, i, [...st.path, k]), what: `required ${k} removed` })
      }
    }
  })
  ;(json.params as Json[]).forEach((d, i) => {
    for (const leaf of walkLeaves(ParamDeclCodec, d))
      for (const bad of badValues(leaf))
        out.push({ program: setAt(json, ['params', String(i), ...leaf.path], () => bad.value), path: ['params', String(i), ...leaf.path].join('.'), what: bad.what })
  })
  return out
}

/** (f) A corrupted field is reported at exactly its path. */
export const breakIsReportedAt = (b: Broken): void => {
  const r = validate(b.program)
  const paths = E.isLeft(r) ? r.left.map((e: SpecError) => e.path) : []
  expect(paths, b.what).toContain(b.path)
}

// -------------------------------------------------------------------------------------
// what an installed service model knows
// -------------------------------------------------------------------------------------

const hasMember = (model: ServiceModel, shape: string, member: string): boolean => {
  const s = model.shapes.get(shape)
  return s?.type === 'structure' && (s as StructureShape).members.has(member)
}

/**
 * Program options for the installed model: features newer than it are left out (the checker would
 * call them unknown members), and an older model's extra required members are always given.
 * Returns the options and what was left out, for the test to say.
 */
export const optionsFor = (model: ServiceModel): { readonly options: ProgramOptions; readonly omitted: ReadonlyArray<string> } => {
  const createModel = model.shapes.get(model.operations.get('CreateModel')?.input?.shape ?? '')
  const options: ProgramOptions = {
    omitRandomSeed: !hasMember(model, 'HyperParameterTuningJobConfig', 'RandomSeed'),
    omitTuningEnvironment: !hasMember(model, 'HyperParameterTrainingJobDefinition', 'Environment'),
    omitTuningMaxRuntime: !hasMember(model, 'ResourceLimits', 'MaxRuntimeInSeconds'),
    modelRoleRequired: createModel?.type === 'structure' && createModel.required.includes('ExecutionRoleArn'),
  }
  const omitted = Object.entries(options)
    .filter(([, v]) => v === true)
    .map(([k]) => k)
  return { options, omitted }
}
