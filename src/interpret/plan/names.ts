/**
 * Physical names. The rules live in `spec/names.ts` (presets need them too); re-exported here for the
 * request builders.
 *
 * @since 0.1.0
 */
export * from '../../spec/names.js'
