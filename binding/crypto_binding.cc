// NativeVoiceCipher / NativeSecretStreamPush / NativeSecretStreamPull: the Node-API face of
// voxpool::crypto. lib/voice-cipher.js and lib/secretstream.js validate and explain; this file
// re-checks cheap invariants, converts values and submits jobs.
//
// The sync voice paths are the hot ones (one call per 20 ms packet per stream): they never
// allocate except for the result Buffer of seal/open, and sealInto/openInto not even that.
#include "crypto_binding.h"

#include <sodium.h>

#include <atomic>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "bytes.h"
#include "env_context.h"
#include "errors.h"
#include "external_memory.h"
#include "js_result.h"
#include "lazy_strand.h"
#include "pipeline_binding.h"
#include "voxpool/voice/rtp.h"
#include "voxpool/crypto/secret_stream.h"
#include "voxpool/crypto/voice_cipher.h"
#include "wrap.h"

namespace voxpool::binding {
namespace {

using crypto::SecretStreamPull;
using crypto::SecretStreamPush;
using crypto::VoiceCipher;

constexpr napi_type_tag kVoiceCipherTag = {0x766f78706f6f6c03ULL, 0x566f696365436901ULL};
constexpr napi_type_tag kStreamPushTag = {0x766f78706f6f6c04ULL, 0x5373507573680001ULL};
constexpr napi_type_tag kStreamPullTag = {0x766f78706f6f6c05ULL, 0x5373507566c00001ULL};

// Largest secretstream message accepted from JS in one call (the JS stream splits larger chunks).
constexpr size_t kMaxStreamMessageBytes = 64 * 1024 * 1024;

Bytes BytesArg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  Bytes b;
  if (i >= info.Length() || !GetBytes(info.Env(), info[i], &b)) ThrowTypeError(info.Env(), message);
  return b;
}

// ----- jobs ---------------------------------------------------------------------------------

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

// Secretstream state shared by the wrapper and its in-flight jobs. `inflight` lets the sync
// methods refuse to run while pool jobs are still advancing the same state (the state is
// sequential; mixing would reorder the stream).
template <class T>
struct StreamState {
  std::unique_ptr<T> stream;
  std::atomic<int> inflight{0};
};

class StreamJobBase : public pool::Job, public JsResult {
 public:
  explicit StreamJobBase(std::atomic<int>* inflight, std::shared_ptr<void> keep)
      : inflight_(inflight), keep_(std::move(keep)) {
    inflight_->fetch_add(1, std::memory_order_relaxed);
  }
  // Jobs are destroyed on the JS thread after settling, ran or not: the count always returns.
  ~StreamJobBase() override { inflight_->fetch_sub(1, std::memory_order_relaxed); }

 private:
  std::atomic<int>* inflight_;
  std::shared_ptr<void> keep_;  // keeps the state (and so `inflight_`) alive
};

class PushJob final : public StreamJobBase {
 public:
  PushJob(std::shared_ptr<StreamState<SecretStreamPush>> state, const Bytes& message, uint8_t tag)
      : StreamJobBase(&state->inflight, state),
        state_(std::move(state)),
        input_(message.data, message.data + message.size),
        tag_(tag) {}
  void Run() noexcept override {
    output_.resize(input_.size() + crypto::kSecretStreamOverheadBytes);
    size_t n = 0;
    status = state_->stream->Push(input_.data(), input_.size(), tag_, output_.data(),
                                  output_.size(), &n);
    output_.resize(status.ok() ? n : 0);
  }
  Napi::Value Result(Napi::Env env) override {
    return Napi::Buffer<uint8_t>::Copy(env, output_.data(), output_.size());
  }

 private:
  std::shared_ptr<StreamState<SecretStreamPush>> state_;
  std::vector<uint8_t> input_;
  uint8_t tag_;
  std::vector<uint8_t> output_;
};

Napi::Object PullResult(Napi::Env env, const uint8_t* data, size_t size, uint8_t tag) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("message", Napi::Buffer<uint8_t>::Copy(env, data, size));
  o.Set("tag", Napi::Number::New(env, tag));
  return o;
}

class PullJob final : public StreamJobBase {
 public:
  PullJob(std::shared_ptr<StreamState<SecretStreamPull>> state, const Bytes& message)
      : StreamJobBase(&state->inflight, state),
        state_(std::move(state)),
        input_(message.data, message.data + message.size) {}
  void Run() noexcept override {
    output_.resize(input_.size());
    size_t n = 0;
    status = state_->stream->Pull(input_.data(), input_.size(), output_.data(), output_.size(), &n,
                                  &tag_);
    output_.resize(status.ok() ? n : 0);
  }
  Napi::Value Result(Napi::Env env) override {
    return PullResult(env, output_.data(), output_.size(), tag_);
  }

 private:
  std::shared_ptr<StreamState<SecretStreamPull>> state_;
  std::vector<uint8_t> input_;
  uint8_t tag_ = 0;
  std::vector<uint8_t> output_;
};

// ----- NativeVoiceCipher --------------------------------------------------------------------

class NativeVoiceCipher : public Napi::ObjectWrap<NativeVoiceCipher> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeVoiceCipher",
                       {
                           InstanceMethod<&NativeVoiceCipher::Seal>("seal"),
                           InstanceMethod<&NativeVoiceCipher::Open>("open"),
                           InstanceMethod<&NativeVoiceCipher::SealBatch>("sealBatch"),
                           InstanceMethod<&NativeVoiceCipher::OpenBatch>("openBatch"),
                           InstanceMethod<&NativeVoiceCipher::GetNonce>("getNonce"),
                           InstanceMethod<&NativeVoiceCipher::SetNonce>("setNonce"),
                           InstanceMethod<&NativeVoiceCipher::LastOpenedNonce>("lastOpenedNonce"),
                           InstanceMethod<&NativeVoiceCipher::Destroy>("destroy"),
                       });
  }

  // new NativeVoiceCipher(mode: string, key: Buffer(32))
  explicit NativeVoiceCipher(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<NativeVoiceCipher>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString())
      ThrowTypeError(env, "Expected a mode string and a key");
    const crypto::VoiceModeInfo* mode =
        crypto::FindVoiceMode(info[0].As<Napi::String>().Utf8Value());
    if (mode == nullptr) ThrowRangeError(env, "Unknown voice encryption mode");
    Bytes key = BytesArg(info, 1, "Expected the key as a Buffer or Uint8Array");
    std::unique_ptr<VoiceCipher> cipher;
    Status st = VoiceCipher::Create(mode->mode, key.data, key.size, &cipher);
    if (!st.ok()) Throw(env, st);
    cipher_ = std::move(cipher);
    memory_.Set(env, sizeof(VoiceCipher));
    napi_type_tag_object(env, info.This(), &kVoiceCipherTag);
    LiveInstances().insert(this);
  }
  ~NativeVoiceCipher() override {
    LiveInstances().erase(this);
    memory_.Release(Env());
  }

  // Instances alive on this thread. Each Node environment has its own thread, and a wrapper is
  // created, used and finalised on its environment's thread, so no lock is needed.
  static std::unordered_set<const void*>& LiveInstances() {
    static thread_local std::unordered_set<const void*> live;
    return live;
  }

  static NativeVoiceCipher* Of(Napi::Env env, napi_value value) {
    return UnwrapTagged<NativeVoiceCipher>(env, value, kVoiceCipherTag,
                                           "Expected a NativeVoiceCipher (illegal invocation)");
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
      napi_throw_type_error(env, nullptr, "Expected a NativeVoiceCipher (illegal invocation)");
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
      napi_throw_range_error(env, nullptr, "The packet is larger than a UDP datagram");
      return nullptr;
    }
    Napi::Env e(env);
    if (!me->cipher_) {
      napi_throw(
          env, MakeError(e, Status(ErrorCode::kDestroyed, "The voice cipher has been destroyed")));
      return nullptr;
    }
    size_t n = 0;
    uint8_t* dst = const_cast<uint8_t*>(out.data);
    Status st = kSeal ? me->cipher_->Seal(in.data, in.size, dst, out.size, &n)
                      : me->cipher_->Open(in.data, in.size, dst, out.size, &n, &me->last_nonce_);
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
  VoiceCipher& Live(Napi::Env env) {
    if (!cipher_) Throw(env, Status(ErrorCode::kDestroyed, "The voice cipher has been destroyed"));
    return *cipher_;
  }

  static Bytes PacketArg(const Napi::CallbackInfo& info) {
    Bytes b = BytesArg(info, 0, "Expected the packet as a Buffer or Uint8Array");
    if (b.size > crypto::kMaxVoicePacketBytes)
      ThrowRangeError(info.Env(), "The packet is larger than a UDP datagram");
    return b;
  }

  // seal(rtpPacket) -> Buffer
  Napi::Value Seal(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    VoiceCipher& c = Live(env);
    Bytes in = PacketArg(info);
    Napi::Buffer<uint8_t> out =
        Napi::Buffer<uint8_t>::New(env, in.size + crypto::kVoiceOverheadBytes);
    size_t n = 0;
    Status st = c.Seal(in.data, in.size, out.Data(), out.Length(), &n);
    if (!st.ok()) Throw(env, st);
    return out;
  }

  // open(packet) -> Buffer (the cleartext RTP packet)
  Napi::Value Open(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    VoiceCipher& c = Live(env);
    Bytes in = PacketArg(info);
    const size_t plain =
        in.size > crypto::kVoiceOverheadBytes ? in.size - crypto::kVoiceOverheadBytes : 0;
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, plain);
    size_t n = 0;
    Status st = c.Open(in.data, in.size, out.Data(), out.Length(), &n, &last_nonce_);
    if (!st.ok()) Throw(env, st);
    return out;
  }

  Napi::Value Batch(const Napi::CallbackInfo& info, bool seal) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    Live(env);
    if (info.Length() < 1 || !info[0].IsArray())
      ThrowTypeError(env, "Expected an array of packets");
    Napi::Array packets = info[0].As<Napi::Array>();
    if (packets.Length() > crypto::kMaxVoiceBatchPackets)
      ThrowRangeError(env, ("Expected at most " + std::to_string(crypto::kMaxVoiceBatchPackets) +
                            " packets in one batch")
                               .c_str());
    auto job = std::make_unique<VoiceBatchJob>(cipher_, seal);
    for (uint32_t i = 0; i < packets.Length(); ++i) {
      Bytes b;
      if (!GetBytes(env, packets.Get(i), &b))
        ThrowTypeError(env, "Expected every packet to be a Buffer or Uint8Array");
      if (b.size > crypto::kMaxVoicePacketBytes)
        ThrowRangeError(env, "The packet is larger than a UDP datagram");
      job->Add(b);
    }
    return EnvContext::Get(env).Submit(env, strand_.Get(env), std::move(job));
  }
  // sealBatch([rtpPacket, ...]) -> Promise<Array<Buffer | VoxpoolError>>
  Napi::Value SealBatch(const Napi::CallbackInfo& info) { return Batch(info, true); }
  // openBatch([packet, ...]) -> Promise<Array<Buffer | VoxpoolError>>
  Napi::Value OpenBatch(const Napi::CallbackInfo& info) { return Batch(info, false); }

  Napi::Value GetNonce(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Napi::Number::New(info.Env(), Live(info.Env()).nonce());
  }
  // setNonce(n): the next seal uses n + 1 (resuming a session; tests).
  Napi::Value SetNonce(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    if (info.Length() < 1 || !info[0].IsNumber())
      ThrowTypeError(env, "Expected the nonce to be a number");
    const double v = info[0].As<Napi::Number>().DoubleValue();
    if (!(v >= 0 && v <= 4294967295.0) || v != static_cast<double>(static_cast<uint32_t>(v)))
      ThrowRangeError(env, "The nonce must be an integer between 0 and 4294967295");
    Live(env).set_nonce(static_cast<uint32_t>(v));
    return env.Undefined();
  }
  // The nonce counter of the last packet opened synchronously.
  Napi::Value LastOpenedNonce(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Napi::Number::New(info.Env(), last_nonce_);
  }

  // destroy(): wipes the key now (in-flight batches keep their own reference until they finish).
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    strand_.Close();
    cipher_.reset();
    memory_.Release(info.Env());
    return info.Env().Undefined();
  }

  std::shared_ptr<VoiceCipher> cipher_;
  LazyStrand strand_;
  ExternalMemory memory_;
  uint32_t last_nonce_ = 0;
};

// ----- NativeSecretStreamPush / Pull --------------------------------------------------------

template <class Self, class T>
class StreamWrapBase : public Napi::ObjectWrap<Self> {
 public:
  using Napi::ObjectWrap<Self>::ObjectWrap;
  ~StreamWrapBase() override { memory_.Release(this->Env()); }

 protected:
  T& LiveSync(Napi::Env env) {
    if (!state_ || !state_->stream)
      Throw(env, Status(ErrorCode::kDestroyed, "The stream has been destroyed"));
    if (state_->inflight.load(std::memory_order_relaxed) != 0)
      Throw(
          env,
          Status(
              ErrorCode::kInvalidArgument,
              "A synchronous call cannot run while asynchronous calls are pending on this stream"));
    return *state_->stream;
  }
  pool::Strand& StrandFor(Napi::Env env) {
    if (!state_ || !state_->stream)
      Throw(env, Status(ErrorCode::kDestroyed, "The stream has been destroyed"));
    return strand_.Get(env);
  }
  void DestroyImpl(Napi::Env env) {
    strand_.Close();
    // In-flight jobs hold `state_`; the stream object (and its key material) dies with the last.
    state_.reset();
    memory_.Release(env);
  }

  std::shared_ptr<StreamState<T>> state_;
  LazyStrand strand_;
  ExternalMemory memory_;
};

class NativeSecretStreamPush : public StreamWrapBase<NativeSecretStreamPush, SecretStreamPush> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeSecretStreamPush",
                       {
                           InstanceMethod<&NativeSecretStreamPush::Header>("header"),
                           InstanceMethod<&NativeSecretStreamPush::Push>("push"),
                           InstanceMethod<&NativeSecretStreamPush::PushAsync>("pushAsync"),
                           InstanceMethod<&NativeSecretStreamPush::Destroy>("destroy"),
                       });
  }

  // new NativeSecretStreamPush(key)
  explicit NativeSecretStreamPush(const Napi::CallbackInfo& info) : StreamWrapBase(info) {
    Napi::Env env = info.Env();
    Bytes key = BytesArg(info, 0, "Expected the key as a Buffer or Uint8Array");
    auto state = std::make_shared<StreamState<SecretStreamPush>>();
    Status st = SecretStreamPush::Create(key.data, key.size, header_, &state->stream);
    if (!st.ok()) Throw(env, st);
    state_ = std::move(state);
    memory_.Set(env, sizeof(StreamState<SecretStreamPush>) + sizeof(SecretStreamPush));
    napi_type_tag_object(env, info.This(), &kStreamPushTag);
  }

 private:
  static NativeSecretStreamPush* Of(Napi::Env env, napi_value v) {
    return UnwrapTagged<NativeSecretStreamPush>(
        env, v, kStreamPushTag, "Expected a NativeSecretStreamPush (illegal invocation)");
  }
  static uint8_t TagArg(const Napi::CallbackInfo& info) {
    if (info.Length() < 2 || !info[1].IsNumber())
      ThrowTypeError(info.Env(), "Expected the tag to be a number");
    return static_cast<uint8_t>(info[1].As<Napi::Number>().Uint32Value());
  }
  static Bytes MessageArg(const Napi::CallbackInfo& info) {
    Bytes b = BytesArg(info, 0, "Expected the message as a Buffer or Uint8Array");
    if (b.size > kMaxStreamMessageBytes)
      ThrowRangeError(info.Env(), "The message is larger than 64 MiB");
    return b;
  }

  Napi::Value Header(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Napi::Buffer<uint8_t>::Copy(info.Env(), header_, sizeof(header_));
  }
  // push(message, tag) -> Buffer
  Napi::Value Push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    SecretStreamPush& s = LiveSync(env);
    Bytes m = MessageArg(info);
    const uint8_t tag = TagArg(info);
    Napi::Buffer<uint8_t> out =
        Napi::Buffer<uint8_t>::New(env, m.size + crypto::kSecretStreamOverheadBytes);
    size_t n = 0;
    Status st = s.Push(m.data, m.size, tag, out.Data(), out.Length(), &n);
    if (!st.ok()) Throw(env, st);
    return out;
  }
  // pushAsync(message, tag) -> Promise<Buffer>, in order with other pushAsync calls
  Napi::Value PushAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    pool::Strand& strand = StrandFor(env);
    Bytes m = MessageArg(info);
    const uint8_t tag = TagArg(info);
    return EnvContext::Get(env).Submit(env, strand, std::make_unique<PushJob>(state_, m, tag));
  }
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    DestroyImpl(info.Env());
    return info.Env().Undefined();
  }

  uint8_t header_[crypto::kSecretStreamHeaderBytes];
};

class NativeSecretStreamPull : public StreamWrapBase<NativeSecretStreamPull, SecretStreamPull> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeSecretStreamPull",
                       {
                           InstanceMethod<&NativeSecretStreamPull::Pull>("pull"),
                           InstanceMethod<&NativeSecretStreamPull::PullAsync>("pullAsync"),
                           InstanceMethod<&NativeSecretStreamPull::Finish>("finish"),
                           InstanceMethod<&NativeSecretStreamPull::Finished>("finished"),
                           InstanceMethod<&NativeSecretStreamPull::Destroy>("destroy"),
                       });
  }

  // new NativeSecretStreamPull(key, header)
  explicit NativeSecretStreamPull(const Napi::CallbackInfo& info) : StreamWrapBase(info) {
    Napi::Env env = info.Env();
    Bytes key = BytesArg(info, 0, "Expected the key as a Buffer or Uint8Array");
    Bytes header = BytesArg(info, 1, "Expected the header as a Buffer or Uint8Array");
    auto state = std::make_shared<StreamState<SecretStreamPull>>();
    Status st =
        SecretStreamPull::Create(key.data, key.size, header.data, header.size, &state->stream);
    if (!st.ok()) Throw(env, st);
    state_ = std::move(state);
    memory_.Set(env, sizeof(StreamState<SecretStreamPull>) + sizeof(SecretStreamPull));
    napi_type_tag_object(env, info.This(), &kStreamPullTag);
  }

 private:
  static NativeSecretStreamPull* Of(Napi::Env env, napi_value v) {
    return UnwrapTagged<NativeSecretStreamPull>(
        env, v, kStreamPullTag, "Expected a NativeSecretStreamPull (illegal invocation)");
  }
  static Bytes MessageArg(const Napi::CallbackInfo& info) {
    Bytes b = BytesArg(info, 0, "Expected the message as a Buffer or Uint8Array");
    if (b.size > kMaxStreamMessageBytes + crypto::kSecretStreamOverheadBytes)
      ThrowRangeError(info.Env(), "The message is larger than 64 MiB");
    return b;
  }

  // pull(message) -> { message: Buffer, tag: number }
  Napi::Value Pull(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    SecretStreamPull& s = LiveSync(env);
    Bytes m = MessageArg(info);
    std::vector<uint8_t> out(m.size);
    size_t n = 0;
    uint8_t tag = 0;
    Status st = s.Pull(m.data, m.size, out.data(), out.size(), &n, &tag);
    if (!st.ok()) Throw(env, st);
    return PullResult(env, out.data(), n, tag);
  }
  // pullAsync(message) -> Promise<{ message, tag }>
  Napi::Value PullAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    pool::Strand& strand = StrandFor(env);
    Bytes m = MessageArg(info);
    return EnvContext::Get(env).Submit(env, strand, std::make_unique<PullJob>(state_, m));
  }
  // finish(): throws ERR_VOXPOOL_STREAM_TRUNCATED unless FINAL was pulled.
  Napi::Value Finish(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    Status st = LiveSync(env).Finish();
    if (!st.ok()) Throw(env, st);
    return env.Undefined();
  }
  Napi::Value Finished(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    return Napi::Boolean::New(env, state_ && state_->stream && state_->stream->finished());
  }
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    DestroyImpl(info.Env());
    return info.Env().Undefined();
  }
};

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
  c.Set("MAX_NONCE", 4294967295.0);
  c.Set("MAX_PACKET_BYTES", static_cast<double>(crypto::kMaxVoicePacketBytes));
  c.Set("MAX_BATCH_PACKETS", static_cast<double>(crypto::kMaxVoiceBatchPackets));
  c.Set("RTP_HEADER_BYTES", static_cast<double>(voice::rtp::kFixedHeaderBytes));
  c.Set("RTP_MAX_EXTENSION_BYTES", static_cast<double>(voice::rtp::kMaxExtensionBodyBytes));
  c.Set("RTP_MAX_CSRCS", static_cast<double>(voice::rtp::kMaxCsrcs));
  c.Set("RTP_MAX_HEADER_BYTES", static_cast<double>(voice::rtp::kMaxHeaderBytes));
  c.Set("RTP_PAYLOAD_TYPE", static_cast<double>(voice::rtp::kDiscordPayloadType));
  c.Set("RTP_TIMESTAMP_STEP", static_cast<double>(voice::rtp::kDiscordTimestampStep));
  c.Set("RTP_ONE_BYTE_PROFILE", static_cast<double>(voice::rtp::kOneByteProfile));
  c.Set("RTP_TWO_BYTE_PROFILE", static_cast<double>(voice::rtp::kTwoByteProfileBase));
  c.Set("SECRETSTREAM_KEY_BYTES", static_cast<double>(crypto::kSecretStreamKeyBytes));
  c.Set("SECRETSTREAM_HEADER_BYTES", static_cast<double>(crypto::kSecretStreamHeaderBytes));
  c.Set("SECRETSTREAM_OVERHEAD_BYTES", static_cast<double>(crypto::kSecretStreamOverheadBytes));
  c.Set("SECRETSTREAM_MAX_MESSAGE_BYTES", static_cast<double>(kMaxStreamMessageBytes));
  c.Set("TAG_MESSAGE", crypto::kTagMessage);
  c.Set("TAG_PUSH", crypto::kTagPush);
  c.Set("TAG_REKEY", crypto::kTagRekey);
  c.Set("TAG_FINAL", crypto::kTagFinal);
  c.Set("SODIUM_VERSION", sodium_version_string());
  return c;
}

}  // namespace

void InitCrypto(Napi::Env env, Napi::Object exports) {
  Status st = crypto::InitSodium();
  if (!st.ok()) Throw(env, st);
  Napi::Function cipher = NativeVoiceCipher::Define(env);
  Napi::Object proto = cipher.Get("prototype").As<Napi::Object>();
  napi_value fn;
  NAPI_THROW_IF_FAILED_VOID(
      env, napi_create_function(env, "sealInto", NAPI_AUTO_LENGTH, NativeVoiceCipher::IntoRaw<true>,
                                nullptr, &fn));
  proto.Set("sealInto", fn);
  NAPI_THROW_IF_FAILED_VOID(env,
                            napi_create_function(env, "openInto", NAPI_AUTO_LENGTH,
                                                 NativeVoiceCipher::IntoRaw<false>, nullptr, &fn));
  proto.Set("openInto", fn);
  exports.Set("NativeVoiceCipher", cipher);
  exports.Set("NativeSecretStreamPush", NativeSecretStreamPush::Define(env));
  exports.Set("NativeSecretStreamPull", NativeSecretStreamPull::Define(env));
  exports.Set("cryptoConstants", Constants(env));
  // The fused send/receive pipelines are built on the voice cipher; they register with it.
  InitPipeline(env, exports);
}

}  // namespace voxpool::binding
