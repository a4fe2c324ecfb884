'use strict';
/**
 * Preloaded into the twilio-run process (`node -r`) by the local stack.
 * twilio-run listens on every interface and has no option to choose one, and
 * behind it the Functions run with no signature check of their own: anyone on
 * the network could reach them around the signature gateway. This makes every
 * server in that process that names only a port listen on loopback instead.
 * Plain JavaScript: it runs before any compiler could.
 */
const net = require('node:net');

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first, second] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, callback]): supply the host when none is given.
    if (typeof second !== 'string') args.splice(1, 0, LOOPBACK);
  } else if (first !== null && typeof first === 'object' && first.path === undefined && first.host === undefined && first.port !== undefined) {
    args[0] = { ...first, host: LOOPBACK };
  }
  return listen.apply(this, args);
};
