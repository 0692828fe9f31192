/**
 * The local endpoint registry: one JSON file per endpoint under `<stateDir>/local/endpoints/`, the
 * routing table the gateway serves from. Files are replaced atomically (write, fsync, rename), so the
 * gateway — a separate, long-lived process — always reads either the old table or the new one; that
 * rename is the "switch" of an update (new containers are up before it, old ones go after it).
 *
 * @since 0.2.0
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { writeAtomic } from '../../interpret/execute/journal.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Where one instance of a container answers, always on loopback. */
export interface Address {
  readonly port: number
}

/** One container of a variant: several addresses when the variant has several instances. */
export interface ContainerRoute {
  /** The container's hostname in ModelError messages (`primary`, or the pipeline container's name). */
  readonly name: string
  readonly addresses: ReadonlyArray<Address>
}

export interface VariantRoute {
  readonly name: string
  /** Relative share of the traffic (`InitialVariantWeight`); 0 takes traffic only by TargetVariant. */
  readonly weight: number
  /** One container, or an inference pipeline's containers in order. */
  readonly containers: ReadonlyArray<ContainerRoute>
}

/** Where InvokeEndpointAsync writes (the endpoint config's AsyncInferenceConfig.OutputConfig). */
export interface AsyncRoute {
  readonly outputPath: string
  readonly failurePath?: string
}

export interface EndpointRecord {
  readonly name: string
  readonly variants: ReadonlyArray<VariantRoute>
  /** Present when the endpoint takes asynchronous invocations. */
  readonly async?: AsyncRoute
  /** Whatever else the backend keeps about the endpoint (config name, status, times); the gateway ignores it. */
  readonly meta?: Readonly<Record<string, unknown>>
}

// -------------------------------------------------------------------------------------
// files
// -------------------------------------------------------------------------------------

export const localDir = (stateDir: string): string => join(stateDir, 'local')
export const endpointsDir = (stateDir: string): string => join(localDir(stateDir), 'endpoints')

// The SDK's EndpointName pattern; it also makes the name a safe file name.
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/

export const isEndpointName = (name: string): boolean => NAME.test(name)

const fileOf = (stateDir: string, name: string): string => {
  // A bad name here is a caller bug: requests are validated before they reach the registry.
  if (!isEndpointName(name)) throw new RangeError(`not an endpoint name: ${JSON.stringify(name)}`)
  return join(endpointsDir(stateDir), `${name}.json`)
}

/** Create or replace an endpoint's routing, atomically. */
export const putEndpoint = (stateDir: string, record: EndpointRecord): void => {
  mkdirSync(endpointsDir(stateDir), { recursive: true })
  writeAtomic(fileOf(stateDir, record.name), JSON.stringify(record, null, 2) + '\n')
}

export const deleteEndpoint = (stateDir: string, name: string): void => rmSync(fileOf(stateDir, name), { force: true })

export const readEndpoint = (stateDir: string, name: string): EndpointRecord | undefined => {
  const file = fileOf(stateDir, name)
  if (!existsSync(file)) return undefined
  return JSON.parse(readFileSync(file, 'utf8')) as EndpointRecord
}

export const listEndpoints = (stateDir: string): ReadonlyArray<string> => {
  const dir = endpointsDir(stateDir)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .filter(isEndpointName)
    .sort()
}

// -------------------------------------------------------------------------------------
// a cache that rereads a file only when it changed
// -------------------------------------------------------------------------------------

interface Cached {
  readonly key: string
  readonly record: EndpointRecord
}

/**
 * Endpoint lookups for a server: one `stat` per lookup, a reread only when the file's identity
 * changed. An atomic rename gives the file a new inode, so (inode, mtime, size) catches every
 * replacement, even two within one mtime tick.
 */
export const registryCache = (stateDir: string): ((name: string) => EndpointRecord | undefined) => {
  const cache = new Map<string, Cached>()
  // A name's file path, checked and joined once: the lookup runs on every request.
  const files = new Map<string, string>()
  return (name) => {
    let file = files.get(name)
    if (file === undefined) {
      if (!isEndpointName(name)) return undefined
      file = fileOf(stateDir, name)
      if (files.size < 10_000) files.set(name, file)
    }
    let key: string
    try {
      const s = statSync(file, { bigint: true })
      key = `${s.ino}:${s.mtimeNs}:${s.size}`
    } catch {
      cache.delete(name)
      return undefined
    }
    const hit = cache.get(name)
    if (hit !== undefined && hit.key === key) return hit.record
    try {
      const record = JSON.parse(readFileSync(file, 'utf8')) as EndpointRecord
      cache.set(name, { key, record })
      return record
    } catch {
      // Deleted between stat and read: the endpoint is gone.
      cache.delete(name)
      return undefined
    }
  }
}
