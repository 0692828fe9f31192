/**
 * The AWS run target (in progress in this session: replaced by the real backend).
 *
 * @since 0.2.0
 */
import type { TargetModule } from '../execute/target.js'

export const target: TargetModule = {
  prepare: async (plan) => ({ errors: [{ _tag: 'Rule', path: '--target', expected: 'a target this build supports', actual: 'aws' }], plan }),
  createBackend: async () => {
    throw new Error('the AWS target is not built yet')
  },
}
