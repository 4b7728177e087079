// The crypto domain's exports: its classes and cryptoConstants, the numbers lib/ checks against
// (sodium-native's habit: the core defines every limit, the binding exports it, lib reads it).
#include "crypto/crypto_module.h"

#include <sodium.h>

#include "args.h"
#include "crypto/secret_stream_pull_wrap.h"
#include "crypto/secret_stream_push_wrap.h"
#include "crypto/voice_cipher_wrap.h"
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
  c.Set("KEY_BYTES", static_cast<double>(crypto::kVoiceKeyBytes));
  c.Set("TAG_BYTES", static_cast<double>(crypto::kVoiceTagBytes));
  c.Set("NONCE_BYTES_ON_WIRE", static_cast<double>(crypto::kVoiceNonceBytesOnWire));
  c.Set("OVERHEAD_BYTES", static_cast<double>(crypto::kVoiceOverheadBytes));
  c.Set("MAX_NONCE", static_cast<double>(crypto::kMaxVoiceNonce));
  c.Set("MAX_PACKET_BYTES", static_cast<double>(crypto::kMaxVoicePacketBytes));
  c.Set("MAX_BATCH_PACKETS", static_cast<double>(crypto::kMaxVoiceBatchPackets));
  // RTP numbers stay here too (lib/rtp.js and lib/voice-cipher.js read them from this object).
  c.Set("RTP_HEADER_BYTES", static_cast<double>(voice::rtp::kFixedHeaderBytes));
  c.Set("RTP_MAX_EXTENSION_BYTES", static_cast<double>(voice::rtp::kMaxExtensionBodyBytes));
  c.Set("RTP_MAX_CSRCS", static_cast<double>(voice::rtp::kMaxCsrcs));
  c.Set("RTP_MAX_HEADER_BYTES", static_cast<double>(voice::rtp::kMaxHeaderBytes));
  c.Set("RTP_PAYLOAD_TYPE", static_cast<double>(voice::rtp::kDiscordPayloadType));
  c.Set("RTP_TIMESTAMP_STEP", static_cast<double>(voice::rtp::kDiscordTimestampStep));
  c.Set("RTP_CLOCK_RATE", static_cast<double>(voice::rtp::kClockRate));
  c.Set("RTP_ONE_BYTE_PROFILE", static_cast<double>(voice::rtp::kOneByteProfile));
  c.Set("RTP_TWO_BYTE_PROFILE", static_cast<double>(voice::rtp::kTwoByteProfileBase));
  c.Set("SECRETSTREAM_KEY_BYTES", static_cast<double>(crypto::kSecretStreamKeyBytes));
  c.Set("SECRETSTREAM_HEADER_BYTES", static_cast<double>(crypto::kSecretStreamHeaderBytes));
  c.Set("SECRETSTREAM_OVERHEAD_BYTES", static_cast<double>(crypto::kSecretStreamOverheadBytes));
  c.Set("SECRETSTREAM_MAX_MESSAGE_BYTES",
        static_cast<double>(crypto::kSecretStreamMaxMessageBytes));
  c.Set("TAG_MESSAGE", crypto::kTagMessage);
  c.Set("TAG_PUSH", crypto::kTagPush);
  c.Set("TAG_REKEY", crypto::kTagRekey);
  c.Set("TAG_FINAL", crypto::kTagFinal);
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
