// The crypto domain's exports: its classes and cryptoConstants, the numbers lib/ checks against
// (sodium-native's habit: the core defines every limit, the binding exports it, lib reads it).
#include "crypto/crypto_module.h"

#include <sodium.h>

#include "args.h"
#include "crypto/secret_stream_pull_wrap.h"
#include "crypto/secret_stream_push_wrap.h"
#include "crypto/voice_cipher_wrap.h"
#include "numbers.h"
#include "voxpool/crypto/secret_stream.h"
#include "voxpool/crypto/voice_cipher.h"
#include "voxpool/voice/rtp.h"

namespace voxpool::binding {
namespace {

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  Napi::Array modes = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& m : crypto::kVoiceModes) modes.Set(i++, m.name);
  c.Set("MODES", modes);
  c.Set("AES_GCM_AVAILABLE", crypto::Aes256GcmAvailable());
  using namespace crypto;
  SetNumbers(c, {{"KEY_BYTES", kVoiceKeyBytes},
                 {"TAG_BYTES", kVoiceTagBytes},
                 {"NONCE_BYTES_ON_WIRE", kVoiceNonceBytesOnWire},
                 {"OVERHEAD_BYTES", kVoiceOverheadBytes},
                 {"MAX_NONCE", kMaxVoiceNonce},
                 {"MAX_PACKET_BYTES", kMaxVoicePacketBytes},
                 {"MAX_BATCH_PACKETS", kMaxVoiceBatchPackets},
                 // RTP numbers stay here too (lib/rtp.js and lib/voice-cipher.js read them here).
                 {"RTP_HEADER_BYTES", voice::rtp::kFixedHeaderBytes},
                 {"RTP_MAX_EXTENSION_BYTES", voice::rtp::kMaxExtensionBodyBytes},
                 {"RTP_MAX_CSRCS", voice::rtp::kMaxCsrcs},
                 {"RTP_MAX_HEADER_BYTES", voice::rtp::kMaxHeaderBytes},
                 {"RTP_PAYLOAD_TYPE", voice::rtp::kDiscordPayloadType},
                 {"RTP_TIMESTAMP_STEP", voice::rtp::kDiscordTimestampStep},
                 {"RTP_CLOCK_RATE", voice::rtp::kClockRate},
                 {"RTP_ONE_BYTE_PROFILE", voice::rtp::kOneByteProfile},
                 {"RTP_TWO_BYTE_PROFILE", voice::rtp::kTwoByteProfileBase},
                 {"SECRETSTREAM_KEY_BYTES", kSecretStreamKeyBytes},
                 {"SECRETSTREAM_HEADER_BYTES", kSecretStreamHeaderBytes},
                 {"SECRETSTREAM_OVERHEAD_BYTES", kSecretStreamOverheadBytes},
                 {"SECRETSTREAM_MAX_MESSAGE_BYTES", kSecretStreamMaxMessageBytes},
                 {"TAG_MESSAGE", kTagMessage},
                 {"TAG_PUSH", kTagPush},
                 {"TAG_REKEY", kTagRekey},
                 {"TAG_FINAL", kTagFinal}});
  c.Set("SODIUM_VERSION", sodium_version_string());
  return c;
}

}  // namespace

void InitCrypto(Napi::Env env, Napi::Object exports) {
  Check(env, crypto::InitSodium());
  exports.Set("NativeVoiceCipher", DefineVoiceCipher(env));
  exports.Set("NativeSecretStreamPush", DefineSecretStreamPush(env));
  exports.Set("NativeSecretStreamPull", DefineSecretStreamPull(env));
  exports.Set("cryptoConstants", Constants(env));
}

}  // namespace voxpool::binding
