'use strict';
// Runs a middleware against a real http.ServerResponse (no socket) and records what it did:
// status, the header lines in wire order, whether it ended, and how next() was called.
const http = require('node:http');

function makeReq(method, headers) {
  const req = new http.IncomingMessage(null);
  req.method = method;
  req.url = '/';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.headers = headers;
  return req;
}

/**
 * Runs `mw` on a request and resolves with a snapshot once it calls next() or ends the
 * response (origin functions may answer asynchronously).
 */
function run(mw, method, headers, presetVary) {
  return new Promise((resolve, reject) => {
    const req = makeReq(method, { ...headers });
    const res = new http.ServerResponse(req);
    res.sendDate = false;
    if (presetVary !== undefined) res.setHeader('Vary', presetVary);
    const nextCalls = [];
    let settled = false;
    const snapshot = () => ({
      statusCode: res.statusCode,
      ended: res.writableEnded,
      wire: res.writableEnded ? res._header : null,
      headers: res.getRawHeaderNames().map((n) => [n, res.getHeader(n)]),
      next: nextCalls,
    });
    const done = () => {
      if (!settled) {
        settled = true;
        // Let a middleware that calls next() twice in a row do so before we look.
        queueMicrotask(() => resolve(snapshot()));
      }
    };
    res.on('finish', done);
    const origEnd = res.end;
    res.end = function end(...args) {
      const r = origEnd.apply(this, args);
      done();
      return r;
    };
    try {
      mw(req, res, (...args) => {
        nextCalls.push(args);
        done();
      });
    } catch (err) {
      reject(err);
    }
  });
}

module.exports = { run, makeReq };
