// The kubelet's Node: registration, and the status it reports (capacity, addresses, node info,
// conditions). The Lease in kube-node-lease is the heartbeat; the status is rewritten when it changes
// and at least every minute.
import fs from 'node:fs';
import os from 'node:os';
import type { Node, NodeStatus, Taint } from '../shared/api/core';
import { rfc3339 } from '../shared/api/meta';

export interface NodeConfig {
  name: string;
  ip: string;
  port: number;
  labels: Record<string, string>;
  taints: Taint[];
  kubeletVersion: string;
  runtimeVersion: string;
  maxPods: number;
}

function osImage(): string {
  try {
    const release = fs.readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

function machineID(): string {
  try {
    return fs.readFileSync('/etc/machine-id', 'utf8').trim();
  } catch {
    return '';
  }
}

export function initialNode(c: NodeConfig): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: c.name,
      labels: {
        'kubernetes.io/hostname': c.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
        ...c.labels,
      },
    },
    // No podCIDR: the controller-manager assigns it (a --pod-cidr is for this kubelet's own use).
    spec: c.taints.length ? { taints: c.taints } : {},
  };
}

/** The node status the kubelet reports; condition transition times are kept from `old` when unchanged. */
export function nodeStatus(c: NodeConfig, old: NodeStatus | undefined, now: Date): NodeStatus {
  const heartbeat = rfc3339(now);
  const cond = (type: string, status: 'True' | 'False', reason: string, message: string) => {
    const prev = old?.conditions?.find((x) => x.type === type);
    return {
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: heartbeat,
      lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : heartbeat,
    };
  };
  const memoryKi = `${Math.floor(os.totalmem() / 1024)}Ki`;
  const resources = { cpu: String(os.cpus().length), memory: memoryKi, pods: String(c.maxPods), 'ephemeral-storage': '0' };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: [
      cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [
      { type: 'InternalIP', address: c.ip },
      { type: 'Hostname', address: c.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: c.port } },
    nodeInfo: {
      machineID: machineID(),
      systemUUID: machineID(),
      bootID: '',
      kernelVersion: os.release(),
      osImage: osImage(),
      containerRuntimeVersion: `docker://${c.runtimeVersion}`,
      kubeletVersion: c.kubeletVersion,
      kubeProxyVersion: c.kubeletVersion,
      operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    },
  };
}

/** Whether two statuses differ in more than heartbeat times (then the status is written at once). */
export function statusChanged(a: NodeStatus | undefined, b: NodeStatus): boolean {
  const strip = (s: NodeStatus | undefined) =>
    JSON.stringify({ ...s, conditions: s?.conditions?.map((x) => ({ ...x, lastHeartbeatTime: undefined })) });
  return strip(a) !== strip(b);
}
