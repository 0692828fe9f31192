/**
 * mulberry32 (Tommy Ettinger): a seedable uniform [0, 1) generator with a 32-bit state — the same
 * seed, the same stream. Good enough for routing requests and sampling search spaces, not for
 * cryptography. Shared by the gateway's variant choice and local tuning.
 *
 * @since 0.2.0
 */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
