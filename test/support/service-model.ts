/**
 * Test support: validate request objects against AWS's published service
 * models (botocore `service-2.json`).
 *
 * sagespec promises *exact* SageMaker API requests, so its tests check every
 * request it builds against the model AWS publishes for the service: required
 * members, JavaScript types, enum membership, patterns, lengths, numeric
 * ranges and unknown members.
 *
 * Semantics worth knowing:
 *
 * - Patterns are checked as a **full match**, the way AWS's (Java) request
 *   validation applies them. Newer botocore releases strip the `^…$` anchors
 *   from most patterns, so substring matching would accept `bad_name!` as a
 *   training job name.
 * - Patterns are written in Java's regex dialect. They are translated to an
 *   equivalent JavaScript regex by src/spec/java-regex.ts, the translation
 *   `validate` uses too (see {@link compileBotocorePattern}); patterns
 *   that cannot be translated are skipped and listed in
 *   {@link uncompilablePatterns}.
 * - String lengths count Unicode code points (as botocore and Smithy do); blob
 *   lengths count bytes; list and map lengths count elements / entries. Length
 *   violations use the rules `minLength` / `maxLength`, numeric range
 *   violations use `min` / `max`.
 * - A string longer than its maximum is reported as `maxLength` only; it is
 *   not also matched against the pattern.
 * - A structure member whose value is `undefined` is treated as absent (the AWS
 *   SDK and `JSON.stringify` drop it). `null` is never valid: it is reported
 *   as a `type` violation.
 * - Required members marked `idempotencyToken` may be omitted: the SDK fills
 *   them in.
 * - Map values and list elements must not be `undefined` or `null` (`type`).
 * - A union structure needs exactly one member set (`required` when none is,
 *   `type` when several are); document shapes accept any JSON value; streaming
 *   blobs also accept Node and web streams.
 * - The checker is stricter than botocore's own validator, which checks
 *   required and unknown members, types and minimums, but neither maximums,
 *   patterns nor enums (new enum values reach the service before they reach an
 *   old model). An enum violation against an old model may therefore be a
 *   stale model, not a bug: see {@link locateServiceModel} for which model is
 *   used.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { compileJavaPattern, type CompiledPattern, type PatternCompilation } from '../../src/spec/java-regex.js'

export type { CompiledPattern, PatternCompilation }

/** The one Java → JavaScript translation (src/spec/java-regex.ts), under the name these tests know. */
export const compileBotocorePattern = compileJavaPattern

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export type ViolationRule =
  | 'required'
  | 'type'
  | 'enum'
  | 'pattern'
  | 'min'
  | 'max'
  | 'minLength'
  | 'maxLength'
  | 'unknownMember'

export interface ModelViolation {
  /** Dotted path from the request root (`''` is the request itself), e.g. `InputDataConfig.0.ChannelName`. */
  readonly path: string
  readonly rule: ViolationRule
  readonly message: string
}

/** A reference from a structure member, list member, map key or map value to a shape. */
export interface ShapeRef {
  readonly shape: string
  /** The SDK generates the value when it is missing. */
  readonly idempotencyToken: boolean
  /** A string member that carries JSON: the SDK accepts any JSON value and serialises it. */
  readonly jsonvalue: boolean
  /** A streaming blob payload (botocore marks this on the member or on the shape). */
  readonly streaming: boolean
}

interface ShapeBase {
  readonly name: string
}

interface LengthBounds {
  readonly min?: number
  readonly max?: number
}

export interface StructureShape extends ShapeBase {
  readonly type: 'structure'
  readonly members: ReadonlyMap<string, ShapeRef>
  readonly required: readonly string[]
  /** Exactly one member must be set. */
  readonly union: boolean
  /** A Smithy document: any JSON value. */
  readonly document: boolean
  /** An event stream: not checked. */
  readonly eventstream: boolean
}

export interface ListShape extends ShapeBase, LengthBounds {
  readonly type: 'list'
  readonly member: ShapeRef
}

export interface MapShape extends ShapeBase, LengthBounds {
  readonly type: 'map'
  readonly key: ShapeRef
  readonly value: ShapeRef
}

export interface StringShape extends ShapeBase, LengthBounds {
  readonly type: 'string'
  readonly enum?: readonly string[]
  readonly pattern?: string
}

export interface NumberShape extends ShapeBase, LengthBounds {
  readonly type: 'integer' | 'long' | 'float' | 'double'
}

export interface BooleanShape extends ShapeBase {
  readonly type: 'boolean'
}

export interface TimestampShape extends ShapeBase {
  readonly type: 'timestamp'
}

export interface BlobShape extends ShapeBase, LengthBounds {
  readonly type: 'blob'
  readonly streaming: boolean
}

export type Shape =
  | StructureShape
  | ListShape
  | MapShape
  | StringShape
  | NumberShape
  | BooleanShape
  | TimestampShape
  | BlobShape

export interface Operation {
  readonly name: string
  readonly input?: ShapeRef
}

export interface UncompilablePattern {
  readonly service: string
  readonly shape: string
  readonly pattern: string
  readonly reason: string
}

export interface ServiceModel {
  /** Absolute path of the `service-2.json` (or `.json.gz`) file. */
  readonly file: string
  /** Service directory name in botocore's data tree, e.g. `sagemaker`. */
  readonly service: string
  readonly apiVersion: string
  readonly protocol: string
  /** Version of the botocore package the file came from, when it can be read. */
  readonly botocoreVersion?: string
  readonly operations: ReadonlyMap<string, Operation>
  readonly shapes: ReadonlyMap<string, Shape>
  /** Compilation result for every distinct pattern in the model, keyed by pattern source. */
  readonly patterns: ReadonlyMap<string, PatternCompilation>
  /** Patterns of this model whose check is skipped because they could not be compiled. */
  readonly uncompilablePatterns: readonly UncompilablePattern[]
}

// ---------------------------------------------------------------------------
// Locating models
// ---------------------------------------------------------------------------

export const BOTOCORE_DATA_ENV = 'SAGESPEC_BOTOCORE_DATA'
export const DEBIAN_BOTOCORE_DATA = '/usr/lib/python3/dist-packages/botocore/data'

type Env = Readonly<Record<string, string | undefined>>

const MODEL_FILES = ['service-2.json', 'service-2.json.gz'] as const
const API_VERSION_DIR = /^\d{4}-\d{2}-\d{2}$/

let pythonBotocoreDirCache: string | null | undefined

/** The directory of the `botocore` package that `python3` imports, or `undefined`. Cached. */
function pythonBotocoreDir(): string | undefined {
  if (pythonBotocoreDirCache === undefined) {
    pythonBotocoreDirCache = null
    try {
      const out = execFileSync(
        'python3',
        ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'],
        { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] },
      ).trim()
      if (out !== '' && isDirectory(out)) pythonBotocoreDirCache = out
    } catch {
      // No python3, or no botocore: not an error, just one candidate fewer.
    }
  }
  return pythonBotocoreDirCache ?? undefined
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile()
  } catch {
    return false
  }
}

/**
 * botocore data directories to search, in order of preference.
 *
 * When `SAGESPEC_BOTOCORE_DATA` is set it is the only candidate (an explicit
 * override that silently fell back elsewhere would hide a misconfiguration);
 * it may name botocore's `data` directory or the botocore package directory.
 * Otherwise: the botocore that `python3` imports (usually the newest one
 * installed), then Debian's `python3-botocore`.
 */
export function botocoreDataDirCandidates(env: Env = process.env): readonly string[] {
  const override = env[BOTOCORE_DATA_ENV]
  if (override !== undefined && override.trim() !== '') {
    const dir = resolve(override.trim())
    return [dir, join(dir, 'data')]
  }
  const candidates: string[] = []
  const py = pythonBotocoreDir()
  if (py !== undefined) candidates.push(join(py, 'data'))
  candidates.push(DEBIAN_BOTOCORE_DATA)
  return [...new Set(candidates.map((c) => resolve(c)))]
}

/**
 * Path of the newest `service-2.json` (or `.json.gz`, as newer botocore ships)
 * for `service`, or `undefined` when no candidate directory has one.
 */
export function locateServiceModel(service = 'sagemaker', env: Env = process.env): string | undefined {
  for (const dataDir of botocoreDataDirCandidates(env)) {
    const serviceDir = join(dataDir, service)
    if (!isDirectory(serviceDir)) continue
    const versions = readdirSync(serviceDir)
      .filter((entry) => API_VERSION_DIR.test(entry) && isDirectory(join(serviceDir, entry)))
      .sort()
      .reverse()
    for (const version of versions) {
      for (const file of MODEL_FILES) {
        const candidate = join(serviceDir, version, file)
        if (isFile(candidate)) return candidate
      }
    }
  }
  return undefined
}

function ciRequiresModels(env: Env): boolean {
  const ci = env['CI']?.trim().toLowerCase()
  return ci === 'true' || ci === '1'
}

/**
 * The model for `service`, or the reason tests that need it must be skipped.
 * When `CI` is `true` a missing model throws instead: in CI the checks must run.
 * A model that exists but cannot be loaded always throws.
 */
export function serviceModelOrSkip(
  service = 'sagemaker',
  env: Env = process.env,
): { readonly model: ServiceModel; readonly skip?: undefined } | { readonly skip: string; readonly model?: undefined } {
  const file = locateServiceModel(service, env)
  if (file !== undefined) return { model: loadServiceModel(file) }
  const reason =
    `botocore service model for "${service}" not found ` +
    `(looked for ${service}/<api-version>/service-2.json[.gz] under: ${botocoreDataDirCandidates(env).join(', ')}). ` +
    `Install it with \`apt-get install python3-botocore\` (or \`pip install botocore\`), ` +
    `or set ${BOTOCORE_DATA_ENV} to a botocore data directory.`
  if (ciRequiresModels(env)) {
    throw new Error(`${reason} CI=${env['CI'] ?? ''}: the service-model checks must run in CI, so this is an error, not a skip.`)
  }
  return { skip: reason }
}

// ---------------------------------------------------------------------------
// Loading models
// ---------------------------------------------------------------------------

export class ServiceModelError extends Error {
  override readonly name = 'ServiceModelError'
}

const modelCache = new Map<string, ServiceModel>()
const uncompilableRegistry: UncompilablePattern[] = []
const uncompilableSeen = new Set<string>()

/**
 * Every pattern, across all models loaded so far, that could not be compiled
 * and whose check is therefore skipped. Filled in by {@link loadServiceModel}
 * (all of a model's patterns are compiled when it is loaded).
 */
export const uncompilablePatterns: ReadonlyArray<UncompilablePattern> = uncompilableRegistry

/** Load, validate and index a botocore `service-2.json` (or `.json.gz`). Cached by path. */
export function loadServiceModel(path: string): ServiceModel {
  const file = resolve(path)
  const cached = modelCache.get(file)
  if (cached !== undefined) return cached

  let raw: unknown
  try {
    const bytes = readFileSync(file)
    const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')
    raw = JSON.parse(text)
  } catch (error) {
    throw new ServiceModelError(`cannot read service model ${file}: ${errorMessage(error)}`)
  }
  const model = parseServiceModel(raw, file)
  modelCache.set(file, model)
  for (const entry of model.uncompilablePatterns) {
    const key = `${file}\u0000${entry.shape}`
    if (!uncompilableSeen.has(key)) {
      uncompilableSeen.add(key)
      uncompilableRegistry.push(entry)
    }
  }
  return model
}

function parseServiceModel(raw: unknown, file: string): ServiceModel {
  const fail = (what: string): never => {
    throw new ServiceModelError(`malformed service model ${file}: ${what}`)
  }
  const root = asRecord(raw, 'the document', fail)
  const metadata = asRecord(root['metadata'], 'metadata', fail)
  const apiVersion = optString(metadata, 'apiVersion', 'metadata', fail) ?? fail('metadata.apiVersion is missing')
  const protocol = optString(metadata, 'protocol', 'metadata', fail) ?? fail('metadata.protocol is missing')

  const versionDir = dirname(file)
  const service = API_VERSION_DIR.test(basename(versionDir))
    ? basename(dirname(versionDir))
    : optString(metadata, 'endpointPrefix', 'metadata', fail) ?? basename(file)

  const shapes = new Map<string, Shape>()
  for (const [name, rawShape] of Object.entries(asRecord(root['shapes'], 'shapes', fail))) {
    shapes.set(name, parseShape(name, rawShape, fail))
  }

  const operations = new Map<string, Operation>()
  for (const [name, rawOp] of Object.entries(asRecord(root['operations'], 'operations', fail))) {
    const op = asRecord(rawOp, `operation ${name}`, fail)
    const input = op['input'] === undefined ? undefined : parseRef(op['input'], `operation ${name} input`, fail)
    operations.set(name, input === undefined ? { name } : { name, input })
  }

  // Referential integrity, so the checker never meets a dangling reference.
  const checkRef = (ref: ShapeRef, where: string): void => {
    if (!shapes.has(ref.shape)) fail(`${where} refers to unknown shape ${ref.shape}`)
  }
  for (const op of operations.values()) {
    if (op.input !== undefined) {
      checkRef(op.input, `operation ${op.name} input`)
      if (shapes.get(op.input.shape)?.type !== 'structure') fail(`operation ${op.name} input is not a structure`)
    }
  }
  for (const shape of shapes.values()) {
    switch (shape.type) {
      case 'structure':
        for (const [member, ref] of shape.members) checkRef(ref, `member ${shape.name}.${member}`)
        break
      case 'list':
        checkRef(shape.member, `list ${shape.name} member`)
        break
      case 'map':
        checkRef(shape.key, `map ${shape.name} key`)
        checkRef(shape.value, `map ${shape.name} value`)
        if (shapes.get(shape.key.shape)?.type !== 'string') fail(`map ${shape.name} key is not a string shape`)
        break
      default:
        break
    }
  }

  const patterns = new Map<string, PatternCompilation>()
  const uncompilable: UncompilablePattern[] = []
  for (const shape of shapes.values()) {
    if (shape.type !== 'string' || shape.pattern === undefined) continue
    let compilation = patterns.get(shape.pattern)
    if (compilation === undefined) {
      compilation = compileBotocorePattern(shape.pattern)
      patterns.set(shape.pattern, compilation)
    }
    if (!compilation.ok) {
      uncompilable.push({ service, shape: shape.name, pattern: shape.pattern, reason: compilation.reason })
    }
  }

  const botocoreVersion = readBotocoreVersion(file)
  return {
    file,
    service,
    apiVersion,
    protocol,
    ...(botocoreVersion === undefined ? {} : { botocoreVersion }),
    operations,
    shapes,
    patterns,
    uncompilablePatterns: uncompilable,
  }
}

/** `…/botocore/data/<service>/<version>/service-2.json` → version from `…/botocore/__init__.py`. */
function readBotocoreVersion(file: string): string | undefined {
  const init = join(dirname(file), '..', '..', '..', '__init__.py')
  if (!existsSync(init)) return undefined
  try {
    return /^__version__\s*=\s*['"]([^'"]+)['"]/m.exec(readFileSync(init, 'utf8'))?.[1]
  } catch {
    return undefined
  }
}

type Fail = (what: string) => never

function asRecord(value: unknown, what: string, fail: Fail): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${what} is not an object`)
  return value as Record<string, unknown>
}

function optString(rec: Readonly<Record<string, unknown>>, key: string, what: string, fail: Fail): string | undefined {
  const value = rec[key]
  if (value === undefined) return undefined
  return typeof value === 'string' ? value : fail(`${what}.${key} is not a string`)
}

function optNumber(rec: Readonly<Record<string, unknown>>, key: string, what: string, fail: Fail): number | undefined {
  const value = rec[key]
  if (value === undefined) return undefined
  return typeof value === 'number' && Number.isFinite(value) ? value : fail(`${what}.${key} is not a finite number`)
}

function optBoolean(rec: Readonly<Record<string, unknown>>, key: string, what: string, fail: Fail): boolean {
  const value = rec[key]
  if (value === undefined) return false
  return typeof value === 'boolean' ? value : fail(`${what}.${key} is not a boolean`)
}

function optStringArray(
  rec: Readonly<Record<string, unknown>>,
  key: string,
  what: string,
  fail: Fail,
): readonly string[] | undefined {
  const value = rec[key]
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    return fail(`${what}.${key} is not an array of strings`)
  }
  return value
}

function parseRef(raw: unknown, what: string, fail: Fail): ShapeRef {
  const rec = asRecord(raw, what, fail)
  const shape = optString(rec, 'shape', what, fail) ?? fail(`${what} has no shape`)
  return {
    shape,
    idempotencyToken: optBoolean(rec, 'idempotencyToken', what, fail),
    jsonvalue: optBoolean(rec, 'jsonvalue', what, fail),
    streaming: optBoolean(rec, 'streaming', what, fail),
  }
}

function bounds(rec: Readonly<Record<string, unknown>>, what: string, fail: Fail): LengthBounds {
  const min = optNumber(rec, 'min', what, fail)
  const max = optNumber(rec, 'max', what, fail)
  if (min !== undefined && max !== undefined && min > max) fail(`${what} has min ${min} > max ${max}`)
  return { ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) }
}

function parseShape(name: string, raw: unknown, fail: Fail): Shape {
  const what = `shape ${name}`
  const rec = asRecord(raw, what, fail)
  const type = rec['type']
  switch (type) {
    case 'structure': {
      const members = new Map<string, ShapeRef>()
      for (const [member, ref] of Object.entries(asRecord(rec['members'] ?? {}, `${what}.members`, fail))) {
        members.set(member, parseRef(ref, `${what}.members.${member}`, fail))
      }
      const required = optStringArray(rec, 'required', what, fail) ?? []
      for (const member of required) {
        if (!members.has(member)) fail(`${what} requires ${member}, which is not a member`)
      }
      return {
        type,
        name,
        members,
        required,
        union: optBoolean(rec, 'union', what, fail),
        document: optBoolean(rec, 'document', what, fail),
        eventstream: optBoolean(rec, 'eventstream', what, fail),
      }
    }
    case 'list':
      return { type, name, member: parseRef(rec['member'], `${what}.member`, fail), ...bounds(rec, what, fail) }
    case 'map':
      return {
        type,
        name,
        key: parseRef(rec['key'], `${what}.key`, fail),
        value: parseRef(rec['value'], `${what}.value`, fail),
        ...bounds(rec, what, fail),
      }
    case 'string': {
      const enumValues = optStringArray(rec, 'enum', what, fail)
      const pattern = optString(rec, 'pattern', what, fail)
      return {
        type,
        name,
        ...(enumValues === undefined ? {} : { enum: enumValues }),
        ...(pattern === undefined ? {} : { pattern }),
        ...bounds(rec, what, fail),
      }
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return { type, name, ...bounds(rec, what, fail) }
    case 'boolean':
    case 'timestamp':
      return { type, name }
    case 'blob':
      return { type, name, streaming: optBoolean(rec, 'streaming', what, fail), ...bounds(rec, what, fail) }
    default:
      return fail(`${what} has unsupported type ${JSON.stringify(type)}`)
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}


/** Patterns of `model` that needed Java-specific rewriting, with what was rewritten. */
export function convertedPatterns(
  model: ServiceModel,
): ReadonlyArray<{ readonly shapes: readonly string[]; readonly pattern: string; readonly conversions: readonly string[] }> {
  const shapesByPattern = new Map<string, string[]>()
  for (const shape of model.shapes.values()) {
    if (shape.type === 'string' && shape.pattern !== undefined) {
      const list = shapesByPattern.get(shape.pattern) ?? []
      list.push(shape.name)
      shapesByPattern.set(shape.pattern, list)
    }
  }
  const out: Array<{ shapes: string[]; pattern: string; conversions: readonly string[] }> = []
  for (const [pattern, compilation] of model.patterns) {
    if (compilation.ok && compilation.compiled.conversions.length > 0) {
      out.push({ shapes: shapesByPattern.get(pattern) ?? [], pattern, conversions: compilation.compiled.conversions })
    }
  }
  return out
}

/**
 * The shape at a dotted request path of an operation's input, e.g.
 * `shapeAt(model, 'CreateTrainingJob', 'ResourceConfig.VolumeSizeInGB')`.
 * List elements are addressed by any index (`InputDataConfig.0.ChannelName`),
 * map values by any key. `undefined` when the path does not exist.
 */
export function shapeAt(model: ServiceModel, operationName: string, path: string): Shape | undefined {
  const input = model.operations.get(operationName)?.input
  let shape = input === undefined ? undefined : model.shapes.get(input.shape)
  for (const segment of path === '' ? [] : path.split('.')) {
    if (shape === undefined) return undefined
    let ref: ShapeRef | undefined
    switch (shape.type) {
      case 'structure':
        ref = shape.members.get(segment)
        break
      case 'list':
        ref = /^\d+$/.test(segment) ? shape.member : undefined
        break
      case 'map':
        ref = shape.value
        break
      default:
        ref = undefined
    }
    shape = ref === undefined ? undefined : model.shapes.get(ref.shape)
  }
  return shape
}

// ---------------------------------------------------------------------------
// Checking requests
// ---------------------------------------------------------------------------

interface CheckContext {
  readonly model: ServiceModel
  readonly violations: ModelViolation[]
  /** Objects on the current path, to report (not loop on) circular data. */
  readonly active: Set<object>
}

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/i

function joinPath(path: string, segment: string | number): string {
  return path === '' ? String(segment) : `${path}.${segment}`
}

function preview(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}…` : s)
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (value instanceof Date) return 'a Date'
  if (value instanceof Uint8Array) return `a ${value.constructor.name} of ${value.byteLength} bytes`
  switch (typeof value) {
    case 'string':
      return `the string ${preview(value)}`
    case 'number':
    case 'boolean':
      return `the ${typeof value} ${String(value)}`
    case 'bigint':
      return `the bigint ${String(value)}n`
    case 'object': {
      const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name
      return ctor !== undefined && ctor !== 'Object' ? `a ${ctor} instance` : 'an object'
    }
    default:
      return `a ${typeof value}`
  }
}

function describeShape(shape: Shape): string {
  return `${shape.type} (shape ${shape.name})`
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function ownValue(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined
}

function codePointLength(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

/**
 * Check `request` against the input shape of `operationName`. Returns every
 * violation found (empty when the request is valid). Throws only when the
 * operation does not exist.
 */
export function checkRequest(
  model: ServiceModel,
  operationName: string,
  request: unknown,
): ReadonlyArray<ModelViolation> {
  const op = model.operations.get(operationName)
  if (op === undefined) {
    const lower = operationName.replace(/Command$/, '').toLowerCase()
    const hint = [...model.operations.keys()].find((name) => name.toLowerCase() === lower)
    throw new Error(
      `service model ${model.service} (${model.apiVersion}) has no operation "${operationName}"` +
        (hint === undefined ? '' : `; did you mean "${hint}"?`),
    )
  }
  const ctx: CheckContext = { model, violations: [], active: new Set() }
  if (op.input === undefined) {
    if (request !== undefined && !(isPlainObject(request) && Object.keys(request).length === 0)) {
      ctx.violations.push({
        path: '',
        rule: 'type',
        message: `operation ${op.name} takes no input, got ${describeValue(request)}`,
      })
    }
  } else {
    checkValue(ctx, op.input, request, '')
  }
  return ctx.violations
}

/** Like {@link checkRequest}, but throws an Error listing every violation, one per line. */
export function assertValidRequest(model: ServiceModel, operationName: string, request: unknown): void {
  const violations = checkRequest(model, operationName, request)
  if (violations.length > 0) {
    throw new Error(
      `${operationName} request violates the ${model.service} ${model.apiVersion} service model ` +
        `(${violations.length} violation${violations.length === 1 ? '' : 's'}):\n${formatViolations(violations)}`,
    )
  }
}

/** One line per violation: `  path [rule] message`. */
export function formatViolations(violations: ReadonlyArray<ModelViolation>): string {
  return violations.map((v) => `  ${v.path === '' ? '(request)' : v.path} [${v.rule}] ${v.message}`).join('\n')
}

function shapeOf(ctx: CheckContext, ref: ShapeRef): Shape {
  const shape = ctx.model.shapes.get(ref.shape)
  // loadServiceModel verified every reference, so this is an internal error.
  if (shape === undefined) throw new Error(`internal: unknown shape ${ref.shape}`)
  return shape
}

function checkValue(ctx: CheckContext, ref: ShapeRef, value: unknown, path: string): void {
  const shape = shapeOf(ctx, ref)
  const report = (rule: ViolationRule, message: string): void => {
    ctx.violations.push({ path, rule, message })
  }
  if (value === undefined || value === null) {
    report('type', `expected ${describeShape(shape)}, got ${describeValue(value)}`)
    return
  }
  switch (shape.type) {
    case 'structure':
      checkStructure(ctx, shape, value, path, report)
      return
    case 'list':
      checkList(ctx, shape, value, path, report)
      return
    case 'map':
      checkMap(ctx, shape, value, path, report)
      return
    case 'string': {
      let text: string
      if (typeof value === 'string') {
        text = value
      } else if (ref.jsonvalue) {
        let serialised: string | undefined
        try {
          serialised = JSON.stringify(value) as string | undefined
        } catch {
          serialised = undefined
        }
        if (serialised === undefined) {
          report('type', `expected a JSON-serialisable value for ${describeShape(shape)}, got ${describeValue(value)}`)
          return
        }
        text = serialised
      } else {
        report('type', `expected ${describeShape(shape)}, got ${describeValue(value)}`)
        return
      }
      checkString(ctx, shape, text, report, '')
      return
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      checkNumber(shape, value, report)
      return
    case 'boolean':
      if (typeof value !== 'boolean') report('type', `expected ${describeShape(shape)}, got ${describeValue(value)}`)
      return
    case 'timestamp':
      checkTimestamp(shape, value, report)
      return
    case 'blob':
      checkBlob(shape, shape.streaming || ref.streaming, value, report)
      return
  }
}

type Report = (rule: ViolationRule, message: string) => void

function withActive(ctx: CheckContext, value: object, report: Report, body: () => void): void {
  if (ctx.active.has(value)) {
    report('type', 'circular reference: the value contains itself and cannot be serialised')
    return
  }
  ctx.active.add(value)
  try {
    body()
  } finally {
    ctx.active.delete(value)
  }
}

function checkStructure(ctx: CheckContext, shape: StructureShape, value: unknown, path: string, report: Report): void {
  if (shape.eventstream) return
  if (shape.document) {
    if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
      report('type', `expected a JSON document (shape ${shape.name}), got ${describeValue(value)}`)
    }
    return
  }
  if (!isPlainObject(value)) {
    report('type', `expected ${describeShape(shape)} as a plain object, got ${describeValue(value)}`)
    return
  }
  withActive(ctx, value, report, () => {
    for (const member of shape.required) {
      const ref = shape.members.get(member)
      if (ref?.idempotencyToken === true) continue
      if (ownValue(value, member) === undefined) {
        ctx.violations.push({
          path: joinPath(path, member),
          rule: 'required',
          message: `required member ${member} of structure ${shape.name} is missing`,
        })
      }
    }
    const present: string[] = []
    for (const key of Object.keys(value)) {
      const ref = shape.members.get(key)
      const memberPath = joinPath(path, key)
      if (ref === undefined) {
        const hint = [...shape.members.keys()].find((m) => m.toLowerCase() === key.toLowerCase())
        ctx.violations.push({
          path: memberPath,
          rule: 'unknownMember',
          message:
            `${JSON.stringify(key)} is not a member of structure ${shape.name}` +
            (hint === undefined ? ` (members: ${[...shape.members.keys()].join(', ')})` : `; did you mean ${hint}?`),
        })
        continue
      }
      const memberValue = value[key]
      if (memberValue === undefined) continue
      present.push(key)
      checkValue(ctx, ref, memberValue, memberPath)
    }
    if (shape.union && present.length !== 1) {
      report(
        present.length === 0 ? 'required' : 'type',
        `union ${shape.name} needs exactly one member set, got ${present.length === 0 ? 'none' : present.join(', ')} ` +
          `(members: ${[...shape.members.keys()].join(', ')})`,
      )
    }
  })
}

function checkLength(shape: Shape & LengthBounds, length: number, unit: string, report: Report, prefix: string): void {
  if (shape.min !== undefined && length < shape.min) {
    report('minLength', `${prefix}${unit} ${length} is below the minimum ${shape.min} of ${describeShape(shape)}`)
  }
  if (shape.max !== undefined && length > shape.max) {
    report('maxLength', `${prefix}${unit} ${length} exceeds the maximum ${shape.max} of ${describeShape(shape)}`)
  }
}

function checkList(ctx: CheckContext, shape: ListShape, value: unknown, path: string, report: Report): void {
  if (!Array.isArray(value)) {
    report('type', `expected ${describeShape(shape)} as an array, got ${describeValue(value)}`)
    return
  }
  checkLength(shape, value.length, 'length', report, '')
  withActive(ctx, value, report, () => {
    for (let index = 0; index < value.length; index++) {
      checkValue(ctx, shape.member, value[index], joinPath(path, index))
    }
  })
}

function checkMap(ctx: CheckContext, shape: MapShape, value: unknown, path: string, report: Report): void {
  if (!isPlainObject(value)) {
    const hint = value instanceof Map ? ' (a Map serialises as {}; use a plain object)' : ''
    report('type', `expected ${describeShape(shape)} as a plain object, got ${describeValue(value)}${hint}`)
    return
  }
  const keys = Object.keys(value)
  checkLength(shape, keys.length, 'entry count', report, '')
  const keyShape = shapeOf(ctx, shape.key)
  withActive(ctx, value, report, () => {
    for (const key of keys) {
      const entryPath = joinPath(path, key)
      if (keyShape.type === 'string') {
        checkString(
          ctx,
          keyShape,
          key,
          (rule, message) => ctx.violations.push({ path: entryPath, rule, message }),
          `map key ${preview(key)}: `,
        )
      }
      checkValue(ctx, shape.value, value[key], entryPath)
    }
  })
}

function checkString(ctx: CheckContext, shape: StringShape, text: string, report: Report, prefix: string): void {
  if (shape.enum !== undefined && !shape.enum.includes(text)) {
    const shown = shape.enum.length <= 12 ? shape.enum.join(', ') : `${shape.enum.slice(0, 12).join(', ')}, …`
    report('enum', `${prefix}${preview(text)} is not one of the ${shape.enum.length} values of enum ${shape.name}: ${shown}`)
  }
  const length = codePointLength(text)
  checkLength(shape, length, 'length', report, prefix)
  // A value that is already too long is not also matched against the pattern:
  // that violation says enough, and it bounds the work a backtracking pattern
  // (Java's and JavaScript's engines both backtrack) can be made to do.
  if (shape.pattern !== undefined && (shape.max === undefined || length <= shape.max)) {
    const compilation = ctx.model.patterns.get(shape.pattern) ?? compileBotocorePattern(shape.pattern)
    if (compilation.ok && !compilation.compiled.regex.test(text)) {
      report('pattern', `${prefix}${preview(text)} does not fully match pattern ${shape.pattern} of shape ${shape.name}`)
    }
  }
}

function checkNumber(shape: NumberShape, value: unknown, report: Report): void {
  if (typeof value !== 'number') {
    const hint = typeof value === 'bigint' ? ' (bigint is not JSON-serialisable; use number)' : ''
    report('type', `expected ${describeShape(shape)}, got ${describeValue(value)}${hint}`)
    return
  }
  if (!Number.isFinite(value)) {
    report('type', `expected a finite ${describeShape(shape)}, got ${String(value)}`)
    return
  }
  if (shape.type === 'integer' || shape.type === 'long') {
    if (!Number.isInteger(value)) {
      report('type', `expected ${describeShape(shape)}, got the non-integer ${value}`)
      return
    }
    if (shape.type === 'integer' && (value < INT32_MIN || value > INT32_MAX)) {
      report('type', `${value} does not fit the 32-bit ${describeShape(shape)}`)
      return
    }
    if (shape.type === 'long' && !Number.isSafeInteger(value)) {
      report('type', `${value} is beyond ±2^53 and cannot be represented exactly as ${describeShape(shape)}`)
      return
    }
  }
  if (shape.min !== undefined && value < shape.min) {
    report('min', `${value} is below the minimum ${shape.min} of ${describeShape(shape)}`)
  }
  if (shape.max !== undefined && value > shape.max) {
    report('max', `${value} exceeds the maximum ${shape.max} of ${describeShape(shape)}`)
  }
}

function checkTimestamp(shape: TimestampShape, value: unknown, report: Report): void {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) report('type', `expected ${describeShape(shape)}, got an invalid Date`)
    return
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) report('type', `expected ${describeShape(shape)} (epoch seconds), got ${value}`)
    return
  }
  if (typeof value === 'string') {
    if (!ISO_8601.test(value) || Number.isNaN(Date.parse(value))) {
      report('type', `expected ${describeShape(shape)} as an ISO 8601 date-time, got ${preview(value)}`)
    }
    return
  }
  report('type', `expected ${describeShape(shape)} (Date, ISO 8601 string or epoch seconds), got ${describeValue(value)}`)
}

function checkBlob(shape: BlobShape, streaming: boolean, value: unknown, report: Report): void {
  let length: number
  if (typeof value === 'string') {
    length = Buffer.byteLength(value, 'utf8')
  } else if (value instanceof Uint8Array) {
    length = value.byteLength
  } else if (
    streaming &&
    typeof value === 'object' &&
    value !== null &&
    (typeof (value as { pipe?: unknown }).pipe === 'function' ||
      typeof (value as { getReader?: unknown }).getReader === 'function' ||
      (typeof Blob !== 'undefined' && value instanceof Blob))
  ) {
    return // a stream: its length is not known up front
  } else {
    report('type', `expected ${describeShape(shape)} (string, Uint8Array or Buffer), got ${describeValue(value)}`)
    return
  }
  checkLength(shape, length, 'byte length', report, '')
}
