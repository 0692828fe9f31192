/**
 * One seed for every property test when FC_SEED is set (CI sets it), so a CI run is reproducible;
 * locally, without it, each run explores new cases. A failure prints its seed either way.
 */
import fc from 'fast-check'

const seed = process.env.FC_SEED
if (seed !== undefined && seed !== '') fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed) })
