// A failed TCP connection in the words of Go's net package (`dial tcp 10.0.0.5:10250: connect: connection
// refused`), which is how Kubernetes' components report them and what kubectl users get to read.

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EADDRNOTAVAIL: 'cannot assign requested address',
  ENETUNREACH: 'network is unreachable',
  EHOSTUNREACH: 'no route to host',
  ETIMEDOUT: 'connection timed out',
};

/** `network` is Go's: tcp, tcp4 or tcp6. */
export function dialErrorText(network: 'tcp' | 'tcp4' | 'tcp6', host: string, port: number, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return `dial ${network} ${address}: connect: ${ERRNO_TEXT[code] ?? (err as Error).message}`;
}
