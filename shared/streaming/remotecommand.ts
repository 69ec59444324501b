// Kubernetes' remote command protocol (exec and attach), server side, over either transport kubectl
// speaks: SPDY (one stream per purpose, named by its `streamtype` header) or a WebSocket (one channel
// per purpose). Whatever the transport, a session is stdin, stdout, stderr, terminal resizes, and an
// error stream that carries the outcome as a Status, then the end.
//
//   outcome         error stream                                             kubectl says
//   exit 0          {"metadata":{},"status":"Success"}                       (nothing, exits 0)
//   exit 3          ...,"reason":"NonZeroExitCode","details":{"causes":       command terminated with exit code 3
//                   [{"reason":"ExitCode","message":"3"}]}
//   other failure   ...,"reason":"InternalError","message":"Internal error occurred: ..."
import { Readable, Transform, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { SpdyConnection, SpdyStream } from './spdyconnection';
import { ChannelConnection, V4_CHANNEL_PROTOCOL, V5_CHANNEL_PROTOCOL } from './wsstream';

/** The protocols this server speaks, best first (v5 over SPDY is v4; over a WebSocket it adds closing stdin). */
export const REMOTE_COMMAND_PROTOCOLS = [V5_CHANNEL_PROTOCOL, V4_CHANNEL_PROTOCOL] as const;

/** How long the client has to open its streams after the upgrade, as Kubernetes' DefaultStreamCreationTimeout. */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;

export const STREAM_TYPE_HEADER = 'streamtype';

/** The WebSocket channel of each stream. */
export const CHANNELS = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 } as const;

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * The streams a request asks for, from the kubelet's query (`input=1&output=1&error=1&tty=1`, as the
 * apiserver writes it). A terminal has a single output, so with a TTY there is no stderr.
 */
export function remoteCommandOptions(query: URLSearchParams): RemoteCommandOptions {
  const on = (name: string) => query.get(name) === '1';
  const tty = on('tty');
  const options = { stdin: on('input'), stdout: on('output'), stderr: on('error') && !tty, tty };
  if (!options.stdin && !options.stdout && !options.stderr) throw new Error('you must specify at least 1 of stdin, stdout, stderr');
  return options;
}

export interface TerminalSize {
  width: number;
  height: number;
}

/**
 * Terminal sizes from a resize stream: one JSON object per line, `{"Width":80,"Height":24}`. What is
 * not a size is skipped.
 */
export function terminalSizes(): Transform {
  let partial = '';
  const sizeOf = (line: string): TerminalSize | undefined => {
    try {
      const { Width, Height } = JSON.parse(line) as { Width?: unknown; Height?: unknown };
      const dimension = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff;
      return dimension(Width) && dimension(Height) ? { width: Width as number, height: Height as number } : undefined;
    } catch {
      return undefined;
    }
  };
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, callback) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      if (partial.length > 4096) partial = ''; // no size is that long
      for (const line of lines) {
        const size = line.trim() && sizeOf(line);
        if (size) this.push(size);
      }
      callback();
    },
  });
}

/** The outcome of a session, as the error stream carries it (a metav1.Status without kind and code). */
export interface SessionStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason?: string; message: string }[] };
  code?: number;
}

export const successStatus = (): SessionStatus => ({ metadata: {}, status: 'Success' });

/** A command that exited non-zero: kubectl reads the code from the ExitCode cause and exits with it. */
export function exitCodeStatus(command: string[], exitCode: number): SessionStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** Anything else that went wrong: kubectl prints the message. */
export function internalErrorStatus(message: string): SessionStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}

/** A session's streams, whichever the transport. */
export interface RemoteCommandSession {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  /** TerminalSize objects, with a TTY. */
  resize?: Readable;
  /** Finishes stdout and stderr, sends the outcome on the error stream, and ends the session. */
  finish(status: SessionStatus): Promise<void>;
  /** Resolves when the client hangs up (or the session ended). */
  done: Promise<void>;
}

async function endAll(writers: (Writable | undefined)[]): Promise<void> {
  await Promise.all(
    writers.map(async (w) => {
      if (!w || w.destroyed) return;
      w.end();
      await finished(w, { readable: false }).catch(() => undefined);
    }),
  );
}

/**
 * Waits for the client to open its SPDY streams: an error stream, then one per requested stream. They
 * are accepted as they come; an unexpected type is ignored, as Kubernetes does.
 */
export function spdySession(
  connection: SpdyConnection,
  options: RemoteCommandOptions,
  timeoutMs = STREAM_CREATION_TIMEOUT_MS,
): Promise<RemoteCommandSession> {
  const wanted = new Set<string>(['error']);
  if (options.stdin) wanted.add('stdin');
  if (options.stdout) wanted.add('stdout');
  if (options.stderr) wanted.add('stderr');
  if (options.tty) wanted.add('resize');
  const streams = new Map<string, SpdyStream>();
  const done = new Promise<void>((resolve) => connection.once('close', () => resolve()));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.off('stream', onStream);
      reject(new Error('timed out waiting for client to create streams'));
      connection.destroy();
    }, timeoutMs);
    const onClose = () => {
      clearTimeout(timer);
      connection.off('stream', onStream);
      reject(new Error('the client closed the connection before creating its streams'));
    };
    const onStream = (stream: SpdyStream) => {
      const type = stream.headers[STREAM_TYPE_HEADER] ?? '';
      if (!wanted.has(type) || streams.has(type)) return;
      streams.set(type, stream);
      if (streams.size < wanted.size) return;
      clearTimeout(timer);
      connection.off('stream', onStream);
      connection.off('close', onClose);
      const error = streams.get('error')!;
      const [stdout, stderr] = [streams.get('stdout'), streams.get('stderr')];
      resolve({
        stdin: streams.get('stdin'),
        stdout,
        stderr,
        resize: streams.get('resize')?.pipe(terminalSizes()),
        done,
        finish: async (status) => {
          await endAll([stdout, stderr]);
          error.end(JSON.stringify(status));
          await finished(error, { readable: false }).catch(() => undefined);
          await connection.close();
        },
      });
    };
    connection.on('stream', onStream);
    connection.once('close', onClose);
  });
}

/** A session over a WebSocket: the channels are there from the start, nothing is opened. */
export function webSocketSession(channels: ChannelConnection, options: RemoteCommandOptions): RemoteCommandSession {
  const stdout = options.stdout ? channels.writer(CHANNELS.stdout) : undefined;
  const stderr = options.stderr ? channels.writer(CHANNELS.stderr) : undefined;
  const error = channels.writer(CHANNELS.error);
  return {
    stdin: options.stdin ? channels.reader(CHANNELS.stdin) : undefined,
    stdout,
    stderr,
    resize: options.tty ? channels.reader(CHANNELS.resize).pipe(terminalSizes()) : undefined,
    done: channels.closed(),
    finish: async (status) => {
      await endAll([stdout, stderr]);
      error.end(JSON.stringify(status));
      await finished(error, { readable: false }).catch(() => undefined);
      channels.close();
    },
  };
}
