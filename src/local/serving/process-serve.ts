/**
 * Serving on the process runtime: each host of a `serve` job is sagespec's stdlib model server
 * (`model_server.py`) running the model's inference script, on a loopback port the system picks.
 *
 * An endpoint outlives the command that created it, as in the cloud: the servers are detached
 * (their own process group, not waited for) and write to a log file rather than to pipes that die
 * with the command. A later command removes them with the runtime's `sweep`, through the same
 * record the process runtime keeps for its jobs (`<dir>/<job>.json`: labels, groups, marker).
 *
 * @since 0.2.0
 */
import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeAtomic } from '../../interpret/execute/journal.js'
import type { HostExit, JobHandle, JobSpec } from '../runtime/runtime.js'

/** The server's source: beside this module in the sources, under `src/` next to a build. */
export const modelServerPath = (): string =>
  fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './model_server.py' : '../../../../src/local/serving/model_server.py', import.meta.url))

export interface ServeOptions {
  readonly python: string
  readonly env: NodeJS.ProcessEnv
  /** Where the process runtime records its jobs' process groups. */
  readonly dir: string
  /** How long a server may take to load its model and listen. @default 120_000 */
  readonly startMs?: number
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const LISTENING = /sagespec model server: .* listening on 127\.0\.0\.1:(\d+)/

const killGroup = (pid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

/** The host's log file: what the server printed, for readiness errors and `sagespec endpoints`. */
export const serveLog = (optMl: string): string => join(optMl, 'serve.log')

/** Start a model server per host; resolves once each one listens (its model loaded), or fails with its log. */
export const startServing = async (job: JobSpec, onLine: (host: string, line: string) => void, o: ServeOptions): Promise<JobHandle> => {
  const marker = `${job.id}-${process.pid}-${Date.now()}`
  const started = job.hosts.map((host) => {
    mkdirSync(host.optMl, { recursive: true })
    const log = serveLog(host.optMl)
    rmSync(log, { force: true })
    const fd = openSync(log, 'a')
    const env: NodeJS.ProcessEnv = {
      ...o.env,
      ...host.env,
      SM_MODEL_DIR: join(host.optMl, 'model'),
      SAGEMAKER_BIND_TO_PORT: '0',
      PYTHONUNBUFFERED: '1',
      SAGESPEC_PROCESS: marker,
      ...(job.script === undefined ? {} : { SAGEMAKER_PROGRAM: job.script.program, SAGEMAKER_SUBMIT_DIRECTORY: job.script.codeDir }),
    }
    const child = spawn(o.python, [modelServerPath()], { cwd: job.script?.codeDir ?? host.optMl, env, detached: true, stdio: ['ignore', fd, fd] })
    closeSync(fd)
    child.unref()
    const exited = new Promise<HostExit>((res) => {
      child.once('error', () => res({ host: host.host, exitCode: 127, oomKilled: false }))
      child.once('exit', (code, signal) => res({ host: host.host, exitCode: code ?? (signal === null ? 0 : 128 + 15), oomKilled: false }))
    })
    return { host: host.host, child, log, exited, read: 0 }
  })
  // Only a server still running is signalled: an exited one's pid may belong to someone else by now.
  const signalAll = (signal: NodeJS.Signals): void => {
    for (const s of started) if (s.child.pid !== undefined && s.child.exitCode === null && s.child.signalCode === null) killGroup(s.child.pid, signal)
  }
  mkdirSync(o.dir, { recursive: true })
  const record = join(o.dir, `${job.id}.json`)
  writeAtomic(record, JSON.stringify({ labels: job.labels, groups: started.flatMap((s) => (s.child.pid === undefined ? [] : [s.child.pid])), marker }))

  // New lines of each log reach onLine while this command runs.
  const follow = (): string[] =>
    started.flatMap((s) => {
      if (!existsSync(s.log)) return []
      const text = readFileSync(s.log, 'utf8')
      const end = text.lastIndexOf('\n') + 1
      const fresh = text.slice(s.read, end).split('\n').filter(Boolean)
      s.read = Math.max(s.read, end)
      for (const l of fresh) onLine(s.host, l)
      return fresh
    })

  const ports = new Map<string, number>()
  const deadline = Date.now() + (o.startMs ?? 120_000)
  let done: HostExit | undefined
  for (const s of started) void s.exited.then((x) => (done ??= x))
  for (let wait = 5; ports.size < started.length; wait = Math.min(wait * 2, 100)) {
    follow()
    for (const s of started) {
      const m = LISTENING.exec(readFileSync(s.log, 'utf8'))
      if (m !== null) ports.set(s.host, Number(m[1]))
    }
    if (ports.size === started.length) break
    if (done !== undefined || Date.now() > deadline) {
      signalAll('SIGKILL')
      await Promise.all(started.map((s) => s.exited))
      rmSync(record, { force: true })
      const tail = started.flatMap((s) => readFileSync(s.log, 'utf8').split('\n').filter(Boolean).slice(-10))
      throw new Error(
        `ClientError: the model server ${done === undefined ? `did not listen within ${Math.round((o.startMs ?? 120_000) / 1000)} s` : `exited with code ${done.exitCode}`}${tail.length === 0 ? '' : `:\n${tail.join('\n')}`}`,
      )
    }
    await sleep(wait)
  }
  const follower = setInterval(follow, 500)
  follower.unref()

  // A server exiting ends the endpoint's variant, as in the Docker runtime.
  const exited = Promise.race(started.map((s) => s.exited)).then(async (first) => {
    clearInterval(follower)
    signalAll('SIGTERM')
    const rest = await Promise.all(started.map((s) => s.exited))
    follow()
    rmSync(record, { force: true })
    return [first, ...rest.filter((x) => x.host !== first.host)]
  })
  let stopping: Promise<void> | undefined
  return {
    addresses: started.map((s) => ({ host: s.host, port: ports.get(s.host)! })),
    exited,
    stop: (graceMs = 10_000) =>
      (stopping ??= (async () => {
        signalAll('SIGTERM')
        const timer = setTimeout(() => signalAll('SIGKILL'), graceMs)
        await exited
        clearTimeout(timer)
      })()),
  }
}
