/**
 * A small Gaussian-process regressor for Bayesian optimisation on the unit cube, written out so it
 * can be read: a Matérn 5/2 kernel (Snoek, Larochelle & Adams, "Practical Bayesian Optimization of
 * Machine Learning Algorithms", NeurIPS 2012), prediction through a Cholesky factor (Rasmussen &
 * Williams, "Gaussian Processes for Machine Learning", 2006, algorithm 2.1), the length scale and
 * noise chosen by a coarse grid search on the marginal likelihood with the signal variance profiled
 * out in closed form, and expected improvement (Jones, Schonlau & Welch, "Efficient Global
 * Optimization of Expensive Black-Box Functions", 1998).
 *
 * Targets are standardised before fitting; every function here is pure.
 *
 * @since 0.2.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A fitted process. @category model */
export interface Gp {
  readonly xs: ReadonlyArray<ReadonlyArray<number>>
  /** One length scale per dimension (automatic relevance determination). */
  readonly lengthScales: ReadonlyArray<number>
  /** Noise variance relative to the signal variance. */
  readonly noise: number
  /** Signal variance (of the standardised targets). */
  readonly variance: number
  /** Lower Cholesky factor of K + noise·I (unit signal variance), row-major n×n. */
  readonly chol: Float64Array
  /** (K + noise·I)⁻¹ y. */
  readonly alpha: Float64Array
  readonly logLikelihood: number
}

/** The grid the marginal likelihood is searched over (unit-cube length scales, relative noises). */
export const LENGTH_SCALES: ReadonlyArray<number> = [0.05, 0.1, 0.2, 0.35, 0.6, 1, 2]
export const NOISES: ReadonlyArray<number> = [1e-6, 1e-4, 1e-2]

// -------------------------------------------------------------------------------------
// linear algebra
// -------------------------------------------------------------------------------------

/** Lower Cholesky factor of a symmetric matrix (row-major n×n), or undefined if not positive definite. */
export const cholesky = (a: Float64Array, n: number): Float64Array | undefined => {
  const l = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j] as number
      for (let k = 0; k < j; k++) s -= (l[i * n + k] as number) * (l[j * n + k] as number)
      if (i === j) {
        if (!(s > 0)) return undefined
        l[i * n + i] = Math.sqrt(s)
      } else l[i * n + j] = s / (l[j * n + j] as number)
    }
  }
  return l
}

/** Solves L x = b (forward substitution). */
export const solveLower = (l: Float64Array, n: number, b: ArrayLike<number>): Float64Array => {
  const x = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = b[i] as number
    for (let k = 0; k < i; k++) s -= (l[i * n + k] as number) * (x[k] as number)
    x[i] = s / (l[i * n + i] as number)
  }
  return x
}

/** Solves Lᵀ x = b (back substitution). */
export const solveUpper = (l: Float64Array, n: number, b: ArrayLike<number>): Float64Array => {
  const x = new Float64Array(n)
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i] as number
    for (let k = i + 1; k < n; k++) s -= (l[k * n + i] as number) * (x[k] as number)
    x[i] = s / (l[i * n + i] as number)
  }
  return x
}

// -------------------------------------------------------------------------------------
// kernel and fit
// -------------------------------------------------------------------------------------

/** Matérn 5/2 with unit variance: (1 + √5 r + 5r²/3) · exp(−√5 r), r the distance scaled per dimension by ℓᵢ. */
export const matern52 =
  (lengthScales: ReadonlyArray<number>) =>
  (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number => {
    let r2 = 0
    for (let i = 0; i < a.length; i++) {
      const d = ((a[i] as number) - (b[i] as number)) / (lengthScales[i] as number)
      r2 += d * d
    }
    const s = Math.sqrt(5 * r2)
    return (1 + s + (s * s) / 3) * Math.exp(-s)
  }

/** Fits with given length scales and relative noise; undefined if the matrix will not factor. */
export const fitWith = (xs: ReadonlyArray<ReadonlyArray<number>>, ys: ReadonlyArray<number>, lengthScales: ReadonlyArray<number>, noise: number): Gp | undefined => {
  const n = xs.length
  const k = matern52(lengthScales)
  const a = new Float64Array(n * n)
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const v = k(xs[i] as ReadonlyArray<number>, xs[j] as ReadonlyArray<number>) + (i === j ? noise + 1e-10 : 0)
      a[i * n + j] = v
      a[j * n + i] = v
    }
  const chol = cholesky(a, n)
  if (chol === undefined) return undefined
  const alpha = solveUpper(chol, n, solveLower(chol, n, ys))
  // Profile likelihood: σ² = yᵀK⁻¹y / n maximises it for this ℓ and noise ratio.
  let quad = 0
  for (let i = 0; i < n; i++) quad += (ys[i] as number) * (alpha[i] as number)
  const variance = Math.max(quad / n, 1e-12)
  let logDet = 0
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(chol[i * n + i] as number)
  const logLikelihood = -0.5 * n * Math.log(variance) - 0.5 * logDet - 0.5 * n * (1 + Math.log(2 * Math.PI))
  return { xs, lengthScales, noise, variance, chol, alpha, logLikelihood }
}

const better = (best: Gp | undefined, m: Gp | undefined): Gp | undefined => (m !== undefined && (best === undefined || m.logLikelihood > best.logLikelihood) ? m : best)

/**
 * The fit with the highest marginal likelihood: first one length scale for every dimension, over the
 * grid of length scales and noises; then two passes of coordinate search that halve or double each
 * dimension's own length scale while that raises the likelihood.
 */
export const fit = (xs: ReadonlyArray<ReadonlyArray<number>>, ys: ReadonlyArray<number>): Gp | undefined => {
  const d = xs[0]?.length ?? 0
  const isotropic = LENGTH_SCALES.flatMap((l) => NOISES.map((g) => fitWith(xs, ys, Array.from({ length: d }, () => l), g))).reduce(better, undefined)
  if (isotropic === undefined) return undefined
  let best: Gp = isotropic
  for (let pass = 0; pass < 2 && d > 1; pass++)
    for (let i = 0; i < d; i++)
      for (const factor of [0.5, 2]) {
        const scales = best.lengthScales.map((l, j) => (j === i ? Math.min(4, Math.max(0.02, l * factor)) : l))
        best = better(best, fitWith(xs, ys, scales, best.noise)) ?? best
      }
  return best
}

/** The posterior mean and standard deviation of the latent function at x. */
export const predict =
  (gp: Gp) =>
  (x: ReadonlyArray<number>): { readonly mean: number; readonly sd: number } => {
    const n = gp.xs.length
    const k = matern52(gp.lengthScales)
    const ks = gp.xs.map((xi) => k(xi, x))
    let mean = 0
    for (let i = 0; i < n; i++) mean += (ks[i] as number) * (gp.alpha[i] as number)
    const v = solveLower(gp.chol, n, ks)
    let vv = 0
    for (let i = 0; i < n; i++) vv += (v[i] as number) * (v[i] as number)
    return { mean, sd: Math.sqrt(Math.max(gp.variance * (1 - vv), 0)) }
  }

// -------------------------------------------------------------------------------------
// acquisition
// -------------------------------------------------------------------------------------

/** erfc, Chebyshev fit with fractional error below 1.2e-7 everywhere (Numerical Recipes §6.2). */
const erfc = (x: number): number => {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z)
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  return x >= 0 ? r : 2 - r
}

export const normalCdf = (z: number): number => 0.5 * erfc(-z / Math.SQRT2)
export const normalPdf = (z: number): number => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI)

/** Expected improvement over `best` (maximising), with exploration margin `xi`. */
export const expectedImprovement = (mean: number, sd: number, best: number, xi: number): number => {
  const gain = mean - best - xi
  if (sd <= 1e-12) return Math.max(gain, 0)
  const z = gain / sd
  return gain * normalCdf(z) + sd * normalPdf(z)
}
