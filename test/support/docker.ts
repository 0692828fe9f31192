/**
 * The Docker engine and the test images for the tests that need them. Without an engine (outside CI)
 * such tests are skipped with the reason; in CI they must run, so a missing engine or image is an
 * error there. The images come from `test/fixtures/images/build.sh` (offline; CI runs it).
 */
import Docker from 'dockerode'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDockerRuntime } from '../../src/local/runtime/docker.js'
import type { Runtime } from '../../src/local/runtime/runtime.js'

/** The probe (test/fixtures/images/probe): records what it saw in /opt/ml/model/probe.json. */
export const PROBE_IMAGE = 'sagespec-test/probe:1'
/** A stand-in for a framework container in script mode (test/fixtures/images/script-mode): a small training toolkit. */
export const SCRIPT_MODE_IMAGE = 'sagespec-test/script-mode:1'

export type DockerForTests =
  | { readonly _tag: 'Ready'; readonly runtime: Runtime; readonly docker: Docker }
  | { readonly _tag: 'Skip'; readonly reason: string }

/** The Docker runtime and a raw client when an engine answers and the probe image is built; else why not (throws in CI). */
export const dockerForTests = async (): Promise<DockerForTests> => {
  const skip = (reason: string): DockerForTests => {
    if (process.env['CI'] === 'true') throw new Error(`${reason}; CI must run the Docker tests, so this is an error, not a skip.`)
    return { _tag: 'Skip', reason }
  }
  const runtime = await createDockerRuntime()
  if ('unavailable' in runtime) return skip(runtime.unavailable)
  const docker = new Docker()
  for (const image of [PROBE_IMAGE, SCRIPT_MODE_IMAGE]) {
    const present = await docker
      .getImage(image)
      .inspect()
      .then(() => true, () => false)
    if (!present) return skip(`the test image ${image} is not built (run test/fixtures/images/build.sh)`)
  }
  return { _tag: 'Ready', runtime, docker }
}

/** A fresh `sagespec-*` folder under the system's temp folder, and its removal. */
export const tempFolder = (prefix: string): { readonly path: string; readonly remove: () => void } => {
  const path = mkdtempSync(join(tmpdir(), `sagespec-${prefix}-`))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** Poll `probe` until it returns a value (not undefined), or fail after `timeoutMs`. */
export const eventually = async <A>(what: string, probe: () => Promise<A | undefined>, timeoutMs = 30_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const a = await probe()
    if (a !== undefined) return a
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
