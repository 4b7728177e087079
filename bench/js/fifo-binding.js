'use strict';
// For discord.js's scheduling A/B only: loaded through VOXPOOL_BINDING, it hands today's lib/ an
// addon built from before the earliest-due-first pool (VOXPOOL_FIFO_ADDON, a .node file). That
// addon predates due times: it exports no MAX_DUE_MS (lib/ validates `dueMs` against it, so
// without one every stream fails) and ignores the extra due argument lib/ passes, i.e. its pool
// serves jobs in submission order, which is the behaviour being compared.
const binding = require(require('node:path').resolve(process.env.VOXPOOL_FIFO_ADDON));

if (binding.poolConstants.MAX_DUE_MS === undefined) {
  binding.poolConstants = { ...binding.poolConstants, MAX_DUE_MS: Infinity };
}
module.exports = binding;
