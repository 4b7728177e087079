'use strict';
// Memory soak: create/use/drop cycles of every class that owns native memory, with and without
// destroy(), and every pool-backed stream destroyed with jobs in flight. After the first two
// fifths (allocator arenas, JIT, the collector's sizing) RSS after forced GC must level off, and
// the native memory the environment reports must come back down. Each run is a child process
// with --expose-gc.
//
// VOXPOOL_SOAK_CYCLES sets the cycles per run (default 20 000; CI runs 100 000).
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const CHILD = path.join(__dirname, 'fixtures', 'soak-child.js');
const CYCLES = Number(process.env.VOXPOOL_SOAK_CYCLES || 20000);
// Under AddressSanitizer freed memory sits in its quarantine instead of being reused, so RSS grows
// with every allocation whatever the library does: scripts/js-sanitize.sh sets
// VOXPOOL_SOAK_RSS=0 and only the native-memory accounting is checked there.
const CHECK_RSS = process.env.VOXPOOL_SOAK_RSS !== '0';
const MB = 1e6;
/**
 * RSS growth allowed per fifth once warmed up: a leak of more than this per fifth fails (the
 * issue's 50 MB bound, spread over the two fifths the old check spanned).
 */
const MAX_GROWTH_PER_FIFTH = 25 * MB;
/**
 * For large objects the bound is a tenth of what the fifth's objects report: RSS after forced
 * collection moves by up to ~120 MB between fifths when 3 MB SpeakerMixers are dropped (Node 24,
 * every one finalized: 323 → 443 → 324 → 323 MB), while a leak of a tenth of each object would
 * still add 120 MB a fifth. Exact accounting of what an object reports is the native-bytes check.
 */
const LEAK_FRACTION = 0.1;

/** The growth per fifth allowed for `cycles` cycles of objects that report `oneObject` bytes. */
function allowedGrowth(cycles, oneObject) {
  return Math.max(MAX_GROWTH_PER_FIFTH, LEAK_FRACTION * (cycles / 5) * oneObject);
}

/**
 * The typical RSS growth per fifth after the warm-up: the median of the three steps from the second
 * sample on. A leak raises RSS in every fifth, so all three steps carry it and so does the median.
 * The heap settling at a new size raises one step only, and so does one sample lifted by large
 * objects awaiting finalization (it raises one step and lowers the next); the median ignores both.
 * Trails that passed or failed a bound on the whole span without leaking (MB):
 * 262 → 263 → 358 → 358 → 358 (SpeakerMixer drop, Node matrix, the heap stepping once),
 * … → 401 → 421 → 422 → 463 and … → 361 → 366 → 384 → 429 (Node 22, the last sample lifted).
 * @param {number[]} rss five samples, one per fifth of the run
 */
function typicalGrowth(rss) {
  const steps = [rss[2] - rss[1], rss[3] - rss[2], rss[4] - rss[3]].sort((a, b) => a - b);
  return steps[1];
}

function soak(kind, how, cycles) {
  // glibc's dynamic mmap threshold is fixed (128 KiB): otherwise the first large block freed raises
  // it, later large blocks come from the heap, and how far RSS climbs depends on when the
  // collector finalised the dropped objects (a 2.3 MB Mixer dropped 2000 times grew 22-54 MB over
  // the last three fifths on Node 22; with the threshold fixed, 11-32 MB). A leak still grows.
  const env = { ...process.env, GLIBC_TUNABLES: [process.env.GLIBC_TUNABLES, 'glibc.malloc.mmap_threshold=131072'].filter(Boolean).join(':') };
  const r = spawnSync(process.execPath, ['--expose-gc', CHILD, kind, how, String(cycles)], { encoding: 'utf8', timeout: 600000, env });
  assert.equal(r.signal, null, `${kind} ${how}: killed (${r.signal}) ${r.stderr}`);
  assert.equal(r.status, 0, `${kind} ${how}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/**
 * @param {object} result the child's report
 * @param {number} objectsLeft how many objects' native memory may still be reported at the end
 */
function check(result, objectsLeft) {
  const { kind, how, cycles, rss, oneObject, nativeBytes } = result;
  const nativeLeft = objectsLeft * oneObject;
  // The first two fifths warm up (allocator arenas, JIT, the collector's own sizing).
  const growth = typicalGrowth(rss);
  const allowed = allowedGrowth(cycles, oneObject);
  const trail = rss.map((b) => (b / MB).toFixed(0)).join(' → ');
  if (CHECK_RSS) assert.ok(growth <= allowed, `${kind} ${how}: RSS grew ${(growth / MB).toFixed(1)} MB per fifth after the second, more than ${(allowed / MB).toFixed(0)} (${trail} MB)`);
  assert.ok(nativeBytes <= nativeLeft, `${kind} ${how}: ${nativeBytes} native bytes still reported (one object: ${oneObject})`);
}

test('the RSS criterion fails a steady leak and passes a heap that steps once', () => {
  const mb = (a) => a.map((x) => x * MB);
  assert.ok(typicalGrowth(mb([262, 263, 358, 358, 358])) <= MAX_GROWTH_PER_FIFTH);  // the Node matrix's SpeakerMixer
  assert.ok(typicalGrowth(mb([340, 361, 366, 384, 429])) <= MAX_GROWTH_PER_FIFTH);
  assert.ok(typicalGrowth(mb([300, 262, 358, 263, 262])) <= MAX_GROWTH_PER_FIFTH);  // one sample lifted
  assert.ok(typicalGrowth(mb([200, 230, 260, 290, 320])) > MAX_GROWTH_PER_FIFTH);  // 30 MB a fifth
  assert.ok(typicalGrowth(mb([200, 230, 330, 360, 390])) > MAX_GROWTH_PER_FIFTH);  // 30 MB a fifth and a step
  assert.ok(typicalGrowth(mb([200, 230, 260, 220, 250])) > MAX_GROWTH_PER_FIFTH);  // 30 MB a fifth and a lowered sample
  // 2000 SpeakerMixers (3 MB each): 120 MB a fifth allowed; the Node 24 trail that failed 25 MB
  // passes, and a leak of a tenth of each mixer does not.
  const mixer = 3041280;
  assert.ok(typicalGrowth(mb([293, 376, 407, 476, 449])) <= allowedGrowth(2000, mixer));
  assert.ok(typicalGrowth(mb([300, 430, 560, 690, 820])) > allowedGrowth(2000, mixer));
  assert.equal(allowedGrowth(20000, 30000), MAX_GROWTH_PER_FIFTH);  // an encoder: the floor
});

const WITH_DESTROY = ['Encoder', 'Decoder', 'Resampler', 'Mixer', 'SpeakerMixer', 'VoiceCipher', 'VoiceSender', 'VoiceReceiver', 'SecretStreamEncryptor'];
const DROP_ONLY = ['OpusEncoder', 'VolumeTransformer'];  // no destroy(): the collector frees them
const STREAMS = ['encoderStream', 'decoderStream', 'mixerStream', 'speakerMixerStream', 'resampleStream', 'encryptStream'];

for (const kind of WITH_DESTROY) {
  test(`${kind}: ${CYCLES} cycles with destroy() level off, and nothing native is left`, () => {
    check(soak(kind, 'destroy', CYCLES), 0);
  });
}

for (const kind of [...WITH_DESTROY, ...DROP_ONLY]) {
  test(`${kind}: ${CYCLES} cycles dropped without destroy() level off (the collector sees their native memory)`, () => {
    // After forced collection at most the last couple of objects may still await finalization.
    check(soak(kind, 'drop', CYCLES), 2);
  });
}

for (const kind of STREAMS) {
  const cycles = Math.max(500, Math.round(CYCLES / 10));
  test(`${kind}: ${cycles} streams destroyed with jobs in flight level off`, () => {
    check(soak(kind, 'destroy', cycles), 2);
  });
}
