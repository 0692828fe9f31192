/**
 * The transform engine's thin I/O: the input files of a local data source (S3Prefix or
 * ManifestFile semantics over a folder of this machine), and an `Invoke` that posts to a serving
 * container's `/invocations` over a keep-alive connection, with its `/execution-parameters`.
 *
 * @since 0.2.0
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import * as http from 'node:http'
import { dirname, join, relative, sep } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import type { ExecutionParameters, InputFile, Invoke } from './engine.js'

// -------------------------------------------------------------------------------------
// inputs
// -------------------------------------------------------------------------------------

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : d.isFile() ? [join(dir, d.name)] : []))

const toName = (base: string, file: string): string => relative(base, file).split(sep).join('/')

/**
 * Files under a local prefix, as S3Prefix selects keys: `/data/in/` is every file below the folder,
 * `/data/in/part` every file whose path starts with it. Names are relative to the prefix's folder.
 */
export const prefixInputs = (prefix: string): Either<string, ReadonlyArray<InputFile>> => {
  const isDir = prefix.endsWith('/') || (existsSync(prefix) && statSync(prefix).isDirectory())
  const base = isDir ? prefix.replace(/\/+$/, '') : dirname(prefix)
  if (!existsSync(base)) return E.left(`the input ${prefix} does not exist`)
  const files = walk(base).filter((f) => isDir || f.startsWith(prefix))
  if (files.length === 0) return E.left(`no input file matches ${prefix}`)
  return E.right(files.map((path) => ({ name: toName(base, path), path })))
}

/**
 * The files a manifest lists (`[{"prefix": "…/"}, "a.csv", "sub/b.csv"]`, SageMaker's ManifestFile),
 * with `resolvePrefix` turning its prefix (an `s3://` or `file://` URI) into a local folder.
 */
export const manifestInputs = (manifest: string, resolvePrefix: (uri: string) => string): Either<string, ReadonlyArray<InputFile>> => {
  let entries: unknown
  try {
    entries = JSON.parse(readFileSync(manifest, 'utf8'))
  } catch (e) {
    return E.left(`the manifest ${manifest} is not readable JSON (${(e as Error).message})`)
  }
  if (!Array.isArray(entries) || entries.length === 0) return E.left(`the manifest ${manifest} must be a JSON array: [{"prefix": "…"}, "file", …]`)
  const [head, ...names] = entries as unknown[]
  const prefix = typeof head === 'object' && head !== null ? (head as { prefix?: unknown }).prefix : undefined
  if (typeof prefix !== 'string') return E.left(`the manifest ${manifest} must start with {"prefix": "…"}`)
  if (!names.every((n): n is string => typeof n === 'string' && n !== '' && !n.split('/').includes('..') && !n.startsWith('/')))
    return E.left(`the manifest ${manifest} may list only relative file names below its prefix`)
  const base = resolvePrefix(prefix)
  return E.right(names.map((name) => ({ name, path: join(base, name) })))
}

// -------------------------------------------------------------------------------------
// a container
// -------------------------------------------------------------------------------------

/** Post mini-batches to `127.0.0.1:port/invocations`, reusing connections. */
export const containerInvoke = (port: number, agent: http.Agent): Invoke => (body, contentType, accept) =>
  new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { 'content-length': body.length }
    if (contentType !== undefined) headers['content-type'] = contentType
    if (accept !== undefined) headers['accept'] = accept
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/invocations', agent, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const out = Buffer.concat(chunks)
        const status = res.statusCode ?? 500
        resolve(
          status >= 200 && status < 300
            ? { _tag: 'Answered', body: out, ...(res.headers['content-type'] === undefined ? {} : { contentType: res.headers['content-type'] }) }
            : { _tag: 'Failed', status, message: out.toString('utf8').slice(0, 4096) },
        )
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })

/** The container's `GET /execution-parameters`, or undefined when it does not answer one. */
export const executionParameters = (port: number, timeoutMs = 5000): Promise<ExecutionParameters | undefined> =>
  new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/execution-parameters', agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(undefined)
        try {
          const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
          const n = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : undefined)
          const strategy = v['BatchStrategy'] === 'MULTI_RECORD' || v['BatchStrategy'] === 'SINGLE_RECORD' ? v['BatchStrategy'] : undefined
          const concurrent = n(v['MaxConcurrentTransforms'])
          const payload = n(v['MaxPayloadInMB'])
          resolve({
            ...(concurrent === undefined ? {} : { MaxConcurrentTransforms: concurrent }),
            ...(strategy === undefined ? {} : { BatchStrategy: strategy }),
            ...(payload === undefined ? {} : { MaxPayloadInMB: payload }),
          })
        } catch {
          resolve(undefined)
        }
      })
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(undefined))
  })
