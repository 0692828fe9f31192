/**
 * The Amazon built-in algorithms as presets: `kmeans(name, { role, region, instanceType, output,
 * records, k, … })` returns a `Training` step with the algorithm's image, its hyperparameters under
 * their wire names (plain strings, as the reference SDK sends them) and the record sets as channels.
 * Each preset's options are typed from its table in `tables.ts`; its special rules live here.
 *
 * @since 0.1.0
 */
import type { Val } from '../../spec/val.js'
import { describe, type HpOptions, type HpTable } from './descriptors.js'
import { algorithmTraining, isLiteral, type AlgorithmOptions, type CrossRule } from './preset.js'
import {
  FACTORIZATION_MACHINES,
  IP_INSIGHTS,
  KMEANS,
  KNN,
  LDA,
  LINEAR_LEARNER,
  NTM,
  OBJECT2VEC,
  PCA,
  RANDOM_CUT_FOREST,
} from './tables.js'

type Options<T extends { readonly hyperParameters: HpTable }> = AlgorithmOptions & HpOptions<T['hyperParameters']>

// -------------------------------------------------------------------------------------
// special rules
// -------------------------------------------------------------------------------------

/** LinearLearner: a multiclass classifier needs `num_classes` of at least 3. */
const multiclassNeedsClasses: CrossRule = (o) => {
  const d = LINEAR_LEARNER.hyperParameters.numClasses
  if (o.predictorType !== 'multiclass_classifier') return []
  const n = o.numClasses
  // A value outside [1, 1e6] is already reported by the table's own rule.
  if (n !== undefined && (!isLiteral(n) || (typeof n === 'number' && (n >= 3 || n < 1 || n > 1e6 || !Number.isInteger(n))))) return []
  return [{ path: `hyperParameters.${d.wire}`, expected: 'an integer greater than 2 (required when predictor_type is "multiclass_classifier")', actual: n }]
}

/** KNN: a dimension reduction type needs its target. */
const reductionNeedsTarget: CrossRule = (o) =>
  o.dimensionReductionType !== undefined && o.dimensionReductionTarget === undefined
    ? [
        {
          path: `hyperParameters.${KNN.hyperParameters.dimensionReductionTarget.wire}`,
          expected: `${describe(KNN.hyperParameters.dimensionReductionTarget)} (required when dimension_reduction_type is set)`,
          actual: undefined,
        },
      ]
    : []

/** LDA trains on one instance only (the reference SDK forces it). */
const singleInstance: CrossRule = (o) =>
  o.instanceCount !== undefined && o.instanceCount !== 1 && isLiteral(o.instanceCount)
    ? [{ path: 'resources.instanceCount', expected: '1 (LDA trains on a single instance)', actual: o.instanceCount }]
    : []

// -------------------------------------------------------------------------------------
// presets
// -------------------------------------------------------------------------------------

/**
 * K-Means. Always sends `force_dense='True'`; `mini_batch_size` defaults to 5000.
 *
 * @example
 * kmeans('clusters', { role, region: 'us-west-2', instanceType: 'ml.c5.xlarge', output, records, k: 10 })
 * @category constructors
 */
export const kmeans = (name: string, o: Options<typeof KMEANS>) => algorithmTraining(KMEANS, name, o)

/**
 * PCA. `mini_batch_size` defaults to `min(500, max(1, floor(numRecords / instanceCount)))` from the
 * train record set; without a record count it must be given.
 *
 * @category constructors
 */
export const pca = (name: string, o: Options<typeof PCA>) => algorithmTraining(PCA, name, o)

/**
 * Linear Learner. `predictorType: 'multiclass_classifier'` needs `numClasses` ≥ 3.
 * `mini_batch_size` defaults to `min(1000, max(1, floor(numRecords / instanceCount)))` when the
 * record count is known (otherwise the algorithm's own default applies).
 *
 * @category constructors
 */
export const linearLearner = (name: string, o: Options<typeof LINEAR_LEARNER>) => algorithmTraining(LINEAR_LEARNER, name, o, [multiclassNeedsClasses])

/** Factorization Machines. @category constructors */
export const factorizationMachines = (name: string, o: Options<typeof FACTORIZATION_MACHINES>) => algorithmTraining(FACTORIZATION_MACHINES, name, o)

/**
 * LDA: one instance only, and `miniBatchSize` is required.
 *
 * @category constructors
 */
export const lda = (name: string, o: Omit<Options<typeof LDA>, 'instanceCount' | 'miniBatchSize'> & { readonly instanceCount?: 1; readonly miniBatchSize: Val<number> }) =>
  algorithmTraining(LDA, name, o, [singleInstance])

/** Neural Topic Model. `miniBatchSize`, when given, is in [1, 10000]. @category constructors */
export const ntm = (name: string, o: Options<typeof NTM>) => algorithmTraining(NTM, name, o)

/**
 * Random Cut Forest. `mini_batch_size` is fixed at 1000 (any other value is an error), `feature_dim`
 * must be in [1, 10000].
 *
 * @category constructors
 */
export const randomCutForest = (name: string, o: Omit<Options<typeof RANDOM_CUT_FOREST>, 'miniBatchSize'> & { readonly miniBatchSize?: 1000 }) =>
  algorithmTraining(RANDOM_CUT_FOREST, name, o)

/** k-nearest neighbours. `dimensionReductionType` needs `dimensionReductionTarget`. @category constructors */
export const knn = (name: string, o: Options<typeof KNN>) => algorithmTraining(KNN, name, o, [reductionNeedsTarget])

/** Object2Vec. `mini_batch_size` defaults to 32. @category constructors */
export const object2vec = (name: string, o: Options<typeof OBJECT2VEC>) => algorithmTraining(OBJECT2VEC, name, o)

/** IP Insights. `miniBatchSize`, when given, is in [1, 500000]. @category constructors */
export const ipInsights = (name: string, o: Options<typeof IP_INSIGHTS>) => algorithmTraining(IP_INSIGHTS, name, o)

