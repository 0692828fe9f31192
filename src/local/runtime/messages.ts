/**
 * What the Docker runtime says when a job cannot start here, in one place: the runtime's `check`
 * returns these, and the local target recognises a missing image by them without loading the
 * Docker client.
 *
 * @since 0.2.0
 */

export const missingImageMessage = (image: string): string =>
  `image ${image} is not on this machine; build or load it: docker build -t ${image} <folder with its Dockerfile> / docker load -i <image archive>.tar (sagespec never pulls images)`

export const noGpuMessage = (image: string): string =>
  `the job asks for GPUs (a GPU instance type) but this Docker engine has no GPU runtime; install the NVIDIA Container Toolkit and restart the engine, or choose a CPU instance type (image ${image})`
