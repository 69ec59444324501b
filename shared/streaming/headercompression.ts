// SPDY/3 header compression: each direction of a connection is ONE zlib stream, primed with the SPDY
// dictionary, and every header block is a piece of it ending in a sync flush. So blocks must be
// (de)compressed one at a time, in the order they travel: both contexts queue their calls.
import zlib from 'node:zlib';
import { SpdyProtocolError } from './spdyframes';
import { SPDY3_DICTIONARY } from './spdydictionary';

/** A decompressed header block larger than this ends the connection (kubectl's are a few dozen bytes). */
export const MAX_HEADER_BLOCK_BYTES = 64 * 1024;

class ZlibContext {
  private queue: Promise<unknown> = Promise.resolve();
  private failure?: Error;

  constructor(private readonly stream: zlib.Deflate | zlib.Inflate) {
    stream.on('error', (err) => (this.failure ??= err));
  }

  /** Runs `input` through the stream and returns what a sync flush yields for it. */
  run(input: Buffer): Promise<Buffer> {
    const result = this.queue.then(() => this.flushed(input));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private flushed(input: Buffer): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.failure) return reject(new SpdyProtocolError(`header compression failed earlier: ${this.failure.message}`));
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (err?: Error) => {
        this.stream.off('data', onData);
        this.stream.off('error', done);
        if (err) {
          this.failure = err;
          this.stream.destroy();
          reject(new SpdyProtocolError(`invalid header block: ${err.message}`));
        } else resolve(Buffer.concat(chunks));
      };
      const onData = (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size > MAX_HEADER_BLOCK_BYTES) done(new Error(`header block over ${MAX_HEADER_BLOCK_BYTES} bytes`));
      };
      this.stream.on('data', onData);
      this.stream.once('error', done);
      this.stream.write(input);
      this.stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        if (!this.failure) done();
      });
    });
  }

  close(): void {
    this.stream.destroy();
  }
}

/** Compresses the header blocks one side sends. */
export class HeaderCompressor {
  private readonly context = new ZlibContext(zlib.createDeflate({ dictionary: SPDY3_DICTIONARY }));
  compress = (block: Buffer): Promise<Buffer> => this.context.run(block);
  close = (): void => this.context.close();
}

/** Decompresses the header blocks the other side sends. */
export class HeaderDecompressor {
  private readonly context = new ZlibContext(zlib.createInflate({ dictionary: SPDY3_DICTIONARY }));
  decompress = (block: Buffer): Promise<Buffer> => this.context.run(block);
  close = (): void => this.context.close();
}
