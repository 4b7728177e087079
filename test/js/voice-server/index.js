'use strict';
// A loopback stand-in for Discord's voice server (gateway v8/v4 over TLS + UDP on 127.0.0.1),
// and the harness that drives the real @discordjs/voice against it from a child process.
module.exports = {
  ...require('./server'),
  ...require('./certificate'),
  ...require('./client'),
  ...require('./play'),
  ...require('./analysis'),
  ...require('./loop-watch'),
  ...require('./signal'),
  ...require('./transport-cipher'),
};
