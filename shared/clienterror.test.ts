import { parserErrorResponse } from './clienterror';

describe('parserErrorResponse', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 'HTTP/1.1 431 Request Header Fields Too Large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'HTTP/1.1 408 Request Timeout'],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 'HTTP/1.1 413 Payload Too Large'],
    ['HPE_INVALID_METHOD', 'HTTP/1.1 400 Bad Request'],
    [undefined, 'HTTP/1.1 400 Bad Request'],
  ])('answers %s with %s, closing the connection', (code, statusLine) => {
    expect(parserErrorResponse(code)).toBe(`${statusLine}\r\nConnection: close\r\n\r\n`);
  });
});
