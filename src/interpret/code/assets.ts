/**
 * Resolving a plan's assets: the one I/O step between the pure plan and what `plan`, `run` and the
 * Airflow export show or send. Each code archive is packed here with the runners' own function
 * (`packCode`), so the sha256, the files and the S3 key a person reads in the plan are the ones every
 * runner uploads. `toPlan` stays pure; this module reads the file system.
 *
 * Problems are reported per program path (the `Code` leaf's place in its step), with every missing
 * file, directory or dependency at once, beside the program's other validation errors.
 *
 * @since 0.3.0
 */
import { statSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { SpecError } from '../../spec/errors.js'
import type { Code, Repack } from '../../spec/val.js'
import { isCode, isExpr, isRepack } from '../../spec/val.js'
import { showExpr } from '../dry-run/render-value.js'
import { vouchFiles, type Plan } from '../plan/plan.js'
import { codeKey, codeLocation, describePackError, packCode, repackLocation, type CodeLocation, type Packed } from './pack.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One code archive as every runner will upload it. @category model */
export interface ResolvedArchive {
  readonly _tag: 'CodeArchive'
  readonly code: Code
  readonly sha256: string
  /** Size of the uncompressed tar: the gzip stream's size depends on the zlib at hand, this does not. */
  readonly size: number
  /** Regular files in the archive, in archive order. */
  readonly files: ReadonlyArray<string>
  readonly location: CodeLocation
  readonly usedBy: ReadonlyArray<string>
}

/**
 * A model archive to repack at run time: the serving code is packed now (its `code/` tree and sha256
 * are known), the original only once the steps it `dependsOn` have run.
 *
 * @category model
 */
export interface ResolvedRepack {
  readonly _tag: 'Repack'
  readonly repack: Repack
  /** sha256 of the `code/` tree (the `model-code` layout tar). */
  readonly codeSha256: string
  readonly size: number
  /** Regular files added under `code/`. */
  readonly files: ReadonlyArray<string>
  /** `<code location>/<sha256 of (original archive, code)>/model.tar.gz`, the name still open. */
  readonly target: string
  readonly usedBy: ReadonlyArray<string>
  readonly dependsOn: ReadonlyArray<string>
}

/** @category model */
export interface ResolvedAssets {
  readonly archives: ReadonlyArray<ResolvedArchive>
  /** By `codeKey`. */
  readonly byCode: ReadonlyMap<string, ResolvedArchive>
  readonly repacks: ReadonlyArray<ResolvedRepack>
}

/** How the plan shows a repacked archive: `<repack of train.ModelArtifacts.S3ModelArtifacts + code 0123abcd…>`. */
export const showRepack = (r: ResolvedRepack): string =>
  `<repack of ${isExpr(r.repack.model) ? showExpr(r.repack.model).replace(/^<|>$/g, '') : r.repack.model} + code ${r.codeSha256.slice(0, 12)}>`

/** Archives packed while checking, so planning does not read the files twice. */
export type PackCache = Map<string, Packed>

const cacheKey = (c: Code, cwd: string): string => JSON.stringify([cwd, codeKey(c)])

// -------------------------------------------------------------------------------------
// checking code where the program holds it
// -------------------------------------------------------------------------------------

const kind = (p: string): 'file' | 'directory' | 'missing' | 'other' => {
  try {
    const st = statSync(p)
    return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other'
  } catch {
    return 'missing'
  }
}

const shown = (cwd: string, p: string): string => {
  const r = relative(cwd, p)
  return r === '' || r.startsWith('..') ? p : r
}

const problem = (path: string, text: string): SpecError => ({ _tag: 'CodeProblem', path, problem: text })

const missing = (cwd: string, p: string, expected: 'file' | 'directory'): string =>
  `${shown(cwd, p)} ${kind(p) === 'missing' ? 'does not exist' : `is not a ${expected}`}`

/**
 * Everything wrong with one `Code` value at `path`: each missing piece at its own field, then what
 * packing finds (links out of the folder, sockets, clashing names…). Empty when it packs.
 */
export const codeErrors = (c: Code, path: string, cwd: string, cache?: PackCache): ReadonlyArray<SpecError> => {
  const errors: SpecError[] = []
  const source = c.sourceDir === undefined ? undefined : resolve(cwd, c.sourceDir)
  if (source !== undefined && kind(source) !== 'directory')
    errors.push(problem(`${path}.sourceDir`, missing(cwd, source, 'directory')))
  const entry = resolve(source ?? cwd, c.entryPoint)
  if ((source === undefined || kind(source) === 'directory') && kind(entry) !== 'file')
    errors.push(problem(`${path}.entryPoint`, missing(cwd, entry, 'file')))
  ;(c.dependencies ?? []).forEach((d, i) => {
    const dir = resolve(cwd, d)
    if (kind(dir) !== 'directory') errors.push(problem(`${path}.dependencies.${i}`, missing(cwd, dir, 'directory')))
  })
  if (errors.length > 0) return errors
  const packed = packCode(c, { cwd })
  if (E.isRight(packed)) cache?.set(cacheKey(c, cwd), packed.right)
  return E.isLeft(packed) ? [problem(path, `cannot be packed: ${describePackError(packed.left)}`)] : []
}

/** A `Code` leaf well-formed enough to look for on disk (the codecs report malformed ones). */
const looksLikeCode = (v: unknown): v is Code =>
  isCode(v) && typeof (v as Code).entryPoint === 'string' && typeof (v as Code).s3Prefix === 'string' && ((v as Code).sourceDir === undefined || typeof (v as Code).sourceDir === 'string')

/**
 * Code problems of a program, valid or not, each at `steps.<name>.<field…>`: run beside `validate` so
 * a missing entry point is reported with every other error, and nothing is planned or run.
 */
export const programCodeErrors = (program: unknown, cwd: string = process.cwd(), cache?: PackCache): ReadonlyArray<SpecError> => {
  const steps = typeof program === 'object' && program !== null ? (program as { steps?: unknown }).steps : undefined
  if (!Array.isArray(steps)) return []
  const errors: SpecError[] = []
  const seen = new Map<string, ReadonlyArray<SpecError>>()
  steps.forEach((s, i) => {
    const name = typeof s === 'object' && s !== null && typeof (s as { name?: unknown }).name === 'string' ? (s as { name: string }).name : String(i)
    // Iterative: programs may nest deeply, and this must not be where the stack runs out.
    const stack: Array<{ v: unknown; path: string }> = [{ v: s, path: `steps.${name}` }]
    while (stack.length > 0) {
      const { v, path } = stack.pop()!
      if (looksLikeCode(v)) {
        const key = codeKey(v)
        const found = seen.get(key) ?? codeErrors(v, path, cwd, cache)
        // The same code twice is reported once, at its first place.
        if (!seen.has(key)) errors.push(...found)
        seen.set(key, found)
        continue
      }
      if (Array.isArray(v)) for (let k = v.length - 1; k >= 0; k--) stack.push({ v: v[k], path: `${path}.${k}` })
      else if (typeof v === 'object' && v !== null) {
        const entries = Object.entries(v)
        for (let k = entries.length - 1; k >= 0; k--) stack.push({ v: entries[k]![1], path: `${path}.${entries[k]![0]}` })
      }
    }
  })
  return errors
}

// -------------------------------------------------------------------------------------
// resolving
// -------------------------------------------------------------------------------------

const archiveOf = (code: Code, packed: Packed, usedBy: ReadonlyArray<string>): ResolvedArchive => ({
  _tag: 'CodeArchive',
  code,
  sha256: packed.sha256,
  size: packed.tar.length,
  files: packed.entries.filter((e) => e.type === 'file').map((e) => e.path),
  location: codeLocation(code, packed.sha256),
  usedBy,
})

/**
 * Pack every code archive of the plan, as the runners will. Left: each archive that cannot be packed,
 * said in one line.
 *
 * @category interpreters
 */
export const resolveAssets = (plan: Plan, options: { readonly cwd?: string; readonly cache?: PackCache } = {}): E.Either<ReadonlyArray<string>, ResolvedAssets> => {
  const cwd = options.cwd ?? process.cwd()
  const errors: string[] = []
  const archives: ResolvedArchive[] = []
  const repacks: ResolvedRepack[] = []
  for (const a of plan.assets) {
    if (a._tag === 'Repack') {
      const packed = packCode(a.repack.code, { cwd, layout: 'model-code' })
      if (E.isLeft(packed)) errors.push(`${a.usedBy.join(', ')}: ${describePackError(packed.left)}`)
      else
        repacks.push({
          _tag: 'Repack',
          repack: a.repack,
          codeSha256: packed.right.sha256,
          size: packed.right.tar.length,
          files: packed.right.entries.filter((e) => e.type === 'file').map((e) => e.path),
          target: repackLocation(a.repack.code, '<sha256>').uri,
          usedBy: a.usedBy,
          dependsOn: a.dependsOn,
        })
      continue
    }
    const known = options.cache?.get(cacheKey(a.code, cwd))
    const packed = known !== undefined ? E.right(known) : packCode(a.code, { cwd })
    if (E.isLeft(packed)) errors.push(`${a.usedBy.join(', ')}: ${describePackError(packed.left)}`)
    else archives.push(archiveOf(a.code, packed.right, a.usedBy))
  }
  if (errors.length > 0) return E.left(errors)
  // Descriptions that differ only in their entry point pack the same bytes: one archive, one upload.
  const byUri = new Map<string, ResolvedArchive>()
  for (const a of archives) {
    const at = byUri.get(a.location.uri)
    byUri.set(a.location.uri, at === undefined ? a : { ...at, usedBy: [...new Set([...at.usedBy, ...a.usedBy])] })
  }
  return E.right({ archives: [...byUri.values()], byCode: new Map(archives.map((a) => [codeKey(a.code), byUri.get(a.location.uri)!])), repacks })
}

/**
 * The plan with each code leaf replaced by its archive's S3 URI (inside a JSON-encoded hyperparameter,
 * by the URI's JSON text), for showing: what a runner sends, not a placeholder.
 */
export const withCodeUris = (plan: Plan, assets: ResolvedAssets, options: { readonly showRepacks?: boolean } = {}): Plan => {
  const uri = (c: Code): string | undefined => assets.byCode.get(codeKey(c))?.location.uri
  const repacks = new Map(assets.repacks.map((r) => [JSON.stringify(r.repack), r]))
  const go = (v: unknown): unknown => {
    if (isCode(v)) return uri(v) ?? v
    if (isRepack(v)) {
      const r = repacks.get(JSON.stringify(v))
      return options.showRepacks === true && r !== undefined ? showRepack(r) : v
    }
    if (isExpr(v) && v._tag === 'Json' && isCode(v.value)) {
      const u = uri(v.value)
      return u === undefined ? v : JSON.stringify(u)
    }
    if (isExpr(v) && v._tag === 'Join') return { ...v, values: v.values.map(go) }
    if (isExpr(v)) return v
    if (Array.isArray(v)) return v.map(go)
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, go(x)]))
    return v
  }
  // Only the steps the plan's assets name hold code; the others are the plan's own.
  const holding = new Set(plan.assets.flatMap((a) => a.usedBy))
  if (holding.size === 0) return plan
  const steps = plan.steps.map((s) => (holding.has(s.name) ? { ...s, requests: go(s.requests) as typeof s.requests } : s))
  // Code leaves become S3 URIs: the plan names no file:// location it did not name before.
  return vouchFiles(plan, { ...plan, steps })
}
