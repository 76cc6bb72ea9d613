'use strict';
// Fastify 5 + corsgate/fastify's strict plugin (the policy file), in front of the shared app
// (lib/app.js), which writes its answer on the raw response with the headers the hook set.
//   node servers/fastify.js <policy file> <port>
const Fastify = require('fastify');
const { strict } = require('../../../bindings-node/fastify.js');
const { handler } = require('../lib/app.js');

const [policy, port] = process.argv.slice(2);
const app = handler('fastify');
const fastify = Fastify();
fastify.addHttpMethod('PURGE'); // the matrix's extension method; Fastify routes known methods only
fastify.removeAllContentTypeParsers();
fastify.addContentTypeParser('*', (req, payload, done) => done(null)); // the app reads no body
fastify.register(strict, { policy });
const route = (req, reply) => {
  reply.hijack();
  for (const [name, value] of Object.entries(reply.getHeaders())) reply.raw.setHeader(name, value);
  app(req.raw, reply.raw);
};
fastify.all('/', route);
fastify.all('/*', route);
fastify.listen({ port: Number(port), host: '127.0.0.1' }).then(() => console.log(`listening on http://127.0.0.1:${port}`));
