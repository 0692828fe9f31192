/**
 * The Docker runtime: each host of a job is a container of the job's image, made through the Engine
 * API (dockerode), never by shelling out. It never pulls: a missing image is reported by `check`
 * before anything starts. Containers run with `--init` semantics (so SIGTERM reaches the program and
 * stop is prompt), carry the job's labels, and are removed with their anonymous volumes when the job
 * ends, however it ends; so is the job's network.
 *
 * Networking: a job of several hosts gets a network of its own, `sagespec-<job>`, on which the hosts
 * resolve each other as `algo-1 … algo-N`. A single host needs no peers, so by default it runs on the
 * engine's default bridge (with its host name): creating and removing a network costs about as much
 * as the container itself (bench/docker.ts). A server's port is published on 127.0.0.1 only, at a
 * port the engine picks.
 *
 * @since 0.2.0
 */
import Docker from 'dockerode'
import { lineWriter } from './lines.js'
import { missingImageMessage, noGpuMessage } from './messages.js'
import type { HostExit, HostSpec, JobHandle, JobSpec, Runtime } from './runtime.js'

/** Why the Docker runtime cannot be used here (no engine answered, no permission…). */
export interface Unavailable {
  readonly unavailable: string
}

export interface DockerRuntimeOptions {
  /** How long the engine may take to answer the first request. @default 2000 */
  readonly timeoutMs?: number
  /** `multi-host`: only jobs of several hosts get a network of their own. @default 'multi-host' */
  readonly jobNetwork?: 'always' | 'multi-host'
}

/** The label every container and network of ours carries, whatever the run. */
export const SAGESPEC_LABEL = 'sagespec'

const DEFAULT_GRACE_MS = 10_000
/** After a container exits its log stream ends at once; this only guards against an engine that never ends it. */
const LOG_DRAIN_MS = 5_000

/** Docker names allow `[a-zA-Z0-9][a-zA-Z0-9_.-]*`; a job id that is a SageMaker name already fits. */
const dockerName = (s: string): string => s.replace(/[^a-zA-Z0-9_.-]/g, '-')

export const networkName = (jobId: string): string => `sagespec-${dockerName(jobId)}`
export const containerName = (jobId: string, host: string): string => `sagespec-${dockerName(jobId)}-${dockerName(host)}`

const statusOf = (e: unknown): number | undefined =>
  typeof e === 'object' && e !== null && 'statusCode' in e && typeof e.statusCode === 'number' ? e.statusCode : undefined

const messageOf = (e: unknown): string => {
  if (typeof e === 'object' && e !== null) {
    // The engine's own words, when it sent a JSON error body.
    const json = 'json' in e ? (e.json as { message?: unknown } | null) : null
    if (json !== null && typeof json === 'object' && typeof json.message === 'string') return json.message
    if (e instanceof Error) return e.message
  }
  return String(e)
}

/**
 * Removal is idempotent: a container or network already gone (404), a container already stopped (304)
 * or already being removed (409) is what was asked for. Anything else (a network still in use…) is
 * an error.
 */
const unless =
  (...statuses: ReadonlyArray<number>) =>
  (e: unknown): void => {
    if (!statuses.includes(statusOf(e) ?? 0)) throw e
  }
const containerGone = unless(404, 409)
const containerStopped = unless(404, 304)
const networkGone = unless(404)

/** Where the client talks to the engine: DOCKER_HOST, else the socket docker-modem picks (it may look it up). */
const engineAddress = async (docker: Docker): Promise<string> => {
  const modem = docker.modem as { socketPath?: string | (() => Promise<string>); host?: string; port?: string | number }
  const socket = typeof modem.socketPath === 'function' ? await modem.socketPath().catch(() => undefined) : modem.socketPath
  return socket ?? (modem.host !== undefined ? `${modem.host}:${modem.port ?? ''}` : '/var/run/docker.sock')
}

const unavailableReason = (e: unknown, where: string, timeoutMs: number): string => {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : ''
  const reasons: Record<string, string> = {
    ENOENT: `no Docker engine: ${where} does not exist (start dockerd, or set DOCKER_HOST)`,
    ECONNREFUSED: `no Docker engine answers at ${where} (start dockerd, or set DOCKER_HOST)`,
    EACCES: `no permission to use ${where} (add your user to the docker group, or run as root)`,
    TIMEOUT: `the Docker engine at ${where} did not answer within ${timeoutMs} ms`,
  }
  return reasons[code] ?? `the Docker engine at ${where} did not answer: ${messageOf(e)}`
}

const withTimeout = <A>(p: Promise<A>, ms: number): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })), ms)
    p.then(
      (a) => (clearTimeout(timer), resolve(a)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    )
  })

/**
 * The Docker runtime when an engine answers within the timeout, else why not (the local target then
 * falls back to the process runtime and says so).
 */
export const createDockerRuntime = async (options: DockerRuntimeOptions = {}): Promise<Runtime | Unavailable> => {
  const timeoutMs = options.timeoutMs ?? 2000
  const docker = new Docker()
  const where = await engineAddress(docker)
  let version: Docker.DockerVersion
  try {
    // A client of its own with a request timeout, so an engine that never answers leaves no socket open.
    version = await withTimeout(new Docker({ timeout: timeoutMs }).version(), timeoutMs + 100)
  } catch (e) {
    return { unavailable: unavailableReason(e, where, timeoutMs) }
  }
  const describe = `docker: engine ${version.Version} (API ${version.ApiVersion}) answered at ${where}`
  return runtimeOn(docker, describe, options.jobNetwork ?? 'multi-host')
}

/**
 * The Docker runtime in the shape the local target loads it (`src/local/index.ts` on the `local`
 * branch): the runtime, or a rejection saying why there is none (the target turns it into words).
 */
export const dockerRuntime = async (_options?: { readonly dir?: string; readonly say?: (line: string) => void }): Promise<Runtime> => {
  const r = await createDockerRuntime()
  if ('unavailable' in r) throw new Error(r.unavailable)
  return r
}

const runtimeOn = (docker: Docker, describe: string, jobNetwork: 'always' | 'multi-host'): Runtime => {
  const hasGpuRuntime = async (): Promise<boolean> => {
    const info = (await docker.info()) as { Runtimes?: Record<string, unknown> }
    return Object.keys(info.Runtimes ?? {}).some((r) => r.includes('nvidia'))
  }

  const check = async (job: JobSpec): Promise<string | undefined> => {
    try {
      await docker.getImage(job.image).inspect()
    } catch (e) {
      return statusOf(e) === 404 ? missingImageMessage(job.image) : `could not inspect image ${job.image}: ${messageOf(e)}`
    }
    if (job.gpu && !(await hasGpuRuntime())) return noGpuMessage(job.image)
    return undefined
  }

  const sweep = async (labels: Readonly<Record<string, string>>): Promise<void> => {
    const filters = JSON.stringify({ label: [SAGESPEC_LABEL, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)] })
    const containers = await docker.listContainers({ all: true, filters })
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(containerGone)))
    const networks = await docker.listNetworks({ filters })
    await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(networkGone)))
    const volumes = await docker.listVolumes({ filters })
    await Promise.all((volumes.Volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(unless(404))))
  }

  // What live jobs made, so that closing the runtime (the command ends, Ctrl-C) leaves nothing behind,
  // even for a job caught between creating its containers and handing back its handle.
  const live = new Set<() => Promise<void>>()
  let closed = false
  const jobs: Jobs = {
    hold: (removeAll) => (live.add(removeAll), () => void live.delete(removeAll)),
    closed: () => closed,
  }

  const start = (job: JobSpec, onLine: (host: string, line: string) => void): Promise<JobHandle> =>
    startJob(docker, jobs, job, onLine, jobNetwork === 'always' || job.hosts.length > 1)

  const close = async (): Promise<void> => {
    closed = true
    await Promise.all([...live].map((removeAll) => removeAll().catch(() => undefined)))
    live.clear()
  }

  return { kind: 'docker', describe, check, start, sweep, close }
}

interface Jobs {
  /** Keep a job's removal until it is done; the returned function lets go of it. */
  readonly hold: (removeAll: () => Promise<void>) => () => void
  readonly closed: () => boolean
}

interface Started {
  readonly host: HostSpec
  readonly container: Docker.Container
  /** Resolves when the container's log stream has ended (all its lines are out). */
  readonly drained: Promise<void>
}

const startJob = async (
  docker: Docker,
  jobs: Jobs,
  job: JobSpec,
  onLine: (host: string, line: string) => void,
  ownNetwork: boolean,
): Promise<JobHandle> => {
  const labels = { ...job.labels, [SAGESPEC_LABEL]: '1' }
  const servePort = `${job.servePort ?? 8080}/tcp`
  const made: Docker.Container[] = []
  let network: Docker.Network | undefined

  // Everything this job made goes, whatever state it is in; safe to call more than once.
  const removeAll = async (): Promise<void> => {
    await Promise.all(made.map((c) => c.remove({ force: true, v: true }).catch(containerGone)))
    if (network !== undefined) await network.remove().catch(networkGone)
  }

  let release = jobs.hold(removeAll)
  // A detached job, let go of at close: its waits and log streams end, its containers stay.
  const letGo = new AbortController()
  const streams: NodeJS.ReadableStream[] = []

  const create = (host: HostSpec): Promise<Docker.Container> =>
    docker.createContainer({
      name: containerName(job.id, host.host),
      Image: job.image,
      Cmd: [job.mode],
      Hostname: host.host,
      Env: Object.entries(host.env).map(([k, v]) => `${k}=${v}`),
      Labels: { ...labels, 'sagespec.host': host.host },
      ...(job.mode === 'serve' ? { ExposedPorts: { [servePort]: {} } } : {}),
      HostConfig: {
        Init: true,
        // Mounts, not Binds: paths are data here, never parsed out of a `src:dst:ro` string.
        Mounts: [
          { Type: 'bind', Source: host.optMl, Target: '/opt/ml', ReadOnly: false },
          ...host.mounts.map((m) => ({ Type: 'bind' as const, Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
        ],
        ...(job.memoryBytes !== undefined ? { Memory: job.memoryBytes, MemorySwap: job.memoryBytes } : {}),
        ...(job.gpu ? { DeviceRequests: [{ Driver: '', Count: -1, DeviceIDs: [], Capabilities: [['gpu']], Options: {} }] } : {}),
        ...(job.mode === 'serve' ? { PortBindings: { [servePort]: [{ HostIp: '127.0.0.1', HostPort: '' }] } } : {}),
        NetworkMode: network !== undefined ? networkName(job.id) : 'bridge',
      },
      ...(network !== undefined ? { NetworkingConfig: { EndpointsConfig: { [networkName(job.id)]: { Aliases: [host.host] } } } } : {}),
    })

  // Attach before start, as `docker run` does, so no early line is lost; the end listener goes on
  // before anyone waits (dockerode 5).
  const attach = async (host: HostSpec, container: Docker.Container): Promise<{ readonly drained: Promise<void> }> => {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true })
    streams.push(stream)
    const out = lineWriter((line) => onLine(host.host, line))
    const err = lineWriter((line) => onLine(host.host, line))
    const drained = new Promise<void>((resolve) => {
      stream.once('end', resolve)
      stream.once('close', resolve)
      stream.once('error', () => resolve())
    }).then(() => Promise.all([new Promise((r) => out.end(r)), new Promise((r) => err.end(r))]).then(() => undefined))
    docker.modem.demuxStream(stream, out, err)
    return { drained }
  }

  // The loopback port the engine picked for a server.
  const published = async ({ host, container }: Started): Promise<JobHandle['addresses'][number]> => {
    const info = await container.inspect()
    return { host: host.host, port: Number(info.NetworkSettings.Ports[servePort]?.[0]?.HostPort) }
  }

  let hosts: Started[]
  let addresses: JobHandle['addresses']
  try {
    if (jobs.closed()) throw new Error('the Docker runtime is closed')
    if (ownNetwork)
      network = await docker.createNetwork({ Name: networkName(job.id), Driver: 'bridge', Labels: labels, CheckDuplicate: true })
    hosts = []
    for (const host of job.hosts) {
      const container = await create(host)
      made.push(container)
      if (jobs.closed()) throw new Error('the Docker runtime was closed while the job was starting')
      hosts.push({ host, container, ...(await attach(host, container)) })
    }
    await Promise.all(hosts.map((h) => h.container.start()))
    addresses = job.mode === 'serve' ? await Promise.all(hosts.map(published)) : []
    if (job.detached === true) {
      release()
      release = jobs.hold(async () => {
        letGo.abort()
        for (const st of streams) (st as unknown as { destroy: () => void }).destroy()
      })
    }
  } catch (e) {
    await removeAll()
    release()
    const status = statusOf(e)
    const message = messageOf(e)
    if (status === 404 && /image/i.test(message)) throw new Error(missingImageMessage(job.image))
    if (/could not select device driver/i.test(message)) throw new Error(noGpuMessage(job.image))
    throw new Error(`could not start ${job.id} (${job.image}): ${message}`)
  }

  let stopping: Promise<void> | undefined
  const stop = (graceMs: number = DEFAULT_GRACE_MS): Promise<void> =>
    (stopping ??= Promise.all(
      hosts.map(({ container }) => container.stop({ t: Math.ceil(graceMs / 1000) }).catch(containerStopped)),
    ).then(() => finished.then(() => undefined, () => undefined)))

  const waitHost = async ({ host, container, drained }: Started): Promise<HostExit> => {
    const waited = (await container.wait({ abortSignal: letGo.signal }).catch(() => ({ StatusCode: -1 }))) as { StatusCode: number }
    if (letGo.signal.aborted) return { host: host.host, exitCode: 0, oomKilled: false }
    const state = await container.inspect().then((i) => i.State, () => undefined)
    const exit: HostExit = { host: host.host, exitCode: state?.ExitCode ?? waited.StatusCode, oomKilled: state?.OOMKilled ?? false }
    // One host failing fails the job (as in the cloud); a server exiting ends the endpoint: stop the rest.
    if (job.mode === 'serve' || exit.exitCode !== 0) void stop(DEFAULT_GRACE_MS)
    await withTimeout(drained, LOG_DRAIN_MS).catch(() => undefined)
    return exit
  }

  const finished: Promise<ReadonlyArray<HostExit>> = Promise.all(hosts.map(waitHost)).then(async (exits) => {
    if (letGo.signal.aborted) return exits
    await removeAll().catch((e: unknown) =>
      onLine(job.hosts[0]?.host ?? job.id, `sagespec: could not remove the containers of ${job.id}: ${messageOf(e)} (a later run's sweep removes them)`),
    )
    release()
    return exits
  })
  return { addresses, exited: finished, stop }
}
