/**
 * An in-memory backend for executor tests: it keeps what was created, answers Describe calls in the
 * cloud's shapes, and follows a script — how many polls a job stays InProgress, which jobs fail and
 * why, which calls are throttled. No timers: every wait resolves at once.
 *
 * Beyond runs it answers what the endpoint, predict, tuning and attach commands send: ListEndpoints
 * (paged), DeleteEndpoint (Deleting for a few polls, then gone), DeleteEndpointConfig, DeleteModel,
 * InvokeEndpoint (an echo unless the script answers) and ListTrainingJobsForHyperParameterTuningJob.
 */
import type { HyperParameterTrainingJobSummary } from '@aws-sdk/client-sagemaker'
import type { Input, OperationName, Output } from '../../src/interpret/plan/operations.js'
import { serviceError } from '../../src/interpret/plan/operations.js'
import type { Backend, CodeArchive } from '../../src/interpret/execute/port.js'

export interface Script {
  /** Describe polls a job answers InProgress before it ends. @default 2 */
  readonly polls?: (name: string) => number
  /** A failure reason makes the job end Failed. */
  readonly fail?: (name: string) => string | undefined
  /** Throttle this call (the nth call of the op, counting from 0). */
  readonly throttle?: (op: OperationName, n: number) => boolean
  /** Called before every operation; may throw or abort. */
  readonly before?: (op: OperationName, input: unknown) => void
  /** Fields a Describe response gains, given what it is and the polls it has left (tuning counters…). */
  readonly annotate?: (family: string, name: string, pollsLeft: number) => Record<string, unknown> | undefined
  /** Describe polls a deleted endpoint answers `Deleting` before it is gone. @default 1 */
  readonly deletePolls?: (name: string) => number
  /** The answer of InvokeEndpoint (may throw, e.g. `modelError(…)`). @default the body echoed back */
  readonly invoke?: (input: Input<'InvokeEndpoint'>) => { readonly Body: Uint8Array; readonly ContentType?: string }
  /** The training jobs a tuning job launched. @default none */
  readonly trainingJobsOf?: (tuningJob: string) => ReadonlyArray<HyperParameterTrainingJobSummary>
}

/** What SageMaker Runtime throws when the model's container answers an error. */
export const modelError = (originalStatusCode: number, originalMessage: string, logStreamArn: string): Error & { readonly name: string } =>
  Object.assign(
    new Error(`Received client error (${originalStatusCode}) from primary with message "${originalMessage}". See ${logStreamArn} in account 111122223333 for more information.`),
    { name: 'ModelError', $fault: 'client' as const, OriginalStatusCode: originalStatusCode, OriginalMessage: originalMessage, LogStreamArn: logStreamArn },
  )

interface Resource {
  readonly family: string
  readonly name: string
  /** Creation order: ListEndpoints sorts by it. */
  readonly seq: number
  pollsLeft: number
  /** Set by a delete: the Describe polls left before it is gone. */
  deleting?: number
  final: string
  record: Record<string, unknown>
}

const FAMILY: Partial<Record<OperationName, { family: string; nameField: string; status?: string; running?: string; done?: string }>> = {
  CreateTrainingJob: { family: 'training', nameField: 'TrainingJobName', status: 'TrainingJobStatus', running: 'InProgress', done: 'Completed' },
  DescribeTrainingJob: { family: 'training', nameField: 'TrainingJobName' },
  StopTrainingJob: { family: 'training', nameField: 'TrainingJobName' },
  CreateHyperParameterTuningJob: { family: 'tuning', nameField: 'HyperParameterTuningJobName', status: 'HyperParameterTuningJobStatus', running: 'InProgress', done: 'Completed' },
  DescribeHyperParameterTuningJob: { family: 'tuning', nameField: 'HyperParameterTuningJobName' },
  StopHyperParameterTuningJob: { family: 'tuning', nameField: 'HyperParameterTuningJobName' },
  CreateTransformJob: { family: 'transform', nameField: 'TransformJobName', status: 'TransformJobStatus', running: 'InProgress', done: 'Completed' },
  DescribeTransformJob: { family: 'transform', nameField: 'TransformJobName' },
  StopTransformJob: { family: 'transform', nameField: 'TransformJobName' },
  CreateModel: { family: 'model', nameField: 'ModelName' },
  DescribeModel: { family: 'model', nameField: 'ModelName' },
  CreateEndpointConfig: { family: 'config', nameField: 'EndpointConfigName' },
  DescribeEndpointConfig: { family: 'config', nameField: 'EndpointConfigName' },
  CreateEndpoint: { family: 'endpoint', nameField: 'EndpointName', status: 'EndpointStatus', running: 'Creating', done: 'InService' },
  DescribeEndpoint: { family: 'endpoint', nameField: 'EndpointName' },
  UpdateEndpoint: { family: 'endpoint', nameField: 'EndpointName' },
  UpdateEndpointWeightsAndCapacities: { family: 'endpoint', nameField: 'EndpointName' },
  DeleteEndpoint: { family: 'endpoint', nameField: 'EndpointName' },
  DeleteEndpointConfig: { family: 'config', nameField: 'EndpointConfigName' },
  DeleteModel: { family: 'model', nameField: 'ModelName' },
  InvokeEndpoint: { family: 'endpoint', nameField: 'EndpointName' },
  InvokeEndpointAsync: { family: 'endpoint', nameField: 'EndpointName' },
  CreateModelPackage: { family: 'package', nameField: 'ModelPackageName', status: 'ModelPackageStatus', running: 'InProgress', done: 'Completed' },
  DescribeModelPackage: { family: 'package', nameField: 'ModelPackageName' },
}

const CREATE_OF: Record<string, OperationName> = {
  training: 'CreateTrainingJob',
  tuning: 'CreateHyperParameterTuningJob',
  transform: 'CreateTransformJob',
  endpoint: 'CreateEndpoint',
  package: 'CreateModelPackage',
}

const arn = (family: string, name: string) => `arn:aws:sagemaker:us-west-2:111122223333:${family}/${name.toLowerCase()}`

/** When resource number `seq` was made: a fixed clock, one second apart. */
const createdAt = (seq: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seq))

/** One page of `items` (`NextToken` is the offset, as opaque to callers as the service's). */
const page = <A>(items: ReadonlyArray<A>, input: { MaxResults?: number | undefined; NextToken?: string | undefined }) => {
  const from = input.NextToken === undefined ? 0 : Number(input.NextToken)
  const to = from + (input.MaxResults ?? 10)
  return { items: items.slice(from, to), ...(to < items.length ? { NextToken: String(to) } : {}) }
}

export interface ScriptedBackend extends Backend {
  /** Every call, in order. */
  readonly calls: Array<{ op: OperationName; input: any }>
  readonly creates: (op?: OperationName) => ReadonlyArray<{ op: OperationName; input: any }>
  /** The most jobs that were InProgress at once. */
  readonly maxConcurrent: () => number
  readonly staged: Array<CodeArchive>
  readonly resources: Map<string, Resource>
}

export const scriptedBackend = (script: Script = {}): ScriptedBackend => {
  const calls: Array<{ op: OperationName; input: any }> = []
  const counts = new Map<OperationName, number>()
  const resources = new Map<string, Resource>()
  const staged: CodeArchive[] = []
  let concurrent = 0
  let maxConcurrent = 0
  let seq = 0
  const key = (family: string, name: string) => `${family}/${name}`
  const isJob = (f: string) => f === 'training' || f === 'tuning' || f === 'transform'

  const describe = (r: Resource): Record<string, unknown> => {
    const f = FAMILY[CREATE_OF[r.family] ?? 'CreateModel']
    if (f?.status !== undefined && (r.record[f.status] === f.running || r.record[f.status] === 'Updating')) {
      if (r.pollsLeft > 0) r.pollsLeft--
      else {
        r.record[f.status] = r.final
        if (isJob(r.family)) concurrent--
        if (r.final === 'Failed') r.record['FailureReason'] = script.fail?.(r.name)
      }
    }
    Object.assign(r.record, script.annotate?.(r.family, r.name, r.pollsLeft))
    return structuredClone(r.record)
  }

  const listEndpoints = (input: Input<'ListEndpoints'>): Output<'ListEndpoints'> => {
    const all = [...resources.values()]
      .filter((r) => r.family === 'endpoint' && (input.NameContains === undefined || r.name.includes(input.NameContains)))
      .filter((r) => input.StatusEquals === undefined || r.record['EndpointStatus'] === input.StatusEquals)
      .sort((a, b) => (input.SortBy === 'Name' ? a.name.localeCompare(b.name) : a.seq - b.seq) * (input.SortOrder === 'Ascending' ? 1 : -1))
      .map((r) => ({
        EndpointName: r.name,
        EndpointArn: String(r.record['EndpointArn']),
        CreationTime: createdAt(r.seq),
        LastModifiedTime: createdAt(r.seq),
        EndpointStatus: r.record['EndpointStatus'] as 'InService',
      }))
    const { items, ...rest } = page(all, input)
    return { Endpoints: items, ...rest }
  }

  const listTrainingJobsOf = (input: Input<'ListTrainingJobsForHyperParameterTuningJob'>): Output<'ListTrainingJobsForHyperParameterTuningJob'> => {
    const name = String(input.HyperParameterTuningJobName)
    if (!resources.has(key('tuning', name))) throw serviceError('ResourceNotFound', `Amazon SageMaker can't find a tuning job with name ${name}`)
    const { items, ...rest } = page(script.trainingJobsOf?.(name) ?? [], input)
    return { TrainingJobSummaries: structuredClone([...items]), ...rest }
  }

  const invoke = (existing: Resource | undefined, input: Input<'InvokeEndpoint'>): Output<'InvokeEndpoint'> => {
    const name = String(input.EndpointName)
    if (existing === undefined || existing.deleting !== undefined) throw serviceError('ValidationError', `Endpoint ${name} of account 111122223333 not found.`)
    if (existing.record['EndpointStatus'] !== 'InService') throw serviceError('ValidationError', `Endpoint ${name} is not in service (status ${String(existing.record['EndpointStatus'])}).`)
    const config = resources.get(key('config', String(existing.record['EndpointConfigName'])))?.record['ProductionVariants'] as ReadonlyArray<{ VariantName: string }> | undefined
    const variants = (config ?? [{ VariantName: 'AllTraffic' }]).map((v) => v.VariantName)
    if (input.TargetVariant !== undefined && !variants.includes(input.TargetVariant))
      throw serviceError('ValidationError', `Endpoint ${name} does not have target variant ${input.TargetVariant}.`)
    const answer = script.invoke?.(input) ?? { Body: typeof input.Body === 'string' ? new TextEncoder().encode(input.Body) : (input.Body as Uint8Array), ContentType: input.Accept ?? input.ContentType }
    return {
      Body: answer.Body,
      ...(answer.ContentType === undefined ? {} : { ContentType: answer.ContentType }),
      InvokedProductionVariant: input.TargetVariant ?? variants[0],
    } as Output<'InvokeEndpoint'>
  }

  const send = async <K extends OperationName>(op: K, input: Input<K>): Promise<Output<K>> => {
    const n = counts.get(op) ?? 0
    counts.set(op, n + 1)
    calls.push({ op, input: structuredClone(input) })
    script.before?.(op, input)
    if (script.throttle?.(op, n)) throw serviceError('ThrottlingException', 'Rate exceeded')
    if (op === 'ListEndpoints') return listEndpoints(input as Input<'ListEndpoints'>) as Output<K>
    if (op === 'ListTrainingJobsForHyperParameterTuningJob') return listTrainingJobsOf(input as Input<'ListTrainingJobsForHyperParameterTuningJob'>) as Output<K>
    const f = FAMILY[op]
    if (f === undefined) throw serviceError('ValidationException', `scripted backend: ${op} is not scripted`)
    const name = String((input as Record<string, unknown>)[f.nameField])
    const k = key(f.family, name)
    const existing = resources.get(k)
    if (op === 'InvokeEndpoint') return invoke(existing, input as Input<'InvokeEndpoint'>) as Output<K>
    if (op.startsWith('Describe')) {
      if (existing === undefined) throw serviceError('ValidationException', `Could not find ${f.family} "${name}".`)
      if (existing.deleting !== undefined && existing.deleting-- <= 0) {
        resources.delete(k)
        throw serviceError('ValidationException', `Could not find ${f.family} "${name}".`)
      }
      return describe(existing) as Output<K>
    }
    if (op.startsWith('Delete')) {
      if (existing === undefined || existing.deleting !== undefined) throw serviceError('ValidationException', `Could not find ${f.family} "${name}".`)
      // Endpoints take a while to go; configs and models go at once.
      if (f.family === 'endpoint') {
        existing.record['EndpointStatus'] = 'Deleting'
        existing.deleting = script.deletePolls?.(name) ?? 1
      } else resources.delete(k)
      return {} as Output<K>
    }
    if (op.startsWith('Create')) {
      if (existing !== undefined) throw serviceError('ResourceInUse', `Cannot create a duplicate ${f.family} "${name}".`)
      const record: Record<string, unknown> = { ...(input as object), [`${f.nameField.replace(/Name$/, 'Arn')}`]: arn(f.family, name) }
      if (f.status !== undefined) record[f.status] = f.running
      if (f.family === 'training') {
        const out = (input as Input<'CreateTrainingJob'>).OutputDataConfig?.S3OutputPath
        record['ModelArtifacts'] = { S3ModelArtifacts: `${out}/${name}/output/model.tar.gz` }
        record['FinalMetricDataList'] = [{ MetricName: 'validation:auc', Value: 0.9 }]
      }
      if (f.family === 'tuning') record['BestTrainingJob'] = { TrainingJobName: `${name}-001-1a2b3c4d`, TrainingJobArn: arn('training-job', `${name}-001`), FinalHyperParameterTuningJobObjectiveMetric: { MetricName: 'validation:auc', Value: 0.93 }, TunedHyperParameters: { eta: '0.1' } }
      if (f.family === 'transform') record['TransformOutput'] = (input as Input<'CreateTransformJob'>).TransformOutput
      const reason = script.fail?.(name)
      resources.set(k, { family: f.family, name, seq: seq++, pollsLeft: script.polls?.(name) ?? 2, final: reason === undefined ? (f.done ?? '') : 'Failed', record })
      if (isJob(f.family)) {
        concurrent++
        maxConcurrent = Math.max(maxConcurrent, concurrent)
      }
      return { [`${f.nameField.replace(/Name$/, 'Arn')}`]: arn(f.family, name) } as Output<K>
    }
    if (op === 'UpdateEndpoint') {
      if (existing === undefined) throw serviceError('ValidationException', `Could not find endpoint "${name}".`)
      existing.record['EndpointConfigName'] = (input as Input<'UpdateEndpoint'>).EndpointConfigName
      existing.record['EndpointStatus'] = 'Updating'
      existing.final = 'InService'
      existing.pollsLeft = 1
      return {} as Output<K>
    }
    if (op.startsWith('Stop')) {
      if (existing === undefined) throw serviceError('ValidationException', `Could not find ${f.family} "${name}".`)
      const statusField = Object.keys(existing.record).find((x) => x.endsWith('Status'))!
      if (existing.record[statusField] === 'InProgress') {
        existing.record[statusField] = 'Stopped'
        concurrent--
      }
      return {} as Output<K>
    }
    throw serviceError('ValidationException', `scripted backend: ${op} is not scripted`)
  }

  return {
    target: 'local',
    describe: 'a scripted test backend',
    send,
    stageCode: async (a) => {
      staged.push(a)
      return `${a.s3Prefix}/${a.sha256}/sourcedir.tar.gz`
    },
    poll: { initialMs: 1, maxMs: 1 },
    close: async () => undefined,
    calls,
    creates: (op) => calls.filter((c) => (op === undefined ? c.op.startsWith('Create') : c.op === op)),
    maxConcurrent: () => maxConcurrent,
    staged,
    resources,
  }
}

/** A sleep that never waits, for `RunOptions.sleep`. */
export const noSleep = async (_ms: number, signal?: AbortSignal): Promise<void> => {
  if (signal?.aborted) throw new Error('aborted')
  await Promise.resolve()
}
