// A tiny static server for the browser example, Node built-ins only. It serves the repository root, so
// the page can import ../../dist/index.js and fetch the model and the kernels as they are on disk.
//   node examples/browser/serve.mjs [--port 8080] [--host 127.0.0.1]   → http://127.0.0.1:8080/
// It sends COOP/COEP (cross-origin isolation, so SharedArrayBuffer exists, as it will for threads) and
// application/wasm, which WebAssembly.compileStreaming insists on. Local development only: it listens on
// the loopback interface unless told otherwise, and refuses dot-files (.git, .cache) and paths outside the root.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.safetensors': 'application/octet-stream',
};

const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  // the files change with every `npm run build`: always revalidate
  'Cache-Control': 'no-cache',
};

function send(res, status, body, headers = {}) {
  res.writeHead(status, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

async function handle(root, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'GET or HEAD only\n', { Allow: 'GET, HEAD' });
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/') return send(res, 302, '', { Location: '/examples/browser/' });
  let path;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return send(res, 400, 'bad path\n');
  }
  if (path.includes('\0') || path.split('/').some((part) => part.startsWith('.'))) return send(res, 404, 'not found\n');
  let file = resolve(root, `.${path}`);
  if (file !== root && !file.startsWith(root + sep)) return send(res, 404, 'not found\n');
  let info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    // relative URLs in the page resolve against the directory only with the trailing slash
    if (!path.endsWith('/')) return send(res, 301, '', { Location: `${url.pathname}/${url.search}` });
    file = resolve(file, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  if (!info?.isFile()) return send(res, 404, 'not found\n');
  res.writeHead(200, {
    ...HEADERS,
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).on('error', (err) => res.destroy(err)).pipe(res);
}

/**
 * Starts the server; resolves once it listens. `port: 0` takes a free port (the test does).
 * @param {{ root?: string, host?: string, port?: number }} [options]
 * @returns {Promise<{ server: import('node:http').Server, url: string, close(): Promise<void> }>}
 */
export function serve({ root = ROOT, host = '127.0.0.1', port = 8080 } = {}) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    handle(base, req, res).catch((err) => {
      if (res.headersSent) res.destroy(err);
      else send(res, 500, `${err}\n`);
    });
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const { port: bound } = server.address();
      const shown = host.includes(':') ? `[${host}]` : host;
      ok({
        server,
        url: `http://${shown}:${bound}/`,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
  };
  const port = Number(option('port', process.env.PORT ?? 8080));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a whole number from 0 to 65535, got ${option('port')}`);
    process.exit(2);
  }
  const { url } = await serve({ host: option('host', '127.0.0.1'), port });
  console.log(`serving the repository at ${url} (the browser example: ${url}examples/browser/); Ctrl-C stops`);
}
