'use strict';
// The per-object queue options every pooled class takes, validated in one place against the
// limits the core defines (binding `poolConstants`).
const binding = require('./binding');
const validate = require('./validate');

const P = binding.poolConstants;

/** What a full strand does: refuse the new job, or drop its oldest queued one (real time). */
const OVERFLOW = Object.freeze(['reject', 'drop-oldest']);

/**
 * Copies validated `maxQueue` (1..MAX_QUEUE jobs queued on this object, default
 * DEFAULT_MAX_QUEUE), `overflow` and `deadlineMs` (0..MAX_DEADLINE_MS: a job not started this
 * long after its due time is not run and rejects with ERR_VOXPOOL_DEADLINE_EXCEEDED; 0, the
 * default, runs it late) from the user's options `o` into the native options `out`.
 * @param {object} o
 * @param {object} out
 * @returns {object} out
 */
function queueOptions(o, out) {
  if (o.maxQueue !== undefined) out.maxQueue = validate.integer(o.maxQueue, 'maxQueue', 1, P.MAX_QUEUE);
  if (o.overflow !== undefined) out.overflow = validate.oneOf(o.overflow, 'overflow', OVERFLOW);
  if (o.deadlineMs !== undefined) out.deadlineMs = validate.number(o.deadlineMs, 'deadlineMs', 0, P.MAX_DEADLINE_MS);
  return out;
}

/** The queue length `queueOptions` gave (what one object's batch may hold at most). */
function maxQueueOf(native) {
  return native.maxQueue === undefined ? P.DEFAULT_MAX_QUEUE : native.maxQueue;
}

module.exports = { queueOptions, maxQueueOf, OVERFLOW };
