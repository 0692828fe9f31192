/**
 * Amazon's built-in algorithms by repository name: one list for the image tables (frameworks) and for
 * `validate`, which must recognise their images (they publish their own metrics).
 *
 * @since 0.1.0
 */
export const ALGORITHMS = [
  'kmeans',
  'pca',
  'linear-learner',
  'factorization-machines',
  'lda',
  'ntm',
  'randomcutforest',
  'knn',
  'object2vec',
  'ipinsights',
  'forecasting-deepar',
  'xgboost',
] as const
export type Algorithm = (typeof ALGORITHMS)[number]

/** An Amazon built-in algorithm image (tag `1`, any region, also China's domain). */
export const BUILT_IN_ALGORITHM_IMAGE = new RegExp(`^\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/(${ALGORITHMS.join('|')}):1$`)
