// JSON patch (RFC 6902) with fast-json-patch, one operation at a time under a budget, so that no patch
// costs more than a few tenths of a second whatever it holds:
//   - at most 10,000 operations, as kube-apiserver allows (413 beyond);
//   - inserting into or removing from the middle of an array moves the elements after it: the moves
//     of a whole patch are bounded (10,000 inserts at the front of a 400,000-element list took seconds);
//   - `copy` duplicates a value: the copied nodes of a whole patch are bounded (copying the document
//     into itself doubles it each time);
//   - fast-json-patch's check that a `move`/`copy` source exists deep-clones the whole document per
//     operation; the source is looked up here instead.
// A patch that does not apply is 422 with kube-apiserver's message.
import { applyOperation, JsonPatchError, Operation, unescapePathComponent, validator } from 'fast-json-patch';
import { requestEntityTooLarge, StatusError, statusFailure } from '../../shared/errors';

export const MAX_JSON_PATCH_OPERATIONS = 10_000;
/** How many array elements the inserts and removals of one patch may shift. */
export const MAX_ARRAY_SHIFTS = 20_000_000;
/** How many nodes the copies of one patch may duplicate. */
export const MAX_COPIED_NODES = 250_000;

/** What kube-apiserver answers when a JSON patch does not apply to the object. */
export function patchDoesNotApply(): StatusError {
  return new StatusError(statusFailure(422, 'Invalid', 'the server rejected our request due to an error in our request'));
}

/** The container a JSON pointer points into and the key in it, or undefined when the pointer does not resolve. */
function resolveParent(document: unknown, pointer: string): { container: unknown; key: string } | undefined {
  if (typeof pointer !== 'string' || !pointer.startsWith('/')) return undefined;
  const keys = pointer.slice(1).split('/');
  let container = document;
  for (let i = 0; i < keys.length - 1; i++) {
    if (container === null || typeof container !== 'object') return undefined;
    container = (container as Record<string, unknown>)[unescapePathComponent(keys[i])];
  }
  if (container === null || typeof container !== 'object') return undefined;
  return { container, key: unescapePathComponent(keys[keys.length - 1]) };
}

function valueAt(document: unknown, pointer: string): { found: boolean; value?: unknown } {
  if (pointer === '') return { found: true, value: document };
  const parent = resolveParent(document, pointer);
  if (!parent || !Object.prototype.hasOwnProperty.call(parent.container, parent.key)) return { found: false };
  return { found: true, value: (parent.container as Record<string, unknown>)[parent.key] };
}

/** The nodes of `value`, counting no further than `limit`. */
function countNodes(value: unknown, limit: number): number {
  let count = 0;
  const stack = [value];
  while (stack.length && count <= limit) {
    const v = stack.pop();
    count++;
    if (v !== null && typeof v === 'object') for (const child of Object.values(v)) stack.push(child);
  }
  return count;
}

/** The cost account of one patch. */
class Budget {
  private shifts = 0;
  private copied = 0;

  /** Charges `op` against the document as it stands before `op` applies; throws once over budget. */
  charge(document: unknown, op: Operation): void {
    if (op.op === 'add' || op.op === 'copy' || op.op === 'move') this.chargeShift(document, op.path, true);
    if (op.op === 'remove' || op.op === 'move') this.chargeShift(document, op.op === 'move' ? op.from : op.path, false);
    if (op.op === 'move' || op.op === 'copy') {
      const source = valueAt(document, op.from);
      if (!source.found)
        throw new JsonPatchError('Cannot perform the operation from a path that does not exist', 'OPERATION_FROM_UNRESOLVABLE');
      if (op.op === 'copy') this.copied += countNodes(source.value, MAX_COPIED_NODES - this.copied);
    }
    if (this.shifts > MAX_ARRAY_SHIFTS || this.copied > MAX_COPIED_NODES) throw patchDoesNotApply();
  }

  private chargeShift(document: unknown, pointer: string, inserting: boolean): void {
    const parent = resolveParent(document, pointer);
    if (!parent || !Array.isArray(parent.container) || parent.key === '-') return;
    const index = Number(parent.key);
    if (Number.isInteger(index)) this.shifts += Math.max(0, parent.container.length - index - (inserting ? 0 : 1));
  }
}

/**
 * fast-json-patch's own checks of an operation, less the lookup of a move/copy source that clones the
 * document (the Budget looks the source up).
 */
function validate(op: Operation, index: number, document: unknown, existingPath: string): void {
  validator(op, index, op.op === 'move' || op.op === 'copy' ? undefined : document, existingPath);
}

export function applyJsonPatch(original: object, patch: unknown[]): object {
  if (patch.length > MAX_JSON_PATCH_OPERATIONS)
    throw requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  let document: unknown = structuredClone(original);
  const budget = new Budget();
  try {
    patch.forEach((op, i) => {
      validator(op as Operation, i); // its shape, before the budget reads it
      budget.charge(document, op as Operation);
      document = applyOperation(document, op as Operation, validate, true, true, i).newDocument;
    });
  } catch (err) {
    if (err instanceof JsonPatchError || err instanceof TypeError) throw patchDoesNotApply();
    throw err;
  }
  return document as object;
}
