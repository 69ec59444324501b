// Cells every controller of pods prints with `-o wide`: its template's containers and images.
import type { PodTemplateSpec } from '../../shared/api/core';

export const containers = (t: PodTemplateSpec | undefined): string => (t?.spec?.containers ?? []).map((c) => c.name).join(',');
export const images = (t: PodTemplateSpec | undefined): string => (t?.spec?.containers ?? []).map((c) => c.image).join(',');
