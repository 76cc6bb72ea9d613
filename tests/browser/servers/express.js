'use strict';
// Express + corsgate.middleware(policy), in front of the shared app (lib/app.js).
//   node servers/express.js <policy file> <port>
const express = require('express');
const corsgate = require('../../../bindings-node');
const { handler } = require('../lib/app.js');

const [policy, port] = process.argv.slice(2);
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(corsgate.middleware(policy));
app.use(handler('express'));
app.listen(Number(port), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
