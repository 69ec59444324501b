import { SpdyConnection, SpdyStream } from './spdyconnection';
import { encodeData, encodePing, encodeRstStream, RstStatus } from './spdyframes';
import { clientBytes, fixture } from './testdata/fixtures';
import { ClientFrames, ClientView, FakeSocket } from './testing';

function connect() {
  const socket = new FakeSocket();
  const connection = new SpdyConnection(socket);
  const view = new ClientView(socket);
  const streams: SpdyStream[] = [];
  connection.on('stream', (s) => streams.push(s));
  return { socket, connection, view, streams };
}

const read = (stream: SpdyStream) =>
  new Promise<string>((resolve) => {
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString()));
    stream.on('end', () => resolve(text));
  });

describe('SpdyConnection', () => {
  it("accepts each of kubectl's streams with a SYN_REPLY, in the order they were opened, and delivers stdin to its end", async () => {
    const { socket, view, streams, connection } = connect();
    socket.fromClient(clientBytes(fixture('exec-stdin-1.33-spdy').sessions[0]));
    const replies = await view.until((frames) => frames.filter((f) => f.type === 'syn_reply').length === 4);
    expect(replies.map((f) => f.type === 'syn_reply' && [f.streamId, f.headers])).toEqual([
      [1, {}],
      [3, {}],
      [5, {}],
      [7, {}],
    ]);
    expect(streams.map((s) => s.headers.streamtype)).toEqual(['error', 'stdin', 'stdout', 'stderr']);
    expect(await read(streams[1])).toBe('hello\n');
    connection.destroy();
    view.close();
  });

  it('sends what a stream writes as DATA after its SYN_REPLY, and its end as a FIN', async () => {
    const { socket, view, streams, connection } = connect();
    const client = new ClientFrames();
    socket.fromClient(await client.synStream(1, { streamtype: 'stdout' }));
    await view.until((frames) => frames.length === 1);
    streams[0].end('a'.repeat(70_000)); // more than one DATA frame's worth
    await view.until(() => view.stream(1).fin);
    expect(view.frames[0].type).toBe('syn_reply');
    expect(view.stream(1).data).toBe('a'.repeat(70_000));
    client.close();
    connection.destroy();
    view.close();
  });

  it("echoes the client's pings and ignores its own (even) ids", async () => {
    const { socket, view, connection } = connect();
    socket.fromClient(Buffer.concat([encodePing(2), encodePing(1)]));
    await view.until((frames) => frames.length === 1);
    expect(view.frames).toEqual([{ type: 'ping', id: 1 }]);
    connection.destroy();
    view.close();
  });

  it('ends a stream the client resets, both ways, and drops its later data', async () => {
    const { socket, view, streams, connection } = connect();
    const client = new ClientFrames();
    socket.fromClient(await client.synStream(1, { streamtype: 'data' }));
    await view.until((frames) => frames.length === 1);
    const received: string[] = [];
    streams[0].on('data', (c: Buffer) => received.push(c.toString()));
    // The echoed ping shows every frame before it was handled.
    socket.fromClient(Buffer.concat([encodeRstStream(1, RstStatus.Cancel), encodeData(1, Buffer.from('late'), false), encodePing(3)]));
    await view.until((frames) => frames.some((f) => f.type === 'ping'));
    expect(streams[0].destroyed).toBe(true);
    expect(received).toEqual([]);
    expect(view.frames.filter((f) => f.type === 'rst_stream')).toEqual([]); // a reset is not answered with a reset
    client.close();
    connection.destroy();
    view.close();
  });

  it('resets a stream with a reused or even id instead of accepting it', async () => {
    const { socket, view, streams, connection } = connect();
    const client = new ClientFrames();
    socket.fromClient(await client.synStream(3, { streamtype: 'error' }));
    socket.fromClient(await client.synStream(1, { streamtype: 'stdin' }));
    socket.fromClient(await client.synStream(4, { streamtype: 'stdout' }));
    await view.until((frames) => frames.length === 3);
    expect(view.frames.map((f) => [f.type, 'streamId' in f && f.streamId])).toEqual([
      ['syn_reply', 3],
      ['rst_stream', 1],
      ['rst_stream', 4],
    ]);
    expect(streams).toHaveLength(1);
    client.close();
    connection.destroy();
    view.close();
  });

  it('ends on a protocol error and on the end of the socket, ending every open stream', async () => {
    const broken = connect();
    const closed = new Promise((resolve) => broken.connection.on('close', resolve));
    broken.socket.fromClient(Buffer.from([0x80, 0x02, 0, 1, 0, 0, 0, 0]));
    await expect(closed).resolves.toEqual(expect.objectContaining({ message: 'unsupported SPDY version 2' }));
    broken.view.close();

    const { socket, view, streams, connection } = connect();
    const client = new ClientFrames();
    socket.fromClient(await client.synStream(1, { streamtype: 'data' }));
    await view.until((frames) => frames.length === 1);
    const streamClosed = new Promise((resolve) => streams[0].on('close', resolve));
    const gone = new Promise((resolve) => connection.on('close', resolve));
    socket.hangUp();
    await expect(gone).resolves.toBeUndefined();
    await streamClosed;
    expect(streams[0].destroyed).toBe(true);
    client.close();
    view.close();
  });

  it('says GOAWAY when closed and leaves closing the socket to the client', async () => {
    const { socket, view, connection } = connect();
    await connection.close(60_000);
    await view.until((frames) => frames.length === 1);
    expect(view.frames).toEqual([{ type: 'goaway', lastGoodStreamId: 0, status: 0 }]);
    expect(socket.destroyed).toBe(false);
    socket.hangUp();
    view.close();
  });
});
