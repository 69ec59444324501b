// IntOrString values that count pods: a number, or a percentage of a total (`25%`), as apimachinery's
// intstr.GetScaledValueFromIntOrPercent resolves them.
import type { IntOrString } from './api/core';

/** `v` itself, or its percentage of `total`, rounded up or down; throws on a string that is not `<digits>%`. */
export function scaledValueFromIntOrPercent(v: IntOrString, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
