import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import {
  exitCodeStatus,
  internalErrorStatus,
  remoteCommandOptions,
  spdySession,
  successStatus,
  terminalSizes,
  TerminalSize,
  webSocketSession,
} from './remotecommand';
import { SpdyConnection } from './spdyconnection';
import { clientBytes, fixture } from './testdata/fixtures';
import { ClientFrames, ClientView, FakeSocket } from './testing';
import { acceptWebSocket, ChannelConnection, parseChannelMessage, V5_CHANNEL_PROTOCOL } from './wsstream';

describe('remote command options', () => {
  it('are read from the kubelet query; a terminal has no stderr; one stream at least', () => {
    expect(remoteCommandOptions(new URLSearchParams('command=sh&input=1&output=1&error=1'))).toEqual({
      stdin: true,
      stdout: true,
      stderr: true,
      tty: false,
    });
    expect(remoteCommandOptions(new URLSearchParams('output=1&error=1&tty=1'))).toEqual({
      stdin: false,
      stdout: true,
      stderr: false,
      tty: true,
    });
    expect(() => remoteCommandOptions(new URLSearchParams('command=ls&tty=1'))).toThrow(
      'you must specify at least 1 of stdin, stdout, stderr',
    );
  });
});

describe('the outcome on the error stream', () => {
  it('is the Status kubectl decodes: success, or the exit code as the ExitCode cause', () => {
    expect(JSON.stringify(successStatus())).toBe('{"metadata":{},"status":"Success"}');
    expect(JSON.stringify(exitCodeStatus(['sh', '-c', 'exit 3'], 3))).toBe(
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    );
    expect(internalErrorStatus('no such container')).toEqual(
      expect.objectContaining({
        status: 'Failure',
        reason: 'InternalError',
        message: 'Internal error occurred: no such container',
        code: 500,
      }),
    );
  });
});

describe('terminal sizes', () => {
  it('are JSON lines, however the stream is cut; anything else is skipped', async () => {
    const sizes: TerminalSize[] = [];
    const parser = terminalSizes();
    parser.on('data', (s: TerminalSize) => sizes.push(s));
    parser.write('{"Width":80,"Hei');
    parser.write('ght":24}\nnot json\n{"Width":-1,"Height":2}\n{"Width":132,"Height":43}\n');
    parser.end();
    await new Promise((resolve) => parser.on('end', resolve));
    expect(sizes).toEqual([
      { width: 80, height: 24 },
      { width: 132, height: 43 },
    ]);
  });
});

describe('a session over SPDY', () => {
  it("takes kubectl's streams, reads its stdin, and ends with stdout's FIN, the Status and a GOAWAY", async () => {
    const socket = new FakeSocket();
    const view = new ClientView(socket);
    const connection = new SpdyConnection(socket);
    const started = spdySession(connection, { stdin: true, stdout: true, stderr: true, tty: false });
    socket.fromClient(clientBytes(fixture('exec-stdin-1.33-spdy').sessions[0]));
    const session = await started;
    let input = '';
    for await (const chunk of session.stdin!) input += chunk;
    expect(input).toBe('hello\n');
    session.stdout!.write('HELLO\n');
    await session.finish(exitCodeStatus(['cat'], 3));
    const frames = await view.until((f) => f.some((x) => x.type === 'goaway'));
    expect(view.stream(5)).toEqual({ data: 'HELLO\n', fin: true });
    expect(view.stream(7)).toEqual({ data: '', fin: true });
    expect(view.stream(1)).toEqual({ data: JSON.stringify(exitCodeStatus(['cat'], 3)), fin: true });
    const order = frames.map((f) => ('streamId' in f && f.type === 'data' && f.fin ? `fin ${f.streamId}` : f.type));
    expect(order.indexOf('fin 1')).toBeGreaterThan(order.indexOf('fin 5')); // the outcome comes after the output
    expect(order.at(-1)).toBe('goaway');
    socket.hangUp();
    view.close();
  });

  it('gives up when the client does not open its streams in time', async () => {
    const socket = new FakeSocket();
    const client = new ClientFrames();
    const started = spdySession(new SpdyConnection(socket), { stdin: false, stdout: true, stderr: false, tty: false }, 50);
    const failed = expect(started).rejects.toThrow('timed out waiting for client to create streams'); // handled from the start
    socket.fromClient(await client.synStream(1, { streamtype: 'error' })); // no stdout stream follows
    await failed;
    expect(socket.destroyed).toBe(true);
    client.close();
  });
});

describe('a session over a WebSocket (v5.channel.k8s.io)', () => {
  it("reads kubectl's messages: stdin data, then v5's close of stdin", () => {
    const messages = fixture('exec-stdin-1.33-websocket').sessions[0].client.map((m) => Buffer.from(m, 'base64'));
    expect(messages.map((m) => parseChannelMessage(m, V5_CHANNEL_PROTOCOL))).toEqual([
      { channel: 0, data: Buffer.from('hello\n') },
      { closeChannel: 0 },
    ]);
  });

  it('echoes stdin until the client closes it, then sends the Status on channel 3 and closes normally (1000)', async () => {
    const server = http.createServer();
    server.on('upgrade', (req, socket, head) => {
      void acceptWebSocket(req, socket, head, V5_CHANNEL_PROTOCOL).then(async (ws) => {
        const session = webSocketSession(new ChannelConnection(ws, V5_CHANNEL_PROTOCOL), {
          stdin: true,
          stdout: true,
          stderr: true,
          tty: false,
        });
        for await (const chunk of session.stdin!) session.stdout!.write(chunk);
        await session.finish(successStatus());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, [V5_CHANNEL_PROTOCOL]);
    const received: [number, string][] = [];
    ws.on('message', (data: Buffer) => received.push([data[0], data.subarray(1).toString()]));
    await new Promise((resolve) => ws.on('open', resolve));
    expect(ws.protocol).toBe(V5_CHANNEL_PROTOCOL);
    ws.send(Buffer.from([0, ...Buffer.from('hi\n')]));
    ws.send(Buffer.from([255, 0]));
    const code = await new Promise((resolve) => ws.on('close', resolve));
    expect(code).toBe(1000);
    expect(received).toEqual([
      [1, 'hi\n'],
      [3, '{"metadata":{},"status":"Success"}'],
    ]);
    server.close();
  });
});
