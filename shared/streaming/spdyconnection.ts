// The server side of a SPDY/3.1 connection, as Kubernetes' streaming servers hold it (apimachinery's
// httpstream/spdy over moby/spdystream): the client opens every stream with SYN_STREAM, the server
// accepts each at once with an empty SYN_REPLY, and each stream is a byte pipe both ways, half-closed
// with a FIN. PINGs are echoed, a GOAWAY or the end of the socket ends the connection.
//
// Frames are handled strictly in the order they arrive and sent in the order they are written: header
// blocks share one zlib stream per direction, so a SYN_REPLY has to be compressed in its place in line.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { HeaderCompressor, HeaderDecompressor } from './headercompression';
import {
  encodeData,
  encodeGoAway,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  Frame,
  FrameReader,
  HeaderBlock,
  parseHeaders,
  RstStatus,
  serializeHeaders,
  SpdyProtocolError,
} from './spdyframes';

/** What one DATA frame carries at most when we write (spdystream reads any size). */
const MAX_DATA_CHUNK = 32 * 1024;

/** One stream of a connection: what the client writes is read here, what is written here reaches the client. */
export class SpdyStream extends Duplex {
  /** The peer sent its FIN (or reset the stream). */
  remoteClosed = false;
  /** We sent our FIN (or the stream was reset). */
  localClosed = false;
  private holdingSocket = false;

  constructor(
    readonly id: number,
    readonly headers: HeaderBlock,
    private readonly connection: SpdyConnection,
  ) {
    super({ allowHalfOpen: true });
  }

  /** @internal data from the peer. Without flow control in SPDY as kubectl speaks it, a slow reader holds the whole socket. */
  deliver(data: Buffer): void {
    if (!this.push(data) && !this.holdingSocket) {
      this.holdingSocket = true;
      this.connection.pauseReading();
    }
  }

  override _read(): void {
    this.release();
  }

  private release(): void {
    if (!this.holdingSocket) return;
    this.holdingSocket = false;
    this.connection.resumeReading();
  }

  // Writes after the connection is gone are dropped: nobody is left to read them.
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.localClosed) return callback();
    const frames: Buffer[] = [];
    for (let at = 0; at < chunk.length; at += MAX_DATA_CHUNK)
      frames.push(encodeData(this.id, chunk.subarray(at, at + MAX_DATA_CHUNK), false));
    this.connection.send(Buffer.concat(frames)).then(
      () => callback(),
      () => callback(),
    );
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (this.localClosed) return callback();
    this.localClosed = true;
    this.connection.forgetIfClosed(this);
    this.connection.send(encodeData(this.id, Buffer.alloc(0), true)).then(
      () => callback(),
      () => callback(),
    );
  }

  /** Destroying a stream that is still open resets it (RST_STREAM CANCEL), as spdystream's Reset does. */
  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (!this.localClosed || !this.remoteClosed) this.connection.send(encodeRstStream(this.id, RstStatus.Cancel)).catch(() => undefined);
    this.localClosed = this.remoteClosed = true;
    this.release();
    this.connection.forgetIfClosed(this);
    callback(err);
  }
}

export interface SpdyConnectionEvents {
  /** A stream the client opened, already accepted (its SYN_REPLY is on its way). */
  stream: [SpdyStream];
  /** The connection is over: the socket ended or failed, or the protocol was broken. */
  close: [Error | undefined];
}

export class SpdyConnection extends EventEmitter<SpdyConnectionEvents> {
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  /** The highest stream id the client used: ids only grow. */
  private lastStreamId = 0;
  private incoming: Promise<void> = Promise.resolve();
  private outgoing: Promise<void> = Promise.resolve();
  private holds = 0;
  private closed = false;

  constructor(private readonly socket: Duplex) {
    super();
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('end', () => this.shutdown());
    socket.on('close', () => this.shutdown());
    socket.on('error', (err) => this.shutdown(err));
  }

  /** The client's first bytes, read before the connection was handed over (the `head` of an upgrade). */
  receivedEarly(head: Buffer): void {
    if (head.length) this.received(head);
  }

  private received(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      return this.shutdown(err as Error);
    }
    for (const frame of frames) {
      this.incoming = this.incoming.then(() => this.handle(frame)).catch((err: Error) => this.shutdown(err));
    }
  }

  private async handle(frame: Frame): Promise<void> {
    if (this.closed) return;
    switch (frame.type) {
      case 'syn_stream':
        return this.accept(frame.streamId, await this.decompressor.decompress(frame.headerBlock), frame.fin);
      case 'data': {
        const stream = this.streams.get(frame.streamId);
        if (!stream || stream.remoteClosed) return; // a stream we reset or never had: its data is dropped, as spdystream does
        if (frame.data.length) stream.deliver(frame.data);
        if (frame.fin) this.remoteFinished(stream);
        return;
      }
      case 'rst_stream': {
        const stream = this.streams.get(frame.streamId);
        if (stream) this.streamReset(stream);
        return;
      }
      case 'ping':
        if (frame.id % 2 === 1) await this.send(encodePing(frame.id)); // the client's pings are odd; ours would be even
        return;
      case 'goaway':
        return; // the client opens no more streams; it closes the socket when it is done
      case 'syn_reply':
        throw new SpdyProtocolError(`SYN_REPLY for stream ${frame.streamId}, which the server never opened`);
      case 'ignored':
        return; // SETTINGS, HEADERS, WINDOW_UPDATE, NOOP
    }
  }

  private async accept(id: number, block: Buffer, fin: boolean): Promise<void> {
    const headers = parseHeaders(block);
    if (id % 2 === 0 || id <= this.lastStreamId) {
      await this.send(encodeRstStream(id, RstStatus.ProtocolError));
      return;
    }
    this.lastStreamId = id;
    const stream = new SpdyStream(id, headers, this);
    this.streams.set(id, stream);
    const reply = this.compressor.compress(serializeHeaders({}));
    void this.send(reply.then((compressed) => encodeSynReply(id, compressed))).catch(() => undefined);
    if (fin) this.remoteFinished(stream);
    this.emit('stream', stream);
  }

  private remoteFinished(stream: SpdyStream): void {
    stream.remoteClosed = true;
    stream.push(null);
    this.forgetIfClosed(stream);
  }

  /** The peer reset the stream, or the connection ended: the stream is over both ways (reads see an end, as spdystream's do). */
  private streamReset(stream: SpdyStream): void {
    this.streams.delete(stream.id);
    if (!stream.remoteClosed) stream.push(null);
    stream.localClosed = stream.remoteClosed = true;
    stream.destroy();
  }

  /** @internal */
  forgetIfClosed(stream: SpdyStream): void {
    if (stream.localClosed && stream.remoteClosed) this.streams.delete(stream.id);
  }

  /** @internal */
  pauseReading(): void {
    if (this.holds++ === 0) this.socket.pause();
  }

  /** @internal */
  resumeReading(): void {
    if (--this.holds === 0) this.socket.resume();
  }

  /** @internal queues a frame (or one still being compressed) behind everything written before it. */
  send(frame: Buffer | Promise<Buffer>): Promise<void> {
    const sent = this.outgoing.then(async () => {
      const bytes = await frame;
      if (this.closed || this.socket.destroyed) throw new Error('the SPDY connection is closed');
      if (this.socket.write(bytes)) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.on('drain', done);
        this.socket.on('close', done);
      });
    });
    this.outgoing = sent.catch(() => undefined);
    return sent;
  }

  /**
   * Ends the connection gracefully: once everything written so far is out, a GOAWAY; the client then
   * closes the socket (spdystream does once its streams are done). Closing it from here instead could
   * cut off frames the client has read but not handled yet, so it is destroyed only after `graceMs`.
   */
  async close(graceMs = 5_000): Promise<void> {
    if (this.closed) return;
    await this.send(encodeGoAway(this.lastStreamId)).catch(() => undefined);
    if (this.closed) return;
    const timer = setTimeout(() => this.destroy(), graceMs);
    this.once('close', () => clearTimeout(timer));
  }

  /** Ends the connection at once. */
  destroy(): void {
    this.socket.destroy();
    this.shutdown();
  }

  private shutdown(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of this.streams.values()) this.streamReset(stream);
    this.compressor.close();
    this.decompressor.close();
    if (err) this.socket.destroy();
    this.emit('close', err);
  }
}
