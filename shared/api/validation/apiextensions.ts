// apiextensions.k8s.io/v1 validation (apiextensions-apiserver's ValidateCustomResourceDefinition), with
// Kubernetes' field paths and wording: the name is `<plural>.<group>`, names are DNS-1035 labels, exactly one
// version is the storage version, every version has a structural schema, scale paths point into spec and status.
import type { CustomResourceDefinition, CustomResourceDefinitionNames, JSONSchemaProps } from '../apiextensions';
import type { StatusCause } from '../meta';
import { dns1035LabelMessages, dns1123SubdomainMessages } from '../names';
import { fieldError } from '../../errors';
import { append, objectMetaErrors } from './meta';

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const SCHEMA_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

function namesErrors(path: string, names: CustomResourceDefinitionNames | undefined): StatusCause[] {
  if (!names) return [fieldError.required(path)];
  const errors: StatusCause[] = [];
  const label = (field: string, value: string | undefined, prefix = '', lower = false) => {
    if (!value) return;
    const messages = dns1035LabelMessages(lower ? value.toLowerCase() : value);
    if (messages.length) errors.push(fieldError.invalid(field, value, prefix + messages.join(',')));
  };
  if (!names.plural) errors.push(fieldError.required(`${path}.plural`));
  label(`${path}.plural`, names.plural);
  if (!names.singular) errors.push(fieldError.required(`${path}.singular`));
  label(`${path}.singular`, names.singular);
  if (!names.kind) errors.push(fieldError.required(`${path}.kind`));
  label(`${path}.kind`, names.kind, 'may have mixed case, but should otherwise match: ', true);
  if (!names.listKind) errors.push(fieldError.required(`${path}.listKind`));
  label(`${path}.listKind`, names.listKind, 'may have mixed case, but should otherwise match: ', true);
  (names.shortNames ?? []).forEach((s, i) => label(`${path}.shortNames[${i}]`, s));
  (names.categories ?? []).forEach((c, i) => label(`${path}.categories[${i}]`, c));
  if (names.kind && names.kind === names.listKind)
    errors.push(fieldError.invalid(`${path}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  return errors;
}

/** A JSON path for a scale subresource: `.spec.replicas`, a field under `.spec` (or `.status`). */
function scalePathErrors(field: string, path: string | undefined, under: 'spec' | 'status', required: boolean): StatusCause[] {
  if (!path) return required ? [fieldError.required(field)] : [];
  if (!/^\.[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(path))
    return [fieldError.invalid(field, path, 'must be a simple json path starting with .')];
  if (!path.startsWith(`.${under}.`)) return [fieldError.invalid(field, path, `should be a json path under .${under}`)];
  return [];
}

/**
 * The structural schema rules (apiextensions' structural.ValidateStructural): every specified field has a
 * type, object fields may not have both properties and additionalProperties, metadata at the root may only
 * restrict name and generateName, and x-kubernetes-* extensions are used consistently.
 */
export function structuralSchemaErrors(path: string, schema: JSONSchemaProps, root = true): StatusCause[] {
  const errors: StatusCause[] = [];
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'];
  if (!schema.type) {
    if (root) errors.push(fieldError.required(`${path}.type`, 'must not be empty at the root'));
    else if (!intOrString && preserve !== true)
      errors.push(fieldError.required(`${path}.type`, 'must not be empty for specified object fields'));
  } else if (!SCHEMA_TYPES.includes(schema.type)) {
    errors.push(fieldError.notSupported(`${path}.type`, schema.type, SCHEMA_TYPES));
  }
  if (root && schema.type && schema.type !== 'object')
    errors.push(fieldError.invalid(`${path}.type`, schema.type, 'must be object at the root'));
  if (intOrString && schema.type)
    errors.push(fieldError.invalid(`${path}.type`, schema.type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (preserve === false)
    errors.push(fieldError.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  if (schema['x-kubernetes-embedded-resource'] && schema.type !== 'object')
    errors.push(fieldError.invalid(`${path}.type`, schema.type ?? '', 'must be object if x-kubernetes-embedded-resource is true'));
  if (schema.$ref) errors.push(fieldError.forbidden(`${path}.$ref`, '$ref is not supported'));
  if (schema.properties && schema.additionalProperties !== undefined && schema.additionalProperties !== false)
    errors.push(fieldError.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  if (schema.type === 'array' && !schema.items) errors.push(fieldError.required(`${path}.items`, 'must be specified'));
  if (schema.type && schema.type !== 'object' && schema.properties)
    errors.push(fieldError.forbidden(`${path}.properties`, 'must be empty for non-object types'));
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const childPath = `${path}.properties[${name}]`;
    if (root && name === 'metadata') {
      const extra = Object.keys(child.properties ?? {}).filter((p) => p !== 'name' && p !== 'generateName');
      if (extra.length || (child.type !== undefined && child.type !== 'object'))
        errors.push(
          fieldError.forbidden(
            childPath,
            'must not specify anything other than name and generateName, but metadata is implicitly specified',
          ),
        );
      continue;
    }
    append(errors, structuralSchemaErrors(childPath, child, false));
  }
  if (schema.items) append(errors, structuralSchemaErrors(`${path}.items`, schema.items, false));
  if (typeof schema.additionalProperties === 'object')
    append(errors, structuralSchemaErrors(`${path}.additionalProperties`, schema.additionalProperties, false));
  if (schema.pattern !== undefined) {
    try {
      new RegExp(schema.pattern, 'u');
    } catch {
      errors.push(fieldError.invalid(`${path}.pattern`, schema.pattern, 'must be a valid regular expression'));
    }
  }
  return errors;
}

export function validateCustomResourceDefinition(crd: CustomResourceDefinition, old?: CustomResourceDefinition): StatusCause[] {
  const errors: StatusCause[] = objectMetaErrors(crd.metadata);
  const spec = crd.spec;
  if (!spec) return [...errors, fieldError.required('spec')];
  const { group, names } = spec;
  if (crd.metadata.name && names?.plural && group && crd.metadata.name !== `${names.plural}.${group}`)
    errors.push(fieldError.invalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  if (!group) errors.push(fieldError.required('spec.group'));
  else {
    const messages = dns1123SubdomainMessages(group);
    if (messages.length) errors.push(fieldError.invalid('spec.group', group, messages.join(',')));
    else if (group.split('.').length < 2) errors.push(fieldError.invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  append(errors, namesErrors('spec.names', names));
  if (!spec.scope) errors.push(fieldError.required('spec.scope'));
  else if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
    errors.push(fieldError.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  if (spec.preserveUnknownFields)
    errors.push(
      fieldError.invalid(
        'spec.preserveUnknownFields',
        true,
        'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
      ),
    );
  if (spec.conversion && spec.conversion.strategy !== 'None') {
    if (spec.conversion.strategy === 'Webhook')
      errors.push(fieldError.forbidden('spec.conversion.strategy', 'conversion webhooks are not supported by this server'));
    else errors.push(fieldError.notSupported('spec.conversion.strategy', spec.conversion.strategy, ['None', 'Webhook']));
  }
  const versions = spec.versions ?? [];
  if (!versions.length) errors.push(fieldError.required('spec.versions', 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage).length !== 1)
    errors.push(
      fieldError.invalid(
        'spec.versions',
        versions.map((v) => ({ name: v.name, served: v.served, storage: v.storage })),
        'must have exactly one version marked as storage version',
      ),
    );
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const path = `spec.versions[${i}]`;
    if (!v.name) errors.push(fieldError.required(`${path}.name`));
    else {
      const messages = dns1035LabelMessages(v.name);
      if (messages.length) errors.push(fieldError.invalid(`${path}.name`, v.name, messages.join(',')));
      if (seen.has(v.name)) errors.push(fieldError.invalid('spec.versions', v.name, 'must contain unique version names'));
      seen.add(v.name);
    }
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) errors.push(fieldError.required(`${path}.schema.openAPIV3Schema`, 'schemas are required'));
    else append(errors, structuralSchemaErrors(`${path}.schema.openAPIV3Schema`, schema));
    const scale = v.subresources?.scale;
    if (scale) {
      const sp = `${path}.subresources.scale`;
      append(errors, scalePathErrors(`${sp}.specReplicasPath`, scale.specReplicasPath, 'spec', true));
      append(errors, scalePathErrors(`${sp}.statusReplicasPath`, scale.statusReplicasPath, 'status', true));
      const selector = scale.labelSelectorPath;
      if (selector && !/^\.(spec|status)(\.[A-Za-z_]\w*)+$/.test(selector))
        errors.push(fieldError.invalid(`${sp}.labelSelectorPath`, selector, 'should be a json path under either .spec or .status'));
    }
    (v.additionalPrinterColumns ?? []).forEach((c, j) => {
      const cp = `${path}.additionalPrinterColumns[${j}]`;
      if (!c.name) errors.push(fieldError.required(`${cp}.name`));
      if (!c.type) errors.push(fieldError.required(`${cp}.type`));
      else if (!COLUMN_TYPES.includes(c.type)) errors.push(fieldError.notSupported(`${cp}.type`, c.type, COLUMN_TYPES));
      if (c.format && !['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password'].includes(c.format))
        errors.push(
          fieldError.notSupported(`${cp}.format`, c.format, ['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password']),
        );
      if (!c.jsonPath) errors.push(fieldError.required(`${cp}.JSONPath`));
      if ((c.priority ?? 0) < 0) errors.push(fieldError.invalid(`${cp}.priority`, c.priority, 'must be greater than or equal to 0'));
    });
  });
  if (old && old.spec.scope !== spec.scope) errors.push(fieldError.invalid('spec.scope', spec.scope, 'field is immutable'));
  (crd.status?.storedVersions ?? []).forEach((sv, i) => {
    if (!versions.some((v) => v.name === sv))
      errors.push(fieldError.invalid(`status.storedVersions[${i}]`, sv, 'must appear in spec.versions'));
  });
  return errors;
}
