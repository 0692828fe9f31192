/**
 * Batch transform's records and mini-batches, pure: an input file split by `SplitType`, then packed
 * into request bodies by `BatchStrategy` within `MaxPayloadInMB`.
 *
 * A `Line` record keeps its line ending, so a MultiRecord mini-batch is the file's own bytes for
 * those lines (empty lines are not records). A `RecordIO` record keeps its framing, so a mini-batch
 * is still a RecordIO stream. `None` makes the whole file one record.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import { frame, unframe } from '../../frameworks/recordio.js'

export type SplitType = 'None' | 'Line' | 'RecordIO' | 'TFRecord'
export type BatchStrategy = 'SingleRecord' | 'MultiRecord'

export interface InputRecord {
  /** 0-based position among the file's records. */
  readonly index: number
  /** 1-based line of a `Line` record. */
  readonly line?: number
  readonly bytes: Buffer
}

/**
 * A line of a file, its bytes made only when read: 100,000 lines packed into a few MultiRecord
 * bodies need their offsets, not 100,000 Buffer views (half the engine's time went to making and
 * collecting them).
 */
class LineRecord implements InputRecord {
  constructor(
    readonly index: number,
    readonly line: number,
    readonly source: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}
  get bytes(): Buffer {
    return this.source.subarray(this.start, this.end)
  }
}

const sizeOf = (r: InputRecord): number => (r instanceof LineRecord ? r.end - r.start : r.bytes.length)

export interface MiniBatch {
  readonly records: ReadonlyArray<InputRecord>
  readonly body: Buffer
}

export type RecordError =
  | { readonly _tag: 'BadRecordIO'; readonly message: string }
  | { readonly _tag: 'Unsupported'; readonly message: string }
  | { readonly _tag: 'RecordTooLarge'; readonly record: InputRecord; readonly size: number; readonly limit: number }

const lines = (input: Buffer): ReadonlyArray<InputRecord> => {
  const out: InputRecord[] = []
  let start = 0
  let line = 1
  while (start < input.length) {
    const nl = input.indexOf(0x0a, start)
    const end = nl < 0 ? input.length : nl + 1
    const length = (nl < 0 ? end : nl) - start
    // "\r\n" and "\n" alike: a line with nothing but its ending is no record.
    const blank = length === 0 || (length === 1 && input[start] === 0x0d)
    if (!blank) out.push(new LineRecord(out.length, line, input, start, end))
    start = end
    line += 1
  }
  return out
}

const splitters: { readonly [K in SplitType]: (input: Buffer) => Either<RecordError, ReadonlyArray<InputRecord>> } = {
  None: (input) => E.right(input.length === 0 ? [] : [{ index: 0, bytes: input }]),
  Line: (input) => E.right(lines(input)),
  RecordIO: (input) =>
    E.bimap(
      (e: { message: string }): RecordError => ({ _tag: 'BadRecordIO', message: e.message }),
      (payloads: Uint8Array[]) => payloads.map((p, index) => ({ index, bytes: Buffer.from(frame([p])) })),
    )(unframe(input)),
  TFRecord: () => E.left({ _tag: 'Unsupported', message: 'SplitType TFRecord is not supported by local batch transform; use Line, RecordIO or None' }),
}

export const split =
  (splitType: SplitType) =>
  (input: Buffer): Either<RecordError, ReadonlyArray<InputRecord>> =>
    splitters[splitType](input)

/**
 * Pack records into request bodies: one per record (SingleRecord), or as many consecutive records
 * as fit in `maxPayloadBytes` (MultiRecord). A record larger than the limit alone is an error, as
 * in the cloud. A limit of 0 means no limit.
 */
export const pack =
  (strategy: BatchStrategy, maxPayloadBytes: number) =>
  (records: ReadonlyArray<InputRecord>): Either<RecordError, ReadonlyArray<MiniBatch>> => {
    const limit = maxPayloadBytes > 0 ? maxPayloadBytes : Infinity
    const batches: MiniBatch[] = []
    let current: InputRecord[] = []
    let size = 0
    // Lines that follow each other in their file make a body without a copy: one view of the file.
    let adjacent = true
    const body = (): Buffer => {
      const first = current[0]!
      if (current.length === 1) return first.bytes
      return adjacent && first instanceof LineRecord ? first.source.subarray(first.start, first.start + size) : Buffer.concat(current.map((r) => r.bytes))
    }
    const flush = (): void => {
      if (current.length > 0) batches.push({ records: current, body: body() })
      current = []
      size = 0
      adjacent = true
    }
    for (const r of records) {
      const n = sizeOf(r)
      if (n > limit) return E.left({ _tag: 'RecordTooLarge', record: r, size: n, limit })
      if (strategy === 'SingleRecord' || size + n > limit) flush()
      const previous = current.at(-1)
      if (previous !== undefined && !(previous instanceof LineRecord && r instanceof LineRecord && previous.source === r.source && previous.end === r.start)) adjacent = false
      current.push(r)
      size += n
    }
    flush()
    return E.right(batches)
  }
