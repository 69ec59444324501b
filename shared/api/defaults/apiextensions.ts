// apiextensions.k8s.io/v1 defaulting (SetDefaults_CustomResourceDefinition*): the singular name is the
// lower-cased kind, the list kind `<Kind>List`, conversion None.
import type { CustomResourceDefinition } from '../apiextensions';

export function defaultCustomResourceDefinition(crd: CustomResourceDefinition): void {
  const spec = crd.spec;
  if (!spec) return;
  const names = spec.names;
  if (names) {
    if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
    if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
  for (const v of spec.versions ?? []) {
    for (const c of v.additionalPrinterColumns ?? []) c.priority ??= 0;
  }
}
