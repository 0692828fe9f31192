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
 *   equivalent JavaScript regex (see {@link compileBotocorePattern}); patterns
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

export interface CompiledPattern {
  /** The pattern exactly as it appears in the model (Java dialect). */
  readonly pattern: string
  /** A JavaScript regex that matches a whole string iff the Java pattern fully matches it. */
  readonly regex: RegExp
  /** Java-only constructs that had to be rewritten (empty for most patterns). */
  readonly conversions: readonly string[]
}

export type PatternCompilation =
  | { readonly ok: true; readonly compiled: CompiledPattern }
  | { readonly ok: false; readonly pattern: string; readonly reason: string }

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

// ---------------------------------------------------------------------------
// Java regex → JavaScript regex
// ---------------------------------------------------------------------------

/*
 * botocore patterns come from AWS's (Java) service definitions and use Java's
 * regex dialect: `\p{Print}` and other POSIX classes, `\A…\z`, possessive
 * quantifiers, atomic groups, inline flags, class intersection (`&&`),
 * identity escapes such as `\_` or `\ ` that JavaScript's `u` mode rejects,
 * quantified anchors such as `${1,128}`, `\uD800\uDC00` surrogate pairs.
 *
 * The translator parses the Java pattern and emits JavaScript (for the `u`
 * flag) with the same meaning, including where the two dialects silently
 * differ: Java's `.` also excludes U+0085, Java's `$` also matches before a
 * final line terminator, Java's `\s` is ASCII-only, Java ignores a `{n,m}`
 * that follows another quantifier. The reference is `java.util.regex` as of
 * Java 17. Anything the translator does not understand raises
 * PatternTranslationError, and the pattern is reported as uncompilable rather
 * than checked with the wrong meaning. Backreferences are refused on purpose:
 * Java fails a backreference to a group that did not participate, JavaScript
 * matches it as empty.
 */

class PatternTranslationError extends Error {
  override readonly name = 'PatternTranslationError'
}

interface RegexFlags {
  /** CASE_INSENSITIVE (ASCII-only unless UNICODE_CASE) */
  readonly i: boolean
  /** DOTALL */
  readonly s: boolean
  /** MULTILINE */
  readonly m: boolean
  /** UNIX_LINES: only `\n` terminates a line */
  readonly d: boolean
  /** UNICODE_CASE */
  readonly u: boolean
}

const DEFAULT_FLAGS: RegexFlags = { i: false, s: false, m: false, d: false, u: false }

interface Scope {
  flags: RegexFlags
}

type PieceKind = 'atom' | 'assertion' | 'quantified' | 'alternation'

interface Piece {
  readonly text: string
  readonly kind: PieceKind
}

/** Something that matches exactly one character. */
type ClassItem =
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'range'; readonly lo: number; readonly hi: number }
  /** Text that can be embedded inside `[...]`. */
  | { readonly kind: 'set'; readonly text: string }
  /** A standalone single-character matcher that cannot be embedded inside `[...]`. */
  | { readonly kind: 'atom'; readonly text: string }

type EscapeResult =
  | ClassItem
  | { readonly kind: 'assertion'; readonly text: string }
  | { readonly kind: 'sequence'; readonly text: string }
  | { readonly kind: 'quote'; readonly cps: readonly number[] }

const ANY_CHAR = '[\\s\\S]'
const INPUT_START = '(?<![\\s\\S])'
const INPUT_END = '(?![\\s\\S])'
const JAVA_SPACE = '\\t-\\r '
const JAVA_HSPACE = ' \\t\\u00A0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000'
const JAVA_VSPACE = '\\n\\u000B\\f\\r\\u0085\\u2028\\u2029'

function lineTerminators(flags: RegexFlags): string {
  return flags.d ? '\\n' : '\\n\\r\\u0085\\u2028\\u2029'
}

/** Java's `.` */
function javaDot(flags: RegexFlags): string {
  return flags.s ? ANY_CHAR : `[^${lineTerminators(flags)}]`
}

/** Java's `$` (and `\Z`) without MULTILINE: end of input, or before a final line terminator. */
function javaEnd(flags: RegexFlags): string {
  const terminator = flags.d ? '\\n' : `(?:\\r\\n|[${lineTerminators(flags)}])`
  return `(?=${terminator}?${INPUT_END})`
}

function javaLineStart(flags: RegexFlags): string {
  return flags.m ? `(?<![^${lineTerminators(flags)}])` : '^'
}

function javaLineEnd(flags: RegexFlags): string {
  return flags.m ? `(?![^${lineTerminators(flags)}])` : javaEnd(flags)
}

/** Java's POSIX character classes (US-ASCII, the default). */
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\u0000-\\u007F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E',
  Graph: '\\u0021-\\u007E',
  Print: '\\u0020-\\u007E',
  Blank: ' \\t',
  Cntrl: '\\u0000-\\u001F\\u007F',
  XDigit: '0-9a-fA-F',
  Space: JAVA_SPACE,
}

/** Other property names Java accepts without a prefix. */
const JAVA_PLAIN_PROPERTIES: Readonly<Record<string, string>> = {
  all: '\\u{0}-\\u{10FFFF}',
  L1: '\\u0000-\\u00FF',
  LD: '\\p{L}\\p{Nd}',
  javaLowerCase: '\\p{Lowercase}',
  javaUpperCase: '\\p{Uppercase}',
  javaTitleCase: '\\p{Lt}',
  javaDigit: '\\p{Nd}',
  javaLetter: '\\p{L}',
  javaLetterOrDigit: '\\p{L}\\p{Nd}',
  javaAlphabetic: '\\p{Alphabetic}',
  javaIdeographic: '\\p{Ideographic}',
}

/**
 * Java's `\p{IsX}` binary properties (matched case-insensitively, underscores
 * optional), as JavaScript property escapes.
 */
const JAVA_IS_PROPERTIES: Readonly<Record<string, string>> = {
  ALPHABETIC: '\\p{Alphabetic}',
  ASSIGNED: '\\p{Assigned}',
  CONTROL: '\\p{Cc}',
  HEXDIGIT: '\\p{Hex_Digit}',
  IDEOGRAPHIC: '\\p{Ideographic}',
  JOINCONTROL: '\\p{Join_Control}',
  LETTER: '\\p{L}',
  LOWERCASE: '\\p{Lowercase}',
  UPPERCASE: '\\p{Uppercase}',
  TITLECASE: '\\p{Lt}',
  NONCHARACTERCODEPOINT: '\\p{Noncharacter_Code_Point}',
  PUNCTUATION: '\\p{P}',
  PUNCT: '\\p{P}',
  WHITESPACE: '\\p{White_Space}',
  DIGIT: '\\p{Nd}',
  ALNUM: '\\p{Alphabetic}\\p{Nd}',
  BLANK: '\\p{Zs}\\t',
}

/** Property classes whose meaning changes under case-insensitive matching. */
const CASE_SENSITIVE_PROPERTY = /\\p\{(?:Lu|Ll|Lt|LC|Lowercase|Uppercase)\}|^(?:a-z|A-Z)$/

const SYNTAX_CHARS = '^$\\.*+?()[]{}|/'
const CLASS_SYNTAX_CHARS = '\\]^-[/'

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0')
}

function isAsciiLetter(cp: number): boolean {
  return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)
}

function isAsciiAlnum(cp: number): boolean {
  return isAsciiLetter(cp) || (cp >= 0x30 && cp <= 0x39)
}

function otherCase(cp: number): number {
  return cp >= 0x61 ? cp - 0x20 : cp + 0x20
}

function propertyCompiles(name: string): boolean {
  try {
    new RegExp(`\\p{${name}}`, 'u')
    return true
  } catch {
    return false
  }
}

class JavaPatternTranslator {
  private readonly cps: readonly number[]
  private pos = 0
  private atomicGroups = 0
  readonly conversions = new Set<string>()

  constructor(private readonly source: string) {
    this.cps = Array.from(source, (ch) => ch.codePointAt(0) ?? 0)
  }

  translate(): string {
    const pieces = this.parseAlternation({ flags: DEFAULT_FLAGS }, true)
    return pieces.map((p) => p.text).join('')
  }

  private error(message: string): PatternTranslationError {
    return new PatternTranslationError(`${message} (at offset ${this.pos})`)
  }

  private peek(offset = 0): string | undefined {
    const cp = this.cps[this.pos + offset]
    return cp === undefined ? undefined : String.fromCodePoint(cp)
  }

  private next(): number {
    const cp = this.cps[this.pos]
    if (cp === undefined) throw this.error('unexpected end of pattern')
    this.pos++
    return cp
  }

  private eat(ch: string): boolean {
    if (this.peek() === ch) {
      this.pos++
      return true
    }
    return false
  }

  // -- sequences, groups, quantifiers ---------------------------------------

  private parseAlternation(scope: Scope, isRoot: boolean): Piece[] {
    const pieces: Piece[] = []
    while (this.pos < this.cps.length) {
      if (this.peek() === ')') {
        if (isRoot) throw this.error("unmatched ')'")
        return pieces
      }
      const cp = this.next()
      const flags = scope.flags
      switch (String.fromCodePoint(cp)) {
        case '|':
          pieces.push({ text: '|', kind: 'alternation' })
          break
        case '(': {
          const group = this.parseGroup(scope)
          if (group !== undefined) pieces.push(group)
          break
        }
        case '[':
          pieces.push({ text: this.unionText(this.parseClass(flags)), kind: 'atom' })
          break
        case '\\':
          pieces.push(...this.escapePieces(this.parseEscape(false, flags), flags))
          break
        case '^':
          pieces.push({ text: javaLineStart(flags), kind: 'assertion' })
          break
        case '$':
          pieces.push({ text: javaLineEnd(flags), kind: 'assertion' })
          break
        case '.':
          pieces.push({ text: javaDot(flags), kind: 'atom' })
          break
        case '*':
        case '?':
          this.quantify(pieces, String.fromCodePoint(cp), 0, false)
          break
        case '+':
          this.quantify(pieces, '+', 1, false)
          break
        case '{': {
          const braces = this.parseBraces()
          this.quantify(pieces, braces.text, braces.min, true)
          break
        }
        default:
          pieces.push(this.literalPiece(cp, flags))
      }
    }
    if (!isRoot) throw this.error('unclosed group')
    return pieces
  }

  /** After '{': `n}`, `n,}` or `n,m}`. Java rejects anything else ("Illegal repetition"). */
  private parseBraces(): { text: string; min: number } {
    const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 24))
    const m = /^(\d+)(?:,(\d*))?\}/.exec(rest)
    if (m === null) throw this.error("illegal repetition: '{' does not start a quantifier")
    const min = Number(m[1])
    const max = m[2] === undefined ? min : m[2] === '' ? undefined : Number(m[2])
    if (max !== undefined && max < min) throw this.error(`illegal repetition range {${m[0]}`)
    this.pos += m[0].length
    return { text: `{${m[0]}`, min }
  }

  private quantify(pieces: Piece[], quantifier: string, min: number, braces: boolean): void {
    const last = pieces[pieces.length - 1]
    let suffix = ''
    let possessive = false
    if (this.eat('?')) suffix = '?'
    else if (this.eat('+')) possessive = true
    if (last === undefined || last.kind === 'alternation') throw this.error(`dangling quantifier ${quantifier}`)
    if (last.kind === 'quantified') {
      // Java quietly applies a {n,m} that follows a quantifier to an empty node,
      // i.e. ignores it (`a{2}{3}` matches "aa"); `*`, `+`, `?` there are errors.
      if (!braces) throw this.error(`dangling quantifier ${quantifier}`)
      this.conversions.add('stacked {n,m} quantifier (ignored, as Java does)')
      return
    }
    if (last.kind === 'assertion') {
      // Java accepts a quantified zero-width assertion (e.g. `${1,128}`); JavaScript's
      // u mode does not. Repeating an assertion changes nothing, and allowing zero
      // repetitions makes it vacuous.
      this.conversions.add('quantified assertion')
      if (min === 0) pieces.pop()
      return
    }
    const text = last.text + quantifier + suffix
    if (possessive) {
      this.conversions.add('possessive quantifier')
      pieces[pieces.length - 1] = { text: this.atomic(text), kind: 'quantified' }
    } else {
      pieces[pieces.length - 1] = { text, kind: 'quantified' }
    }
  }

  /**
   * An atomic group: `(?=(X))\k` is the exact JavaScript equivalent of Java's
   * `(?>X)` (a lookahead is never backtracked into). Backreferences are refused
   * elsewhere, so the extra capture cannot renumber anything.
   */
  private atomic(text: string): string {
    this.atomicGroups++
    const name = `atomic${this.atomicGroups}`
    return `(?:(?=(?<${name}>${text}))\\k<${name}>)`
  }

  private parseGroup(scope: Scope): Piece | undefined {
    if (!this.eat('?')) return this.finishGroup('(', scope.flags, 'atom')
    const ch = this.peek()
    if (ch === ':') {
      this.pos++
      return this.finishGroup('(?:', scope.flags, 'atom')
    }
    if (ch === '=' || ch === '!') {
      this.pos++
      return this.finishGroup(`(?${ch}`, scope.flags, 'assertion')
    }
    if (ch === '<') {
      this.pos++
      const la = this.peek()
      if (la === '=' || la === '!') {
        this.pos++
        return this.finishGroup(`(?<${la}`, scope.flags, 'assertion')
      }
      let name = ''
      while (this.peek() !== undefined && this.peek() !== '>') name += String.fromCodePoint(this.next())
      if (!this.eat('>') || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw this.error('malformed named group')
      // Our own atomic-group captures are named atomicN; keep user names apart.
      return this.finishGroup(`(?<user_${name}>`, scope.flags, 'atom')
    }
    if (ch === '>') {
      this.pos++
      this.conversions.add('atomic group')
      const inner = this.finishGroup('(?:', scope.flags, 'atom')
      return { text: this.atomic(inner.text), kind: 'atom' }
    }
    // Inline flags: (?idmsux-idmsux) or (?idmsux-idmsux:X)
    let flagText = ''
    while (/^[A-Za-z-]$/.test(this.peek() ?? '')) flagText += String.fromCodePoint(this.next())
    const m = /^([a-zA-Z]*)(?:-([a-zA-Z]*))?$/.exec(flagText)
    const terminator = this.peek()
    if (m === null || flagText === '' || (terminator !== ')' && terminator !== ':')) {
      throw this.error('unsupported group construct')
    }
    this.pos++
    const flags: { -readonly [K in keyof RegexFlags]: boolean } = { ...scope.flags }
    for (const [letters, value] of [
      [m[1] ?? '', true],
      [m[2] ?? '', false],
    ] as const) {
      for (const letter of letters) {
        if (letter === 'i' || letter === 's' || letter === 'm' || letter === 'd' || letter === 'u') flags[letter] = value
        else throw this.error(`unsupported inline flag '${letter}'`)
      }
    }
    if (flags.i && flags.u) throw this.error('Unicode case folding ((?iu)) is not supported')
    this.conversions.add(`inline flags (?${flagText})`)
    if (terminator === ')') {
      scope.flags = flags // applies to the rest of the enclosing group
      return undefined
    }
    return this.finishGroup('(?:', flags, 'atom')
  }

  private finishGroup(open: string, flags: RegexFlags, kind: 'atom' | 'assertion'): Piece {
    const pieces = this.parseAlternation({ flags }, false)
    this.pos++ // ')'
    return { text: `${open}${pieces.map((p) => p.text).join('')})`, kind }
  }

  // -- literals and escapes -------------------------------------------------

  private literalPiece(cp: number, flags: RegexFlags): Piece {
    if (flags.i && isAsciiLetter(cp)) {
      return { text: `[${String.fromCodePoint(cp)}${String.fromCodePoint(otherCase(cp))}]`, kind: 'atom' }
    }
    return { text: this.literalText(cp), kind: 'atom' }
  }

  private literalText(cp: number): string {
    if (cp > 0xffff) return `\\u{${cp.toString(16).toUpperCase()}}`
    const ch = String.fromCharCode(cp)
    if (isAsciiAlnum(cp)) return ch
    if (cp >= 0x20 && cp < 0x7f) return SYNTAX_CHARS.includes(ch) ? `\\${ch}` : ch
    return `\\u${hex4(cp)}`
  }

  private classCharText(cp: number): string {
    if (cp > 0xffff) return `\\u{${cp.toString(16).toUpperCase()}}`
    const ch = String.fromCharCode(cp)
    if (isAsciiAlnum(cp)) return ch
    if (cp >= 0x20 && cp < 0x7f) return CLASS_SYNTAX_CHARS.includes(ch) ? `\\${ch}` : ch
    return `\\u${hex4(cp)}`
  }

  private escapePieces(result: EscapeResult, flags: RegexFlags): Piece[] {
    switch (result.kind) {
      case 'char':
        return [this.literalPiece(result.cp, flags)]
      case 'quote':
        return result.cps.map((cp) => this.literalPiece(cp, flags))
      case 'set':
        return [{ text: `[${result.text}]`, kind: 'atom' }]
      case 'atom':
      case 'sequence':
        return [{ text: result.text, kind: 'atom' }]
      case 'assertion':
        return [{ text: result.text, kind: 'assertion' }]
      case 'range':
        throw this.error('internal: range outside a class')
    }
  }

  private parseEscape(inClass: boolean, flags: RegexFlags): EscapeResult {
    if (this.pos >= this.cps.length) throw this.error('trailing backslash')
    const cp = this.next()
    const ch = String.fromCodePoint(cp)
    const outsideClassOnly = (): void => {
      if (inClass) throw this.error(`\\${ch} inside a character class`)
    }
    switch (ch) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return { kind: 'set', text: `\\${ch}` }
      case 's':
        return { kind: 'set', text: JAVA_SPACE }
      case 'S':
        return { kind: 'atom', text: `[^${JAVA_SPACE}]` }
      case 'h':
        this.conversions.add('\\h')
        return { kind: 'set', text: JAVA_HSPACE }
      case 'H':
        this.conversions.add('\\H')
        return { kind: 'atom', text: `[^${JAVA_HSPACE}]` }
      case 'v':
        this.conversions.add('\\v')
        return { kind: 'set', text: JAVA_VSPACE }
      case 'V':
        this.conversions.add('\\V')
        return { kind: 'atom', text: `[^${JAVA_VSPACE}]` }
      case 'R':
        outsideClassOnly()
        this.conversions.add('\\R')
        return { kind: 'sequence', text: `(?:\\r\\n|[${JAVA_VSPACE}])` }
      case 'p':
      case 'P':
        return this.parseProperty(ch === 'P', flags)
      case 'b':
      case 'B':
        outsideClassOnly()
        if (this.peek() === '{') throw this.error('unsupported \\b{...}')
        return { kind: 'assertion', text: `\\${ch}` }
      case 'A':
        outsideClassOnly()
        this.conversions.add('\\A')
        return { kind: 'assertion', text: INPUT_START }
      case 'z':
        outsideClassOnly()
        this.conversions.add('\\z')
        return { kind: 'assertion', text: INPUT_END }
      case 'Z':
        outsideClassOnly()
        this.conversions.add('\\Z')
        return { kind: 'assertion', text: javaEnd(flags) }
      case 'Q': {
        this.conversions.add('\\Q…\\E quoting')
        const quoted: number[] = []
        while (this.pos < this.cps.length && !(this.peek() === '\\' && this.peek(1) === 'E')) quoted.push(this.next())
        if (this.pos < this.cps.length) this.pos += 2
        return { kind: 'quote', cps: quoted }
      }
      case 't':
        return { kind: 'char', cp: 0x09 }
      case 'n':
        return { kind: 'char', cp: 0x0a }
      case 'r':
        return { kind: 'char', cp: 0x0d }
      case 'f':
        return { kind: 'char', cp: 0x0c }
      case 'a':
        return { kind: 'char', cp: 0x07 }
      case 'e':
        return { kind: 'char', cp: 0x1b }
      case 'c':
        return { kind: 'char', cp: this.next() ^ 0x40 }
      case '0': {
        // Java octal: \0n, \0nn, \0mnn (m <= 3)
        this.conversions.add('octal escape')
        let digits = ''
        while (digits.length < 3 && /^[0-7]$/.test(this.peek() ?? '')) {
          if (digits.length === 2 && Number(digits[0]) > 3) break
          digits += String.fromCodePoint(this.next())
        }
        if (digits === '') throw this.error('illegal octal escape')
        return { kind: 'char', cp: parseInt(digits, 8) }
      }
      case 'x': {
        if (this.eat('{')) {
          this.conversions.add('\\x{...}')
          let digits = ''
          while (this.peek() !== undefined && this.peek() !== '}') digits += String.fromCodePoint(this.next())
          if (!this.eat('}') || !/^[0-9a-fA-F]{1,6}$/.test(digits)) throw this.error('malformed \\x{...}')
          const value = parseInt(digits, 16)
          if (value > 0x10ffff) throw this.error('\\x{...} out of range')
          return { kind: 'char', cp: value }
        }
        return { kind: 'char', cp: this.hexDigits(2) }
      }
      case 'u': {
        const unit = this.hexDigits(4)
        if (unit >= 0xd800 && unit <= 0xdbff && this.peek() === '\\' && this.peek(1) === 'u') {
          // Java joins an escaped surrogate pair into one code point.
          const save = this.pos
          this.pos += 2
          const low = this.hexDigits(4)
          if (low >= 0xdc00 && low <= 0xdfff) return { kind: 'char', cp: 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00) }
          this.pos = save
        }
        return { kind: 'char', cp: unit }
      }
      case 'k':
        throw this.error('backreferences are not supported')
      default:
        break
    }
    if (cp >= 0x31 && cp <= 0x39) throw this.error('backreferences are not supported')
    if (isAsciiAlnum(cp)) throw this.error(`unsupported escape \\${ch}`)
    // Identity escape of a non-alphanumeric character: Java allows any; JavaScript's
    // u mode only allows syntax characters (and '-' inside a class).
    if (!SYNTAX_CHARS.includes(ch) && !(inClass && ch === '-')) this.conversions.add(`identity escape \\${ch}`)
    return { kind: 'char', cp }
  }

  private hexDigits(count: number): number {
    let digits = ''
    for (let k = 0; k < count; k++) {
      const ch = this.peek()
      if (ch === undefined || !/^[0-9a-fA-F]$/.test(ch)) throw this.error('malformed hex escape')
      digits += ch
      this.pos++
    }
    return parseInt(digits, 16)
  }

  private parseProperty(negated: boolean, flags: RegexFlags): ClassItem {
    let name: string
    if (this.eat('{')) {
      name = ''
      while (this.peek() !== undefined && this.peek() !== '}') name += String.fromCodePoint(this.next())
      if (!this.eat('}')) throw this.error('unterminated \\p{')
    } else {
      name = String.fromCodePoint(this.next())
    }
    const display = `\\${negated ? 'P' : 'p'}{${name}}`
    const text = this.propertySet(name, display)
    if (flags.i && CASE_SENSITIVE_PROPERTY.test(text)) {
      throw this.error(`case-insensitive ${display} is not supported`)
    }
    return negated ? { kind: 'atom', text: `[^${text}]` } : { kind: 'set', text }
  }

  /** The contents of a JavaScript class equivalent to Java's `\p{name}`. */
  private propertySet(name: string, display: string): string {
    const posix = POSIX_CLASSES[name]
    if (posix !== undefined) {
      this.conversions.add(`POSIX class ${display}`)
      return posix
    }
    const plain = JAVA_PLAIN_PROPERTIES[name]
    if (plain !== undefined) {
      this.conversions.add(`property ${display}`)
      return plain
    }
    if (/^In/.test(name) || /^(blk|block)=/i.test(name)) {
      throw this.error(`Unicode blocks are not supported by JavaScript: ${display}`)
    }
    const keyed = /^(sc|script|gc|general_category)=(.+)$/i.exec(name)
    if (keyed !== null) {
      const key = (keyed[1] ?? '').toLowerCase()
      const property = `${key === 'sc' || key === 'script' ? 'Script' : 'General_Category'}=${keyed[2] ?? ''}`
      if (propertyCompiles(property)) return `\\p{${property}}`
      throw this.error(`unknown property ${display}`)
    }
    const is = /^Is(.+)$/.exec(name)
    if (is !== null) {
      this.conversions.add(`property ${display}`)
      const bare = is[1] ?? ''
      const binary = JAVA_IS_PROPERTIES[bare.toUpperCase().replace(/_/g, '')]
      if (binary !== undefined) return binary
      // A general category (\p{IsLu}) or a script, whose names Java matches case-insensitively.
      if (/^[A-Z][a-z]?$/.test(bare) && propertyCompiles(`General_Category=${bare}`)) return `\\p{${bare}}`
      const script = bare.charAt(0).toUpperCase() + bare.slice(1).toLowerCase()
      for (const candidate of [`Script=${bare}`, `Script=${script}`]) {
        if (propertyCompiles(candidate)) return `\\p{${candidate}}`
      }
      throw this.error(`unknown property ${display}`)
    }
    // Java: a bare name is a general category (L, Lu, ...).
    if (/^[A-Z][a-z]?$/.test(name) && propertyCompiles(`General_Category=${name}`)) return `\\p{${name}}`
    throw this.error(`unknown property ${display}`)
  }

  // -- character classes ----------------------------------------------------

  /**
   * Parses after '['; returns the class as a union of single-character items.
   * Java semantics (9+): nested classes are unions, `&&` intersects, and a
   * leading `^` negates the whole class.
   */
  private parseClass(flags: RegexFlags): ClassItem[] {
    const negated = this.eat('^')
    const operands: ClassItem[][] = []
    let current: ClassItem[] = []
    let first = true
    for (;;) {
      const ch = this.peek()
      if (ch === undefined) throw this.error('unclosed character class')
      if (ch === ']' && !first) {
        this.pos++
        break
      }
      first = false
      if (ch === '[') {
        this.pos++
        this.conversions.add('nested character class')
        current.push(...this.parseClass(flags))
        continue
      }
      if (ch === '&' && this.peek(1) === '&') {
        this.pos += 2
        this.conversions.add('character class intersection')
        operands.push(current)
        current = []
        continue
      }
      const item = this.parseClassAtom(flags)
      if (Array.isArray(item)) {
        current.push(...item)
        continue
      }
      if (item.kind === 'char' && this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']' && this.peek(1) !== '[') {
        this.pos++ // '-'
        const hi = this.parseClassAtom(flags)
        if (Array.isArray(hi) || hi.kind !== 'char') throw this.error('illegal character range')
        if (hi.cp < item.cp) throw this.error('illegal character range (reversed)')
        current.push({ kind: 'range', lo: item.cp, hi: hi.cp })
      } else {
        current.push(item)
      }
    }
    operands.push(current)
    const cased = operands.map((items) => (flags.i ? this.caseFold(items) : items))
    let union: ClassItem[]
    if (cased.length === 1) {
      union = cased[0] ?? []
    } else {
      if (cased.some((items) => items.length === 0)) throw this.error('empty operand in character class intersection')
      const texts = cased.map((items) => this.unionText(items))
      const last = texts.pop() ?? ''
      union = [{ kind: 'atom', text: `(?:${texts.map((t) => `(?=${t})`).join('')}${last})` }]
    }
    return negated ? [{ kind: 'atom', text: this.negatedUnionText(union) }] : union
  }

  /** One class atom: a char, a class escape, or (for \Q…\E) several chars. */
  private parseClassAtom(flags: RegexFlags): ClassItem | ClassItem[] {
    const cp = this.next()
    if (cp !== 0x5c) return { kind: 'char', cp }
    const escape = this.parseEscape(true, flags)
    switch (escape.kind) {
      case 'quote':
        return escape.cps.map((q) => ({ kind: 'char', cp: q }))
      case 'assertion':
      case 'sequence':
        throw this.error('escape not allowed inside a character class')
      default:
        return escape
    }
  }

  /** Java's default CASE_INSENSITIVE is ASCII-only: add the other case of ASCII letters. */
  private caseFold(items: readonly ClassItem[]): ClassItem[] {
    const out: ClassItem[] = [...items]
    for (const item of items) {
      if (item.kind === 'char' && isAsciiLetter(item.cp)) out.push({ kind: 'char', cp: otherCase(item.cp) })
      if (item.kind === 'range') {
        for (const [lo, hi] of [
          [0x61, 0x7a],
          [0x41, 0x5a],
        ] as const) {
          const a = Math.max(lo, item.lo)
          const b = Math.min(hi, item.hi)
          if (a <= b) out.push({ kind: 'range', lo: otherCase(a), hi: otherCase(b) })
        }
      }
    }
    return out
  }

  private inlineText(items: readonly ClassItem[]): string {
    return items
      .map((item) => {
        switch (item.kind) {
          case 'char':
            return this.classCharText(item.cp)
          case 'range':
            return `${this.classCharText(item.lo)}-${this.classCharText(item.hi)}`
          case 'set':
            return item.text
          case 'atom':
            throw this.error('internal: atom inside inline class text')
        }
      })
      .join('')
  }

  private unionText(items: readonly ClassItem[]): string {
    const inline = items.filter((i) => i.kind !== 'atom')
    const atoms = items.flatMap((i) => (i.kind === 'atom' ? [i.text] : []))
    const parts = inline.length > 0 || atoms.length === 0 ? [`[${this.inlineText(inline)}]`, ...atoms] : atoms
    return parts.length === 1 ? (parts[0] ?? '') : `(?:${parts.join('|')})`
  }

  private negatedUnionText(items: readonly ClassItem[]): string {
    if (items.every((i) => i.kind !== 'atom')) return `[^${this.inlineText(items)}]`
    return `(?:(?!${this.unionText(items)})${ANY_CHAR})`
  }
}

const patternCache = new Map<string, PatternCompilation>()

/**
 * Compile a botocore (Java-dialect) pattern into a JavaScript regex (`u` flag)
 * that tests for a **full** match, like Java's `Matcher.matches()`. Results
 * are cached. Never throws: an untranslatable or uncompilable pattern yields
 * `{ ok: false, reason }`.
 */
export function compileBotocorePattern(pattern: string): PatternCompilation {
  const cached = patternCache.get(pattern)
  if (cached !== undefined) return cached
  const result = compileUncached(pattern)
  patternCache.set(pattern, result)
  return result
}

function compileUncached(pattern: string): PatternCompilation {
  try {
    const translator = new JavaPatternTranslator(pattern)
    const source = translator.translate()
    // The translation always targets the u flag (it emits \u{...} and \p{...});
    // JavaScript's non-u syntax would silently give some escapes another meaning.
    const regex = new RegExp(`^(?:${source})$`, 'u')
    return { ok: true, compiled: { pattern, regex, conversions: [...translator.conversions] } }
  } catch (error) {
    return { ok: false, pattern, reason: errorMessage(error) }
  }
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
