'use strict';
// Koa 3 + corsgate/koa's strict middleware (the policy file), in front of the shared app
// (lib/app.js), which writes its answer on the raw response.
//   node servers/koa.js <policy file> <port>
const Koa = require('koa');
const { strict } = require('../../../bindings-node/koa.js');
const { handler } = require('../lib/app.js');

const [policy, port] = process.argv.slice(2);
const app = handler('koa');
const koa = new Koa();
koa.use(strict(policy));
koa.use((ctx) => {
  ctx.respond = false;
  app(ctx.req, ctx.res);
});
koa.listen(Number(port), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
