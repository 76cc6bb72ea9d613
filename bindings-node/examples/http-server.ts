// Bare node:http: call the middleware with a `next` that runs your handler.
import http from 'node:http';
import { cors, middleware, Policy } from 'corsgate';

const dropIn = cors({ origin: /^https:\/\/app\.example\.com$/ });
const strict = middleware(new Policy({ origins: ['https://app.example.com'] }));

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.setHeader('content-type', 'text/plain');
  res.end(`${req.method} ${req.url}\n`);
}

http
  .createServer((req, res) => {
    const mw = req.url?.startsWith('/strict') ? strict : dropIn;
    mw(req, res, (err?: unknown) => {
      if (err) {
        res.statusCode = 500;
        res.end();
      } else {
        handler(req, res);
      }
    });
  })
  .listen(3002, '127.0.0.1');
