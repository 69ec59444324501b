// Test helpers for the streaming protocols: a socket that records what the server writes, and the
// client's view of it (frames with their header blocks decompressed, in order).
import { Duplex } from 'node:stream';
import { HeaderCompressor, HeaderDecompressor } from './headercompression';
import { encodeSynStream, Frame, FrameReader, HeaderBlock, parseHeaders, serializeHeaders } from './spdyframes';

/** A socket whose peer is the test: `fromClient` feeds the server, `written` is what the server sent. */
export class FakeSocket extends Duplex {
  readonly written: Buffer[] = [];

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.written.push(chunk);
    this.emit('written', chunk);
    callback();
  }

  fromClient(bytes: Buffer): void {
    this.push(bytes);
  }

  /** The client hangs up. */
  hangUp(): void {
    this.push(null);
  }
}

export type DecodedFrame = Exclude<Frame, { headerBlock: Buffer }> | (Extract<Frame, { headerBlock: Buffer }> & { headers: HeaderBlock });

/** Decodes frames as the other side would: header blocks decompressed in order. */
export class FrameDecoder {
  private readonly reader = new FrameReader();
  private readonly decompressor = new HeaderDecompressor();

  async push(bytes: Buffer): Promise<DecodedFrame[]> {
    const decoded: DecodedFrame[] = [];
    for (const frame of this.reader.push(bytes)) {
      decoded.push(
        'headerBlock' in frame ? { ...frame, headers: parseHeaders(await this.decompressor.decompress(frame.headerBlock)) } : frame,
      );
    }
    return decoded;
  }

  close(): void {
    this.decompressor.close();
  }
}

/** The client's view of a SPDY server: every frame the server wrote on the socket, decoded as it comes. */
export class ClientView {
  readonly frames: DecodedFrame[] = [];
  private readonly decoder = new FrameDecoder();
  private decoding: Promise<void> = Promise.resolve();
  private readonly waiters: (() => void)[] = [];

  /** The HTTP response before the frames, when the view starts at the upgrade. */
  head?: string;

  /** `upgrade`: the server first answers an upgrade request in HTTP. */
  constructor(socket: FakeSocket, options: { upgrade?: boolean } = {}) {
    let pending = options.upgrade ? Buffer.alloc(0) : undefined;
    socket.on('written', (written: Buffer) => {
      let chunk = written;
      if (pending) {
        pending = Buffer.concat([pending, written]);
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        this.head = pending.subarray(0, end + 4).toString();
        [chunk, pending] = [pending.subarray(end + 4), undefined];
      }
      this.decoding = this.decoding.then(async () => {
        this.frames.push(...(await this.decoder.push(chunk)));
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  /** Resolves once the frames written so far satisfy `predicate`. */
  async until(predicate: (frames: DecodedFrame[]) => boolean): Promise<DecodedFrame[]> {
    while (!predicate(this.frames)) await new Promise<void>((wake) => this.waiters.push(wake));
    return this.frames;
  }

  /** The data the server sent on a stream, and whether it sent its FIN. */
  stream(id: number): { data: string; fin: boolean } {
    const frames = this.frames.filter((f): f is Extract<DecodedFrame, { type: 'data' }> => f.type === 'data' && f.streamId === id);
    return { data: Buffer.concat(frames.map((f) => f.data)).toString(), fin: frames.some((f) => f.fin) };
  }

  close(): void {
    this.decoder.close();
  }
}

/** The client's side of header compression, for tests that open streams themselves. */
export class ClientFrames {
  private readonly compressor = new HeaderCompressor();

  async synStream(id: number, headers: HeaderBlock, fin = false): Promise<Buffer> {
    return encodeSynStream(id, await this.compressor.compress(serializeHeaders(headers)), { fin });
  }

  close(): void {
    this.compressor.close();
  }
}
