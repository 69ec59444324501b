// A request Node's HTTP parser refuses before the server's handler sees it (a request line and headers
// over 16 KiB, a malformed request, one not received within the request timeout) is answered the way Go's
// net/http answers it for kube-apiserver and the kubelet: the answer, then the end of the server's side
// (FIN), and the connection closed half a second later, so the client reads the answer before any reset.
// Node's own handler writes the answer and destroys the socket at once: with the rest of a large request
// still unread, the kernel resets the connection, and the client (curl, kubectl) reports "connection
// reset by peer" instead of the answer (17 of 160 tries of a 3 MiB request line against the apiserver).
import type http from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a refused connection stays open after its answer (Go's rstAvoidanceDelay). */
const RESET_AVOIDANCE_DELAY_MS = 500;

/** The answer to a request the parser refused with `code`, as Node's own handler words it. */
export function parserErrorResponse(code: string | undefined): string {
  const [status, text] =
    code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
        ? [413, 'Payload Too Large']
        : code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout']
          : [400, 'Bad Request'];
  return `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n\r\n`;
}

/** Answers every request `server`'s parser refuses, then closes the connection once the client has had time to read it. */
export function answerParserErrors(server: http.Server): void {
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser reports the same error again for each later chunk of the refused request.
    if (answered.has(socket)) return;
    answered.add(socket);
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.pause(); // the rest of the refused request is never read
    socket.end(parserErrorResponse(err.code));
    setTimeout(() => socket.destroy(), RESET_AVOIDANCE_DELAY_MS).unref();
  });
}
