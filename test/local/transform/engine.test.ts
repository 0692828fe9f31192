import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { frame } from '../../../src/frameworks/recordio.js'
import {
  describeTransformError,
  resolveSettings,
  transformBytes,
  transformEnvironment,
  type Invoke,
  type TransformRequest,
} from '../../../src/local/transform/engine.js'
import { split } from '../../../src/local/transform/records.js'

/** A fake model that records each body it gets and answers with `answer(body)`. */
const model = (answer: (body: string) => string) => {
  const bodies: string[] = []
  const invoke: Invoke = async (body) => {
    bodies.push(body.toString('latin1'))
    return { _tag: 'Answered', body: Buffer.from(answer(body.toString('latin1')), 'latin1') }
  }
  return { bodies, invoke }
}

/** Sum the numbers of each CSV line: one answer line per input line. */
const sums = (body: string): string =>
  body
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => String(l.split(',').reduce((n, x) => n + Number(x), 0)))
    .join('\n') + '\n'

const run = async (request: TransformRequest, input: string | Buffer, answer: (body: string) => string = sums) => {
  const m = model(answer)
  const out = await transformBytes(resolveSettings(request, undefined), m.invoke)('in/data.csv', Buffer.isBuffer(input) ? input : Buffer.from(input))
  return { out: E.isRight(out) ? out.right.toString('latin1') : { error: describeTransformError(out.left) }, bodies: m.bodies }
}

const csv = '1,2\n3,4\n\n5,6\n' // an empty line is no record

describe('SplitType × BatchStrategy', () => {
  it('Line × SingleRecord: one request per line, line ending kept', async () => {
    const r = await run({ SplitType: 'Line', BatchStrategy: 'SingleRecord', ContentType: 'text/csv', AssembleWith: 'Line' }, csv)
    expect(r.bodies).toEqual(['1,2\n', '3,4\n', '5,6\n'])
    expect(r.out).toBe('3\n7\n11\n')
  })

  it('Line × MultiRecord: the lines packed into one request within the payload limit', async () => {
    const r = await run({ SplitType: 'Line', BatchStrategy: 'MultiRecord', ContentType: 'text/csv', AssembleWith: 'Line' }, csv)
    expect(r.bodies).toEqual(['1,2\n3,4\n5,6\n'])
    expect(r.out).toBe('3\n7\n11\n')
  })

  it('None × either strategy: the whole file is one record', async () => {
    for (const BatchStrategy of ['SingleRecord', 'MultiRecord'] as const) {
      const r = await run({ SplitType: 'None', BatchStrategy, ContentType: 'text/csv', AssembleWith: 'None' }, csv)
      expect(r.bodies).toEqual([csv])
      expect(r.out).toBe('3\n7\n11\n')
    }
  })

  it('RecordIO × SingleRecord and × MultiRecord: framed records, framing kept in each request', async () => {
    const payloads = ['a', 'bcd', 'efghi'].map((s) => Buffer.from(s))
    const file = Buffer.from(frame(payloads))
    const countRecords = (body: string): string => `${E.getOrElse(() => [] as unknown[])(split('RecordIO')(Buffer.from(body, 'latin1')) as E.Either<unknown, unknown[]>).length};`
    const single = await run({ SplitType: 'RecordIO', BatchStrategy: 'SingleRecord', AssembleWith: 'None' }, file, countRecords)
    expect(single.bodies).toEqual(payloads.map((p) => Buffer.from(frame([p])).toString('latin1')))
    expect(single.out).toBe('1;1;1;')
    const multi = await run({ SplitType: 'RecordIO', BatchStrategy: 'MultiRecord', AssembleWith: 'None' }, file, countRecords)
    expect(multi.bodies).toEqual([file.toString('latin1')])
    expect(multi.out).toBe('3;')
  })

  it('TFRecord is refused with a reason', async () => {
    const r = await run({ SplitType: 'TFRecord' }, 'x')
    expect(r.out).toEqual({ error: 'in/data.csv: SplitType TFRecord is not supported by local batch transform; use Line, RecordIO or None' })
  })
})

describe('MaxPayloadInMB', () => {
  const line = (n: number, fill: string): string => fill.repeat(n - 1) + '\n'
  // Three 400 KiB lines and a 6 MB limit: all in one; a 1 MB limit: two, then one.
  const big = line(400 * 1024, '1') + line(400 * 1024, '2') + line(400 * 1024, '3')
  const echoCount = (b: string): string => `${b.split('\n').length - 1}\n`

  it('packs as many whole records as fit, never splitting one', async () => {
    const six = await run({ SplitType: 'Line', BatchStrategy: 'MultiRecord', AssembleWith: 'Line' }, big, echoCount)
    expect(six.bodies.map((b) => b.length)).toEqual([3 * 400 * 1024])
    const one = await run({ SplitType: 'Line', BatchStrategy: 'MultiRecord', MaxPayloadInMB: 1, AssembleWith: 'Line' }, big, echoCount)
    expect(one.bodies.map((b) => b.length)).toEqual([2 * 400 * 1024, 400 * 1024])
    expect(one.out).toBe('2\n1\n')
  })

  it('counts bytes, not characters, and a batch may fill the limit exactly', async () => {
    const mb = 1024 * 1024
    // The first line is half a megabyte of two-byte characters: as many bytes as the second line.
    const input = Buffer.concat([Buffer.from('é'.repeat((mb / 2 - 2) / 2) + 'x\n', 'utf8'), Buffer.from('y'.repeat(mb / 2 - 1) + '\n'), Buffer.from('z\n')])
    const m = model(echoCount)
    const out = await transformBytes(resolveSettings({ SplitType: 'Line', BatchStrategy: 'MultiRecord', MaxPayloadInMB: 1, AssembleWith: 'Line' }, undefined), m.invoke)('f', input)
    expect(E.isRight(out)).toBe(true)
    expect(m.bodies.map((b) => b.length)).toEqual([mb, 2])
  })

  it('refuses a record larger than the limit, naming its file and line', async () => {
    const r = await run({ SplitType: 'Line', BatchStrategy: 'SingleRecord', MaxPayloadInMB: 1 }, '1\n' + line(1024 * 1024 + 1, '9'))
    expect(r.out).toEqual({ error: 'record 2 (line 2) of in/data.csv is 1048577 bytes, more than MaxPayloadInMB allows (1048576 bytes); raise MaxPayloadInMB or split the input' })
    expect(r.bodies).toEqual([])
  })
})

describe('MaxConcurrentTransforms', () => {
  it('keeps that many requests in flight and writes the answers in input order, whatever order they come back in', async () => {
    let inFlight = 0
    let most = 0
    const waiting: Array<() => void> = []
    const invoke: Invoke = async (body) => {
      inFlight += 1
      most = Math.max(most, inFlight)
      // Hold every request until three are waiting, then release them last-first.
      await new Promise<void>((resolve) => {
        waiting.push(resolve)
        if (waiting.length === 3 || body.toString() === '7\n') for (const w of waiting.splice(0).reverse()) w()
      })
      inFlight -= 1
      return { _tag: 'Answered', body: Buffer.from(`r${body.toString().trim()}`) }
    }
    const input = '1\n2\n3\n4\n5\n6\n7\n'
    const out = await transformBytes(resolveSettings({ SplitType: 'Line', BatchStrategy: 'SingleRecord', MaxConcurrentTransforms: 3, AssembleWith: 'Line' }, undefined), invoke)('f', Buffer.from(input))
    expect(E.isRight(out) && out.right.toString()).toBe('r1\nr2\nr3\nr4\nr5\nr6\nr7\n')
    expect(most).toBe(3)
  })
})

describe('AssembleWith and Accept', () => {
  it('Line ends each answer with a newline when it has none; None concatenates answers as they are', async () => {
    const answer = (b: string): string => `<${b.trim()}>`
    const line = await run({ SplitType: 'Line', BatchStrategy: 'SingleRecord', AssembleWith: 'Line' }, 'a\nb\n', answer)
    expect(line.out).toBe('<a>\n<b>\n')
    const none = await run({ SplitType: 'Line', BatchStrategy: 'SingleRecord', AssembleWith: 'None' }, 'a\nb\n', answer)
    expect(none.out).toBe('<a><b>')
  })

  it('passes ContentType and Accept with every request', async () => {
    const seen: string[] = []
    const invoke: Invoke = async (body, ct, accept) => {
      seen.push(`${ct} ${accept}`)
      return { _tag: 'Answered', body }
    }
    await transformBytes(resolveSettings({ SplitType: 'Line', ContentType: 'text/csv', Accept: 'application/jsonlines' }, undefined), invoke)('f', Buffer.from('1\n2\n'))
    expect(seen).toEqual(['text/csv application/jsonlines', 'text/csv application/jsonlines'])
  })
})

describe('DataProcessing, on the guide’s examples', () => {
  it('CSV: InputFilter $[1:] drops the ID column, JoinSource Input appends the prediction to the whole input row', async () => {
    const r = await run(
      { SplitType: 'Line', BatchStrategy: 'MultiRecord', ContentType: 'text/csv', Accept: 'text/csv', AssembleWith: 'Line', DataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$' } },
      'id1,1,2,3\nid2,4,5,6\n',
    )
    expect(r.bodies).toEqual(['1,2,3\n4,5,6\n'])
    expect(r.out).toBe('id1,1,2,3,6\nid2,4,5,6,15\n')
  })

  it('CSV: the record [1,2,3] with the label [1] gives [1,2,3,1]; OutputFilter $[0,-1] keeps the ID and the prediction', async () => {
    const label = (b: string): string => b.split('\n').filter(Boolean).map(() => '1').join('\n') + '\n'
    const joined = await run({ SplitType: 'Line', ContentType: 'text/csv', Accept: 'text/csv', AssembleWith: 'Line', DataProcessing: { JoinSource: 'Input' } }, '1,2,3\n', label)
    expect(joined.out).toBe('1,2,3,1\n')
    const kept = await run(
      { SplitType: 'Line', ContentType: 'text/csv', Accept: 'text/csv', AssembleWith: 'Line', DataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' } },
      'a,"x,y",2\nb,"z",4\n',
      (b) => `${b.trim().length}\n`,
    )
    // Quoted fields reach the model and the output exactly as written.
    expect(kept.bodies).toEqual(['"x,y",2\n', '"z",4\n'])
    expect(kept.out).toBe('a,7\nb,5\n')
  })

  it('JSON: {"key":1} with the result {"label":1} gives {"key":1,"SageMakerOutput":{"label":1}}', async () => {
    const r = await run({ SplitType: 'Line', ContentType: 'application/jsonlines', Accept: 'application/jsonlines', AssembleWith: 'Line', DataProcessing: { JoinSource: 'Input' } }, '{"key":1}\n', () => '{"label":1}\n')
    expect(r.out).toBe('{"key":1,"SageMakerOutput":{"label":1}}\n')
  })

  it('JSON: a record that is not an object is joined under SageMakerInput', async () => {
    const r = await run({ SplitType: 'Line', ContentType: 'application/jsonlines', Accept: 'application/json', AssembleWith: 'Line', DataProcessing: { JoinSource: 'Input' } }, '[1,2]\n', () => '0.5')
    expect(r.out).toBe('{"SageMakerInput":[1,2],"SageMakerOutput":0.5}\n')
  })

  it("JSON: InputFilter $.features, OutputFilter $['id','SageMakerOutput'] keeps the ID with the prediction", async () => {
    const r = await run(
      {
        SplitType: 'Line',
        BatchStrategy: 'MultiRecord',
        ContentType: 'application/jsonlines',
        Accept: 'application/jsonlines',
        AssembleWith: 'Line',
        DataProcessing: { InputFilter: '$.features', JoinSource: 'Input', OutputFilter: "$['id','SageMakerOutput']" },
      },
      '{"id":"r1","features":[1,2],"note":"x"}\n{"id":"r2","features":[3,4],"note":"y"}\n',
      (b) => b.split('\n').filter(Boolean).map((l) => JSON.stringify({ score: (JSON.parse(l) as number[]).reduce((a, c) => a + c, 0) })).join('\n'),
    )
    expect(r.bodies).toEqual(['[1,2]\n[3,4]\n'])
    expect(r.out).toBe('{"id":"r1","SageMakerOutput":{"score":3}}\n{"id":"r2","SageMakerOutput":{"score":7}}\n')
  })

  it('OutputFilter without a join filters the prediction itself', async () => {
    const r = await run({ SplitType: 'Line', ContentType: 'text/csv', Accept: 'text/csv', AssembleWith: 'Line', DataProcessing: { OutputFilter: '$[1]' } }, '1\n2\n', (b) => `p,${b.trim()},q\n`)
    expect(r.out).toBe('1\n2\n')
  })

  it('a model that answers a different number of lines than it got records cannot be joined: file and records named', async () => {
    const r = await run({ SplitType: 'Line', BatchStrategy: 'MultiRecord', ContentType: 'text/csv', Accept: 'text/csv', DataProcessing: { JoinSource: 'Input' } }, '1\n2\n3\n', () => 'only one\n')
    expect(r.out).toEqual({ error: 'records 1–3 (lines 1–3) of in/data.csv: the model answered 1 lines for 3 records; to join or filter outputs, answer one line per record' })
  })

  it('an InputFilter index outside a row names the record', async () => {
    const r = await run({ SplitType: 'Line', ContentType: 'text/csv', DataProcessing: { InputFilter: '$[3]' } }, '1,2,3,4\n1,2\n')
    expect(r.out).toEqual({ error: 'record 2 (line 2) of in/data.csv: InputFilter: $[3]: index 3 is outside the 2 elements' })
  })
})

describe('failures and settings', () => {
  it('a record the model fails on is reported with its file and position, and nothing after it is sent', async () => {
    const bodies: string[] = []
    const invoke: Invoke = async (body) => {
      bodies.push(body.toString())
      return body.toString().includes('bad') ? { _tag: 'Failed', status: 400, message: 'cannot parse "bad"' } : { _tag: 'Answered', body }
    }
    const out = await transformBytes(resolveSettings({ SplitType: 'Line', BatchStrategy: 'SingleRecord' }, undefined), invoke)('in/a.csv', Buffer.from('1\n2\nbad\n4\n5\n'))
    expect(E.isLeft(out) && describeTransformError(out.left)).toBe('the model failed on record 3 (line 3) of in/a.csv with status 400: cannot parse "bad"')
    expect(bodies).toEqual(['1\n', '2\n', 'bad\n'])
  })

  it('the request wins over the execution parameters, which win over the defaults', () => {
    const container = { MaxConcurrentTransforms: 4, BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 2 } as const
    expect(resolveSettings({}, undefined)).toMatchObject({ splitType: 'None', batchStrategy: 'SingleRecord', maxPayloadInMB: 6, maxConcurrentTransforms: 1, assembleWith: 'None' })
    expect(resolveSettings({}, container)).toMatchObject({ batchStrategy: 'MultiRecord', maxPayloadInMB: 2, maxConcurrentTransforms: 4 })
    expect(resolveSettings({ BatchStrategy: 'SingleRecord', MaxPayloadInMB: 1, MaxConcurrentTransforms: 2 }, container)).toMatchObject({ batchStrategy: 'SingleRecord', maxPayloadInMB: 1, maxConcurrentTransforms: 2 })
    expect(transformEnvironment(resolveSettings({}, container))).toEqual({
      SAGEMAKER_BATCH: 'true',
      SAGEMAKER_MAX_PAYLOAD_IN_MB: '2',
      SAGEMAKER_BATCH_STRATEGY: 'MULTI_RECORD',
      SAGEMAKER_MAX_CONCURRENT_TRANSFORMS: '4',
    })
  })
})
