/**
 * RecordSets end to end: a matrix becomes shards, a manifest, uploads and a ManifestFile /
 * ShardedByS3Key channel that a preset turns into the CreateTrainingJob request; predictions come back
 * in the same format.
 */
import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import * as A from '../../../src/frameworks/algorithms/index.js'
import { readRecords, type ProtoRecord } from '../../../src/frameworks/recordio.js'
import { COMMON, RUN, expectValidRequest, messages, resolvedRequests } from './support.js'

const rows = (n: number, cols: number) => Array.from({ length: n }, (_, i) => Array.from({ length: cols }, (_, j) => i * 10 + j + 0.5))

const decoded = (bytes: Uint8Array): ReadonlyArray<ProtoRecord> => {
  const r = readRecords(bytes)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

describe('recordSet', () => {
  const matrix = rows(5, 3)
  const labels = [0, 1, 0, 1, 1]
  const rs = A.recordSet({ matrix, labels, instanceCount: 2, dataLocation: 's3://example-bucket/record-sets/' })

  it('describes the channel: the manifest, ManifestFile, ShardedByS3Key, and the shape', () => {
    expect(rs.problem).toBeUndefined()
    expect(rs).toMatchObject({ _tag: 'RecordSet', channel: 'train', s3DataType: 'ManifestFile', distribution: 'ShardedByS3Key', numRecords: 5, featureDim: 3 })
    expect(rs.uri).toMatch(/^s3:\/\/example-bucket\/record-sets\/[0-9a-f]{16}\/\.amazon\.manifest$/)
  })

  it('uploads one shard per instance, then the manifest naming them (as the SDK writes it)', () => {
    const stem = rs.uri.split('/')[4]!
    expect(rs.uploads.map((u) => u.key)).toEqual([`record-sets/${stem}/matrix_0.pbr`, `record-sets/${stem}/matrix_1.pbr`, `record-sets/${stem}/.amazon.manifest`])
    expect(rs.uploads.every((u) => u.bucket === 'example-bucket' && u.uri === `s3://example-bucket/${u.key}`)).toBe(true)
    const manifest = new TextDecoder().decode(rs.uploads[2]!.bytes)
    expect(manifest).toBe(`[{"prefix": "s3://example-bucket/record-sets/${stem}/"}, "matrix_0.pbr", "matrix_1.pbr"]`)
  })

  it('the shards hold the rows (3 then 2) with their labels, as float64 tensors', () => {
    const shards = rs.uploads.slice(0, 2).map((u) => decoded(u.bytes))
    expect(shards.map((s) => s.length)).toEqual([3, 2])
    const back = shards.flat()
    expect(back.map((r) => r.features.get('values')?.values)).toEqual(matrix)
    expect(back.map((r) => r.label.get('values')?.values)).toEqual(labels.map((l) => [l]))
    expect(back.every((r) => r.features.get('values')?.kind === 'float64')).toBe(true)
  })

  it('is content-addressed: the same data gives the same keys, other data other keys', () => {
    const again = A.recordSet({ matrix, labels, instanceCount: 2, dataLocation: 's3://example-bucket/record-sets/' })
    const other = A.recordSet({ matrix: rows(5, 3).map((r) => r.map((x) => x + 1)), instanceCount: 2, dataLocation: 's3://example-bucket/record-sets/' })
    expect(again.uri).toBe(rs.uri)
    expect(other.uri).not.toBe(rs.uri)
  })

  it('keeps a typed matrix\'s element type (float32 stays float32)', () => {
    const f32 = A.recordSet({ matrix: { rows: 2, cols: 2, values: new Float32Array([1, 2, 3, 4]) }, instanceCount: 1, dataLocation: 's3://b/p/', channel: 'test' })
    expect(f32.channel).toBe('test')
    expect(decoded(f32.uploads[0]!.bytes).map((r) => r.features.get('values')?.kind)).toEqual(['float32', 'float32'])
  })

  describe('is total: problems are reported by the preset that reads the record set', () => {
    it.each([
      ['ragged rows', { matrix: [[1, 2], [3]], instanceCount: 1, dataLocation: 's3://b/p/' }, /^steps\.t\.channels\.train: expected a matrix: rows of equal length \(row 0 has 2 values, row 1 has 1\), found "a ragged matrix"$/],
      ['fewer rows than instances', { matrix: rows(2, 2), instanceCount: 3, dataLocation: 's3://b/p/' }, /^steps\.t\.channels\.train: expected data a RecordSet can be made of: 2 rows cannot fill 3 shards/],
      ['a data location that is not an S3 prefix', { matrix: rows(2, 2), instanceCount: 1, dataLocation: '/tmp/data' }, /^steps\.t\.channels\.train: expected data a RecordSet can be made of: data location must be an s3:\/\/bucket\/prefix\/ URI/],
      ['labels that do not match the rows', { matrix: rows(2, 2), labels: [1], instanceCount: 1, dataLocation: 's3://b/p/' }, /labels length 1 != rows 2/],
    ] as const)('%s', (_, options, pattern) => {
      const bad = A.recordSet(options as A.RecordSetOptions)
      expect(bad.uploads).toEqual([])
      const m = messages(A.kmeans('t', { ...COMMON, records: bad, k: 2 }))
      expect(m).toHaveLength(1)
      expect(m[0]).toMatch(pattern)
    })
  })

  it('end to end: matrix → record set → KMeans → CreateTrainingJob with the manifest channel', () => {
    const data = A.recordSet({ matrix: rows(12, 4), instanceCount: 3, dataLocation: 's3://example-bucket/rs/' })
    const step = A.kmeans('t', { ...COMMON, instanceCount: 3, records: data, k: 4 })
    const [req] = resolvedRequests(step)
    expect(req!._tag).toBe('CreateTrainingJob')
    expect(req!.input).toMatchObject({
      TrainingJobName: `t-${RUN}`,
      InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: data.uri, S3DataDistributionType: 'ShardedByS3Key' } } }],
      ResourceConfig: { InstanceCount: 3 },
      HyperParameters: { k: '4', feature_dim: '4', mini_batch_size: '5000', force_dense: 'True' },
    })
    expect(data.uploads.filter((u) => u.key.endsWith('.pbr'))).toHaveLength(3)
    expectValidRequest('CreateTrainingJob', req!.input)
  })

  it('PCA computes its mini-batch size from the record set (12 rows on 3 instances → 4)', () => {
    const data = A.recordSet({ matrix: rows(12, 4), instanceCount: 3, dataLocation: 's3://example-bucket/rs/' })
    const step = A.pca('t', { ...COMMON, instanceCount: 3, records: data, numComponents: 2 })
    expect(step.hyperParameters?.mini_batch_size).toBe('4')
  })
})

describe('predictions', () => {
  it('decodes a response built byte by byte from the format: label {"score": float32 [1.0]}', () => {
    // RecordIO header (magic 0xced7230a LE, length 19), then Record{ label: { "score": Value{ float32_tensor{ values: [1.0] } } } }, 1 byte of padding.
    const bytes = Uint8Array.from([
      0x0a, 0x23, 0xd7, 0xce, 0x13, 0x00, 0x00, 0x00,
      0x12, 0x11, 0x0a, 0x05, 0x73, 0x63, 0x6f, 0x72, 0x65, 0x12, 0x08, 0x12, 0x06, 0x0a, 0x04, 0x00, 0x00, 0x80, 0x3f,
      0x00,
    ])
    expect(A.decodePredictions(bytes)).toEqual(E.right([{ score: [1] }]))
  })

  it('decodes several predictions in order (the second one\'s score is 2.0: 00 00 00 40)', () => {
    const answer = A.PREDICTOR_CODECS.RecordIO.deserialize(
      Uint8Array.from([
        ...[0x0a, 0x23, 0xd7, 0xce, 0x13, 0x00, 0x00, 0x00, 0x12, 0x11, 0x0a, 0x05, 0x73, 0x63, 0x6f, 0x72, 0x65, 0x12, 0x08, 0x12, 0x06, 0x0a, 0x04, 0x00, 0x00, 0x80, 0x3f, 0x00],
        ...[0x0a, 0x23, 0xd7, 0xce, 0x13, 0x00, 0x00, 0x00, 0x12, 0x11, 0x0a, 0x05, 0x73, 0x63, 0x6f, 0x72, 0x65, 0x12, 0x08, 0x12, 0x06, 0x0a, 0x04, 0x00, 0x00, 0x00, 0x40, 0x00],
      ]),
    )
    expect(answer).toEqual(E.right([{ score: [1] }, { score: [2] }]))
  })

  it('reports a broken response instead of throwing', () => {
    const r = A.decodePredictions(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]))
    expect(E.isLeft(r) && r.left.kind).toBe('bad-magic')
  })

  it('encodes request rows as features only (no labels)', () => {
    const r = A.encodeInstances([[1, 2], [3, 4]])
    if (E.isLeft(r)) throw new Error(r.left)
    const back = decoded(r.right)
    expect(back.map((x) => x.features.get('values')?.values)).toEqual([[1, 2], [3, 4]])
    expect(back.every((x) => x.label.size === 0)).toBe(true)
  })
})
