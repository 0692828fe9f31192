/**
 * The batch-transform engine: input files → records → mini-batches → `invoke` (at most
 * `MaxConcurrentTransforms` at a time) → outputs assembled in input order into
 * `<output>/<input file name>.out`. It knows nothing of containers: `invoke` posts one body to
 * wherever the model serves (a container's `/invocations`, or the gateway).
 *
 * @since 0.2.0
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import {
  applyInputFilter,
  compileDataProcessing,
  formatOf,
  joinAndFilter,
  perRecord,
  splitOutputs,
  type DataProcessing,
  type DataProcessingRequest,
} from './data-processing.js'
import { pack, split, type BatchStrategy, type InputRecord, type MiniBatch, type RecordError, type SplitType } from './records.js'
import { isRoot } from './jsonpath.js'

// -------------------------------------------------------------------------------------
// settings
// -------------------------------------------------------------------------------------

export interface TransformSettings {
  readonly splitType: SplitType
  readonly batchStrategy: BatchStrategy
  readonly maxPayloadInMB: number
  readonly maxConcurrentTransforms: number
  readonly contentType?: string
  readonly accept?: string
  readonly assembleWith: 'None' | 'Line'
  readonly dataProcessing?: DataProcessingRequest
}

/** What `GET /execution-parameters` answers, when the container answers it. */
export interface ExecutionParameters {
  readonly MaxConcurrentTransforms?: number
  readonly BatchStrategy?: 'SINGLE_RECORD' | 'MULTI_RECORD'
  readonly MaxPayloadInMB?: number
}

/** The CreateTransformJob fields the engine reads. */
export interface TransformRequest {
  readonly SplitType?: SplitType
  readonly CompressionType?: string
  readonly ContentType?: string
  readonly BatchStrategy?: BatchStrategy
  readonly MaxPayloadInMB?: number
  readonly MaxConcurrentTransforms?: number
  readonly Accept?: string
  readonly AssembleWith?: 'None' | 'Line'
  readonly DataProcessing?: DataProcessingRequest
}

/**
 * The job's settings: what the request says, else what the container's execution parameters say,
 * else SageMaker's defaults (1 transform at a time, 6 MB, one record per request).
 */
export const resolveSettings = (request: TransformRequest, container: ExecutionParameters | undefined): TransformSettings => ({
  splitType: request.SplitType ?? 'None',
  batchStrategy: request.BatchStrategy ?? (container?.BatchStrategy === 'MULTI_RECORD' ? 'MultiRecord' : container?.BatchStrategy === 'SINGLE_RECORD' ? 'SingleRecord' : 'SingleRecord'),
  maxPayloadInMB: request.MaxPayloadInMB ?? container?.MaxPayloadInMB ?? 6,
  maxConcurrentTransforms: Math.max(1, request.MaxConcurrentTransforms ?? container?.MaxConcurrentTransforms ?? 1),
  assembleWith: request.AssembleWith ?? 'None',
  ...(request.ContentType === undefined ? {} : { contentType: request.ContentType }),
  ...(request.Accept === undefined ? {} : { accept: request.Accept }),
  ...(request.DataProcessing === undefined ? {} : { dataProcessing: request.DataProcessing }),
})

/** The environment SageMaker gives a model container that serves a transform job. */
export const transformEnvironment = (s: TransformSettings): Readonly<Record<string, string>> => ({
  SAGEMAKER_BATCH: 'true',
  SAGEMAKER_MAX_PAYLOAD_IN_MB: String(s.maxPayloadInMB),
  SAGEMAKER_BATCH_STRATEGY: s.batchStrategy === 'MultiRecord' ? 'MULTI_RECORD' : 'SINGLE_RECORD',
  SAGEMAKER_MAX_CONCURRENT_TRANSFORMS: String(s.maxConcurrentTransforms),
})

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

/** Where in an input file: its records (0-based) and, for Line splits, its lines (1-based). */
export interface Position {
  readonly file: string
  readonly firstRecord: number
  readonly lastRecord: number
  readonly firstLine?: number
  readonly lastLine?: number
}

export type TransformError =
  | { readonly _tag: 'BadSettings'; readonly message: string }
  | { readonly _tag: 'BadInput'; readonly file: string; readonly message: string }
  | { readonly _tag: 'RecordTooLarge'; readonly at: Position; readonly size: number; readonly limit: number }
  | { readonly _tag: 'RecordFailed'; readonly at: Position; readonly message: string }
  | { readonly _tag: 'ModelFailed'; readonly at: Position; readonly status: number; readonly message: string }
  | { readonly _tag: 'Stopped' }

const where = (p: Position): string => {
  const records = p.firstRecord === p.lastRecord ? `record ${p.firstRecord + 1}` : `records ${p.firstRecord + 1}–${p.lastRecord + 1}`
  const lines = p.firstLine === undefined ? '' : p.firstLine === p.lastLine ? ` (line ${p.firstLine})` : ` (lines ${p.firstLine}–${p.lastLine})`
  return `${records}${lines} of ${p.file}`
}

const describeError: { readonly [K in TransformError['_tag']]: (e: Extract<TransformError, { _tag: K }>) => string } = {
  BadSettings: (e) => e.message,
  BadInput: (e) => `${e.file}: ${e.message}`,
  RecordTooLarge: (e) => `${where(e.at)} is ${e.size} bytes, more than MaxPayloadInMB allows (${e.limit} bytes); raise MaxPayloadInMB or split the input`,
  RecordFailed: (e) => `${where(e.at)}: ${e.message}`,
  ModelFailed: (e) => `the model failed on ${where(e.at)} with status ${e.status}: ${e.message}`,
  Stopped: () => 'stopped (StopTransformJob)',
}

export const describeTransformError = (e: TransformError): string => (describeError[e._tag] as (e: TransformError) => string)(e)

const positionOf = (file: string, records: ReadonlyArray<InputRecord>): Position => {
  const first = records[0]!
  const last = records.at(-1)!
  return {
    file,
    firstRecord: first.index,
    lastRecord: last.index,
    ...(first.line === undefined ? {} : { firstLine: first.line, lastLine: last.line! }),
  }
}

// -------------------------------------------------------------------------------------
// the model
// -------------------------------------------------------------------------------------

export type Invocation =
  | { readonly _tag: 'Answered'; readonly body: Buffer; readonly contentType?: string }
  | { readonly _tag: 'Failed'; readonly status: number; readonly message: string }

/** Post one mini-batch to the model. */
export type Invoke = (body: Buffer, contentType: string | undefined, accept: string | undefined) => Promise<Invocation>

// -------------------------------------------------------------------------------------
// one file
// -------------------------------------------------------------------------------------

interface Prepared {
  readonly batches: ReadonlyArray<MiniBatch>
  /** The unfiltered record for each record index (joins use what the input had). */
  readonly originals: ReadonlyArray<InputRecord>
}

const recordError = (file: string) => (e: RecordError): TransformError =>
  e._tag === 'RecordTooLarge'
    ? { _tag: 'RecordTooLarge', at: positionOf(file, [e.record]), size: e.size, limit: e.limit }
    : { _tag: 'BadInput', file, message: e.message }

/** Records, input-filtered, packed: everything before the model, pure. */
export const prepare =
  (s: TransformSettings, dp: DataProcessing | undefined) =>
  (file: string, input: Buffer): Either<TransformError, Prepared> => {
    const records = split(s.splitType)(input)
    if (E.isLeft(records)) return E.left(recordError(file)(records.left))
    // Without an input filter the records go as they are (no pass over 100,000 of them for nothing).
    let filtered = records.right
    if (dp !== undefined && !isRoot(dp.inputFilter)) {
      const filter = applyInputFilter(dp, formatOf(s.contentType))
      const out: InputRecord[] = []
      for (const r of records.right) {
        const f = filter(r.bytes)
        if (E.isLeft(f)) return E.left({ _tag: 'RecordFailed', at: positionOf(file, [r]), message: `InputFilter: ${f.left}` })
        // A new record, not a spread: a line's bytes are a getter, which a spread would not carry.
        out.push({ index: r.index, ...(r.line === undefined ? {} : { line: r.line }), bytes: f.right })
      }
      filtered = out
    }
    const batches = pack(s.batchStrategy, Math.floor(s.maxPayloadInMB * 1024 * 1024))(filtered)
    if (E.isLeft(batches)) return E.left(recordError(file)(batches.left))
    return E.right({ batches: batches.right, originals: records.right })
  }

/** What one answered mini-batch contributes to the `.out` file, pure. */
export const assemble =
  (s: TransformSettings, dp: DataProcessing | undefined) =>
  (file: string, prepared: Prepared, batch: MiniBatch, answer: Buffer): Either<TransformError, Buffer> => {
    if (!perRecord(dp)) {
      if (s.assembleWith === 'None') return E.right(answer)
      return E.right(answer.length > 0 && answer[answer.length - 1] === 0x0a ? answer : Buffer.concat([answer, Buffer.from('\n')]))
    }
    const outputs = splitOutputs(answer, batch.records.length, formatOf(s.accept))
    if (E.isLeft(outputs)) return E.left({ _tag: 'RecordFailed', at: positionOf(file, batch.records), message: outputs.left })
    const step = joinAndFilter(dp!, formatOf(s.contentType), formatOf(s.accept))
    const lines: string[] = []
    for (const [i, r] of batch.records.entries()) {
      const line = step(prepared.originals[r.index]!.bytes, outputs.right[i]!)
      if (E.isLeft(line)) return E.left({ _tag: 'RecordFailed', at: positionOf(file, [r]), message: line.left })
      lines.push(line.right + '\n')
    }
    return E.right(Buffer.from(lines.join('')))
  }

/** Run `tasks` with at most `limit` at once; results in task order; the first Left stops new starts. */
const boundedInOrder = async <A>(
  tasks: ReadonlyArray<() => Promise<Either<TransformError, A>>>,
  limit: number,
  signal: AbortSignal | undefined,
): Promise<Either<TransformError, A[]>> => {
  const results: A[] = new Array<A>(tasks.length)
  let next = 0
  let failure: { index: number; error: TransformError } | undefined
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < tasks.length) {
      if (signal?.aborted === true) {
        failure = { index: -1, error: { _tag: 'Stopped' } }
        return
      }
      const i = next++
      const r = await tasks[i]!()
      if (E.isLeft(r)) {
        // Report the earliest failing batch in input order, whichever finished first.
        const earlier = failure as { index: number } | undefined // set by another worker meanwhile
        if (earlier === undefined || i < earlier.index) failure = { index: i, error: r.left }
      } else results[i] = r.right
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker))
  return failure === undefined ? E.right(results) : E.left(failure.error)
}

/** Transform one file's bytes into its `.out` bytes. */
export const transformBytes =
  (s: TransformSettings, invoke: Invoke, signal?: AbortSignal) =>
  async (file: string, input: Buffer): Promise<Either<TransformError, Buffer>> => {
    const dp = compileDataProcessing(s.dataProcessing)
    if (E.isLeft(dp)) return E.left({ _tag: 'BadSettings', message: dp.left })
    const prepared = prepare(s, dp.right)(file, input)
    if (E.isLeft(prepared)) return prepared
    const tasks = prepared.right.batches.map((batch) => async (): Promise<Either<TransformError, Buffer>> => {
      let answer: Invocation
      try {
        answer = await invoke(batch.body, s.contentType, s.accept)
      } catch (e) {
        answer = { _tag: 'Failed', status: 0, message: (e as Error).message }
      }
      if (answer._tag === 'Failed') return E.left({ _tag: 'ModelFailed', at: positionOf(file, batch.records), status: answer.status, message: answer.message })
      return assemble(s, dp.right)(file, prepared.right, batch, answer.body)
    })
    return E.map((chunks: Buffer[]) => Buffer.concat(chunks))(await boundedInOrder(tasks, s.maxConcurrentTransforms, signal))
  }

// -------------------------------------------------------------------------------------
// files
// -------------------------------------------------------------------------------------

export interface InputFile {
  /** The path relative to the input prefix: the `.out` file goes to the same place under the output. */
  readonly name: string
  readonly path: string
}

export interface FileResult {
  readonly input: string
  readonly output: string
  readonly bytes: number
}

/** Transform every file into `<outputDir>/<name>.out`; stops at the first failing file, or when `signal` aborts. */
export const runTransform = async (
  s: TransformSettings,
  invoke: Invoke,
  inputs: ReadonlyArray<InputFile>,
  outputDir: string,
  signal?: AbortSignal,
): Promise<Either<TransformError, ReadonlyArray<FileResult>>> => {
  const done: FileResult[] = []
  for (const f of inputs) {
    if (signal?.aborted === true) return E.left({ _tag: 'Stopped' })
    let bytes: Buffer
    try {
      bytes = readFileSync(f.path)
    } catch (e) {
      return E.left({ _tag: 'BadInput', file: f.name, message: `cannot read ${f.path} (${(e as Error).message})` })
    }
    const out = await transformBytes(s, invoke, signal)(f.name, bytes)
    if (E.isLeft(out)) return out
    const target = join(outputDir, `${f.name}.out`)
    mkdirSync(dirname(target), { recursive: true })
    // Whole or absent: a reader never sees half an output file.
    const tmp = `${target}.${process.pid}.tmp`
    writeFileSync(tmp, out.right)
    renameSync(tmp, target)
    done.push({ input: f.path, output: target, bytes: out.right.length })
  }
  return E.right(done)
}
