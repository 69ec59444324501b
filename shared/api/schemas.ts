// zod schemas: the shape checks done at the apiserver's edge, before defaulting and validation. They
// check JSON types (a string where a number belongs, a list where an object belongs) for the fields this
// cluster reads; unknown fields pass through (`looseObject`), as Kubernetes prunes rather than fails.
import { z } from 'zod';
import type { ResourceInfo } from './resources';

const str = z.string();
const int = z.number().int();
const labels = z.record(z.string(), z.string());
const intOrString = z.union([int, str]);

export const objectMeta = z.looseObject({
  name: str.optional(),
  generateName: str.optional(),
  namespace: str.optional(),
  uid: str.optional(),
  resourceVersion: str.optional(),
  generation: int.optional(),
  labels: labels.nullish(),
  annotations: labels.nullish(),
  finalizers: z.array(str).nullish(),
  ownerReferences: z
    .array(
      z.looseObject({
        apiVersion: str,
        kind: str,
        name: str,
        uid: str,
        controller: z.boolean().optional(),
        blockOwnerDeletion: z.boolean().optional(),
      }),
    )
    .nullish(),
});

const probe = z.looseObject({
  exec: z.looseObject({ command: z.array(str).optional() }).optional(),
  httpGet: z.looseObject({ path: str.optional(), port: intOrString, host: str.optional(), scheme: str.optional() }).optional(),
  tcpSocket: z.looseObject({ port: intOrString }).optional(),
  initialDelaySeconds: int.optional(),
  timeoutSeconds: int.optional(),
  periodSeconds: int.optional(),
  successThreshold: int.optional(),
  failureThreshold: int.optional(),
});

/** A Quantity is a string or a JSON number (`cpu: 0.5`); its syntax is checked by checkQuantities. */
const quantity = z.union([z.number(), str]);
const resources = z.looseObject({ limits: z.record(str, quantity).optional(), requests: z.record(str, quantity).optional() });

const container = z.looseObject({
  name: str,
  image: str.optional(),
  command: z.array(str).nullish(),
  args: z.array(str).nullish(),
  workingDir: str.optional(),
  ports: z.array(z.looseObject({ name: str.optional(), containerPort: int, hostPort: int.optional(), protocol: str.optional() })).nullish(),
  env: z.array(z.looseObject({ name: str, value: str.optional() })).nullish(),
  resources: resources.optional(),
  volumeMounts: z
    .array(
      z.looseObject({
        name: str,
        mountPath: str,
        readOnly: z.boolean().optional(),
        subPath: str.optional(),
        subPathExpr: str.optional(),
      }),
    )
    .nullish(),
  livenessProbe: probe.optional(),
  readinessProbe: probe.optional(),
  startupProbe: probe.optional(),
  imagePullPolicy: str.optional(),
});

// Volumes whose files the kubelet writes: every name and mode in them is checked before validation reads it.
const keyToPath = z.looseObject({ key: str, path: str, mode: int.optional() });
const items = z.array(keyToPath).nullish();
const downwardAPIFiles = z
  .array(
    z.looseObject({
      path: str.optional(),
      fieldRef: z.looseObject({ apiVersion: str.optional(), fieldPath: str.optional() }).optional(),
      resourceFieldRef: z
        .looseObject({ containerName: str.optional(), resource: str.optional(), divisor: intOrString.optional() })
        .optional(),
      mode: int.optional(),
    }),
  )
  .nullish();
const volume = z.looseObject({
  name: str,
  hostPath: z.looseObject({ path: str, type: str.optional() }).optional(),
  configMap: z.looseObject({ name: str.optional(), items, defaultMode: int.optional(), optional: z.boolean().optional() }).optional(),
  secret: z.looseObject({ secretName: str.optional(), items, defaultMode: int.optional(), optional: z.boolean().optional() }).optional(),
  downwardAPI: z.looseObject({ items: downwardAPIFiles, defaultMode: int.optional() }).optional(),
  projected: z
    .looseObject({
      defaultMode: int.optional(),
      sources: z
        .array(
          z.looseObject({
            configMap: z.looseObject({ name: str.optional(), items, optional: z.boolean().optional() }).optional(),
            secret: z.looseObject({ name: str.optional(), items, optional: z.boolean().optional() }).optional(),
            downwardAPI: z.looseObject({ items: downwardAPIFiles }).optional(),
            serviceAccountToken: z.looseObject({ path: str, expirationSeconds: int.optional(), audience: str.optional() }).optional(),
          }),
        )
        .nullish(),
    })
    .optional(),
});

export const podSpec = z.looseObject({
  containers: z.array(container),
  initContainers: z.array(container).nullish(),
  volumes: z.array(volume).nullish(),
  restartPolicy: str.optional(),
  terminationGracePeriodSeconds: int.optional(),
  nodeSelector: labels.nullish(),
  nodeName: str.optional(),
  hostNetwork: z.boolean().optional(),
  tolerations: z
    .array(z.looseObject({ key: str.optional(), operator: str.optional(), value: str.optional(), effect: str.optional() }))
    .nullish(),
});

const labelSelector = z.looseObject({
  matchLabels: labels.nullish(),
  matchExpressions: z.array(z.looseObject({ key: str, operator: str, values: z.array(str).nullish() })).nullish(),
});

const podTemplate = z.looseObject({ metadata: objectMeta.optional(), spec: podSpec });

const workloadSpec = z.looseObject({
  replicas: int.optional(),
  minReadySeconds: int.optional(),
  selector: labelSelector,
  template: podTemplate,
});

const serviceSpec = z.looseObject({
  type: str.optional(),
  clusterIP: str.optional(),
  selector: labels.nullish(),
  ports: z
    .array(
      z.looseObject({
        name: str.optional(),
        port: int,
        targetPort: intOrString.optional(),
        nodePort: int.optional(),
        protocol: str.optional(),
      }),
    )
    .nullish(),
  externalName: str.optional(),
  externalIPs: z.array(str).nullish(),
  sessionAffinity: str.optional(),
});

const endpointAddress = z.looseObject({ ip: str, hostname: str.optional(), nodeName: str.nullish() });
const endpointPort = z.looseObject({ name: str.optional(), port: int, protocol: str.optional() });
const endpointSubset = z.looseObject({
  addresses: z.array(endpointAddress).nullish(),
  notReadyAddresses: z.array(endpointAddress).nullish(),
  ports: z.array(endpointPort).nullish(),
});
const sliceEndpoint = z.looseObject({ addresses: z.array(str), hostname: str.nullish(), nodeName: str.nullish() });
const slicePort = z.looseObject({ name: str.nullish(), port: int.nullish(), protocol: str.nullish() });

const strings = z.array(str).nullish();
const policyRule = z.looseObject({
  verbs: z.array(str),
  apiGroups: strings,
  resources: strings,
  resourceNames: strings,
  nonResourceURLs: strings,
});
const subject = z.looseObject({ kind: str, name: str, namespace: str.optional(), apiGroup: str.optional() });
const roleRef = z.looseObject({ apiGroup: str, kind: str, name: str });

const withMeta = <T extends z.ZodRawShape>(shape: T) =>
  z.looseObject({ apiVersion: str.optional(), kind: str.optional(), metadata: objectMeta, ...shape });

/** The schema of each kind; kinds not listed only need valid metadata. */
const SCHEMAS: Record<string, z.ZodType> = {
  Pod: withMeta({ spec: podSpec }),
  ReplicaSet: withMeta({ spec: workloadSpec }),
  Deployment: withMeta({
    spec: workloadSpec.extend({
      strategy: z
        .looseObject({
          type: str.optional(),
          rollingUpdate: z.looseObject({ maxSurge: intOrString.optional(), maxUnavailable: intOrString.optional() }).nullish(),
        })
        .optional(),
      paused: z.boolean().optional(),
      revisionHistoryLimit: int.optional(),
      progressDeadlineSeconds: int.optional(),
    }),
  }),
  Service: withMeta({ spec: serviceSpec }),
  Endpoints: withMeta({ subsets: z.array(endpointSubset).nullish() }),
  EndpointSlice: withMeta({ addressType: str, endpoints: z.array(sliceEndpoint).nullish(), ports: z.array(slicePort).nullish() }),
  ConfigMap: withMeta({ data: labels.nullish(), binaryData: labels.nullish() }),
  Secret: withMeta({ data: labels.nullish(), stringData: labels.nullish(), type: str.optional() }),
  HorizontalPodAutoscaler: withMeta({
    spec: z.looseObject({ scaleTargetRef: z.looseObject({ kind: str, name: str }), minReplicas: int.optional(), maxReplicas: int }),
  }),
  Role: withMeta({ rules: z.array(policyRule).nullish() }),
  ClusterRole: withMeta({ rules: z.array(policyRule).nullish() }),
  RoleBinding: withMeta({ subjects: z.array(subject).nullish(), roleRef }),
  ClusterRoleBinding: withMeta({ subjects: z.array(subject).nullish(), roleRef }),
  Node: withMeta({
    spec: z.looseObject({ podCIDR: str.optional(), podCIDRs: z.array(str).nullish(), providerID: str.optional() }).optional(),
  }),
  Lease: withMeta({ spec: z.looseObject({ holderIdentity: str.nullish(), leaseDurationSeconds: int.nullish() }).optional() }),
  CertificateSigningRequest: withMeta({
    spec: z.looseObject({
      request: str,
      signerName: str.optional(),
      expirationSeconds: int.nullish(),
      usages: strings,
      username: str.optional(),
      uid: str.optional(),
      groups: strings,
      extra: z.record(str, z.array(str)).nullish(),
    }),
    status: z
      .looseObject({
        conditions: z.array(z.looseObject({ type: str, status: str, reason: str.optional(), message: str.optional() })).nullish(),
        certificate: str.optional(),
      })
      .nullish(),
  }),
};

export function schemaFor(resource: ResourceInfo): z.ZodType {
  return SCHEMAS[resource.kind] ?? withMeta({});
}

/** `spec.containers[0].image` from a zod issue path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
    '',
  );
}
