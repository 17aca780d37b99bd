#!/usr/bin/env node
// The local SMTP sink of ./shop run and of the tests: maildev (pinned, installed under .shop/tools/maildev), with its web
// inbox and HTTP API behind a guard. maildev answers every web origin with Access-Control-Allow-Origin: <that origin> and
// Access-Control-Allow-Credentials: true, so any page a developer opens could read every customer email (verification
// links included) from http://127.0.0.1:<port>. Here maildev listens on a private loopback port, and the public web port
// is this guard, which
//   - refuses (403) a request whose Host is not this loopback address: a DNS-rebinding page cannot pose as same-origin;
//   - refuses (403) a request whose Origin is another origin, and answers a cross-origin preflight with no CORS headers;
//   - drops every Access-Control-* header maildev sends;
//   - passes everything else through, WebSocket upgrades (the inbox's live updates) included.
//
// usage: node mail-sink.mjs --maildev <dir of the maildev package> --smtp PORT --ip ADDRESS --web PORT --web-ip ADDRESS
//        [--mail-directory DIR]      (node mail-sink.mjs --maildev DIR --version prints maildev's version)
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

function parseArguments(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (!name.startsWith('--')) throw new Error(`unexpected argument ${name}`);
    const key = name.slice(2);
    if (key === 'version') { options.version = true; continue; }
    if (i + 1 >= argv.length) throw new Error(`${name} needs a value`);
    options[key] = argv[++i];
  }
  return options;
}

const options = parseArguments(process.argv.slice(2));
if (!options.maildev) throw new Error('--maildev <dir of the maildev package> is required');
const maildev = await import(pathToFileURL(join(options.maildev, 'dist', 'index.js')).href);
if (options.version) {
  console.log(maildev.VERSION);
  process.exit(0);
}

const webIp = options['web-ip'] ?? '127.0.0.1';
const webPort = Number(options.web);
if (!Number.isInteger(webPort) || webPort <= 0) throw new Error('--web PORT is required');

const config = {
  ...maildev.getDefaultConfig(),
  smtp: Number(options.smtp ?? 1025),
  ip: options.ip ?? '127.0.0.1',
  web: 0, // maildev's own web server: a free private port, reached only through the guard below
  webIp: '127.0.0.1',
};
if (options['mail-directory']) config.mailDirectory = options['mail-directory'];
const logger = maildev.createLogger({ verbose: false, silent: false });
const orchestrator = maildev.createOrchestrator({ config, logger });
const servers = await orchestrator.start();
const innerPort = servers.api.getPort();

// The names this sink may be reached by: its loopback address and port, as a browser on this machine writes them.
const allowedHosts = new Set([`${webIp}:${webPort}`, `localhost:${webPort}`, `127.0.0.1:${webPort}`, `[::1]:${webPort}`]);
const allowedOrigins = new Set([...allowedHosts].map((host) => `http://${host}`));

function refusal(request) {
  const host = (request.headers.host ?? '').toLowerCase();
  if (!allowedHosts.has(host)) return `Host ${JSON.stringify(request.headers.host ?? '')} is not this mail sink`;
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedOrigins.has(origin.toLowerCase())) return `Origin ${JSON.stringify(origin)} may not use this mail sink`;
  return null;
}

function withoutCors(headers) {
  const kept = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.toLowerCase().startsWith('access-control-')) kept[name] = value;
  }
  return kept;
}

// One loopback connection per request to maildev: reusing idle ones races with maildev closing them (a reset).
const upstreamAgent = new http.Agent({ keepAlive: false });

const guard = http.createServer((request, response) => {
  const refused = refusal(request);
  if (refused) {
    response.writeHead(403, { 'content-type': 'application/problem+json', 'cache-control': 'no-store' });
    response.end(JSON.stringify({ status: 403, title: 'Forbidden', detail: refused }));
    request.resume();
    return;
  }
  const upstream = http.request(
    { host: '127.0.0.1', port: innerPort, method: request.method, path: request.url, headers: request.headers, agent: upstreamAgent },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, withoutCors(answer.headers));
      answer.pipe(response);
    });
  upstream.on('error', (error) => {
    if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
    response.end(`mail sink: ${error.message}`);
  });
  request.pipe(upstream);
});

guard.on('upgrade', (request, socket, head) => {
  const refused = refusal(request);
  if (refused) {
    socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${refused}`);
    return;
  }
  const upstream = net.connect(innerPort, '127.0.0.1', () => {
    const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
    for (let i = 0; i < request.rawHeaders.length; i += 2) lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head?.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
});

// Clients keep idle connections for up to a minute (.NET) or more: closing them sooner, as Node does after 5 s, makes
// a request sent at that moment fail with a reset. Longer than the clients', as maildev itself does (72 s).
guard.keepAliveTimeout = 72_000;
guard.headersTimeout = 75_000;

guard.listen(webPort, webIp, () => {
  console.log(`mail sink: SMTP ${config.ip}:${config.smtp}, inbox http://${webIp}:${webPort} (maildev ${maildev.VERSION}, same-origin only)`);
});

async function shutdown() {
  guard.close();
  await orchestrator.stop();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
