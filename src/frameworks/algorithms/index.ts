/**
 * The Amazon built-in algorithms: presets, models and their predictor formats, tuning, RecordSets,
 * and the hyperparameter tables they are all read from.
 *
 * @since 0.1.0
 */
export * from './descriptors.js'
export * from './tables.js'
export { algorithmTraining, type AlgorithmOptions, type JobOptions, type PresetError, type CrossRule } from './preset.js'
export * from './presets.js'
export * from './models.js'
export * from './tuning.js'
export * from './record-set.js'
