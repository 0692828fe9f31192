/**
 * A small seeded pseudo-random generator for local tuning. An `Rng` is an immutable seed; `derive`
 * makes independent child seeds (one per proposal), so a strategy's choice for job *i* depends only
 * on the tuning job's `RandomSeed` and *i* — never on what else happened to draw numbers before it.
 * Inside one pure computation, `draws` gives a generator function (mulberry32, by Tommy Ettinger: a
 * 32-bit state, a period of 2^32, good enough for sampling search spaces, not for cryptography).
 *
 * @since 0.2.0
 */

import { mulberry32 } from '../random.js'

/** @category model */
export interface Rng {
  /** An unsigned 32-bit seed. */
  readonly seed: number
}

/** @category constructors */
export const seeded = (seed: number): Rng => ({ seed: mix(Math.floor(Math.abs(seed)) >>> 0) })

/** A seed from text (FNV-1a, then mixed): the default seed of a tuning job without `RandomSeed`. */
export const seedOf = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return mix(h)
}

/** An independent generator for `key` (a proposal's index): the parent seed and key hashed together. */
export const derive =
  (key: number) =>
  (rng: Rng): Rng => ({ seed: mix((rng.seed ^ mix((key + 0x9e3779b9) >>> 0)) >>> 0) })

/** A fresh stream of uniform numbers in [0, 1) from this seed (the same seed, the same stream). */
export const draws = (rng: Rng): (() => number) => mulberry32(rng.seed)

/** A standard normal draw (Box–Muller) from a uniform stream. */
export const gaussian = (uniform: () => number): number => {
  const u = 1 - uniform() // (0, 1]: log is finite
  const v = uniform()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

// murmur3's 32-bit finaliser: spreads every input bit over the output.
const mix = (x: number): number => {
  let h = x >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35) >>> 0
  h ^= h >>> 16
  return h >>> 0
}
