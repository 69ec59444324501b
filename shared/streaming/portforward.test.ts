import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { encodeData } from './spdyframes';
import { parsePort, servePortForward, serveWebSocketPortForward, webSocketPorts } from './portforward';
import { acceptWebSocket, ChannelConnection, V4_CHANNEL_PROTOCOL } from './wsstream';
import { SpdyConnection } from './spdyconnection';
import { clientBytes, fixture } from './testdata/fixtures';
import { ClientFrames, ClientView, FakeSocket } from './testing';

function serve(forward: (port: number, stream: Duplex) => Promise<void>, timeoutMs?: number) {
  const socket = new FakeSocket();
  const view = new ClientView(socket);
  const connection = new SpdyConnection(socket);
  servePortForward(connection, { pod: '4f1c0ffee', uid: '', forward }, timeoutMs);
  return { socket, view, connection };
}

const echo = (ports: number[]) => (port: number, stream: Duplex) =>
  new Promise<void>((resolve) => {
    ports.push(port);
    stream.pipe(stream);
    stream.on('end', resolve);
  });

describe('port-forward', () => {
  it("joins kubectl's data stream to the pod's port and ends the error stream, empty, when the connection is over", async () => {
    for (const name of ['portforward-1.27-spdy', 'portforward-1.33-tunnel']) {
      const ports: number[] = [];
      const { socket, view, connection } = serve(echo(ports));
      socket.fromClient(clientBytes(fixture(name).sessions[0]));
      await view.until(() => view.stream(1).fin && view.stream(3).fin);
      expect(ports).toEqual([8080]);
      expect(view.stream(3)).toEqual({ data: 'ping\n', fin: true });
      expect(view.stream(1)).toEqual({ data: '', fin: true });
      connection.destroy();
      view.close();
    }
  });

  it('writes why the port could not be reached on the error stream, as the kubelet words it', async () => {
    const { socket, view, connection } = serve(() => Promise.reject(new Error('failed to connect to localhost:8080: connection refused')));
    socket.fromClient(clientBytes(fixture('portforward-1.27-spdy').sessions[0]));
    await view.until(() => view.stream(1).fin);
    expect(view.stream(1).data).toBe(
      'error forwarding port 8080 to pod 4f1c0ffee, uid : failed to connect to localhost:8080: connection refused',
    );
    expect(view.stream(3).fin).toBe(true);
    connection.destroy();
    view.close();
  });

  it('serves several connections at once, each its own pair', async () => {
    const ports: number[] = [];
    const { socket, view, connection } = serve(echo(ports));
    const client = new ClientFrames();
    const open = async (id: number, requestid: string, streamtype: string, port: string) =>
      socket.fromClient(await client.synStream(id, { streamtype, port, requestid }));
    await open(1, '0', 'error', '80');
    await open(3, '1', 'error', '443');
    await open(5, '1', 'data', '443');
    await open(7, '0', 'data', '80');
    socket.fromClient(Buffer.concat([encodeData(5, Buffer.from('to 443'), true), encodeData(7, Buffer.from('to 80'), true)]));
    await view.until(() => view.stream(5).fin && view.stream(7).fin && view.stream(1).fin && view.stream(3).fin);
    expect(ports.sort()).toEqual([443, 80]);
    expect([view.stream(5).data, view.stream(7).data]).toEqual(['to 443', 'to 80']);
    client.close();
    connection.destroy();
    view.close();
  });

  it('tells the client when the other stream of a pair never comes', async () => {
    const { socket, view, connection } = serve(echo([]), 50);
    const client = new ClientFrames();
    socket.fromClient(await client.synStream(1, { streamtype: 'error', port: '80', requestid: '7' }));
    await view.until(() => view.stream(1).fin);
    expect(view.stream(1).data).toBe('timed out waiting for streams of request 7');
    client.close();
    connection.destroy();
    view.close();
  });

  it('takes only ports from 1 to 65535', () => {
    expect(['80', '65535', '0', '65536', '-1', '8o', '', undefined].map(parsePort)).toEqual([
      80,
      65535,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reads the ports of the WebSocket form from the query, as the kubelet does', () => {
    expect(webSocketPorts(new URLSearchParams('port=80&port=443,8080'))).toEqual([80, 443, 8080]);
    expect(() => webSocketPorts(new URLSearchParams(''))).toThrow('query parameter "port" is required');
    expect(() => webSocketPorts(new URLSearchParams('port='))).toThrow('query parameter "port" cannot be empty');
    expect(() => webSocketPorts(new URLSearchParams('port=80,x'))).toThrow('unable to parse "x" as a port');
  });

  it('serves the WebSocket form: channels 2i and 2i+1 per port, each opened with the port, closed when all are done', async () => {
    const server = http.createServer();
    server.on('upgrade', (req, socket, head) => {
      void acceptWebSocket(req, socket, head, V4_CHANNEL_PROTOCOL).then((ws) =>
        serveWebSocketPortForward(new ChannelConnection(ws, V4_CHANNEL_PROTOCOL), [8080, 9999], {
          pod: 'sandbox',
          uid: '',
          forward: (port, stream) =>
            port === 8080
              ? new Promise<void>((resolve) => {
                  stream.once('data', (d: Buffer) => stream.end(`echo ${d}`));
                  stream.on('finish', resolve);
                })
              : Promise.reject(new Error('connection refused')),
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, [V4_CHANNEL_PROTOCOL]);
    const received: [number, string][] = [];
    ws.on('message', (data: Buffer) => received.push([data[0], data.subarray(1).toString('latin1')]));
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hi')]));
    expect(await new Promise((resolve) => ws.on('close', resolve))).toBe(1000);
    const port = (n: number) => Buffer.from([n & 0xff, n >> 8]).toString('latin1');
    expect(received.filter(([ch]) => ch === 0 || ch === 1)).toEqual([
      [0, port(8080)],
      [1, port(8080)],
      [0, 'echo hi'],
    ]);
    expect(received.filter(([ch]) => ch === 2 || ch === 3)).toEqual([
      [2, port(9999)],
      [3, port(9999)],
      [3, 'error forwarding port 9999 to pod sandbox, uid : connection refused'],
    ]);
    server.close();
  });
});
