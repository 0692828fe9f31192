/**
 * `DataProcessing` of a transform job, pure: the input filter applied to each record before it is
 * sent, then each prediction joined with its input record (`JoinSource: Input`) and the output
 * filter applied to the joined record — CSV rows seen as arrays of fields, JSON (Lines) records as
 * JSON values, as SageMaker's guide "Associate Prediction Results with Input Records" describes.
 *
 * CSV fields are kept as written (quotes included), so what a filter keeps is byte for byte what
 * the input had.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import { isRoot, parse, select, type Path } from './jsonpath.js'

export type Format = 'csv' | 'json'

/** The record format a content type names; undefined for the others (no filter applies to them). */
export const formatOf = (contentType: string | undefined): Format | undefined => {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (media === 'text/csv') return 'csv'
  if (media === 'application/json' || media === 'application/jsonlines' || media === 'application/x-jsonlines') return 'json'
  return undefined
}

export interface DataProcessingRequest {
  readonly InputFilter?: string
  readonly JoinSource?: 'Input' | 'None' | string
  readonly OutputFilter?: string
}

export interface DataProcessing {
  readonly inputFilter: Path
  readonly join: boolean
  readonly outputFilter: Path
}

/** Check the filters; undefined when they change nothing (`$`, no join, `$`). */
export const compileDataProcessing = (dp: DataProcessingRequest | undefined): Either<string, DataProcessing | undefined> => {
  if (dp === undefined) return E.right(undefined)
  if (dp.JoinSource !== undefined && dp.JoinSource !== 'Input' && dp.JoinSource !== 'None') return E.left(`JoinSource must be Input or None, got "${dp.JoinSource}"`)
  const input = parse(dp.InputFilter === undefined || dp.InputFilter === '' ? '$' : dp.InputFilter)
  if (E.isLeft(input)) return E.left(`InputFilter: ${input.left}`)
  const output = parse(dp.OutputFilter === undefined || dp.OutputFilter === '' ? '$' : dp.OutputFilter)
  if (E.isLeft(output)) return E.left(`OutputFilter: ${output.left}`)
  const join = dp.JoinSource === 'Input'
  return isRoot(input.right) && !join && isRoot(output.right) ? E.right(undefined) : E.right({ inputFilter: input.right, join, outputFilter: output.right })
}

/** Per-record outputs are needed to join or to filter what the model answered. */
export const perRecord = (dp: DataProcessing | undefined): boolean => dp !== undefined && (dp.join || !isRoot(dp.outputFilter))

// -------------------------------------------------------------------------------------
// CSV fields as written
// -------------------------------------------------------------------------------------

/** The fields of one CSV row (RFC 4180), each exactly as written, quotes included. */
export const csvFields = (row: string): ReadonlyArray<string> => {
  const fields: string[] = []
  let start = 0
  let quoted = false
  for (let i = 0; i < row.length; i++) {
    const ch = row[i]
    if (ch === '"') quoted = !quoted // "" inside quotes toggles twice: still quoted
    else if (ch === ',' && !quoted) {
      fields.push(row.slice(start, i))
      start = i + 1
    }
  }
  fields.push(row.slice(start))
  return fields
}

const csvQuote = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text)

const stripEnding = (text: string): string => text.replace(/\r?\n$/, '')

const readValue = (format: Format | undefined, text: string): Either<string, unknown> => {
  if (format === 'csv') return E.right(csvFields(stripEnding(text)))
  if (format === 'json') {
    try {
      return E.right(JSON.parse(text) as unknown)
    } catch (e) {
      return E.left(`not JSON: ${(e as Error).message}`)
    }
  }
  return E.right(stripEnding(text))
}

/** A selected value back to text: CSV fields joined (non-text values as quoted JSON), or JSON. */
const render = (format: Format | undefined, value: unknown): string => {
  if (format === 'json') return JSON.stringify(value)
  const field = (v: unknown): string => (typeof v === 'string' ? v : csvQuote(JSON.stringify(v)))
  if (format === 'csv') return Array.isArray(value) ? value.map(field).join(',') : field(value)
  return typeof value === 'string' ? value : JSON.stringify(value)
}

// -------------------------------------------------------------------------------------
// the three steps
// -------------------------------------------------------------------------------------

/** The record as the model should see it; `$` leaves its bytes alone. */
export const applyInputFilter =
  (dp: DataProcessing | undefined, format: Format | undefined) =>
  (record: Buffer): Either<string, Buffer> => {
    if (dp === undefined || isRoot(dp.inputFilter)) return E.right(record)
    if (format === undefined) return E.left('an InputFilter needs text/csv or JSON records (ContentType)')
    const text = record.toString('utf8')
    const ending = /\r?\n$/.exec(text)?.[0] ?? ''
    return E.map((v: unknown) => Buffer.from(render(format, v) + ending))(E.flatMap(readValue(format, text), select(dp.inputFilter)))
  }

/**
 * The predictions of one mini-batch, one per record: its lines, or the elements of a JSON array
 * answer when those match the record count.
 */
export const splitOutputs = (body: Buffer, count: number, accept: Format | undefined): Either<string, ReadonlyArray<string>> => {
  const text = body.toString('utf8')
  if (count === 1) return E.right([stripEnding(text)])
  const lines = stripEnding(text).split(/\r?\n/)
  if (lines.length === count) return E.right(lines)
  if (accept === 'json') {
    try {
      const v = JSON.parse(text) as unknown
      if (Array.isArray(v) && v.length === count) return E.right(v.map((x) => JSON.stringify(x)))
    } catch {
      // Not one JSON array either: reported below.
    }
  }
  return E.left(`the model answered ${lines.length} lines for ${count} records; to join or filter outputs, answer one line per record`)
}

/** One output line: the prediction joined with its original input record, then output-filtered. */
export const joinAndFilter =
  (dp: DataProcessing, input: Format | undefined, output: Format | undefined) =>
  (record: Buffer, prediction: string): Either<string, string> => {
    const predicted = readValue(output, prediction)
    if (E.isLeft(predicted)) return E.left(`the prediction is ${predicted.left}`)
    if (!dp.join) return E.map((v: unknown) => render(output, v))(select(dp.outputFilter)(predicted.right))
    if (input === undefined) return E.left('JoinSource Input needs text/csv or JSON records (ContentType)')
    const original = readValue(input, record.toString('utf8'))
    if (E.isLeft(original)) return E.left(`the input record is ${original.left}`)
    const joined =
      input === 'csv'
        ? [...(original.right as ReadonlyArray<string>), ...(Array.isArray(predicted.right) ? (predicted.right as unknown[]) : [predicted.right])]
        : typeof original.right === 'object' && original.right !== null && !Array.isArray(original.right)
          ? { ...(original.right as Record<string, unknown>), SageMakerOutput: predicted.right }
          : { SageMakerInput: original.right, SageMakerOutput: predicted.right }
    return E.map((v: unknown) => render(input, v))(select(dp.outputFilter)(joined))
  }
