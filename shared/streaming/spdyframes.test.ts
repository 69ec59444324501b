import crypto from 'node:crypto';
import { HeaderCompressor, HeaderDecompressor, MAX_HEADER_BLOCK_BYTES } from './headercompression';
import { SPDY3_DICTIONARY } from './spdydictionary';
import {
  encodeData,
  encodeGoAway,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  encodeSynStream,
  FrameReader,
  parseHeaders,
  RstStatus,
  serializeHeaders,
  SpdyProtocolError,
} from './spdyframes';
import { clientBytes, fixture } from './testdata/fixtures';
import { FrameDecoder } from './testing';

describe('the SPDY/3 dictionary', () => {
  it('is the constant of the specification, byte for byte', () => {
    expect(SPDY3_DICTIONARY.length).toBe(1423);
    expect(crypto.createHash('sha256').update(SPDY3_DICTIONARY).digest('hex')).toBe(
      '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02',
    );
  });
});

describe('reading what kubectl sends', () => {
  it('decodes the streams kubectl 1.27 opens for exec -i, their data and its resets', async () => {
    const decoder = new FrameDecoder();
    const frames = await decoder.push(clientBytes(fixture('exec-stdin-1.27-spdy').sessions[0]));
    decoder.close();
    expect(frames.filter((f) => f.type === 'syn_stream').map((f) => [f.streamId, 'headers' in f && f.headers])).toEqual([
      [1, { streamtype: 'error' }],
      [3, { streamtype: 'stdin' }],
      [5, { streamtype: 'stdout' }],
      [7, { streamtype: 'stderr' }],
    ]);
    expect(frames.filter((f) => f.type === 'data')).toEqual([
      { type: 'data', streamId: 3, fin: false, data: Buffer.from('hello\n') },
      { type: 'data', streamId: 3, fin: true, data: Buffer.alloc(0) },
    ]);
    expect(frames.filter((f) => f.type === 'rst_stream')).toEqual([
      { type: 'rst_stream', streamId: 5, status: RstStatus.Cancel },
      { type: 'rst_stream', streamId: 7, status: RstStatus.Cancel },
    ]);
  });

  it('decodes the stream pair of a port-forward connection (kubectl 1.27 over SPDY, 1.33 tunnelled in a WebSocket)', async () => {
    for (const name of ['portforward-1.27-spdy', 'portforward-1.33-tunnel']) {
      const decoder = new FrameDecoder();
      const frames = await decoder.push(clientBytes(fixture(name).sessions[0]));
      decoder.close();
      expect(frames.filter((f) => f.type === 'syn_stream').map((f) => 'headers' in f && f.headers)).toEqual([
        { streamtype: 'error', port: '8080', requestid: '0' },
        { streamtype: 'data', port: '8080', requestid: '0' },
      ]);
      expect(frames).toContainEqual({ type: 'data', streamId: 1, fin: true, data: Buffer.alloc(0) }); // the error stream, half-closed at once
      expect(frames).toContainEqual({ type: 'data', streamId: 3, fin: false, data: Buffer.from('ping\n') });
    }
  });

  it('gives the same frames however the bytes are cut', () => {
    const bytes = clientBytes(fixture('portforward-1.27-spdy').sessions[0]);
    const whole = new FrameReader().push(bytes);
    const reader = new FrameReader();
    const oneByOne = [...bytes].flatMap((b) => reader.push(Buffer.from([b])));
    expect(oneByOne).toEqual(whole);
  });
});

describe('frames', () => {
  it('round-trip through the reader', () => {
    const block = Buffer.from('compressed headers');
    const bytes = Buffer.concat([
      encodeSynStream(5, block, { fin: true, priority: 3 }),
      encodeSynReply(5, block),
      encodeData(5, Buffer.from('abc'), true),
      encodeRstStream(7, RstStatus.ProtocolError),
      encodePing(9),
      encodeGoAway(7),
    ]);
    expect(new FrameReader().push(bytes)).toEqual([
      { type: 'syn_stream', streamId: 5, associatedStreamId: 0, priority: 3, fin: true, unidirectional: false, headerBlock: block },
      { type: 'syn_reply', streamId: 5, fin: false, headerBlock: block },
      { type: 'data', streamId: 5, fin: true, data: Buffer.from('abc') },
      { type: 'rst_stream', streamId: 7, status: RstStatus.ProtocolError },
      { type: 'ping', id: 9 },
      { type: 'goaway', lastGoodStreamId: 7, status: 0 },
    ]);
  });

  it('ignores the control frames Kubernetes does not use (SETTINGS, WINDOW_UPDATE)', () => {
    const settings = Buffer.from([0x80, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0]);
    const windowUpdate = Buffer.from([0x80, 0x03, 0x00, 0x09, 0x00, 0x00, 0x00, 0x08, 0, 0, 0, 1, 0, 0, 0x10, 0]);
    expect(new FrameReader().push(Buffer.concat([settings, windowUpdate]))).toEqual([
      { type: 'ignored', controlType: 4 },
      { type: 'ignored', controlType: 9 },
    ]);
  });

  it('refuses another SPDY version and control frames too short for their type', () => {
    expect(() => new FrameReader().push(Buffer.from([0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 1]))).toThrow(
      new SpdyProtocolError('unsupported SPDY version 2'),
    );
    expect(() => new FrameReader().push(Buffer.from([0x80, 0x03, 0x00, 0x06, 0, 0, 0, 2, 0, 1]))).toThrow(/PING frame too short/);
  });
});

describe('header blocks', () => {
  it('round-trip, names lower-cased', () => {
    expect(parseHeaders(serializeHeaders({ StreamType: 'data', port: '8080' }))).toEqual({ streamtype: 'data', port: '8080' });
  });

  it('refuse truncated, duplicate and empty names, and keep __proto__ a plain name', () => {
    const block = serializeHeaders({ a: 'b' });
    expect(() => parseHeaders(block.subarray(0, block.length - 1))).toThrow(/truncated/);
    const twice = Buffer.concat([Buffer.from([0, 0, 0, 2]), block.subarray(4), block.subarray(4)]);
    expect(() => parseHeaders(twice)).toThrow(/duplicate header a/);
    expect(() => parseHeaders(serializeHeaders({ '': 'x' }))).toThrow(/empty header name/);
    const proto = parseHeaders(serializeHeaders({ __proto__: 'x' } as unknown as Record<string, string>));
    expect(Object.getPrototypeOf(proto)).toBeNull();
  });

  it('refuse a count far beyond the block without looping over it', () => {
    const huge = Buffer.from([0xff, 0xff, 0xff, 0xff]);
    expect(() => parseHeaders(huge)).toThrow(/truncated/);
  });
});

describe('header compression', () => {
  it('keeps one zlib stream per direction: blocks decompress only in order', async () => {
    const [compressor, decompressor] = [new HeaderCompressor(), new HeaderDecompressor()];
    const blocks = [{ streamtype: 'error' }, { streamtype: 'stdin' }, { streamtype: 'stdout' }].map((h) => serializeHeaders(h));
    const compressed = await Promise.all(blocks.map((b) => compressor.compress(b)));
    for (const [i, c] of compressed.entries()) expect(await decompressor.decompress(c)).toEqual(blocks[i]);
    // The second block alone means nothing to a fresh decompressor: it refers back to the first.
    const fresh = new HeaderDecompressor();
    await expect(fresh.decompress(compressed[1])).rejects.toThrow(SpdyProtocolError);
    [compressor, decompressor, fresh].forEach((c) => c.close());
  });

  it('stops a header block that inflates beyond the limit', async () => {
    const [compressor, decompressor] = [new HeaderCompressor(), new HeaderDecompressor()];
    const bomb = await compressor.compress(serializeHeaders({ x: 'a'.repeat(MAX_HEADER_BLOCK_BYTES * 4) }));
    expect(bomb.length).toBeLessThan(MAX_HEADER_BLOCK_BYTES);
    await expect(decompressor.decompress(bomb)).rejects.toThrow(/over 65536 bytes/);
    await expect(decompressor.decompress(bomb)).rejects.toThrow(SpdyProtocolError); // and nothing after it
    compressor.close();
    decompressor.close();
  });
});
