// Writes the .proto files beside this one from the message descriptors compiled into a kubectl binary.
//
//   npm run build && node dist/apiserver/protobuf/generate.js /usr/lib/google-cloud-sdk/bin/kubectl.1.33
//
// Every Go package of k8s.io/api and k8s.io/apimachinery registers its generated.proto as a gzipped
// FileDescriptorProto, so kubectl carries the exact field names and numbers of every kind it can send,
// and gogoproto's `nullable=false` on each field whose Go type is not a pointer. This keeps of them only
// the messages of KINDS and what those refer to. To decode one more kind: add it to KINDS and run again.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import protobuf from 'protobufjs';
import * as descriptor from 'protobufjs/ext/descriptor';

/** The kinds kubectl may send as protobuf, and DeleteOptions; their fields' messages come along. */
const KINDS = [
  'k8s.io.apimachinery.pkg.runtime.Unknown',
  'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  ...[
    'Binding',
    'ConfigMap',
    'Endpoints',
    'Event',
    'Namespace',
    'Node',
    'PersistentVolume',
    'PersistentVolumeClaim',
    'Pod',
    'ResourceQuota',
    'Secret',
    'Service',
    'ServiceAccount',
  ].map((k) => `k8s.io.api.core.v1.${k}`),
  ...['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'].map((k) => `k8s.io.api.apps.v1.${k}`),
  ...['SelfSubjectReview', 'TokenRequest', 'TokenReview'].map((k) => `k8s.io.api.authentication.v1.${k}`),
  ...['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'].map(
    (k) => `k8s.io.api.authorization.v1.${k}`,
  ),
  'k8s.io.api.autoscaling.v1.HorizontalPodAutoscaler',
  'k8s.io.api.autoscaling.v1.Scale',
  'k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler',
  'k8s.io.api.batch.v1.CronJob',
  'k8s.io.api.batch.v1.Job',
  'k8s.io.api.certificates.v1.CertificateSigningRequest',
  'k8s.io.api.coordination.v1.Lease',
  'k8s.io.api.discovery.v1.EndpointSlice',
  'k8s.io.api.networking.v1.Ingress',
  'k8s.io.api.networking.v1.IngressClass',
  'k8s.io.api.networking.v1.NetworkPolicy',
  'k8s.io.api.policy.v1.Eviction',
  'k8s.io.api.policy.v1.PodDisruptionBudget',
  ...['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].map((k) => `k8s.io.api.rbac.v1.${k}`),
  'k8s.io.api.scheduling.v1.PriorityClass',
  'k8s.io.api.storage.v1.StorageClass',
];

/**
 * Embedded Go structs tagged `json:",inline"`: their fields sit in the parent's JSON object, while
 * protobuf nests them as one field. The descriptors do not say so; the Go types do.
 */
const INLINE = [
  'k8s.io.api.core.v1.ConfigMapEnvSource.localObjectReference',
  'k8s.io.api.core.v1.ConfigMapKeySelector.localObjectReference',
  'k8s.io.api.core.v1.ConfigMapProjection.localObjectReference',
  'k8s.io.api.core.v1.ConfigMapVolumeSource.localObjectReference',
  'k8s.io.api.core.v1.EphemeralContainer.ephemeralContainerCommon',
  'k8s.io.api.core.v1.PersistentVolumeSpec.persistentVolumeSource',
  'k8s.io.api.core.v1.Probe.handler',
  'k8s.io.api.core.v1.SecretEnvSource.localObjectReference',
  'k8s.io.api.core.v1.SecretKeySelector.localObjectReference',
  'k8s.io.api.core.v1.SecretProjection.localObjectReference',
  'k8s.io.api.core.v1.Volume.volumeSource',
  'k8s.io.api.networking.v1.IngressRule.ingressRuleValue',
];

/**
 * Fields whose Go json tag has no `omitempty`: Go writes their zero value, or null for an unset slice or
 * pointer. Every other field is left out of the JSON object when zero, as omitempty does. The descriptors
 * do not say this either; the list holds the ones kubectl's requests carry, from the Go types.
 */
const NOT_OMITEMPTY = [
  'k8s.io.api.authentication.v1.TokenRequestSpec.audiences',
  'k8s.io.api.authentication.v1.TokenRequestSpec.boundObjectRef',
  'k8s.io.api.authentication.v1.TokenRequestStatus.token',
  'k8s.io.api.authorization.v1.NonResourceRule.verbs',
  'k8s.io.api.authorization.v1.ResourceRule.verbs',
  'k8s.io.api.authorization.v1.SubjectAccessReviewStatus.allowed',
  'k8s.io.api.authorization.v1.SubjectRulesReviewStatus.incomplete',
  'k8s.io.api.authorization.v1.SubjectRulesReviewStatus.nonResourceRules',
  'k8s.io.api.authorization.v1.SubjectRulesReviewStatus.resourceRules',
  'k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerSpec.maxReplicas',
  'k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerStatus.currentReplicas',
  'k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerStatus.desiredReplicas',
  'k8s.io.api.autoscaling.v2.HorizontalPodAutoscalerSpec.maxReplicas',
  'k8s.io.api.autoscaling.v2.HorizontalPodAutoscalerStatus.desiredReplicas',
  'k8s.io.api.policy.v1.PodDisruptionBudgetStatus.currentHealthy',
  'k8s.io.api.policy.v1.PodDisruptionBudgetStatus.desiredHealthy',
  'k8s.io.api.policy.v1.PodDisruptionBudgetStatus.disruptionsAllowed',
  'k8s.io.api.policy.v1.PodDisruptionBudgetStatus.expectedPods',
  'k8s.io.api.rbac.v1.ClusterRole.rules',
  'k8s.io.api.rbac.v1.PolicyRule.verbs',
  'k8s.io.api.rbac.v1.Role.rules',
  'k8s.io.api.scheduling.v1.PriorityClass.value',
];

const GOGO_NULLABLE = 65001; // gogoproto's FieldOptions extension
const TYPE_MESSAGE = 11; // FieldDescriptorProto.Type
const LABEL_REPEATED = 3; // FieldDescriptorProto.Label

type FileDescriptor = descriptor.IFileDescriptorProto;
type MessageDescriptor = descriptor.IDescriptorProto;
type FieldDescriptor = descriptor.IFieldDescriptorProto & { options?: { nullable?: boolean } };

/** The generated.proto descriptors in a Go binary: each is a gzip member (Go writes a 10-byte header). */
function descriptorsIn(binary: Buffer): FileDescriptor[] {
  (descriptor.FieldOptions as unknown as protobuf.Type).add(new protobuf.Field('nullable', GOGO_NULLABLE, 'bool'));
  const files = new Map<string, FileDescriptor>();
  const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00]);
  for (let at = binary.indexOf(gzip); at >= 0; at = binary.indexOf(gzip, at + 1)) {
    let file: FileDescriptor;
    try {
      const bytes = zlib.inflateRawSync(binary.subarray(at + 10, at + 10 + (1 << 20)));
      file = descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(bytes)) as FileDescriptor;
    } catch {
      continue; // not a descriptor
    }
    if (file.name?.startsWith('k8s.io/') && file.name.endsWith('/generated.proto') && !files.has(file.name)) files.set(file.name, file);
  }
  return [...files.values()];
}

interface Message {
  file: FileDescriptor;
  message: MessageDescriptor;
}

/** Every message by its full name (`k8s.io.api.core.v1.Pod`), nested map entries included. */
function messagesOf(files: FileDescriptor[]): Map<string, Message> {
  const all = new Map<string, Message>();
  for (const file of files) for (const message of file.messageType ?? []) all.set(`${file.package}.${message.name}`, { file, message });
  return all;
}

/** The messages reachable from the roots through their fields. */
function closure(all: Map<string, Message>, roots: string[]): Set<string> {
  const keep = new Set<string>();
  const visit = (name: string) => {
    if (keep.has(name)) return;
    const m = all.get(name);
    if (!m) throw new Error(`no message ${name} in the binary`);
    keep.add(name);
    for (const f of fieldsOf(m.message)) {
      const type = valueTypeName(m.message, f);
      if (type) visit(type);
    }
  };
  roots.forEach(visit);
  return keep;
}

function fieldsOf(m: MessageDescriptor): FieldDescriptor[] {
  return (m.field ?? []) as FieldDescriptor[];
}

function mapEntryOf(m: MessageDescriptor, f: FieldDescriptor): MessageDescriptor | undefined {
  if (f.type !== TYPE_MESSAGE || f.label !== LABEL_REPEATED) return undefined;
  const short = f.typeName!.split('.').pop();
  return (m.nestedType ?? []).find((n) => n.name === short && n.options?.mapEntry);
}

/** The message a field holds (a map's value message), without the leading dot; undefined for scalars. */
function valueTypeName(m: MessageDescriptor, f: FieldDescriptor): string | undefined {
  const entry = mapEntryOf(m, f);
  const field = entry ? fieldsOf(entry).find((x) => x.number === 2)! : f;
  return field.type === TYPE_MESSAGE ? field.typeName!.slice(1) : undefined;
}

const SCALARS: Record<number, string> = {
  1: 'double',
  2: 'float',
  3: 'int64',
  4: 'uint64',
  5: 'int32',
  8: 'bool',
  9: 'string',
  12: 'bytes',
  13: 'uint32',
};

function typeText(f: FieldDescriptor, pkg: string): string {
  if (f.type !== TYPE_MESSAGE) {
    const t = SCALARS[f.type!];
    if (!t) throw new Error(`unexpected field type ${f.type} of ${f.name}`);
    return t;
  }
  const name = f.typeName!.slice(1);
  return name.startsWith(`${pkg}.`) && !name.slice(pkg.length + 1).includes('.') ? name.slice(pkg.length + 1) : name;
}

function fieldText(pkg: string, m: MessageDescriptor, f: FieldDescriptor): string {
  const options: string[] = [];
  if (f.options?.nullable === false && f.type !== TYPE_MESSAGE) options.push('(gogoproto.nullable) = false');
  if (INLINE.includes(`${pkg}.${m.name}.${f.name}`)) options.push('(json_inline) = true');
  if (NOT_OMITEMPTY.includes(`${pkg}.${m.name}.${f.name}`)) options.push('(json_omitempty) = false');
  const suffix = `${f.name} = ${f.number}${options.length ? ` [${options.join(', ')}]` : ''};`;
  const entry = mapEntryOf(m, f);
  if (entry) {
    const [key, value] = [1, 2].map((n) =>
      typeText(
        fieldsOf(entry).find((x) => x.number === n)!,
        pkg,
      ),
    );
    return `  map<${key}, ${value}> ${suffix}`;
  }
  const label = f.label === LABEL_REPEATED ? 'repeated' : 'optional';
  return `  ${label} ${typeText(f, pkg)} ${suffix}`;
}

function fileText(file: FileDescriptor, names: string[], all: Map<string, Message>, version: string): string {
  const pkg = file.package!;
  const imports = new Set<string>();
  const messages = names.sort().map((name) => {
    const { message } = all.get(name)!;
    for (const f of fieldsOf(message)) {
      const type = valueTypeName(message, f);
      if (type && !type.startsWith(`${pkg}.`)) imports.add(all.get(type)!.file.name!);
    }
    return `message ${message.name} {\n${fieldsOf(message)
      .map((f) => fieldText(pkg, message, f))
      .join('\n')}\n}\n`;
  });
  return [
    `// The messages of ${file.name} that the apiserver decodes, as compiled into ${version}`,
    '// (written by apiserver/protobuf/generate.ts; comments and unused messages left out). A scalar marked',
    '// `(gogoproto.nullable) = false` is not a pointer in Go: its zero value is always on the wire and is',
    '// left out of the JSON object, as `omitempty` does. `(json_inline)` marks an embedded `json:",inline"` struct.',
    'syntax = "proto2";',
    '',
    `package ${pkg};`,
    '',
    ...[...imports].sort().map((i) => `import "${i}";`),
    ...(imports.size ? [''] : []),
    messages.join('\n'),
  ].join('\n');
}

function main(): void {
  const binary = process.argv[2];
  if (!binary) throw new Error('usage: generate.js <kubectl binary>');
  const version = path.basename(binary);
  const all = messagesOf(descriptorsIn(fs.readFileSync(binary)));
  const byFile = new Map<FileDescriptor, string[]>();
  for (const name of closure(all, KINDS)) {
    const { file } = all.get(name)!;
    byFile.set(file, [...(byFile.get(file) ?? []), name]);
  }
  for (const [file, names] of byFile) {
    const out = path.join(__dirname.replace(`${path.sep}dist${path.sep}`, path.sep), file.name!);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, fileText(file, names, all, version));
    console.log(`${out}: ${names.length} messages`);
  }
}

main();
