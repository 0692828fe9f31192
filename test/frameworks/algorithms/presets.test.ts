/**
 * The algorithms' special rules (§1.7) and the presets' behaviour around them: computed mini-batch
 * sizes, fixed and required ones, cross-field rules, record sets, refs and params, images, totality.
 */
import { describe, expect, it } from 'vitest'
import * as A from '../../../src/frameworks/algorithms/index.js'
import { param, ref } from '../../../src/spec/val.js'
import { COMMON, RECORDS, build, messages } from './support.js'

const hp = (step: { readonly hyperParameters?: Readonly<Record<string, unknown>> }) => step.hyperParameters ?? {}

describe('special rules', () => {
  describe('LinearLearner: multiclass needs num_classes > 2', () => {
    const msg = (found: string) => `steps.t.hyperParameters.num_classes: expected an integer greater than 2 (required when predictor_type is "multiclass_classifier"), found ${found}`
    it('rejects 2 and a missing value, accepts 3', () => {
      expect(messages(build('linear-learner', { predictorType: 'multiclass_classifier', numClasses: 2 }))).toEqual([msg('2')])
      expect(messages(build('linear-learner', { predictorType: 'multiclass_classifier', numClasses: undefined }))).toEqual([msg('nothing')])
      expect(messages(build('linear-learner', { predictorType: 'multiclass_classifier', numClasses: 3 }))).toEqual([])
    })
    it('does not apply to the other predictor types', () => {
      expect(messages(build('linear-learner', { predictorType: 'binary_classifier', numClasses: 2 }))).toEqual([])
    })
    it('a value outside [1, 1e6] is reported once, by the range rule', () => {
      expect(messages(build('linear-learner', { predictorType: 'multiclass_classifier', numClasses: 0 }))).toEqual([
        'steps.t.hyperParameters.num_classes: expected an integer from 1 to 1000000, found 0',
      ])
    })
    it('a param for num_classes is checked at run time', () => {
      const n = param.integer('classes', { default: 4 })
      expect(messages(build('linear-learner', { predictorType: 'multiclass_classifier', numClasses: n }))).toEqual([])
    })
  })

  describe('KNN: dimension_reduction_type requires dimension_reduction_target', () => {
    it('rejects a type without a target', () => {
      expect(messages(build('knn', { dimensionReductionType: 'sign', dimensionReductionTarget: undefined }))).toEqual([
        'steps.t.hyperParameters.dimension_reduction_target: expected an integer of at least 1 (required when dimension_reduction_type is set), found nothing',
      ])
    })
    it('accepts both, or neither', () => {
      expect(messages(build('knn', { dimensionReductionType: 'sign', dimensionReductionTarget: 2 }))).toEqual([])
      expect(messages(build('knn', { dimensionReductionTarget: undefined }))).toEqual([])
    })
  })

  describe('LDA: one instance, a required mini-batch size', () => {
    it('trains on one instance; another count is an error', () => {
      expect(build('lda').resources.instanceCount).toBe(1)
      expect(messages(build('lda', { instanceCount: 2 }))).toEqual(['steps.t.resources.instanceCount: expected 1 (LDA trains on a single instance), found 2'])
    })
    it('without a mini-batch size it says so', () => {
      expect(messages(build('lda', { miniBatchSize: undefined }))).toEqual([
        'steps.t.hyperParameters.mini_batch_size: expected an integer greater than 0 (required by LDA), found nothing',
      ])
    })
  })

  describe('RandomCutForest: mini_batch_size fixed at 1000', () => {
    it('sends 1000 by default and accepts 1000', () => {
      expect(hp(build('randomcutforest')).mini_batch_size).toBe('1000')
      expect(messages(build('randomcutforest', { miniBatchSize: 1000 }))).toEqual([])
    })
    it('rejects any other value', () => {
      expect(messages(build('randomcutforest', { miniBatchSize: 500 }))).toEqual([
        "steps.t.hyperParameters.mini_batch_size: expected an integer equal to 1000 (RandomCutForest's fixed mini-batch size), found 500",
      ])
    })
  })

  it('KMeans always sends force_dense=True and mini_batch_size 5000 unless given', () => {
    expect(hp(build('kmeans'))).toMatchObject({ force_dense: 'True', mini_batch_size: '5000' })
    expect(hp(build('kmeans', { miniBatchSize: 100 }))).toMatchObject({ force_dense: 'True', mini_batch_size: '100' })
  })

  it('Object2Vec sends mini_batch_size 32 unless given', () => {
    expect(hp(build('object2vec')).mini_batch_size).toBe('32')
  })

  describe('computed mini-batch defaults', () => {
    const withRecords = (alg: 'pca' | 'linear-learner', numRecords: number | undefined, instanceCount: unknown) =>
      hp(build(alg, { records: { ...RECORDS, numRecords }, instanceCount })).mini_batch_size
    it.each([
      // [numRecords, instances, PCA: min(500, max(1, n // c)), LinearLearner: min(1000, max(1, n // c))]
      [10000, 2, '500', '1000'],
      [3000, 4, '500', '750'],
      [900, 3, '300', '300'],
      [7, 2, '3', '3'],
      [1, 2, '1', '1'],
    ])('%i records on %i instances → PCA %s, LinearLearner %s', (n, c, pcaSize, llSize) => {
      expect(withRecords('pca', n, c)).toBe(pcaSize)
      expect(withRecords('linear-learner', n, c)).toBe(llSize)
    })
    it('PCA cannot do without one: no record count is an error', () => {
      expect(messages(build('pca', { records: { ...RECORDS, numRecords: undefined } }))).toEqual([
        'steps.t.hyperParameters.mini_batch_size: expected an integer greater than 0: give miniBatchSize, or records with numRecords and a literal instanceCount to compute it from, found nothing',
      ])
    })
    it('LinearLearner leaves it to the algorithm when it cannot be computed (symbolic instance count)', () => {
      const count = param.integer('instances', { default: 2 })
      expect(withRecords('linear-learner', 1000, count)).toBeUndefined()
      expect(withRecords('linear-learner', undefined, 1)).toBeUndefined()
    })
    it('an explicit value wins', () => {
      expect(hp(build('pca', { miniBatchSize: 64 })).mini_batch_size).toBe('64')
    })
  })
})

describe('records and channels', () => {
  it('feature_dim comes from the train record set, other channels are passed along', () => {
    const test: A.RecordInput = { uri: 's3://example-bucket/test/.amazon.manifest', s3DataType: 'ManifestFile', featureDim: 99, channel: 'test' }
    const step = build('kmeans', { records: [test, RECORDS] })
    expect(hp(step).feature_dim).toBe('8')
    expect(Object.keys(step.channels ?? {})).toEqual(['test', 'train'])
  })
  it('needs a train channel', () => {
    const test: A.RecordInput = { ...RECORDS, channel: 'test' }
    expect(messages(build('kmeans', { records: test }))).toEqual(['steps.t.channels.train: expected a record set for the "train" channel, found ["test"]'])
  })
  it('refuses two record sets for one channel', () => {
    expect(messages(build('kmeans', { records: [RECORDS, RECORDS] }))).toEqual([
      'steps.t.channels.train: expected one record set per channel (duplicate channels are not allowed), found "train"',
    ])
  })
  it('a record set without feature_dim is an error where the algorithm needs one', () => {
    expect(messages(build('knn', { records: { uri: 's3://example-bucket/x/' } }))).toEqual([
      'steps.t.hyperParameters.feature_dim: expected an integer greater than 0 (from the train record set) (required), found nothing',
    ])
    expect(messages(build('ipinsights', { records: { uri: 's3://example-bucket/x/' } }))).toEqual([])
  })
  it('a symbolic data location and feature count flow through unchecked', () => {
    const uri = param.string('trainData', { default: 's3://example-bucket/train/' })
    const featureDim = param.integer('features', { default: 8 })
    const step = build('kmeans', { records: { uri, featureDim } })
    expect(step.channels?.train?.uri).toBe(uri)
    expect(hp(step).feature_dim).toBe(featureDim)
    expect(messages(step)).toEqual([])
  })
})

describe('totality and the rest', () => {
  it('an unknown region is reported at image, and the image is left out', () => {
    const step = build('kmeans', { region: 'mars-north-1' })
    expect(step.image).toBeUndefined()
    const m = messages(step)
    expect(m).toHaveLength(1)
    expect(m[0]).toMatch(/^steps\.t\.image: expected a region with kmeans images, one of: us-east-1, .*, found "mars-north-1"$/)
  })
  it('an option the algorithm does not have is reported (plain JavaScript callers have no type checker)', () => {
    const m = messages(build('pca', { numComponent: 3 }))
    expect(m).toEqual(['steps.t.hyperParameters.numComponent: expected an option of PCA: numComponents, algorithmMode, subtractMean, extraComponents, found 3'])
  })
  it('every problem is reported at once', () => {
    const step = A.kmeans('t', { ...COMMON, region: 'nowhere-1', k: 1, tol: 2, records: { ...RECORDS, channel: 'test' } })
    expect(messages(step).map((m) => m.split(':')[0])).toEqual([
      'steps.t.hyperParameters.k',
      'steps.t.hyperParameters.local_lloyd_tol',
      'steps.t.channels.train',
      'steps.t.image',
    ])
  })
  it('refs and params skip literal checks and stay symbolic in the step', () => {
    const k = param.integer('k', { default: 1 })
    const step = build('kmeans', { k, tol: ref('other', ['HyperParameters', 'tol']) })
    expect(step.presetErrors).toBeUndefined()
    expect(hp(step).k).toBe(k)
  })
  it('passes job fields through and builds a frozen step with typed outputs', () => {
    const step = A.kmeans('t', { ...COMMON, k: 2, tags: { team: 'ml' }, baseJobName: 'clusters', after: ['prep'] })
    expect(step.tags).toEqual({ team: 'ml' })
    expect(step.baseJobName).toBe('clusters')
    expect(step.after).toEqual(['prep'])
    expect(Object.isFrozen(step)).toBe(true)
    expect(step.outputs.modelArtifacts).toEqual(ref('t', ['ModelArtifacts', 'S3ModelArtifacts']))
  })
})
