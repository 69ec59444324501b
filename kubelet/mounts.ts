// From a container's volumeMounts to the host paths the runtime binds (Kubernetes' makeMounts): the
// subPath (or subPathExpr, expanded from the container's environment) resolved inside its volume by
// resolveInVolume, and read-only wherever the volume's plugin says so (configMap, secret, downwardAPI,
// projected), whatever the mount asks.
//
// resolveInVolume proves the path is inside when it looks; the engine binds the path a moment later,
// looking again. Kubernetes closes that window by bind-mounting the descriptor it opened itself; this
// kubelet may run in another pid and mount namespace than the engine (docker compose), so it cannot.
// Only the pod's own containers can rewrite its emptyDir, so withSubPathWritersPaused freezes those
// that could, for as long as the new container takes to be created and started.
import fs from 'node:fs/promises';
import type { Container, Pod } from '../shared/api/core';
import type { Logger } from '../shared/log';
import { expandWith } from './containerspec';
import type { ContainerRuntime, Mount, RuntimeContainer } from './runtime/interface';
import { resolveInVolume } from './subpath';
import type { PodVolume } from './volumes';

/** What the kubelet cannot start a container with: its waiting reason is CreateContainerConfigError. */
const configError = (message: string) => Object.assign(new Error(message), { reason: 'CreateContainerConfigError' });

/** subPathExpr with `$(VAR)` from the container's environment; a variable missing or empty is an error. */
function expandSubPathExpr(expr: string, env: Map<string, string>): string {
  const missing = new Set<string>();
  const expanded = expandWith(expr, (name) => {
    if (!env.get(name)) missing.add(name);
    return env.get(name) ?? '';
  });
  if (missing.size) throw configError(`missing value for ${[...missing].sort().join(', ')}`);
  return expanded;
}

export async function makeMounts(c: Container, volumes: Map<string, PodVolume>, env: Map<string, string>, log: Logger): Promise<Mount[]> {
  const mounts: Mount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const volume = volumes.get(m.name);
    if (!volume) throw configError(`cannot find volume "${m.name}" to mount into container "${c.name}"`);
    let hostPath = volume.path;
    const subPath = m.subPathExpr ? expandSubPathExpr(m.subPathExpr, env) : m.subPath;
    if (subPath) {
      // The apiserver refuses these; an object stored before it did, or an expanded subPathExpr, may still hold them.
      if (subPath.startsWith('/')) throw configError(`error SubPath \`${subPath}\` must not be an absolute path`);
      if (subPath.split('/').includes('..')) throw configError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
      try {
        // Missing directories are made with the volume's own mode, as Kubernetes does (Docker would make them root's 0755).
        const mkdirMode = (await fs.stat(volume.path)).mode & 0o7777;
        hostPath = await resolveInVolume(volume.path, subPath, { mkdirMode });
      } catch (err) {
        // The details name host paths: they go to the kubelet's log, not to the pod's events.
        log.warn({ err, container: c.name, volumeMount: m.name, subPath }, 'failed to prepare subPath for volumeMount');
        throw configError(`failed to prepare subPath for volumeMount "${m.name}" of container "${c.name}"`);
      }
    }
    mounts.push({ hostPath, containerPath: m.mountPath, readOnly: !!m.readOnly || volume.readOnly });
  }
  return mounts;
}

/**
 * Runs `start` (making the mounts of `c` and starting it) with the pod's running containers that mount,
 * writable, a volume `c` mounts with a subPath paused: none of them can swap a directory of that path
 * for a link until the engine has bound it. Nothing is paused when `c` has no such subPath.
 */
export async function withSubPathWritersPaused<T>(
  pod: Pod,
  c: Container,
  volumes: Map<string, PodVolume>,
  runtime: Pick<ContainerRuntime, 'pauseContainer' | 'unpauseContainer'>,
  running: () => Promise<RuntimeContainer[]>,
  start: () => Promise<T>,
): Promise<T> {
  const shared = new Set(
    (c.volumeMounts ?? []).filter((m) => (m.subPath || m.subPathExpr) && volumes.get(m.name)?.readOnly === false).map((m) => m.name),
  );
  const writers = new Set(
    pod.spec.containers
      .filter((o) => o.name !== c.name && (o.volumeMounts ?? []).some((m) => shared.has(m.name) && !m.readOnly))
      .map((o) => o.name),
  );
  if (!writers.size) return start();
  const paused: string[] = [];
  try {
    for (const r of await running())
      if (writers.has(r.name) && r.state === 'running' && (await runtime.pauseContainer(r.id))) paused.push(r.id);
    return await start();
  } finally {
    for (const id of paused) await runtime.unpauseContainer(id);
  }
}
