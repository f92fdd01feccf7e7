/** `trainer serve`: previews the page of `trainer export-web` on 127.0.0.1, from memory, until Ctrl-C. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TrainerError } from '../errors.ts';
import { webSite } from '../web/site.ts';
import { loadModelFile, type ModelFlags } from './model-file.ts';

export async function serveCommand(o: ModelFlags & { port: number }): Promise<void> {
  const model = loadModelFile(o);
  const files = new Map((await webSite(model)).map((f) => [`/${f.name}`, f]));
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const path = (req.url ?? '/').split(/[?#]/)[0];
    const file = files.get(path === '/' ? '/index.html' : path);
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${path}: not found (this page has ${[...files.keys()].join(', ')})\n`);
      return;
    }
    // A preview: the browser asks again after a re-export, rather than keep yesterday's model.
    res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.bytes.length, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : file.bytes);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE'
      ? new TrainerError('E_USAGE', `--port ${o.port}: the port is in use on 127.0.0.1; choose another, or --port 0 for any free one`, { field: 'port' })
      : new TrainerError('E_INPUT', `--port ${o.port}: cannot listen on 127.0.0.1 (${e.code ?? e.message})`, { cause: e })));
    server.listen(o.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`serving ${o.model} at http://127.0.0.1:${port}/ (Ctrl-C stops)\n`);
  // Ctrl-C is how a preview ends: close the server and exit 0.
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      server.closeAllConnections();
      server.close(() => resolve());
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
}
