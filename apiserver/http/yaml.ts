// YAML request bodies, decoded in time linear in the body and to a bounded size.
//
// js-yaml first turns the text into a flat list of events (no recursion: its maxDepth refuses deep
// nesting), which is read once here before anything is built:
//   - aliases are expanded by count, with go-yaml's rule (what Kubernetes' sigs.k8s.io/yaml uses): small
//     documents may come 99% from aliases, large ones only 10%, so a few lines cannot expand a
//     hundredfold into millions of nodes ("billion laughs"): "yaml: document contains excessive aliasing";
//   - an alias inside the node it names is refused, as go-yaml does;
//   - a document of more than MAX_YAML_NODES nodes (aliases expanded) is refused: building one costs
//     about a microsecond a node, so the bound keeps any body well under a second.
// The events then become JavaScript values (js-yaml checks duplicate keys with a hash, in linear time),
// and aliases become copies, so that no two places of the object share a value. A body that is JSON
// (what kubectl sends) is read by JSON.parse.
import {
  constructFromEvents,
  EVENT_ALIAS,
  EVENT_DOCUMENT,
  EVENT_MAPPING,
  EVENT_POP,
  EVENT_SCALAR,
  EVENT_SEQUENCE,
  parseEvents,
  YAMLException,
} from 'js-yaml';
import type { Event } from 'js-yaml';
import { MAX_NESTING_DEPTH } from '../../shared/api/decode';
import { badRequest } from '../../shared/errors';

/** How many nodes a YAML body may decode to, aliases expanded: far beyond any manifest. */
export const MAX_YAML_NODES = 250_000;

const tooDeep = () => badRequest(`the body of the request nests objects or arrays more than ${MAX_NESTING_DEPTH} levels deep`);
/** Worded as kube-apiserver words a YAML body sigs.k8s.io/yaml cannot convert. */
const notYaml = (reason: string) => badRequest(`error converting YAML to JSON: yaml: ${reason}`);

/** go-yaml's allowedAliasRatio: the share of decoded nodes that may come from aliases, by document size. */
function allowedAliasRatio(decoded: number): number {
  const low = 400_000;
  const high = 4_000_000;
  if (decoded <= low) return 0.99;
  if (decoded >= high) return 0.1;
  return 0.99 - 0.89 * ((decoded - low) / (high - low));
}

/** A collection being read: its node count so far, and the anchor it defines. */
interface Frame {
  nodes: number;
  anchor?: string;
}

/**
 * Counts the nodes the events decode to, aliases expanded, and throws on excessive or self-referencing
 * aliases. Returns how many nodes come from aliases.
 */
function checkAliasing(events: Event[], text: string): number {
  // For each anchor, the size of the node it names, or the frame of that node while it is being read.
  const anchors = new Map<string, number | Frame>();
  const open: Frame[] = [];
  let decoded = 0;
  let aliased = 0;
  const count = (nodes: number) => {
    if (open.length) open[open.length - 1].nodes += nodes;
    decoded += nodes;
  };
  for (const e of events) {
    switch (e.type) {
      case EVENT_DOCUMENT:
        open.push({ nodes: 0 });
        break;
      case EVENT_SCALAR:
        count(1);
        if (e.anchorStart >= 0) anchors.set(text.slice(e.anchorStart, e.anchorEnd), 1);
        break;
      case EVENT_SEQUENCE:
      case EVENT_MAPPING: {
        count(1);
        const frame: Frame = { nodes: 1, anchor: e.anchorStart >= 0 ? text.slice(e.anchorStart, e.anchorEnd) : undefined };
        if (frame.anchor !== undefined) anchors.set(frame.anchor, frame);
        open.push(frame);
        break;
      }
      case EVENT_POP: {
        const frame = open.pop()!;
        if (frame.anchor !== undefined && anchors.get(frame.anchor) === frame) anchors.set(frame.anchor, frame.nodes);
        if (open.length) open[open.length - 1].nodes += frame.nodes - 1;
        break;
      }
      case EVENT_ALIAS: {
        const name = text.slice(e.anchorStart, e.anchorEnd);
        const target = anchors.get(name);
        if (typeof target === 'object') throw notYaml(`anchor '${name}' value contains itself`);
        const nodes = target ?? 1; // an unknown anchor: js-yaml refuses it when building
        count(nodes);
        aliased += nodes;
        break;
      }
    }
    if (aliased > 100 && decoded > 1000 && aliased / decoded > allowedAliasRatio(decoded))
      throw notYaml('document contains excessive aliasing');
    if (decoded > MAX_YAML_NODES) throw notYaml(`document contains more than ${MAX_YAML_NODES} nodes`);
  }
  return aliased;
}

/** A copy of `value` that shares nothing (js-yaml hands out the anchored value itself for each alias). */
function unshare(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_NESTING_DEPTH) throw tooDeep();
  if (Array.isArray(value)) return value.map((v) => unshare(v, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) copy[k] = unshare(v, depth + 1);
  return copy;
}

/**
 * Whether the text starts a second document: a line beginning with `---` (then a blank or the end) starts
 * a document wherever it is, even in a block or quoted scalar, so a second one proves two documents.
 * js-yaml would parse them all before saying so.
 */
function hasSecondDocument(text: string): boolean {
  let seen = 0;
  for (let at = text.startsWith('---') ? 0 : text.indexOf('\n---'); at >= 0; at = text.indexOf('\n---', at + 1)) {
    const start = text[at] === '\n' ? at + 1 : at;
    const next = text[start + 3];
    if ((next === undefined || next === ' ' || next === '\t' || next === '\n' || next === '\r') && ++seen === 2) return true;
  }
  return false;
}

/** The single document of a YAML body, as plain JSON-like values. Throws 400 BadRequest. */
export function decodeYaml(text: string): unknown {
  // JSON is YAML, and what kubectl sends as apply-patch+yaml: JSON.parse reads it ten times faster (taking
  // the last of duplicate keys, as Kubernetes' non-strict YAML decoding does).
  if (/^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // YAML's flow syntax, then
    }
  }
  if (hasSecondDocument(text)) throw notYaml('the body holds more than one document');
  let documents: unknown[];
  let aliased: number;
  try {
    const events = parseEvents(text, { maxDepth: MAX_NESTING_DEPTH });
    aliased = checkAliasing(events, text);
    documents = constructFromEvents(events, { source: text, maxAliases: -1 });
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    if (err.reason.startsWith('nesting exceeded maxDepth')) throw tooDeep();
    throw notYaml(err.mark ? `line ${err.mark.line + 1}: ${err.reason}` : err.reason);
  }
  if (documents.length !== 1) throw notYaml(documents.length ? 'the body holds more than one document' : 'the body holds no document');
  return aliased ? unshare(documents[0]) : documents[0];
}
