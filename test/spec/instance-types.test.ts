import { ProductionVariantInstanceType, TrainingInstanceType, TransformInstanceType } from '@aws-sdk/client-sagemaker'
import { describe, expect, it } from 'vitest'
import { HOSTING_INSTANCE_TYPES, TRAINING_INSTANCE_TYPES, TRANSFORM_INSTANCE_TYPES } from '../../src/spec/instance-type-lists.js'

describe('instance-type-lists', () => {
  it('equals the lists the installed @aws-sdk/client-sagemaker exports (node scripts/instance-types.mjs regenerates it)', () => {
    expect(TRAINING_INSTANCE_TYPES).toEqual(Object.values(TrainingInstanceType))
    expect(HOSTING_INSTANCE_TYPES).toEqual(Object.values(ProductionVariantInstanceType))
    expect(TRANSFORM_INSTANCE_TYPES).toEqual(Object.values(TransformInstanceType))
  })
})
