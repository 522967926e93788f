'use strict';
// Minimal /healthz server on node:http.
//
// Usage: node healthz.js --port 8083 [--host 127.0.0.1]
//
// GET /healthz answers 200 "ok\n" with Content-Length over keep-alive. Once
// listening it prints "READY http://host:port"; SIGTERM/SIGINT close the
// server and exit 0.

const http = require('node:http');
const { parseArgs } = require('node:util');

const BODY = Buffer.from('ok\n');
const NOT_FOUND = Buffer.from('not found\n');

function main() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8083' },
    },
  });
  const port = Number.parseInt(values.port, 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`healthz.js: invalid --port ${values.port}`);
    process.exit(2);
  }

  const server = http.createServer((req, res) => {
    const ok = req.url === '/healthz' && (req.method === 'GET' || req.method === 'HEAD');
    const body = ok ? BODY : NOT_FOUND;
    res.writeHead(ok ? 200 : 404, {
      'Content-Type': 'text/plain',
      'Content-Length': body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });

  server.on('error', (err) => {
    console.error(`healthz.js: ${err.message}`);
    process.exit(1);
  });

  server.listen(port, values.host, () => {
    const addr = server.address();
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    process.stdout.write(`READY http://${host}:${addr.port}\n`);
  });

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections(); // keep-alive sockets would delay close()
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
