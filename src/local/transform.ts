/**
 * Local batch transform jobs: the model's containers in serve mode with the transform environment
 * SageMaker sets, `GET /execution-parameters` asked, then the engine (`transform/engine.ts`) over
 * the input files, each written to `<S3OutputPath>/<input name>.out` — `file://` or `s3://`.
 * Like training jobs, a transform job ends with the command that runs it.
 *
 * @since 0.2.0
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as http from 'node:http'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { ContainerDefinition } from '@aws-sdk/client-sagemaker'
import * as E from 'fp-ts/lib/Either.js'
import type { Input, Output } from '../interpret/plan/operations.js'
import { serviceError } from '../interpret/plan/operations.js'
import { checkName, localArn, type Handlers, type LocalContext } from './context.js'
import { startServingContainer } from './endpoints.js'
import { findModel } from './models.js'
import type { JobHandle } from './runtime/runtime.js'
import { describeTransformError, resolveSettings, runTransform, transformEnvironment, type InputFile, type Invoke, type TransformRequest } from './transform/engine.js'
import { containerInvoke, executionParameters, manifestInputs, prefixInputs } from './transform/io.js'
import { fetchTo, joinUri, listItems, parseLocation, putFolder, readText, safeRelative, type Location } from './storage.js'

export type TransformDescription = Output<'DescribeTransformJob'>

interface TransformRecord {
  readonly describe: TransformDescription
  readonly owner: { readonly pid: number; readonly token: string }
}

export const transformJobs = (ctx: LocalContext) => ctx.records<TransformRecord>('transform-jobs')

const notFound = (name: string) => serviceError('ValidationException', `Could not find requested job with name ${name}`)

const running = new WeakMap<LocalContext, Map<string, { readonly abort: AbortController; readonly done: Promise<void> }>>()
const runningOf = (ctx: LocalContext) => {
  let m = running.get(ctx)
  if (m === undefined) {
    const made = new Map<string, { readonly abort: AbortController; readonly done: Promise<void> }>()
    running.set(ctx, (m = made))
    // Local jobs end with the command that runs them.
    ctx.onClose(async () => {
      for (const r of made.values()) r.abort.abort()
      await Promise.all([...made.values()].map((r) => r.done))
    })
  }
  return m
}

const update = (ctx: LocalContext, name: string, f: (d: TransformDescription) => TransformDescription): void => {
  const r = transformJobs(ctx).get(name)!
  transformJobs(ctx).put(name, { ...r, describe: f(r.describe) })
  ctx.notifier.notify(name)
}

/** The input files, copied under `dir` when they are in S3: S3Prefix or ManifestFile. */
const stageInputs = async (ctx: LocalContext, input: Input<'CreateTransformJob'>, dir: string): Promise<ReadonlyArray<InputFile>> => {
  const source = input.TransformInput?.DataSource?.S3DataSource
  const uri = source?.S3Uri ?? ''
  const at = parseLocation(uri, ctx.baseDir)
  if (at === undefined) throw new Error(`ClientError: TransformInput S3Uri ${uri}: expected an s3:// or file:// URI`)
  const gzip = input.TransformInput?.CompressionType === 'Gzip'
  const copy = async (l: Location, name: string): Promise<InputFile> => {
    const rel = safeRelative(name)
    if (rel === undefined) throw new Error(`ClientError: the input name ${name} leaves its prefix`)
    const file = join(dir, 'input', ...rel.split('/'))
    mkdirSync(join(file, '..'), { recursive: true })
    await fetchTo(ctx, l, file)
    if (gzip) writeFileSync(file, gunzipSync(readFileSync(file)))
    return { name: rel, path: file }
  }
  if (source?.S3DataType === 'ManifestFile') {
    const manifest = join(dir, 'manifest.json')
    mkdirSync(dir, { recursive: true })
    writeFileSync(manifest, await readText(ctx, at))
    let prefix = ''
    const listed = manifestInputs(manifest, (p) => (prefix = p))
    if (E.isLeft(listed)) throw new Error(`ClientError: ${listed.left}`)
    const out: InputFile[] = []
    for (const f of listed.right) {
      const l = parseLocation(joinUri(prefix, f.name), ctx.baseDir)
      if (l === undefined) throw new Error(`ClientError: manifest entry ${f.name}: not an s3:// or file:// location`)
      out.push(await copy(l, f.name))
    }
    return out
  }
  // S3Prefix: a folder, or every object whose key starts with the prefix; names are relative to
  // the prefix's folder, as the cloud names the outputs.
  if (at._tag === 'File') {
    const files = prefixInputs(at.path)
    if (E.isLeft(files)) throw new Error(`ClientError: ${files.left}`)
    const out: InputFile[] = []
    for (const f of files.right) out.push(gzip ? await copy({ _tag: 'File', path: f.path }, f.name) : f)
    return out
  }
  const folder = at.key.slice(0, at.key.lastIndexOf('/') + 1)
  const items = await listItems(ctx, at)
  if (items.length === 0) throw new Error(`ClientError: no input object under ${uri}`)
  const out: InputFile[] = []
  for (const it of items) out.push(await copy(it.location, it.location._tag === 'S3' ? it.location.key.slice(folder.length) : it.relative))
  return out
}

/** A pipeline model's containers in order: each answer is the next one's input. */
const chain = (invokes: ReadonlyArray<Invoke>): Invoke => async (body, contentType, accept) => {
  let current = { body, contentType }
  for (const [i, invoke] of invokes.entries()) {
    const last = i === invokes.length - 1
    const r = await invoke(current.body, current.contentType, last ? accept : undefined)
    if (r._tag === 'Failed') return r
    current = { body: r.body, contentType: r.contentType }
  }
  return { _tag: 'Answered', body: current.body, ...(current.contentType === undefined ? {} : { contentType: current.contentType }) }
}

const runJob = async (ctx: LocalContext, name: string, input: Input<'CreateTransformJob'>, signal: AbortSignal): Promise<void> => {
  const dir = transformJobs(ctx).dir(name)
  const handles: JobHandle[] = []
  const agent = new http.Agent({ keepAlive: true })
  // Recorded only once the job's servers are gone: whoever sees the end sees nothing left running.
  let outcome: { status: 'Completed' | 'Failed' | 'Stopped'; reason?: string } = { status: 'Failed', reason: 'InternalServerError: the job ended unexpectedly' }
  const finish = (status: 'Completed' | 'Failed' | 'Stopped', reason?: string): void => {
    outcome = { status, ...(reason === undefined ? {} : { reason }) }
  }
  try {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const request: TransformRequest = {
      ...(input.TransformInput?.SplitType === undefined ? {} : { SplitType: input.TransformInput.SplitType as TransformRequest['SplitType'] }),
      ...(input.TransformInput?.ContentType === undefined ? {} : { ContentType: input.TransformInput.ContentType }),
      ...(input.BatchStrategy === undefined ? {} : { BatchStrategy: input.BatchStrategy }),
      ...(input.MaxPayloadInMB === undefined ? {} : { MaxPayloadInMB: input.MaxPayloadInMB }),
      ...(input.MaxConcurrentTransforms === undefined ? {} : { MaxConcurrentTransforms: input.MaxConcurrentTransforms }),
      ...(input.TransformOutput?.Accept === undefined ? {} : { Accept: input.TransformOutput.Accept }),
      ...(input.TransformOutput?.AssembleWith === undefined ? {} : { AssembleWith: input.TransformOutput.AssembleWith }),
      ...(input.DataProcessing === undefined ? {} : { DataProcessing: input.DataProcessing }),
    }
    const inputs = await stageInputs(ctx, input, dir)
    const model = findModel(ctx, input.ModelName ?? '')
    const containers: ReadonlyArray<ContainerDefinition> = model.Containers ?? (model.PrimaryContainer === undefined ? [] : [model.PrimaryContainer])
    if (containers.length === 0) throw new Error(`ClientError: model ${input.ModelName} has no container`)
    const env = { ...(input.Environment ?? {}), ...transformEnvironment(resolveSettings(request, undefined)) }
    const ports: number[] = []
    for (const [i, c] of containers.entries()) {
      if (signal.aborted) return finish('Stopped')
      const started = await startServingContainer(ctx, { 'sagespec.transform': name }, `${name}-c${i}`, join(dir, `c${i}`), c, 1, input.TransformResources?.InstanceType ?? 'local', env)
      handles.push(started.handle)
      ports.push(started.ports[0]!)
    }
    // The request wins; then what the (last) container says it wants; then SageMaker's defaults.
    const settings = resolveSettings(request, await executionParameters(ports.at(-1)!))
    const out = join(dir, 'output')
    const r = await runTransform(settings, chain(ports.map((p) => containerInvoke(p, agent))), inputs, out, signal)
    if (E.isLeft(r)) return r.left._tag === 'Stopped' ? finish('Stopped') : finish('Failed', `ClientError: ${describeTransformError(r.left)}`)
    const target = parseLocation(input.TransformOutput?.S3OutputPath ?? '', ctx.baseDir)
    if (target === undefined) throw new Error(`ClientError: TransformOutput S3OutputPath ${input.TransformOutput?.S3OutputPath}: expected an s3:// or file:// URI`)
    await putFolder(ctx, out, target)
    finish('Completed')
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    finish(signal.aborted ? 'Stopped' : 'Failed', /^[A-Za-z]+Error: /.test(message) ? message : `InternalServerError: ${message}`)
  } finally {
    agent.destroy()
    await Promise.all(handles.map((h) => h.stop(ctx.stopGraceMs).catch(() => undefined)))
    rmSync(join(dir, 'input'), { recursive: true, force: true })
    const { status, reason } = outcome
    update(ctx, name, (d) => ({ ...d, TransformJobStatus: status, TransformEndTime: ctx.now(), ...(reason === undefined ? {} : { FailureReason: reason.slice(0, 1024) }) }))
  }
}

export const transformHandlers: Handlers = {
  CreateTransformJob: async (input, ctx) => {
    const name = checkName('transformJobName', input.TransformJobName)
    const arn = localArn(ctx, 'transform-job', name)
    if (transformJobs(ctx).get(name) !== undefined) throw serviceError('ValidationException', `Job name must be unique within an AWS account and region, and a job with this name already exists (${arn})`)
    findModel(ctx, input.ModelName ?? '')
    const now = ctx.now()
    transformJobs(ctx).put(name, {
      owner: ctx.owner,
      describe: {
        TransformJobName: name,
        TransformJobArn: arn,
        TransformJobStatus: 'InProgress',
        ModelName: input.ModelName,
        MaxConcurrentTransforms: input.MaxConcurrentTransforms,
        MaxPayloadInMB: input.MaxPayloadInMB,
        BatchStrategy: input.BatchStrategy,
        Environment: input.Environment,
        TransformInput: input.TransformInput,
        TransformOutput: input.TransformOutput,
        TransformResources: input.TransformResources,
        DataProcessing: input.DataProcessing,
        CreationTime: now,
        TransformStartTime: now,
      },
    })
    const abort = new AbortController()
    const done = runJob(ctx, name, input, abort.signal).finally(() => {
      runningOf(ctx).delete(name)
      ctx.notifier.notify(name)
    })
    runningOf(ctx).set(name, { abort, done })
    return { TransformJobArn: arn }
  },

  DescribeTransformJob: async (input, ctx) => {
    const r = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(input.TransformJobName ?? '') ? transformJobs(ctx).get(input.TransformJobName!) : undefined
    if (r === undefined) throw notFound(input.TransformJobName ?? '')
    return r.describe
  },

  StopTransformJob: async (input, ctx) => {
    const name = input.TransformJobName ?? ''
    const r = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(name) ? transformJobs(ctx).get(name) : undefined
    if (r === undefined) throw notFound(name)
    if (r.describe.TransformJobStatus !== 'InProgress') return {}
    const mine = runningOf(ctx).get(name)
    if (mine === undefined) throw serviceError('ValidationException', `Transform job ${name} is run by another sagespec command (pid ${r.owner.pid}); stop it there`)
    update(ctx, name, (d) => ({ ...d, TransformJobStatus: 'Stopping' }))
    mine.abort.abort()
    return {}
  },
}
