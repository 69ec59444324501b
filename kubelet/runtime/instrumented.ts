// Kubernetes' instrumentedRuntimeService: the container runtime with the duration of each call recorded in
// kubelet_runtime_operations_duration_seconds, labelled with the CRI operation's name. runContainer is
// CRI's CreateContainer and StartContainer in one call, recorded as create_container. Calls outside the
// CRI (the Docker network, image loading) and logs (a stream) pass through untimed.
import { runtimeOperationsDuration } from '../metrics';
import type { ContainerRuntime } from './interface';

const OPERATION_TYPES: Partial<Record<keyof ContainerRuntime, string>> = {
  version: 'version',
  listContainers: 'list_containers',
  containerStatus: 'container_status',
  imagePresent: 'image_status',
  pullImage: 'pull_image',
  runSandbox: 'run_podsandbox',
  runContainer: 'create_container',
  stopContainer: 'stop_container',
  removeContainer: 'remove_container',
  execSync: 'exec_sync',
  stats: 'container_stats',
};

async function timed<T>(operationType: string, call: () => Promise<T>): Promise<T> {
  const end = runtimeOperationsDuration.startTimer({ operation_type: operationType });
  try {
    return await call();
  } finally {
    end();
  }
}

/** The runtime, with the calls of OPERATION_TYPES timed. */
export function instrumentedRuntime<R extends ContainerRuntime>(runtime: R): R {
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      const operationType = OPERATION_TYPES[prop as keyof ContainerRuntime];
      if (!operationType || typeof value !== 'function') return value;
      return (...args: unknown[]) => timed(operationType, () => value.apply(target, args));
    },
  });
}
