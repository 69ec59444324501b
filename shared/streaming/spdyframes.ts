// SPDY/3 framing, as kubectl's client (moby/spdystream, the framer of golang.org/x/net/spdy) writes and
// reads it. Pure functions: bytes to frames and frames to bytes; header blocks travel compressed (see
// headercompression.ts) and are (de)serialized here.
//
//   control frame:  1 | version (15 bits) = 3 | type (16) | flags (8) | length (24) | payload
//   data frame:     0 | stream id (31 bits)               | flags (8) | length (24) | data
//
// Only what Kubernetes' streaming protocols use is given a meaning: SYN_STREAM, SYN_REPLY, RST_STREAM,
// PING, GOAWAY and DATA. SETTINGS, HEADERS and WINDOW_UPDATE are read and ignored: spdystream sends no
// WINDOW_UPDATE, so neither side may enforce SPDY's flow-control windows.

export const SPDY_VERSION = 3;
const HEADER_BYTES = 8;
/** The largest payload a frame's 24-bit length field can carry. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

export enum ControlType {
  SynStream = 1,
  SynReply = 2,
  RstStream = 3,
  Settings = 4,
  Ping = 6,
  GoAway = 7,
  Headers = 8,
  WindowUpdate = 9,
}

/** RST_STREAM status codes. */
export enum RstStatus {
  ProtocolError = 1,
  InvalidStream = 2,
  RefusedStream = 3,
  Cancel = 5,
  InternalError = 6,
  StreamInUse = 8,
  StreamAlreadyClosed = 9,
}

export type Frame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | {
      type: 'syn_stream';
      streamId: number;
      associatedStreamId: number;
      priority: number;
      fin: boolean;
      unidirectional: boolean;
      /** The compressed header block. */
      headerBlock: Buffer;
    }
  | { type: 'syn_reply'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'ignored'; controlType: number };

/** A frame that breaks the protocol: the connection cannot go on. */
export class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

function need(payload: Buffer, bytes: number, what: string): void {
  if (payload.length < bytes) throw new SpdyProtocolError(`${what} frame too short (${payload.length} bytes)`);
}

const streamIdAt = (buf: Buffer, offset: number) => buf.readUInt32BE(offset) & 0x7fffffff;

function controlFrame(type: number, flags: number, payload: Buffer): Frame {
  switch (type) {
    case ControlType.SynStream:
      need(payload, 10, 'SYN_STREAM');
      return {
        type: 'syn_stream',
        streamId: streamIdAt(payload, 0),
        associatedStreamId: streamIdAt(payload, 4),
        priority: payload[8] >> 5,
        fin: (flags & FLAG_FIN) !== 0,
        unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
        headerBlock: payload.subarray(10),
      };
    case ControlType.SynReply:
      need(payload, 4, 'SYN_REPLY');
      return { type: 'syn_reply', streamId: streamIdAt(payload, 0), fin: (flags & FLAG_FIN) !== 0, headerBlock: payload.subarray(4) };
    case ControlType.RstStream:
      need(payload, 8, 'RST_STREAM');
      return { type: 'rst_stream', streamId: streamIdAt(payload, 0), status: payload.readUInt32BE(4) };
    case ControlType.Ping:
      need(payload, 4, 'PING');
      return { type: 'ping', id: payload.readUInt32BE(0) };
    case ControlType.GoAway:
      need(payload, 8, 'GOAWAY');
      return { type: 'goaway', lastGoodStreamId: streamIdAt(payload, 0), status: payload.readUInt32BE(4) };
    default:
      return { type: 'ignored', controlType: type };
  }
}

/**
 * Cuts a byte stream into frames. Feed it what the socket reads, in order; it keeps a partial frame
 * until the rest arrives.
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buffered.length >= HEADER_BYTES) {
      const length = this.buffered.readUIntBE(5, 3);
      if (this.buffered.length < HEADER_BYTES + length) break;
      const flags = this.buffered[4];
      const payload = this.buffered.subarray(HEADER_BYTES, HEADER_BYTES + length);
      if (this.buffered[0] & 0x80) {
        const version = this.buffered.readUInt16BE(0) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        frames.push(controlFrame(this.buffered.readUInt16BE(2), flags, payload));
      } else {
        frames.push({ type: 'data', streamId: streamIdAt(this.buffered, 0), fin: (flags & FLAG_FIN) !== 0, data: payload });
      }
      this.buffered = this.buffered.subarray(HEADER_BYTES + length);
    }
    return frames;
  }
}

function control(type: ControlType, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new RangeError(`a SPDY frame carries at most ${MAX_FRAME_PAYLOAD} bytes`);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  header.writeUInt16BE(type, 2);
  header[4] = flags;
  header.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([header, payload]);
}

function u32s(...values: number[]): Buffer {
  const buf = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => buf.writeUInt32BE(v >>> 0, 4 * i));
  return buf;
}

export function encodeData(streamId: number, data: Buffer, fin: boolean): Buffer {
  if (data.length > MAX_FRAME_PAYLOAD) throw new RangeError(`a SPDY frame carries at most ${MAX_FRAME_PAYLOAD} bytes`);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header[4] = fin ? FLAG_FIN : 0;
  header.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([header, data]);
}

export function encodeSynStream(
  streamId: number,
  headerBlock: Buffer,
  opts: { fin?: boolean; associatedStreamId?: number; priority?: number } = {},
): Buffer {
  const fixed = Buffer.concat([u32s(streamId, opts.associatedStreamId ?? 0), Buffer.from([(opts.priority ?? 0) << 5, 0])]);
  return control(ControlType.SynStream, opts.fin ? FLAG_FIN : 0, Buffer.concat([fixed, headerBlock]));
}

export function encodeSynReply(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  return control(ControlType.SynReply, fin ? FLAG_FIN : 0, Buffer.concat([u32s(streamId), headerBlock]));
}

export const encodeRstStream = (streamId: number, status: RstStatus) => control(ControlType.RstStream, 0, u32s(streamId, status));
export const encodePing = (id: number) => control(ControlType.Ping, 0, u32s(id));
export const encodeGoAway = (lastGoodStreamId: number, status = 0) => control(ControlType.GoAway, 0, u32s(lastGoodStreamId, status));

/**
 * A header block before compression: lowercase names; several values of one name are joined by NUL.
 *   count (32) | name length (32) | name | value length (32) | value | ...
 */
export type HeaderBlock = Record<string, string>;

export function serializeHeaders(headers: HeaderBlock): Buffer {
  const parts: Buffer[] = [u32s(Object.keys(headers).length)];
  for (const [name, value] of Object.entries(headers)) {
    const [n, v] = [Buffer.from(name.toLowerCase()), Buffer.from(value)];
    parts.push(u32s(n.length), n, u32s(v.length), v);
  }
  return Buffer.concat(parts);
}

export function parseHeaders(block: Buffer): HeaderBlock {
  const truncated = () => new SpdyProtocolError('truncated SPDY header block');
  if (block.length < 4) throw truncated();
  const count = block.readUInt32BE(0);
  const headers: HeaderBlock = Object.create(null) as HeaderBlock; // names come from the peer: `__proto__` is just a name
  let at = 4;
  const next = (): string => {
    if (at + 4 > block.length) throw truncated();
    const length = block.readUInt32BE(at);
    if (at + 4 + length > block.length) throw truncated();
    const text = block.toString('utf8', at + 4, at + 4 + length);
    at += 4 + length;
    return text;
  };
  for (let i = 0; i < count; i++) {
    const name = next();
    const value = next();
    if (!name) throw new SpdyProtocolError('empty header name in a SPDY header block');
    if (Object.hasOwn(headers, name)) throw new SpdyProtocolError(`duplicate header ${name} in a SPDY header block`);
    headers[name] = value;
  }
  return headers;
}
