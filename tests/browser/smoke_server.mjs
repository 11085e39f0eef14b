// The harness smoke test's server: HTTPS on 127.0.0.1, a port the kernel picks, with the
// certificate files named on the command line. One page with a button whose click fetches
// /api/hello and writes the answer into the DOM. Prints "listening on https://127.0.0.1:PORT".
//   node smoke_server.mjs KEY_FILE CERT_FILE
import { readFileSync } from 'node:fs';
import https from 'node:https';

const [keyFile, certFile] = process.argv.slice(2);
const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>harness smoke</title></head>
<body>
  <button id="hello">Say hello</button>
  <p id="answer">not yet</p>
  <script>
    document.getElementById('hello').addEventListener('click', async () => {
      const reply = await fetch('/api/hello', { method: 'POST' });
      document.getElementById('answer').textContent = await reply.text();
    });
  </script>
</body></html>`;

let hellos = 0;
const server = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) },
  (req, res) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (req.method === 'POST' && req.url === '/api/hello') {
      hellos += 1;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello #${hellos} over TLS`);
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204).end();  // the browser asks; a 404 would be logged as a page error
    } else {
      res.writeHead(404).end();
    }
  });
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on https://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
