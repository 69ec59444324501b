// Node's http servers ignore the promise an async request listener returns, so a rejection would be
// unhandled (and end the process). This wraps such a listener: an error is logged and answered with 500.
import type http from 'node:http';
import type { Logger } from './log';

export function asyncHandler(
  listener: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  log: Logger,
): http.RequestListener {
  return (req, res) => {
    listener(req, res).catch((err: unknown) => {
      log.warn({ err, path: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end();
    });
  };
}
