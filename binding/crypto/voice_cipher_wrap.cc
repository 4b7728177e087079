// NativeVoiceCipher: the Node-API face of crypto::VoiceCipher. lib/voice-cipher.js validates and
// explains; this file re-checks cheap invariants, converts values and submits batch jobs.
//
// The sync voice paths are the hot ones (one call per 20 ms packet per stream): they never
// allocate except for the result Buffer of seal/open, and sealInto/openInto not even that.
#include "crypto/voice_cipher_wrap.h"

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "args.h"
#include "pool/js_result.h"
#include "pooled_wrap.h"
#include "voxpool/crypto/voice_cipher.h"

namespace voxpool::binding {
namespace {

using crypto::VoiceCipher;

constexpr const char* kTooLarge = "The packet is larger than a UDP datagram";

// Seals or opens many packets, in order, in one pool job (one wake-up for a burst).
class VoiceBatchJob final : public pool::Job, public JsResult {
 public:
  VoiceBatchJob(std::shared_ptr<VoiceCipher> cipher, bool seal)
      : cipher_(std::move(cipher)), seal_(seal) {}

  void Add(const Bytes& packet) {
    offsets_.push_back(input_.size());
    input_.insert(input_.end(), packet.data, packet.data + packet.size);
  }

  void Run() noexcept override {
    const size_t n = offsets_.size();
    results_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const size_t begin = offsets_[i];
      const size_t end = i + 1 < n ? offsets_[i + 1] : input_.size();
      const size_t size = end - begin;
      Outcome& r = results_[i];
      r.data.resize(seal_ ? size + crypto::kVoiceOverheadBytes : size);
      size_t written = 0;
      r.status =
          seal_
              ? cipher_->Seal(input_.data() + begin, size, r.data.data(), r.data.size(), &written)
              : cipher_->Open(input_.data() + begin, size, r.data.data(), r.data.size(), &written);
      r.data.resize(r.status.ok() ? written : 0);
    }
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env, results_.size());
    for (size_t i = 0; i < results_.size(); ++i) {
      const auto& r = results_[i];
      out.Set(static_cast<uint32_t>(i), r.status.ok() ? Napi::Value(Napi::Buffer<uint8_t>::Copy(
                                                            env, r.data.data(), r.data.size()))
                                                      : MakeError(env, r.status));
    }
    return out;
  }

 private:
  struct Outcome {
    Status status;
    std::vector<uint8_t> data;
  };
  std::shared_ptr<VoiceCipher> cipher_;
  bool seal_;
  std::vector<uint8_t> input_;
  std::vector<size_t> offsets_;
  std::vector<Outcome> results_;
};

class NativeVoiceCipher : public PooledWrap<NativeVoiceCipher, VoiceCipher> {
 public:
  static constexpr ClassId kClass = ClassId::kVoiceCipher;

  static Napi::Function Define(Napi::Env env) {
    return DefineWith(env, {VOXPOOL_METHOD(Seal), VOXPOOL_METHOD(Open), VOXPOOL_METHOD(SealBatch),
                            VOXPOOL_METHOD(OpenBatch), VOXPOOL_METHOD(GetNonce),
                            VOXPOOL_METHOD(SetNonce), VOXPOOL_METHOD(LastOpenedNonce)});
  }

  // new NativeVoiceCipher(mode: string, key: Buffer(32))
  explicit NativeVoiceCipher(const Napi::CallbackInfo& info) : PooledWrap(info) {
    Napi::Env env = info.Env();
    const std::string name = StringArg(info, 0, "Expected a mode string and a key");
    if (info.Length() < 2) ThrowTypeError(env, "Expected a mode string and a key");
    const crypto::VoiceModeInfo* mode = crypto::FindVoiceMode(name);
    if (mode == nullptr) ThrowRangeError(env, "Unknown voice encryption mode");
    Bytes key = BytesArg(info, 1, "Expected the key as a Buffer or Uint8Array");
    auto cipher = CreateCore(env, mode->mode, key.data, key.size);
    Adopt(env, info.This(), std::move(cipher), sizeof(VoiceCipher));
    LiveInstances().insert(this);
  }
  ~NativeVoiceCipher() override { LiveInstances().erase(this); }

  // Instances alive on this thread. Each Node environment has its own thread, and a wrapper is
  // created, used and finalised on its environment's thread, so no lock is needed.
  static std::unordered_set<const void*>& LiveInstances() {
    static thread_local std::unordered_set<const void*> live;
    return live;
  }

  // sealInto(rtpPacket, out) -> bytes written, and openInto(packet, out) -> bytes written.
  // The per-packet hot path: plain Node-API callbacks with the fewest engine calls (no
  // CallbackInfo, no C++ exceptions, no allocation). Same checks as the wrapped methods.
  template <bool kSeal>
  static napi_value IntoRaw(napi_env env, napi_callback_info cbinfo) {
    size_t argc = 2;
    napi_value argv[2];
    napi_value self;
    napi_get_cb_info(env, cbinfo, &argc, argv, &self, nullptr);
    // The live-instance set stands in for the type tag here (a tag check costs ~100 ns, a
    // quarter of a seal): a pointer found in it is one of this thread's NativeVoiceCipher
    // objects, so a foreign wrapped object is refused without being dereferenced.
    void* wrapped = nullptr;
    if (napi_unwrap(env, self, &wrapped) != napi_ok || LiveInstances().count(wrapped) == 0) {
      napi_throw_type_error(env, nullptr, TextOf(kClass).illegal);
      return nullptr;
    }
    auto* me = static_cast<NativeVoiceCipher*>(wrapped);
    Bytes in, out;
    if (argc < 1 || !FastBytes(env, argv[0], &in)) {
      napi_throw_type_error(env, nullptr, "Expected the packet as a Buffer or Uint8Array");
      return nullptr;
    }
    if (argc < 2 || !FastBytes(env, argv[1], &out)) {
      napi_throw_type_error(env, nullptr, "Expected the output as a Buffer or Uint8Array");
      return nullptr;
    }
    if (in.size > crypto::kMaxVoicePacketBytes) {
      napi_throw_range_error(env, nullptr, kTooLarge);
      return nullptr;
    }
    Napi::Env e(env);
    if (!me->core_) {
      napi_throw(env, MakeError(e, Status(ErrorCode::kDestroyed, TextOf(kClass).destroyed)));
      return nullptr;
    }
    size_t n = 0;
    uint8_t* dst = const_cast<uint8_t*>(out.data);
    Status st = kSeal ? me->core_->Seal(in.data, in.size, dst, out.size, &n)
                      : me->core_->Open(in.data, in.size, dst, out.size, &n, &me->last_nonce_);
    if (!st.ok()) {
      napi_throw(env, MakeError(e, st));
      return nullptr;
    }
    napi_value result;
    napi_create_uint32(env, static_cast<uint32_t>(n), &result);
    return result;
  }

  // Binary view of a typed array (Buffer included), falling back to the general GetBytes for
  // DataView / ArrayBuffer. One engine call in the common case.
  static bool FastBytes(napi_env env, napi_value v, Bytes* b) {
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) == napi_ok &&
        (type == napi_uint8_array || type == napi_int8_array || type == napi_uint8_clamped_array)) {
      b->data = static_cast<const uint8_t*>(data);
      b->size = length;
      return true;
    }
    return GetBytes(env, v, b);
  }

 private:
  static Bytes PacketArg(const Napi::CallbackInfo& info) {
    Bytes b = BytesArg(info, 0, "Expected the packet as a Buffer or Uint8Array");
    if (b.size > crypto::kMaxVoicePacketBytes) ThrowRangeError(info.Env(), kTooLarge);
    return b;
  }

  // seal(rtpPacket) -> Buffer
  Napi::Value Seal(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    VoiceCipher& c = *Enter(info);
    Bytes in = PacketArg(info);
    Napi::Buffer<uint8_t> out =
        Napi::Buffer<uint8_t>::New(env, in.size + crypto::kVoiceOverheadBytes);
    size_t n = 0;
    Check(env, c.Seal(in.data, in.size, out.Data(), out.Length(), &n));
    return out;
  }

  // open(packet) -> Buffer (the cleartext RTP packet)
  Napi::Value Open(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    VoiceCipher& c = *Enter(info);
    Bytes in = PacketArg(info);
    const size_t plain =
        in.size > crypto::kVoiceOverheadBytes ? in.size - crypto::kVoiceOverheadBytes : 0;
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, plain);
    size_t n = 0;
    Check(env, c.Open(in.data, in.size, out.Data(), out.Length(), &n, &last_nonce_));
    return out;
  }

  Napi::Value Batch(const Napi::CallbackInfo& info, bool seal) {
    Napi::Env env = info.Env();
    Enter(info);
    Napi::Array packets = ArrayArg(info, 0, "Expected an array of packets");
    if (packets.Length() > crypto::kMaxVoiceBatchPackets)
      ThrowRangeError(env, ("Expected at most " + std::to_string(crypto::kMaxVoiceBatchPackets) +
                            " packets in one batch")
                               .c_str());
    auto job = std::make_unique<VoiceBatchJob>(core_, seal);
    for (uint32_t i = 0; i < packets.Length(); ++i) {
      Bytes b;
      if (!GetBytes(env, packets.Get(i), &b))
        ThrowTypeError(env, "Expected every packet to be a Buffer or Uint8Array");
      if (b.size > crypto::kMaxVoicePacketBytes) ThrowRangeError(env, kTooLarge);
      job->Add(b);
    }
    return Submit(env, std::move(job));
  }
  // sealBatch([rtpPacket, ...]) -> Promise<Array<Buffer | VoxpoolError>>
  Napi::Value SealBatch(const Napi::CallbackInfo& info) { return Batch(info, true); }
  // openBatch([packet, ...]) -> Promise<Array<Buffer | VoxpoolError>>
  Napi::Value OpenBatch(const Napi::CallbackInfo& info) { return Batch(info, false); }

  Napi::Value GetNonce(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Enter(info)->nonce());
  }
  // setNonce(n): the next seal uses n + 1 (resuming a session; tests).
  Napi::Value SetNonce(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    static const std::string range =
        "The nonce must be an integer between 0 and " + std::to_string(crypto::kMaxVoiceNonce);
    const int64_t v = IntegerArg(info, 0, 0, crypto::kMaxVoiceNonce,
                                 "Expected the nonce to be a number", range.c_str());
    Live(env)->set_nonce(static_cast<uint32_t>(v));
    return env.Undefined();
  }
  // The nonce counter of the last packet opened synchronously.
  Napi::Value LastOpenedNonce(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Napi::Number::New(info.Env(), last_nonce_);
  }

  uint32_t last_nonce_ = 0;
};

}  // namespace

Napi::Function DefineVoiceCipher(Napi::Env env) {
  Napi::Function cipher = NativeVoiceCipher::Define(env);
  Napi::Object proto = cipher.Get("prototype").As<Napi::Object>();
  napi_value fn;
  NAPI_THROW_IF_FAILED(env,
                       napi_create_function(env, "sealInto", NAPI_AUTO_LENGTH,
                                            NativeVoiceCipher::IntoRaw<true>, nullptr, &fn),
                       Napi::Function());
  proto.Set("sealInto", fn);
  NAPI_THROW_IF_FAILED(env,
                       napi_create_function(env, "openInto", NAPI_AUTO_LENGTH,
                                            NativeVoiceCipher::IntoRaw<false>, nullptr, &fn),
                       Napi::Function());
  proto.Set("openInto", fn);
  return cipher;
}

}  // namespace voxpool::binding
