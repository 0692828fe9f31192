/**
 * One seed for every property test when FC_SEED is set (CI sets it), so a CI run is reproducible;
 * locally, without it, each run explores new cases. A failure prints its seed either way.
 */
import fc from 'fast-check'

const seed = process.env.FC_SEED
if (seed !== undefined && seed !== '') fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed) })

// sagespec targets Node 20 by design (as bin/sagespec.js does): the AWS SDK's Node 22 notice is noise here.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true'
