// The Docker implementation of the container runtime: the only file of the project importing dockerode.
import Docker from 'dockerode';
import fs from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { PassThrough, Readable, Writable } from 'node:stream';
import { dialPodPort } from '../portforward';
import {
  ContainerRuntime,
  ContainerSpec,
  ContainerStats,
  INFRA_NAME,
  LABELS,
  LogOptions,
  RuntimeContainer,
  SandboxSpec,
  StreamIO,
  TerminalSize,
} from './interface';

const isNotFound = (err: unknown) => (err as { statusCode?: number }).statusCode === 404;
const isConflict = (err: unknown) => (err as { statusCode?: number }).statusCode === 409;
const ZERO_TIME = '0001-01-01T00:00:00Z';

export class DockerRuntime implements ContainerRuntime {
  private readonly docker: Docker;
  /**
   * Inspected containers by id, with the list state they were inspected in: the kubelet relists every
   * second, and without this every list inspected every container of
   * the node (a request each), so the engine's work grew with the square of the pod count. What we read
   * from an inspect (exit code, start and finish times, the sandbox IP) changes only with the state, as
   * the kubelet never restarts a container in place (restart policy "no"; a restart is a new attempt).
   */
  private readonly inspected = new Map<string, { nodeName: string; state: string; container: RuntimeContainer }>();

  constructor(endpoint: string) {
    const socketPath = endpoint.replace(/^unix:\/\//, '');
    this.docker = new Docker({ socketPath });
  }

  async version(): Promise<string> {
    return (await this.docker.version()).Version;
  }

  async ensureNetwork(name: string, subnet: string, gateway: string, opts: { masquerade: boolean }): Promise<void> {
    // Several kubelets may share this engine and race to create the network: the losers get 409, or 403
    // "Pool overlaps" while the winner's network is still being set up, and simply look again.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.docker.getNetwork(name).inspect();
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      try {
        await this.docker.createNetwork({
          Name: name,
          Driver: 'bridge',
          CheckDuplicate: true,
          IPAM: { Config: [{ Subnet: subnet, Gateway: gateway }] },
          Options: {
            'com.docker.network.bridge.name': name.slice(0, 15),
            'com.docker.network.bridge.enable_ip_masquerade': String(opts.masquerade),
          },
          Labels: { 'io.kubernetes.network': 'pods' },
        });
        return;
      } catch (err) {
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  async loadImages(dir: string): Promise<string[]> {
    const loaded: string[] = [];
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.tar'))
      .sort()) {
      const stream = await this.docker.loadImage(path.join(dir, file));
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
      );
      loaded.push(file);
    }
    return loaded;
  }

  async removeNetworkIfUnused(name: string): Promise<boolean> {
    try {
      const info = await this.docker.getNetwork(name).inspect();
      if (Object.keys(info.Containers ?? {}).length) return false;
      await this.docker.getNetwork(name).remove();
      return true;
    } catch (err) {
      return isNotFound(err);
    }
  }

  async listContainers(nodeName: string, podUid?: string): Promise<RuntimeContainer[]> {
    const label = [`${LABELS.nodeName}=${nodeName}`, ...(podUid ? [`${LABELS.podUid}=${podUid}`] : [])];
    const list = await this.docker.listContainers({ all: true, filters: { label } });
    const listed = new Set(list.map((c) => c.Id));
    for (const [id, entry] of this.inspected)
      if (entry.nodeName === nodeName && (!podUid || entry.container.podUid === podUid) && !listed.has(id)) this.inspected.delete(id);
    const containers = await Promise.all(
      list.map(async (c) => {
        const cached = this.inspected.get(c.Id);
        if (cached?.state === c.State) return { ...cached.container };
        return this.containerStatus(c.Id).catch(() => undefined);
      }),
    );
    return containers.filter((c): c is RuntimeContainer => !!c);
  }

  async containerStatus(id: string): Promise<RuntimeContainer | undefined> {
    const info = await this.docker
      .getContainer(id)
      .inspect()
      .catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
    if (!info) return undefined;
    const container = this.toRuntimeContainer(info);
    const nodeName = info.Config.Labels?.[LABELS.nodeName] ?? '';
    // The list reports the same state words as the inspect's State.Status (created, running, exited, ...).
    this.inspected.set(id, { nodeName, state: info.State.Status, container });
    return { ...container };
  }

  private toRuntimeContainer(c: Docker.ContainerInspectInfo): RuntimeContainer {
    const labels = c.Config.Labels ?? {};
    const s = c.State;
    const state = s.Running
      ? 'running'
      : s.Status === 'created'
        ? 'created'
        : s.Status === 'exited' || s.Status === 'dead'
          ? 'exited'
          : 'unknown';
    const networks = Object.values(c.NetworkSettings.Networks ?? {});
    return {
      id: c.Id,
      name: labels[LABELS.containerName] ?? '',
      podUid: labels[LABELS.podUid] ?? '',
      podName: labels[LABELS.podName] ?? '',
      podNamespace: labels[LABELS.podNamespace] ?? '',
      attempt: Number(labels[LABELS.restartCount] ?? 0),
      state,
      exitCode: state === 'exited' ? s.ExitCode : undefined,
      oomKilled: s.OOMKilled,
      createdAt: c.Created,
      startedAt: s.StartedAt && s.StartedAt !== ZERO_TIME ? s.StartedAt : undefined,
      finishedAt: s.FinishedAt && s.FinishedAt !== ZERO_TIME ? s.FinishedAt : undefined,
      image: c.Config.Image,
      imageID: c.Image,
      ip: labels[LABELS.containerName] === INFRA_NAME ? networks[0]?.IPAddress || undefined : undefined,
    };
  }

  async imagePresent(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async pullImage(image: string): Promise<void> {
    const stream = await this.docker.pull(image);
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
    );
  }

  async runSandbox(spec: SandboxSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of spec.portBindings) {
      const key = `${p.containerPort}/${p.protocol.toLowerCase()}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: p.hostIP, HostPort: String(p.hostPort) });
    }
    const container = await this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      Hostname: spec.hostname,
      ...(spec.domainname ? { Domainname: spec.domainname } : {}),
      Labels: spec.labels,
      ExposedPorts: exposed,
      HostConfig: {
        NetworkMode: spec.network,
        IpcMode: 'shareable',
        PortBindings: bindings,
        RestartPolicy: { Name: 'no' },
        ...(spec.dns ? { Dns: spec.dns.servers, DnsSearch: spec.dns.searches, DnsOptions: spec.dns.options } : {}),
      },
      NetworkingConfig: { EndpointsConfig: { [spec.network]: { IPAMConfig: { IPv4Address: spec.ip } } } },
    });
    await container.start();
    return container.id;
  }

  async runContainer(sandboxId: string, spec: ContainerSpec): Promise<string> {
    const container = await this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      Entrypoint: spec.command,
      Cmd: spec.args,
      WorkingDir: spec.workingDir,
      Env: spec.env,
      Labels: spec.labels,
      Tty: spec.tty ?? false,
      OpenStdin: spec.stdin ?? false,
      StdinOnce: spec.stdinOnce ?? false,
      HostConfig: {
        NetworkMode: `container:${sandboxId}`,
        IpcMode: `container:${sandboxId}`,
        // Mounts rather than Binds: Docker creates a missing bind source (as root, following links), a Mount fails instead.
        Mounts: spec.mounts.map((m) => ({ Type: 'bind' as const, Source: m.hostPath, Target: m.containerPath, ReadOnly: m.readOnly })),
        NanoCpus: spec.nanoCpus,
        Memory: spec.memoryBytes,
        RestartPolicy: { Name: 'no' },
      },
    });
    await container.start();
    return container.id;
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.round(graceSeconds)) });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code !== 304 && code !== 404) throw err; // already stopped or gone
    }
  }

  async pauseContainer(id: string): Promise<boolean> {
    try {
      await this.docker.getContainer(id).pause();
      return true;
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return false; // exited meanwhile, or gone
      throw err;
    }
  }

  async unpauseContainer(id: string): Promise<void> {
    await this.docker.getContainer(id).unpause();
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const container = this.docker.getContainer(id);
    const info = await container.inspect();
    const params = {
      stdout: true,
      stderr: true,
      timestamps: opts.timestamps,
      tail: opts.tail,
      since: opts.sinceSeconds ? Math.floor(Date.now() / 1000) - opts.sinceSeconds : 0,
    };
    const out = new PassThrough();
    if (opts.follow) {
      const raw = (await container.logs({ ...params, follow: true })) as unknown as Readable;
      if (info.Config.Tty) raw.pipe(out);
      else this.docker.modem.demuxStream(raw, out, out);
      raw.on('end', () => out.end());
      out.on('close', () => raw.destroy());
    } else {
      const buf = (await container.logs({ ...params, follow: false })) as unknown as Buffer;
      out.end(info.Config.Tty ? buf : demux(buf));
    }
    return out;
  }

  async stats(id: string): Promise<ContainerStats> {
    // one-shot (API 1.41): the engine answers with one sample at once; without it, it waits a second for
    // a second sample, and each such call held the engine while the kubelet was starting pods.
    const s = (await this.docker.getContainer(id).stats({ stream: false, 'one-shot': true })) as Docker.ContainerStats;
    const cache = (s.memory_stats.stats as Record<string, number> | undefined)?.inactive_file ?? 0;
    return {
      timestampMs: Date.parse(s.read) || Date.now(),
      usageCoreNanoSeconds: s.cpu_stats.cpu_usage.total_usage,
      workingSetBytes: Math.max(0, (s.memory_stats.usage ?? 0) - cache),
    };
  }

  async execSync(id: string, command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const exec = await this.docker.getContainer(id).exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    this.docker.modem.demuxStream(stream, out, out);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.destroy();
        reject(new Error(`command timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      stream.on('end', () => {
        clearTimeout(timer);
        resolve();
      });
      stream.on('error', reject);
    });
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString() };
  }

  async exec(id: string, command: string[], io: StreamIO): Promise<number> {
    const exec = await this.docker.getContainer(id).exec({
      Cmd: command,
      AttachStdin: !!io.stdin,
      AttachStdout: !!io.stdout,
      AttachStderr: !!io.stderr,
      Tty: io.tty,
    });
    const stream = await exec.start({ hijack: true, stdin: !!io.stdin, Tty: io.tty });
    await this.pump(stream, io, io.tty, (size) => exec.resize({ h: size.height, w: size.width }));
    if (io.signal?.aborted) return -1; // the client left; the command may still be running, as it would with docker exec
    // The engine ends the stream as the process exits; its exit code can take a moment longer to show.
    for (let attempt = 0; ; attempt++) {
      const info = await exec.inspect();
      if (!info.Running || attempt === 50) return info.ExitCode ?? -1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async attach(id: string, io: StreamIO): Promise<void> {
    const container = this.docker.getContainer(id);
    const { Config } = await container.inspect();
    // With hijack the engine's connection itself comes back: a socket, whatever the typings say.
    const stream = (await container.attach({
      stream: true,
      stdin: !!io.stdin,
      stdout: !!io.stdout,
      stderr: !!io.stderr,
      hijack: true,
    })) as Duplex;
    await this.pump(stream, io, Config.Tty, (size) => container.resize({ h: size.height, w: size.width }));
  }

  /**
   * Joins a hijacked engine connection to the client's streams until the engine ends it (the process
   * exited) or the client leaves. Without a TTY the engine multiplexes stdout and stderr on it.
   */
  private async pump(stream: Duplex, io: StreamIO, tty: boolean, resize: (size: TerminalSize) => Promise<unknown>): Promise<void> {
    const [stdout, stderr] = [io.stdout ?? discard(), io.stderr ?? discard()];
    if (tty) stream.pipe(stdout, { end: false });
    else this.docker.modem.demuxStream(stream, stdout, stderr);
    io.stdin?.pipe(stream); // its end half-closes the connection: the engine closes the process's stdin
    const onResize = (size: TerminalSize) => void resize(size).catch(() => undefined); // before the start or after the exit: nothing to resize
    io.resize?.on('data', onResize);
    const leave = () => stream.destroy();
    io.signal?.addEventListener('abort', leave);
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    io.signal?.removeEventListener('abort', leave);
    io.resize?.off('data', onResize);
    io.stdin?.unpipe(stream);
    if (tty) stream.unpipe(stdout);
  }

  async portForward(sandboxId: string, port: number, stream: Duplex): Promise<void> {
    const info = await this.docker.getContainer(sandboxId).inspect();
    if (!info.State.Running) throw new Error(`pod sandbox ${sandboxId} is not running`);
    const ip = Object.values(info.NetworkSettings.Networks ?? {})[0]?.IPAddress || undefined;
    // SandboxKey: the engine's handle on the sandbox's network namespace (/var/run/docker/netns/<id>).
    await dialPodPort({ sandboxId, netns: info.NetworkSettings.SandboxKey || undefined, ip }, port, stream);
  }
}

/** Output nobody asked for. */
const discard = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });

/** Docker's multiplexed log format: 8-byte headers (stream, 0, 0, 0, size32) before each frame. */
function demux(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts);
}
