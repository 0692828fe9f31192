/**
 * vitest global setup: after the whole suite, no container, network or volume carrying the
 * `sagespec` label may remain on the engine (whatever test made it). In CI that is an error; on a
 * shared development machine other sessions' runs may be live at the same moment, so there it is a
 * warning naming what is left.
 */
import Docker from 'dockerode'

const withTimeout = <A>(p: Promise<A>, ms: number): Promise<A | undefined> =>
  Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())])

export const teardown = async (): Promise<void> => {
  const docker = new Docker()
  if ((await withTimeout(docker.ping().then(() => true, () => false), 2000)) !== true) return
  const filters = JSON.stringify({ label: ['sagespec'] })
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ])
  const left = [
    ...containers.map((c) => `container ${c.Names.join(',')} (${c.State})`),
    ...networks.map((n) => `network ${n.Name}`),
    ...(volumes.Volumes ?? []).map((v) => `volume ${v.Name}`),
  ]
  if (left.length === 0) return
  const message = `left behind on the Docker engine after the tests (label sagespec): ${left.join('; ')}`
  if (process.env['CI'] === 'true') {
    // vitest reports an error thrown here but still exits 0: set the code as well.
    process.exitCode = 1
    throw new Error(message)
  }
  console.warn(`warning: ${message}`)
}
