/**
 * Lengths as people and services count them: in code points (what `[...s].length` counts: a surrogate
 * pair is one, a lone surrogate one), without making the array. SageMaker's length limits, table
 * columns and the Airflow printer's line widths all count this way.
 *
 * @since 0.4.0
 */
export const codePoints = (s: string): number => {
  let n = s.length
  for (let i = 0; i < s.length - 1; i++) {
    const h = s.charCodeAt(i)
    if (h >= 0xd800 && h <= 0xdbff) {
      const l = s.charCodeAt(i + 1)
      if (l >= 0xdc00 && l <= 0xdfff) {
        n--
        i++
      }
    }
  }
  return n
}
