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
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
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
import { deleteEndpoint, endpointsDir, listEndpoints, putEndpoint, type ContainerRoute, type EndpointRecord, type VariantRoute } from './serving/registry.js'
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

/** Start every variant's containers of a config; on any failure, stop what started and rethrow. */
const deploy = async (ctx: LocalContext, endpoint: string, config: ConfigRecord, generation: number): Promise<Deployed> => {
  const handles: JobHandle[] = []
  const jobs: string[] = []
  try {
    const variants: VariantRoute[] = []
    for (const [v, pv] of (config.ProductionVariants ?? []).entries()) {
      const model = findModel(ctx, pv.ModelName ?? '')
      const containers: ReadonlyArray<ContainerDefinition> = model.Containers ?? (model.PrimaryContainer === undefined ? [] : [model.PrimaryContainer])
      if (containers.length === 0) throw new Error(`ClientError: model ${pv.ModelName} has no container`)
      const routes: ContainerRoute[] = []
      for (const [i, c] of containers.entries()) {
        const id = `${endpoint}-g${generation}-v${v}-c${i}`
        const root = join(endpointsDir(stateDirOf(ctx)), endpoint, `g${generation}`, `v${v}`, `c${i}`)
        const started = await startServingContainer(ctx, { 'sagespec.endpoint': endpoint }, id, root, c, (pv as ProductionVariant).InitialInstanceCount ?? 1, pv.InstanceType ?? 'local', {}, true)
        handles.push(started.handle)
        jobs.push(id)
        routes.push({ name: c.ContainerHostname ?? (containers.length === 1 ? 'primary' : `container-${i + 1}`), addresses: started.ports.map((port) => ({ port })) })
      }
      variants.push({ name: pv.VariantName ?? `variant-${v + 1}`, weight: pv.InitialVariantWeight ?? 1, containers: routes })
    }
    return { variants, handles, jobs }
  } catch (e) {
    await Promise.all(handles.map((h) => h.stop(0).catch(() => undefined)))
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
    writeFile(ctx, { name, variants: d.variants, meta })
    servingOf(ctx).set(name, d.handles)
    // The gateway started beside the containers; asked again, as it leaves when idle for long.
    await early
    const gw = await ensureGateway(stateDirOf(ctx))
    if (E.isLeft(gw)) throw new Error(`InternalServerError: the local gateway did not start: ${gw.left}`)
    writeFile(ctx, {
      name,
      variants: d.variants,
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

  InvokeEndpoint: async (input, ctx) => invokeThroughGateway(ctx, input),
}

/** InvokeEndpoint for the executor and `sagespec predict`: through the gateway, as any client. */
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
