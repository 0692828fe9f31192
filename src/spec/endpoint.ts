/**
 * Endpoints: an endpoint config (`CreateEndpointConfig`) plus `CreateEndpoint`, or `UpdateEndpoint`
 * when the endpoint already exists and `update` allows it.
 *
 * @since 0.1.0
 */
import { DEFAULTS } from './defaults.js'
import type * as t from 'io-ts'
import * as C from './codec.js'
import * as F from './fields.js'
import * as P from './primitives.js'
import { HostingInstance } from './instance-types.js'
import { serviceEnum } from './service-rules.js'

export const ProductionVariant = C.struct(
  'ProductionVariant',
  {
    /** The model: `model.outputs.name`, or `existing('name')` for one made outside the program. */
    model: F.ModelRef,
    instanceType: HostingInstance,
  },
  {
    /** @default 'AllTraffic' for the first variant, `variant-<n>` after it (see `variantName`) */
    name: P.VariantName,
    /** @default 1 */
    initialInstanceCount: C.vint('InitialInstanceCount', { min: 1 }),
    /** @default 1 */
    initialWeight: C.vnum('InitialVariantWeight', { min: 0 }),
    acceleratorType: C.voneOf('AcceleratorType', serviceEnum('ProductionVariantAcceleratorType')),
  },
)
export type ProductionVariant = t.TypeOf<typeof ProductionVariant>

export const endpointFields = {
  required: {
    variants: C.array(ProductionVariant, { min: 1, max: 10 }),
  },
  optional: {
    /** The endpoint's stable name: endpoints are long-lived, so no run stamp. @default the step's name */
    endpointName: F.EndpointName,
    /**
     * @default `<endpointName>-<run>`, or `<step name>-<run>` when the endpoint name is a run-time value
     * (configs are immutable, so each run makes a new one; a fixed name works for one run only)
     */
    configName: F.EndpointConfigName,
    kmsKeyId: F.KmsKeyId,
    tags: P.Tags,
    /** Create-or-update: when the endpoint exists, point it at the new config. @default true */
    update: C.bool,
    overrides: P.overridesOf('Endpoint'),
  },
} as const

/** A variant's name: its own, or `AllTraffic` for the first and `variant-<n>` (1-based) after it. */
export const variantName = (v: { readonly name?: string }, index: number): string => v.name ?? (index === 0 ? DEFAULTS.variantName : `variant-${index + 1}`)
