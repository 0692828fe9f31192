/**
 * The gateway as a background process shared by every command on this state folder: started on
 * demand (`ensureGateway`), found again through `<stateDir>/local/gateway.json`, and gone by itself
 * once no endpoint is left, so neither tests nor users leak it.
 *
 * @since 0.2.0
 */
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs'
import * as http from 'node:http'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import { writeAtomic } from '../../interpret/execute/journal.js'
import { GATEWAY_SERVICE } from './gateway.js'
import { localDir } from './registry.js'
import { alive } from '../context.js'

export interface GatewayRecord {
  readonly pid: number
  readonly port: number
  readonly url: string
  readonly startedAt: string
}

export const gatewayFile = (stateDir: string): string => join(localDir(stateDir), 'gateway.json')
export const gatewayLog = (stateDir: string): string => join(localDir(stateDir), 'gateway.log')
const lockFile = (stateDir: string): string => join(localDir(stateDir), 'gateway.lock')

export const readGatewayRecord = (stateDir: string): GatewayRecord | undefined => {
  try {
    return JSON.parse(readFileSync(gatewayFile(stateDir), 'utf8')) as GatewayRecord
  } catch {
    return undefined
  }
}

export const writeGatewayRecord = (stateDir: string, record: GatewayRecord): void => {
  mkdirSync(localDir(stateDir), { recursive: true })
  writeAtomic(gatewayFile(stateDir), JSON.stringify(record, null, 2) + '\n')
}

/** Remove the record only if it is still this process's (a newer gateway may have replaced it). */
export const clearGatewayRecord = (stateDir: string, pid: number): void => {
  if (readGatewayRecord(stateDir)?.pid === pid) rmSync(gatewayFile(stateDir), { force: true })
}

/** Does a gateway of this state folder answer at `port`? */
export const pingGateway = (port: number, stateDir: string, timeoutMs = 1000): Promise<boolean> =>
  new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/ping', timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        try {
          const me = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { service?: string; stateDir?: string }
          resolve(res.statusCode === 200 && me.service === GATEWAY_SERVICE && me.stateDir === stateDir)
        } catch {
          resolve(false)
        }
      })
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
  })

const running = async (stateDir: string): Promise<GatewayRecord | undefined> => {
  const r = readGatewayRecord(stateDir)
  return r !== undefined && (await pingGateway(r.port, stateDir)) ? r : undefined
}

const tail = (file: string, lines: number): string => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/**
 * How to run `sagespec` with this Node: the built CLI next to the compiled module, or, when this
 * module runs from its TypeScript source (tests, `tsx`), the source entry through tsx's loader.
 */
const cliCommand = (): ReadonlyArray<string> => {
  const fromSource = import.meta.url.endsWith('.ts')
  if (!fromSource) return [fileURLToPath(new URL('../../../../bin/sagespec.js', import.meta.url))]
  const tsx = createRequire(import.meta.url).resolve('tsx')
  return ['--import', pathToFileURL(tsx).href, fileURLToPath(new URL('../../cli/bin.ts', import.meta.url))]
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export interface EnsureOptions {
  /** How long to wait for a new gateway to answer. */
  readonly deadlineMs?: number
  /** Passed to the new gateway: close after this long without endpoints. */
  readonly idleExitMs?: number
  readonly seed?: number
}

/**
 * The URL of this state folder's gateway, starting one in the background if none answers.
 * Call it after registering the endpoint: a gateway with no endpoint closes after `idleExitMs`.
 */
export const ensureGateway = async (given: string, options: EnsureOptions = {}): Promise<Either<string, GatewayRecord>> => {
  // The gateway names its folder absolutely (it answers /ping with it): compare like with like.
  const stateDir = resolve(given)
  const found = await running(stateDir)
  if (found !== undefined) return E.right(found)
  mkdirSync(localDir(stateDir), { recursive: true })
  const deadline = Date.now() + (options.deadlineMs ?? 15_000)

  // One starter at a time; a lock left by a crashed starter is broken after the deadline's length.
  let lock: number | undefined
  for (let wait = 20; lock === undefined; wait = Math.min(wait * 2, 250)) {
    try {
      lock = openSync(lockFile(stateDir), 'wx')
    } catch {
      const other = await running(stateDir)
      if (other !== undefined) return E.right(other)
      try {
        if (Date.now() - statSync(lockFile(stateDir)).mtimeMs > (options.deadlineMs ?? 15_000)) rmSync(lockFile(stateDir), { force: true })
      } catch {
        // The other starter just released it.
      }
      if (Date.now() > deadline) return E.left(`another command is starting the gateway of ${stateDir} and it did not answer in time`)
      await sleep(wait)
    }
  }
  try {
    const again = await running(stateDir)
    if (again !== undefined) return E.right(again)
    const log = openSync(gatewayLog(stateDir), 'a')
    const args = [...cliCommand(), 'gateway', '--state-dir', stateDir, '--idle-exit-ms', String(options.idleExitMs ?? 5000)]
    if (options.seed !== undefined) args.push('--seed', String(options.seed))
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log], windowsHide: true })
    closeSync(log)
    let exited: number | null | undefined
    child.on('exit', (code) => (exited = code))
    child.on('error', () => (exited = -1))
    child.unref()
    for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
      const r = readGatewayRecord(stateDir)
      if (r !== undefined && r.pid === child.pid && (await pingGateway(r.port, stateDir))) return E.right(r)
      if (exited !== undefined) return E.left(`the gateway exited (code ${exited}) before answering:\n${tail(gatewayLog(stateDir), 20)}`)
      if (Date.now() > deadline) {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM')
        return E.left(`the gateway did not answer within ${options.deadlineMs ?? 15_000} ms:\n${tail(gatewayLog(stateDir), 20)}`)
      }
      await sleep(wait)
    }
  } finally {
    closeSync(lock)
    rmSync(lockFile(stateDir), { force: true })
  }
}

/** Stop this state folder's gateway, if one runs (tests, `sagespec endpoints delete` of the last one). */
export const stopGateway = async (given: string, deadlineMs = 5000): Promise<void> => {
  const stateDir = resolve(given)
  const r = readGatewayRecord(stateDir)
  if (r === undefined) return
  // Signal only a process that proves to be this folder's gateway (a stale record's pid may be reused).
  if (!(await pingGateway(r.port, stateDir))) return clearGatewayRecord(stateDir, r.pid)
  try {
    process.kill(r.pid, 'SIGTERM')
  } catch {
    // Already gone.
  }
  const deadline = Date.now() + deadlineMs
  for (let wait = 10; alive(r.pid) && Date.now() < deadline; wait = Math.min(wait * 2, 200)) await sleep(wait)
  if (alive(r.pid)) process.kill(r.pid, 'SIGKILL')
  clearGatewayRecord(stateDir, r.pid)
}

export { alive }
