/**
 * Local endpoints: endpoint configs (records), and endpoints whose containers serve on loopback
 * behind the one local gateway (`serving/gateway.ts`), which speaks the SageMaker Runtime API.
 *
 * An endpoint's file, `<local>/endpoints/<name>.json`, is both its Describe record (`meta`) and the
 * gateway's routing (`variants`), replaced atomically. Creating starts each variant's containers
 * (`serve` jobs of the runtime, the model unpacked safely into their `/opt/ml/model`), waits for
 * `GET /ping`, then publishes the routing. Updating starts the new config's containers first, then
 * switches the routing, then stops the old ones, so the endpoint answers throughout. Endpoints
 * outlive the command, as in the cloud; a later command deletes them through the runtime's `sweep`.
 *
 * @since 0.2.0
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { ContainerDefinition, ProductionVariant } from '@aws-sdk/client-sagemaker'
import * as E from 'fp-ts/lib/Either.js'
import type { Input, Output } from '../interpret/plan/operations.js'
import { serviceError } from '../interpret/plan/operations.js'
import { checkName, localArn, revive, type Handlers, type LocalContext } from './context.js'
import { hostNames } from './contract.js'
import { findModel } from './models.js'
import type { JobHandle, JobSpec, Runtime } from './runtime/runtime.js'
import { safeExtract } from './archive.js'
import { ensureGateway } from './serving/daemon.js'
import { describeNotReady, ping, waitReady } from './serving/readiness.js'
import { invoker, MAX_PAYLOAD_BYTES, type Invoke } from './serving/invoke.js'
import { deleteEndpoint, endpointsDir, listEndpoints, putEndpoint, registryCache, type AsyncRoute, type ContainerRoute, type EndpointRecord, type VariantRoute } from './serving/registry.js'
import { acceptAsync, describeAsyncError, store } from './serving/async.js'
import { errorResponse, type GatewayError } from './serving/routing.js'
import { upstream } from './serving/upstream.js'
import { fetchTo, parseLocation } from './storage.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type ConfigRecord = Output<'DescribeEndpointConfig'>
export type EndpointDescription = Output<'DescribeEndpoint'>

interface EndpointMeta {
  readonly describe: EndpointDescription
  /** The runtime jobs serving the current config (their `sagespec.job` labels). */
  readonly jobs: ReadonlyArray<string>
  /** Counts deployments, so the containers of an update never share names with the ones they replace. */
  readonly generation: number
  /** The runtime that runs the containers: only it can remove them. */
  readonly runtime?: 'docker' | 'process'
}

type EndpointFile = EndpointRecord & { readonly meta: EndpointMeta }

export const configs = (ctx: LocalContext) => ctx.records<ConfigRecord>('endpoint-configs')

/** The state folder of the context (`<stateDir>/local` → `<stateDir>`), where the gateway's registry is. */
const stateDirOf = (ctx: LocalContext): string => dirname(ctx.dir)

const readFile = (ctx: LocalContext, name: string): EndpointFile | undefined => {
  const file = join(endpointsDir(stateDirOf(ctx)), `${name}.json`)
  if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(name) || !existsSync(file)) return undefined
  return revive(readFileSync(file, 'utf8')) as EndpointFile
}

const writeFile = (ctx: LocalContext, f: EndpointFile): void => {
  putEndpoint(stateDirOf(ctx), f)
  ctx.notifier.notify(f.name)
}

const endpointNotFound = (ctx: LocalContext, name: string) => serviceError('ValidationException', `Could not find endpoint "${localArn(ctx, 'endpoint', name)}".`)

const findConfig = (ctx: LocalContext, name: string): ConfigRecord => {
  const c = configs(ctx).get(checkName('endpointConfigName', name))
  if (c === undefined) throw serviceError('ValidationException', `Could not find endpoint configuration "${localArn(ctx, 'endpoint-config', name)}".`)
  return c
}

/** The containers serving this command's deployments, by endpoint, to stop them without a sweep. */
const serving = new WeakMap<LocalContext, Map<string, ReadonlyArray<JobHandle>>>()
const servingOf = (ctx: LocalContext): Map<string, ReadonlyArray<JobHandle>> => {
  let m = serving.get(ctx)
  if (m === undefined) serving.set(ctx, (m = new Map()))
  return m
}

/** Deployments under way: the command waits for them at close, so none is left half-made. */
const deployments = new WeakMap<LocalContext, Set<Promise<void>>>()
const pending = (ctx: LocalContext, p: Promise<void>): void => {
  let set = deployments.get(ctx)
  if (set === undefined) {
    const made = new Set<Promise<void>>()
    deployments.set(ctx, (set = made))
    ctx.onClose(async () => void (await Promise.all([...made])))
  }
  const s = set
  s.add(p)
  void p.finally(() => s.delete(p))
}

const GPU_FAMILIES = /^ml\.(p\d|g\d|inf|trn|dl)/

// -------------------------------------------------------------------------------------
// deploying
// -------------------------------------------------------------------------------------

interface Deployed {
  readonly variants: ReadonlyArray<VariantRoute>
  readonly handles: ReadonlyArray<JobHandle>
  readonly jobs: ReadonlyArray<string>
}

/** Unpack an archive URI (model data, or a script's source) into `dir`, refusing unsafe archives. */
const unpack = async (ctx: LocalContext, uri: string, scratch: string, dir: string, what: string): Promise<void> => {
  const at = parseLocation(uri, ctx.baseDir)
  if (at === undefined) throw new Error(`ClientError: ${what} ${uri}: expected an s3:// or file:// URI`)
  const archive = join(scratch, `${what.replace(/\W+/g, '-')}.tar.gz`)
  mkdirSync(scratch, { recursive: true })
  await fetchTo(ctx, at, archive)
  const r = await safeExtract(archive, dir)
  rmSync(archive, { force: true })
  if (E.isLeft(r)) throw new Error(`ClientError: ${what}: ${r.left}`)
}

/** Start one serving container on every instance and wait until each answers /ping (endpoints and transform jobs). */
export const startServingContainer = async (
  ctx: LocalContext,
  labels: Readonly<Record<string, string>>,
  id: string,
  root: string,
  c: ContainerDefinition,
  instances: number,
  instanceType: string,
  extraEnv: Readonly<Record<string, string>> = {},
  detached = false,
): Promise<{ readonly handle: JobHandle; readonly ports: ReadonlyArray<number> }> => {
  const hosts = hostNames(instances)
  const env: Record<string, string> = { ...(c.Environment ?? {}), ...extraEnv, AWS_REGION: ctx.region }
  const program = env['SAGEMAKER_PROGRAM']
  const submit = env['SAGEMAKER_SUBMIT_DIRECTORY']
  const codeDir = join(root, 'code')
  let script: JobSpec['script']
  let mountCode = true
  if (program !== undefined && program !== '' && submit !== undefined && submit.startsWith('/opt/ml/model/')) {
    // A repacked model carries its code (`/opt/ml/model/code`): inside a container it is there once the
    // model is unpacked; the process runtime reads it from the first host's copy (all hosts get the same).
    script = { program, codeDir: join(root, hosts[0]!, 'model', ...submit.slice('/opt/ml/model/'.length).split('/')) }
    mountCode = false
  } else if (program !== undefined && program !== '') {
    if (submit !== undefined && submit !== '' && !submit.startsWith('/opt/ml')) {
      await unpack(ctx, submit, root, codeDir, 'SAGEMAKER_SUBMIT_DIRECTORY')
      // Inside a container the code is at /opt/ml/code; the process runtime points at codeDir itself.
      env['SAGEMAKER_SUBMIT_DIRECTORY'] = '/opt/ml/code'
    } else mkdirSync(codeDir, { recursive: true })
    script = { program, codeDir }
  }
  for (const h of hosts) {
    const model = join(root, h, 'model')
    mkdirSync(model, { recursive: true })
    if (c.ModelDataUrl !== undefined && c.ModelDataUrl !== '') await unpack(ctx, c.ModelDataUrl, join(root, h), model, 'ModelDataUrl')
  }
  const spec: JobSpec = {
    id,
    mode: 'serve',
    image: c.Image ?? '',
    hosts: hosts.map((host) => ({
      host,
      optMl: join(root, host),
      mounts: script === undefined || !mountCode ? [] : [{ source: codeDir, target: '/opt/ml/code', readOnly: true }],
      env,
    })),
    labels: { ...labels, 'sagespec.job': id },
    gpu: GPU_FAMILIES.test(instanceType),
    ...(script === undefined ? {} : { script }),
    servePort: Number(env['SAGEMAKER_BIND_TO_PORT'] ?? 8080),
    detached,
  }
  const why = await ctx.runtime.check(spec)
  if (why !== undefined) throw new Error(`ClientError: ${why}`)
  const lines: string[] = []
  const handle = await ctx.runtime.start(spec, (host, line) => {
    lines.push(`[${host}] ${line}`)
    if (lines.length > 20) lines.shift()
  })
  const exited = handle.exited.then((xs) => xs[0]?.exitCode ?? 1)
  for (const a of handle.addresses) {
    const ready = await waitReady({ port: a.port, exited, lastLines: () => lines })
    if (E.isLeft(ready)) {
      await handle.stop(0)
      throw new Error(`ClientError: ${describeNotReady(`the container of ${id} (${a.host})`, ready.left)}`)
    }
  }
  return { handle, ports: handle.addresses.map((a) => a.port) }
}

/** The job id of a serving container: a new generation never reuses the names of the one it replaces. */
const jobId = (endpoint: string, generation: number, v: number, i: number): string => `${endpoint}-g${generation}-v${v}-c${i}`

/** The index of the variant a job serves (`…-v<index>-c<i>`). */
const variantOfJob = (job: string): number => Number(/-v(\d+)-c\d+$/.exec(job)?.[1] ?? -1)

/** Start one variant's containers, `instances` of each; on failure, stop what started and rethrow. */
const deployVariant = async (ctx: LocalContext, endpoint: string, pv: ProductionVariant, v: number, generation: number, instances: number): Promise<Deployed> => {
  const handles: JobHandle[] = []
  const jobs: string[] = []
  try {
    const model = findModel(ctx, pv.ModelName ?? '')
    const containers: ReadonlyArray<ContainerDefinition> = model.Containers ?? (model.PrimaryContainer === undefined ? [] : [model.PrimaryContainer])
    if (containers.length === 0) throw new Error(`ClientError: model ${pv.ModelName} has no container`)
    const routes: ContainerRoute[] = []
    for (const [i, c] of containers.entries()) {
      const id = jobId(endpoint, generation, v, i)
      const root = join(endpointsDir(stateDirOf(ctx)), endpoint, `g${generation}`, `v${v}`, `c${i}`)
      const started = await startServingContainer(ctx, { 'sagespec.endpoint': endpoint }, id, root, c, instances, pv.InstanceType ?? 'local', {}, true)
      handles.push(started.handle)
      jobs.push(id)
      routes.push({ name: c.ContainerHostname ?? (containers.length === 1 ? 'primary' : `container-${i + 1}`), addresses: started.ports.map((port) => ({ port })) })
    }
    return { variants: [{ name: pv.VariantName ?? `variant-${v + 1}`, weight: pv.InitialVariantWeight ?? 1, containers: routes }], handles, jobs }
  } catch (e) {
    await Promise.all(handles.map((h) => h.stop(0).catch(() => undefined)))
    throw e
  }
}

/** Start every variant's containers of a config; on any failure, stop what started and rethrow. */
const deploy = async (ctx: LocalContext, endpoint: string, config: ConfigRecord, generation: number): Promise<Deployed> => {
  const done: Deployed[] = []
  try {
    for (const [v, pv] of (config.ProductionVariants ?? []).entries()) done.push(await deployVariant(ctx, endpoint, pv, v, generation, pv.InitialInstanceCount ?? 1))
    return { variants: done.flatMap((d) => d.variants), handles: done.flatMap((d) => d.handles), jobs: done.flatMap((d) => d.jobs) }
  } catch (e) {
    await Promise.all(done.flatMap((d) => d.handles).map((h) => h.stop(0).catch(() => undefined)))
    throw e
  }
}

/** Stop the containers of earlier deployments: by handle when this command started them, else by label. */
/** The runtime of `kind` (this command's own when it matches), or why there is none. */
const runtimeOf = async (ctx: LocalContext, kind: Runtime['kind'] | undefined, needed: boolean): Promise<Runtime | string> => {
  if (kind === undefined || kind === ctx.runtime.kind || !needed) return ctx.runtime
  return ctx.runtimeFor === undefined ? `this command runs the ${ctx.runtime.kind} runtime` : ctx.runtimeFor(kind)
}

const retire = async (ctx: LocalContext, endpoint: string, jobs: ReadonlyArray<string>, handles: ReadonlyArray<JobHandle> | undefined): Promise<void> => {
  if (handles !== undefined) await Promise.all(handles.map((h) => h.stop(ctx.stopGraceMs)))
  for (const job of jobs) await ctx.runtime.sweep({ 'sagespec.endpoint': endpoint, 'sagespec.job': job })
}

const variantsOf = (config: ConfigRecord, status: 'Creating' | 'Updating' | 'InService') =>
  (config.ProductionVariants ?? []).map((pv) => ({
    VariantName: pv.VariantName,
    CurrentWeight: pv.InitialVariantWeight ?? 1,
    DesiredWeight: pv.InitialVariantWeight ?? 1,
    CurrentInstanceCount: status === 'InService' ? (pv.InitialInstanceCount ?? 1) : 0,
    DesiredInstanceCount: pv.InitialInstanceCount ?? 1,
  }))

/** Where the config's asynchronous invocations write, for the routing record. */
const asyncOf = (config: ConfigRecord): { readonly async?: AsyncRoute } => {
  const out = config.AsyncInferenceConfig?.OutputConfig
  if (out?.S3OutputPath === undefined) return {}
  return { async: { outputPath: out.S3OutputPath, ...(out.S3FailurePath === undefined ? {} : { failurePath: out.S3FailurePath }) } }
}

/** Deploy `configName` behind `name`, in the background; the record says how it went. */
const rollOut = async (ctx: LocalContext, name: string, configName: string): Promise<void> => {
  const before = readFile(ctx, name)
  if (before === undefined) return
  const generation = before.meta.generation + 1
  const oldJobs = before.meta.jobs
  const oldHandles = servingOf(ctx).get(name)
  // Started beside the containers, so a first deploy does not wait for it after them.
  const early = ensureGateway(stateDirOf(ctx))
  try {
    const config = findConfig(ctx, configName)
    const d = await deploy(ctx, name, config, generation)
    const now = ctx.now()
    const current = readFile(ctx, name)
    if (current === undefined) {
      // Deleted meanwhile: what just started goes too.
      await retire(ctx, name, d.jobs, d.handles)
      return
    }
    // The switch: from here the gateway sends requests to the new containers.
    const meta = { generation, jobs: d.jobs, runtime: ctx.runtime.kind, describe: current.meta.describe }
    writeFile(ctx, { name, variants: d.variants, ...asyncOf(config), meta })
    servingOf(ctx).set(name, d.handles)
    // The gateway started beside the containers; asked again, as it leaves when idle for long.
    await early
    const gw = await ensureGateway(stateDirOf(ctx))
    if (E.isLeft(gw)) throw new Error(`InternalServerError: the local gateway did not start: ${gw.left}`)
    writeFile(ctx, {
      name,
      variants: d.variants,
      ...asyncOf(config),
      meta: {
        ...meta,
        describe: {
          ...current.meta.describe,
          EndpointConfigName: configName,
          EndpointStatus: 'InService',
          ProductionVariants: variantsOf(config, 'InService'),
          LastModifiedTime: now,
        },
      },
    })
    ctx.say(`Local endpoint ${name} is InService at ${gw.right.url}/endpoints/${name}/invocations`)
    if (oldJobs.length > 0) await retire(ctx, name, oldJobs, oldHandles)
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    const current = readFile(ctx, name)
    if (current === undefined) return
    // A failed update leaves the endpoint serving its old config, as the cloud rolls back.
    const updating = current.meta.describe.EndpointStatus === 'Updating'
    writeFile(ctx, {
      ...current,
      meta: {
        ...current.meta,
        describe: {
          ...current.meta.describe,
          EndpointStatus: updating ? 'InService' : 'Failed',
          FailureReason: (/^[A-Za-z]+Error: /.test(message) ? message : `InternalServerError: ${message}`).slice(0, 1024),
          LastModifiedTime: ctx.now(),
        },
      },
    })
  }
}

// -------------------------------------------------------------------------------------
// weights and capacities
// -------------------------------------------------------------------------------------

type VariantStatus = NonNullable<EndpointDescription['ProductionVariants']>[number]

/**
 * Finish an UpdateEndpointWeightsAndCapacities: start the variants whose instance count changed
 * anew with the desired count, switch their routing, stop their old containers; then InService with
 * every desired weight and count current. A failure leaves the endpoint serving as it was.
 */
const rescale = async (ctx: LocalContext, name: string, counts: ReadonlyMap<string, number>): Promise<void> => {
  const before = readFile(ctx, name)
  if (before === undefined) return
  const oldHandles = servingOf(ctx).get(name)
  let retired: Array<{ readonly job: string; readonly handle: JobHandle | undefined }> = []
  try {
    let current: EndpointFile = before
    if (counts.size > 0) {
      const config = findConfig(ctx, before.meta.describe.EndpointConfigName ?? '')
      const generation = before.meta.generation + 1
      const started: Deployed[] = []
      const replaced = new Set<number>()
      try {
        for (const [v, pv] of (config.ProductionVariants ?? []).entries()) {
          const count = counts.get(pv.VariantName ?? '')
          if (count === undefined) continue
          started.push(await deployVariant(ctx, name, pv, v, generation, count))
          replaced.add(v)
        }
      } catch (e) {
        await Promise.all(started.flatMap((d) => d.handles).map((h) => h.stop(0).catch(() => undefined)))
        throw e
      }
      const now = readFile(ctx, name)
      const fresh = new Map(started.flatMap((d) => d.variants).map((r) => [r.name, r]))
      if (now === undefined) {
        // Deleted meanwhile: what just started goes too.
        await retire(ctx, name, started.flatMap((d) => d.jobs), started.flatMap((d) => d.handles))
        return
      }
      // Old jobs and handles go in pairs (a deployment records them in the same order).
      const pairs = now.meta.jobs.map((job, i) => ({ job, handle: oldHandles?.length === now.meta.jobs.length ? oldHandles[i] : undefined }))
      const kept = pairs.filter((p) => !replaced.has(variantOfJob(p.job)))
      retired = pairs.filter((p) => replaced.has(variantOfJob(p.job)))
      // The switch: the new containers take the variants' traffic, at the weights routing has now.
      current = {
        ...now,
        variants: now.variants.map((v) => {
          const r = fresh.get(v.name)
          return r === undefined ? v : { ...v, containers: r.containers }
        }),
        meta: { ...now.meta, generation, jobs: [...kept.map((p) => p.job), ...started.flatMap((d) => d.jobs)] },
      }
      writeFile(ctx, current)
      servingOf(ctx).set(name, [...kept.map((p) => p.handle), ...started.flatMap((d) => d.handles)].filter((h): h is JobHandle => h !== undefined))
    }
    const settled = readFile(ctx, name) ?? current
    // A reason left by an earlier failed update is no longer true.
    const { FailureReason: _, ...describe } = settled.meta.describe
    writeFile(ctx, {
      ...settled,
      meta: {
        ...settled.meta,
        describe: {
          ...describe,
          EndpointStatus: 'InService',
          ProductionVariants: (settled.meta.describe.ProductionVariants ?? []).map((pv) => ({ ...pv, CurrentWeight: pv.DesiredWeight, CurrentInstanceCount: pv.DesiredInstanceCount })),
          LastModifiedTime: ctx.now(),
        },
      },
    })
    if (retired.length > 0) {
      const handles = retired.flatMap((r) => (r.handle === undefined ? [] : [r.handle]))
      await retire(ctx, name, retired.map((r) => r.job), handles)
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    const now = readFile(ctx, name)
    if (now === undefined) return
    // As the cloud rolls back a failed update: serving as before, the reason said.
    writeFile(ctx, {
      ...now,
      meta: {
        ...now.meta,
        describe: {
          ...now.meta.describe,
          EndpointStatus: 'InService',
          // The weights took effect when asked; the instance counts stay as they were.
          ProductionVariants: (now.meta.describe.ProductionVariants ?? []).map((pv) => ({ ...pv, CurrentWeight: pv.DesiredWeight, DesiredInstanceCount: pv.CurrentInstanceCount })),
          FailureReason: (/^[A-Za-z]+Error: /.test(message) ? message : `InternalServerError: ${message}`).slice(0, 1024),
          LastModifiedTime: ctx.now(),
        },
      },
    })
  }
}

const updateWeightsAndCapacities: Handlers['UpdateEndpointWeightsAndCapacities'] = async (input, ctx) => {
  const name = checkName('endpointName', input.EndpointName)
  const f = readFile(ctx, name)
  if (f === undefined) throw endpointNotFound(ctx, name)
  const arn = localArn(ctx, 'endpoint', name)
  if (f.meta.describe.EndpointStatus !== 'InService') throw serviceError('ValidationException', `Cannot update in-progress endpoint "${arn}".`)
  const desired = input.DesiredWeightsAndCapacities ?? []
  if (desired.length === 0) throw serviceError('ValidationException', 'DesiredWeightsAndCapacities: expected at least one variant, found none.')
  const statuses = new Map((f.meta.describe.ProductionVariants ?? []).map((pv) => [pv.VariantName ?? '', pv]))
  const missing = desired.map((d) => d.VariantName ?? '').filter((v) => !statuses.has(v))
  if (missing.length > 0) throw serviceError('ValidationException', `The variant name(s) [${missing.join(', ')}] is/are not present in the endpoint "${arn}" (its variants: ${[...statuses.keys()].join(', ')}).`)
  for (const d of desired) {
    if (d.DesiredWeight !== undefined && !(Number.isFinite(d.DesiredWeight) && d.DesiredWeight >= 0))
      throw serviceError('ValidationException', `DesiredWeight of ${d.VariantName}: expected a number ≥ 0, found ${d.DesiredWeight}.`)
    if (d.DesiredInstanceCount !== undefined && !(Number.isInteger(d.DesiredInstanceCount) && d.DesiredInstanceCount >= 1))
      throw serviceError('ValidationException', `DesiredInstanceCount of ${d.VariantName}: expected a whole number ≥ 1, found ${d.DesiredInstanceCount}.`)
    if (d.DesiredWeight === undefined && d.DesiredInstanceCount === undefined)
      throw serviceError('ValidationException', `Variant ${d.VariantName}: expected a DesiredWeight, a DesiredInstanceCount or both.`)
  }
  const weights = new Map(desired.flatMap((d) => (d.DesiredWeight === undefined ? [] : [[d.VariantName!, d.DesiredWeight] as const])))
  const counts = new Map(
    desired.flatMap((d) => (d.DesiredInstanceCount === undefined || d.DesiredInstanceCount === statuses.get(d.VariantName!)?.CurrentInstanceCount ? [] : [[d.VariantName!, d.DesiredInstanceCount] as const])),
  )
  if (counts.size > 0 && f.meta.runtime !== undefined && f.meta.runtime !== ctx.runtime.kind)
    throw serviceError('ValidationException', `Endpoint ${name} runs on the ${f.meta.runtime} runtime; change its instance counts with --runtime ${f.meta.runtime}.`)
  const variants: ReadonlyArray<VariantStatus> = (f.meta.describe.ProductionVariants ?? []).map((pv) => ({
    ...pv,
    DesiredWeight: weights.get(pv.VariantName ?? '') ?? pv.DesiredWeight,
    DesiredInstanceCount: desired.find((d) => d.VariantName === pv.VariantName)?.DesiredInstanceCount ?? pv.DesiredInstanceCount,
  }))
  // Weights take effect at once: the routing the gateway and in-process callers read is rewritten now.
  writeFile(ctx, {
    ...f,
    variants: f.variants.map((v) => (weights.has(v.name) ? { ...v, weight: weights.get(v.name)! } : v)),
    meta: { ...f.meta, describe: { ...f.meta.describe, EndpointStatus: 'Updating', ProductionVariants: [...variants], LastModifiedTime: ctx.now() } },
  })
  pending(ctx, rescale(ctx, name, counts))
  return { EndpointArn: f.meta.describe.EndpointArn }
}

// -------------------------------------------------------------------------------------
// handlers
// -------------------------------------------------------------------------------------

/**
 * An endpoint InService whose containers no longer listen (the machine restarted, or a runtime
 * removed them with its command) is OutOfService, said once, with what to do.
 */
const checkAlive = async (ctx: LocalContext, f: EndpointFile): Promise<EndpointDescription> => {
  if (f.meta.describe.EndpointStatus !== 'InService') return f.meta.describe
  const targets = f.variants.flatMap((v) => v.containers.flatMap((c) => c.addresses.map((a) => ({ v: v.name, c: c.name, port: a.port }))))
  const answers = await Promise.all(targets.map(async (t) => ({ ...t, r: await ping(t.port, 1000) })))
  // Only a refused connection proves the server gone; a slow answer is not a dead container.
  const gone = answers.find((a) => !a.r.ok && a.r.answer === 'ECONNREFUSED')
  if (gone === undefined) return f.meta.describe
  const describe: EndpointDescription = {
    ...f.meta.describe,
    EndpointStatus: 'OutOfService',
    FailureReason: `Container ${gone.c} of variant ${gone.v} no longer listens on 127.0.0.1:${gone.port}: its server ended (the machine restarted, or its runtime removed it with the command that started it). Delete the endpoint and create it again.`,
    LastModifiedTime: ctx.now(),
  }
  writeFile(ctx, { ...f, meta: { ...f.meta, describe } })
  return describe
}

const describeEndpoint = async (ctx: LocalContext, name: string): Promise<EndpointDescription> => {
  const f = readFile(ctx, checkName('endpointName', name))
  if (f === undefined) throw endpointNotFound(ctx, name)
  return checkAlive(ctx, f)
}

export const endpointHandlers: Handlers = {
  CreateEndpointConfig: async (input, ctx) => {
    const name = checkName('endpointConfigName', input.EndpointConfigName)
    const arn = localArn(ctx, 'endpoint-config', name)
    if (configs(ctx).get(name) !== undefined) throw serviceError('ValidationException', `Cannot create already existing endpoint configuration "${arn}".`)
    for (const pv of input.ProductionVariants ?? []) findModel(ctx, pv.ModelName ?? '')
    configs(ctx).put(name, {
      EndpointConfigName: name,
      EndpointConfigArn: arn,
      ProductionVariants: input.ProductionVariants,
      ...(input.DataCaptureConfig === undefined ? {} : { DataCaptureConfig: input.DataCaptureConfig }),
      ...(input.AsyncInferenceConfig === undefined ? {} : { AsyncInferenceConfig: input.AsyncInferenceConfig }),
      ...(input.KmsKeyId === undefined ? {} : { KmsKeyId: input.KmsKeyId }),
      CreationTime: ctx.now(),
    })
    return { EndpointConfigArn: arn }
  },

  DescribeEndpointConfig: async (input, ctx) => findConfig(ctx, input.EndpointConfigName ?? ''),

  DeleteEndpointConfig: async (input, ctx) => {
    findConfig(ctx, input.EndpointConfigName ?? '')
    configs(ctx).remove(input.EndpointConfigName!)
    return {}
  },

  CreateEndpoint: async (input, ctx) => {
    const name = checkName('endpointName', input.EndpointName)
    const arn = localArn(ctx, 'endpoint', name)
    if (readFile(ctx, name) !== undefined) throw serviceError('ValidationException', `Cannot create already existing endpoint "${arn}".`)
    const config = findConfig(ctx, input.EndpointConfigName ?? '')
    const now = ctx.now()
    writeFile(ctx, {
      name,
      variants: [],
      meta: {
        generation: 0,
        jobs: [],
        describe: {
          EndpointName: name,
          EndpointArn: arn,
          EndpointConfigName: config.EndpointConfigName,
          EndpointStatus: 'Creating',
          ProductionVariants: variantsOf(config, 'Creating'),
          CreationTime: now,
          LastModifiedTime: now,
        },
      },
    })
    pending(ctx, rollOut(ctx, name, config.EndpointConfigName!))
    return { EndpointArn: arn }
  },

  DescribeEndpoint: async (input, ctx) => describeEndpoint(ctx, input.EndpointName ?? ''),

  UpdateEndpoint: async (input, ctx) => {
    const name = checkName('endpointName', input.EndpointName)
    const f = readFile(ctx, name)
    if (f === undefined) throw endpointNotFound(ctx, name)
    const status = f.meta.describe.EndpointStatus
    if (f.meta.runtime !== undefined && f.meta.runtime !== ctx.runtime.kind && f.meta.jobs.length > 0)
      throw serviceError('ValidationException', `Endpoint ${name} runs on the ${f.meta.runtime} runtime; update it with --runtime ${f.meta.runtime}.`)
    if (status !== 'InService' && status !== 'Failed' && status !== 'OutOfService')
      throw serviceError('ValidationException', `Cannot update in-progress endpoint "${localArn(ctx, 'endpoint', name)}".`)
    const config = findConfig(ctx, input.EndpointConfigName ?? '')
    writeFile(ctx, { ...f, meta: { ...f.meta, describe: { ...f.meta.describe, EndpointStatus: 'Updating', LastModifiedTime: ctx.now() } } })
    pending(ctx, rollOut(ctx, name, config.EndpointConfigName!))
    return { EndpointArn: f.meta.describe.EndpointArn }
  },

  UpdateEndpointWeightsAndCapacities: updateWeightsAndCapacities,

  DeleteEndpoint: async (input, ctx) => {
    const name = checkName('endpointName', input.EndpointName)
    const f = readFile(ctx, name)
    if (f === undefined) throw endpointNotFound(ctx, name)
    // An endpoint is stopped by the runtime that started it, whichever this command chose.
    const own = await runtimeOf(ctx, f.meta.runtime, f.meta.jobs.length > 0)
    if (typeof own === 'string') throw serviceError('ValidationException', `Endpoint ${name} runs on the ${f.meta.runtime} runtime, which cannot be reached here: ${own}.`)
    // Unrouted first, so the gateway stops sending requests to containers about to stop.
    deleteEndpoint(stateDirOf(ctx), name)
    await retire({ ...ctx, runtime: own }, name, f.meta.jobs, servingOf(ctx).get(name))
    if (own !== ctx.runtime) await own.close()
    servingOf(ctx).delete(name)
    rmSync(join(endpointsDir(stateDirOf(ctx)), name), { recursive: true, force: true })
    ctx.notifier.notify(name)
    return {}
  },

  ListEndpoints: async (input, ctx) => {
    const all = listEndpoints(stateDirOf(ctx))
      .flatMap((n) => {
        const f = readFile(ctx, n)
        return f === undefined ? [] : [f.meta.describe]
      })
      .filter((d) => input.NameContains === undefined || (d.EndpointName ?? '').includes(input.NameContains))
      .filter((d) => input.StatusEquals === undefined || d.EndpointStatus === input.StatusEquals)
      .sort((a, b) => (b.CreationTime?.getTime() ?? 0) - (a.CreationTime?.getTime() ?? 0))
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken)
    const max = input.MaxResults ?? 10
    return {
      Endpoints: all.slice(start, start + max).map((d) => ({
        EndpointName: d.EndpointName,
        EndpointArn: d.EndpointArn,
        CreationTime: d.CreationTime,
        LastModifiedTime: d.LastModifiedTime,
        EndpointStatus: d.EndpointStatus,
      })),
      ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
    }
  },

  InvokeEndpoint: async (input, ctx) => invokeLocally(ctx, input),

  InvokeEndpointAsync: async (input, ctx) => invokeAsyncLocally(ctx, input),
}

// -------------------------------------------------------------------------------------
// invoking
// -------------------------------------------------------------------------------------

/**
 * InvokeEndpoint for the executor, `predictor` and `sagespec predict`: in this process, with the
 * gateway's own routing code (`serving/invoke.ts`) over the same registry, straight to the
 * containers — one loopback hop instead of two. The gateway stays for other clients (the AWS SDK,
 * boto3, curl); it is used from here only when this process cannot read the registry.
 */
const invokeLocally = async (ctx: LocalContext, input: Input<'InvokeEndpoint'>): Promise<Output<'InvokeEndpoint'>> => {
  const local = inProcess(ctx)
  const body = bytesOf(input.Body)
  // A stream body is the SDK's to read.
  if (local === undefined || body === undefined) return invokeThroughGateway(ctx, input)
  const r = await local.invoke(input.EndpointName ?? '', {
    body,
    ...(input.ContentType === undefined ? {} : { contentType: input.ContentType }),
    ...(input.Accept === undefined ? {} : { accept: input.Accept }),
    ...(input.CustomAttributes === undefined ? {} : { customAttributes: input.CustomAttributes }),
    ...(input.TargetVariant === undefined ? {} : { targetVariant: input.TargetVariant }),
  })
  if (E.isLeft(r)) throw asServiceError(r.left)
  const a = r.right
  return {
    Body: asBlob(a.body),
    InvokedProductionVariant: a.variant,
    ...(a.contentType === undefined ? {} : { ContentType: a.contentType }),
    ...(a.customAttributes === undefined ? {} : { CustomAttributes: a.customAttributes }),
  }
}

const bytesOf = (b: Input<'InvokeEndpoint'>['Body']): Uint8Array | undefined => {
  if (b === undefined) return new Uint8Array()
  if (typeof b === 'string') return Buffer.from(b, 'utf8')
  if (b instanceof Uint8Array) return b
  if (b instanceof ArrayBuffer) return new Uint8Array(b)
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
  return undefined
}

/** The answer's bytes as the SDK hands them out: a Uint8Array that also turns into text. */
const asBlob = (body: Buffer): Output<'InvokeEndpoint'>['Body'] =>
  Object.assign(body, { transformToString: (encoding?: string) => (encoding === 'base64' ? body.toString('base64') : new TextDecoder(encoding ?? 'utf-8').decode(body)) })

/**
 * InvokeEndpointAsync in process: accepted at once, run in the background (the command waits for
 * it at close), written where the endpoint config's AsyncInferenceConfig says.
 */
const invokeAsyncLocally = async (ctx: LocalContext, input: Input<'InvokeEndpointAsync'>): Promise<Output<'InvokeEndpointAsync'>> => {
  const local = inProcess(ctx)
  if (local === undefined) {
    const gw = await ensureGateway(stateDirOf(ctx))
    if (E.isLeft(gw)) throw serviceError('ServiceUnavailable', `the local gateway is not running: ${gw.left}`, 'server')
    const { SageMakerRuntimeClient, InvokeEndpointAsyncCommand } = await import('@aws-sdk/client-sagemaker-runtime')
    const client = new SageMakerRuntimeClient({ endpoint: gw.right.url, region: ctx.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 })
    try {
      const { $metadata: _, ...out } = await client.send(new InvokeEndpointAsyncCommand(input))
      return out
    } finally {
      client.destroy()
    }
  }
  const accepted = acceptAsync(local.lookup, local.invoke, store(ctx.s3), ctx.baseDir)(input.EndpointName ?? '', {
    inputLocation: input.InputLocation,
    ...(input.ContentType === undefined ? {} : { contentType: input.ContentType }),
    ...(input.Accept === undefined ? {} : { accept: input.Accept }),
    ...(input.CustomAttributes === undefined ? {} : { customAttributes: input.CustomAttributes }),
    ...(input.InferenceId === undefined ? {} : { inferenceId: input.InferenceId }),
  })
  if (E.isLeft(accepted)) {
    const e = describeAsyncError(accepted.left)
    throw Object.assign(serviceError(e.type, e.message, e.status < 500 ? 'client' : 'server'), { $metadata: { httpStatusCode: e.status } })
  }
  const a = accepted.right
  pending(ctx, a.run())
  return { InferenceId: a.inferenceId, OutputLocation: a.outputLocation, ...(a.failureLocation === undefined ? {} : { FailureLocation: a.failureLocation }) }
}

/** What the AWS SDK makes of the gateway's answer for this error: its name, message and fields. */
export const asServiceError = (e: GatewayError): Error => {
  const r = errorResponse(e)
  const message = String(r.body['message'])
  const fields = r.type === 'ModelError' ? { OriginalStatusCode: r.body['OriginalStatusCode'], OriginalMessage: r.body['OriginalMessage'] } : {}
  return Object.assign(serviceError(r.type, message, r.type === 'ModelError' || r.status < 500 ? 'client' : 'server'), fields, { $metadata: { httpStatusCode: r.status } })
}

interface InProcess {
  readonly invoke: Invoke
  readonly lookup: (name: string) => EndpointRecord | undefined
}

const invokers = new WeakMap<LocalContext, InProcess | 'gateway'>()

/** This context's in-process invoke, made on first use; undefined when the registry is not readable here. */
const inProcess = (ctx: LocalContext): InProcess | undefined => {
  let made = invokers.get(ctx)
  if (made === undefined) {
    const state = stateDirOf(ctx)
    let readable = true
    try {
      accessSync(endpointsDir(state), constants.R_OK | constants.X_OK)
    } catch (e) {
      // Not there yet is readable enough: it holds no endpoint, and the invoke says so.
      readable = (e as NodeJS.ErrnoException).code === 'ENOENT'
    }
    if (readable) {
      const client = upstream(MAX_PAYLOAD_BYTES)
      ctx.onClose(async () => client.close())
      const lookup = registryCache(state)
      made = { invoke: invoker(lookup, Math.random, client), lookup }
    } else made = 'gateway'
    invokers.set(ctx, made)
  }
  return made === 'gateway' ? undefined : made
}

/** InvokeEndpoint through the gateway, as any client. */
const invokeThroughGateway = async (ctx: LocalContext, input: Input<'InvokeEndpoint'>): Promise<Output<'InvokeEndpoint'>> => {
  const gw = await ensureGateway(stateDirOf(ctx))
  if (E.isLeft(gw)) throw serviceError('ServiceUnavailable', `the local gateway is not running: ${gw.left}`, 'server')
  const { SageMakerRuntimeClient, InvokeEndpointCommand } = await import('@aws-sdk/client-sagemaker-runtime')
  const client = new SageMakerRuntimeClient({ endpoint: gw.right.url, region: ctx.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 })
  try {
    const { $metadata: _, ...out } = await client.send(new InvokeEndpointCommand(input))
    return out
  } finally {
    client.destroy()
  }
}
