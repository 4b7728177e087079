/* Raw libopus cost per 20 ms frame, with nothing else in the loop: the number that decides which
 * compiler flags and which libopus the prebuilt binaries get (scripts/opus-tune-bench.sh builds
 * this once per candidate libopus and runs the binaries interleaved).
 *
 *   opus_frame PCM_FILE PASSES
 *
 * PCM_FILE: 48 kHz stereo s16le (bench/js/audio.js's music-like signal). Encodes it at 64 kbps,
 * complexity 10, application audio, then decodes the packets; PASSES times each, after one
 * warm-up pass. Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so a descheduled
 * thread on a busy machine does not count. Prints one line:
 *
 *   version encode_us decode_us packets_hash decoded_hash snr_db bytes_per_packet
 *
 * The hashes (FNV-1a of the packets, and of the decoder's output for those packets) tell
 * bit-identical builds apart from ones that differ; snr_db compares the decoded signal with the
 * input (shifted by the encoder's lookahead), to see what a build that differs costs in quality.
 */
#include <math.h>
#include <opus.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { kRate = 48000, kChannels = 2, kFrame = 960, kMaxPacket = 4000 };

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static uint64_t fnv(uint64_t h, const void* data, size_t n) {
  const unsigned char* p = data;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PCM_FILE PASSES\n", argv[0]);
    return 2;
  }
  FILE* f = fopen(argv[1], "rb");
  if (!f) return perror(argv[1]), 1;
  fseek(f, 0, SEEK_END);
  long bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  int frames = (int)(bytes / (kFrame * kChannels * 2));
  int16_t* pcm = malloc((size_t)frames * kFrame * kChannels * 2);
  if (fread(pcm, kFrame * kChannels * 2, frames, f) != (size_t)frames) return fprintf(stderr, "short read\n"), 1;
  fclose(f);
  int passes = atoi(argv[2]);

  int err;
  OpusEncoder* enc = opus_encoder_create(kRate, kChannels, OPUS_APPLICATION_AUDIO, &err);
  OpusDecoder* dec = opus_decoder_create(kRate, kChannels, &err);
  if (!enc || !dec) return fprintf(stderr, "create: %s\n", opus_strerror(err)), 1;
  opus_encoder_ctl(enc, OPUS_SET_BITRATE(64000));
  opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(10));
  opus_int32 lookahead = 0;
  opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD(&lookahead));

  unsigned char* packets = malloc((size_t)frames * kMaxPacket);
  int* lengths = malloc(sizeof(int) * frames);
  int16_t* out = malloc((size_t)frames * kFrame * kChannels * 2);

  /* Pass 0 (from a fresh encoder and decoder) is the warm-up and the reference output. */
  double enc_us = 0, dec_us = 0;
  for (int pass = 0; pass <= passes; pass++) {
    opus_encoder_ctl(enc, OPUS_RESET_STATE);
    opus_decoder_ctl(dec, OPUS_RESET_STATE);
    double t0 = now_us();
    for (int i = 0; i < frames; i++) {
      lengths[i] = opus_encode(enc, pcm + (size_t)i * kFrame * kChannels, kFrame, packets + (size_t)i * kMaxPacket,
                               kMaxPacket);
      if (lengths[i] < 0) return fprintf(stderr, "encode: %s\n", opus_strerror(lengths[i])), 1;
    }
    double t1 = now_us();
    for (int i = 0; i < frames; i++) {
      int n = opus_decode(dec, packets + (size_t)i * kMaxPacket, lengths[i], out + (size_t)i * kFrame * kChannels,
                          kFrame, 0);
      if (n != kFrame) return fprintf(stderr, "decode: %s\n", opus_strerror(n)), 1;
    }
    double t2 = now_us();
    if (pass > 0) enc_us += t1 - t0, dec_us += t2 - t1;
  }

  uint64_t ph = 1469598103934665603ull, dh = 1469598103934665603ull;
  long total = 0;
  for (int i = 0; i < frames; i++) {
    ph = fnv(ph, packets + (size_t)i * kMaxPacket, lengths[i]);
    total += lengths[i];
  }
  dh = fnv(dh, out, (size_t)frames * kFrame * kChannels * 2);
  double sig = 0, noise = 0;
  for (long i = 0; i < ((long)frames * kFrame - lookahead) * kChannels; i++) {
    double x = pcm[i], y = out[i + (long)lookahead * kChannels];
    sig += x * x;
    noise += (x - y) * (x - y);
  }
  char version[64];
  snprintf(version, sizeof version, "%s", opus_get_version_string());
  for (char* c = version; *c; c++) *c = *c == ' ' ? '-' : *c;
  printf("%s %.2f %.2f %016llx %016llx %.3f %.1f\n", version, enc_us / passes / frames,
         dec_us / passes / frames, (unsigned long long)ph, (unsigned long long)dh, 10 * log10(sig / noise),
         (double)total / frames);
  opus_encoder_destroy(enc);
  opus_decoder_destroy(dec);
  return 0;
}
