'use strict';
// corsgate for Node.js. The default export is a drop-in for the `cors` package (2.8.x,
// lib/cors.js); `Policy` and `middleware` are corsgate's strict engine (lib/policy.js,
// lib/middleware.js); `browser` is the browser-side checker. The Rust core decides every
// answer (lib/native.js loads it).

const { cors } = require('./lib/cors.js');
const { Policy } = require('./lib/policy.js');
const { middleware } = require('./lib/middleware.js');
const { CorsgateConfigError } = require('./lib/errors.js');

module.exports = cors;
module.exports.default = cors;
module.exports.cors = cors;
module.exports.Policy = Policy;
module.exports.middleware = middleware;
module.exports.CorsgateConfigError = CorsgateConfigError;
module.exports.browser = require('./lib/browser.js');
module.exports.version = require('./package.json').version;
