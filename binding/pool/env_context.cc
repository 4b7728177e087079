#include "pool/env_context.h"

#include <algorithm>
#include <cstring>

#include "errors.h"
#include "voxpool/pool/shared_pool.h"

namespace voxpool::binding {

namespace {
// Initial capacity of the drain's scratch vector (it grows if a drain finds more).
constexpr size_t kDrainBatch = 256;
}  // namespace

EnvContext::EnvContext(Napi::Env env) {
  scratch_.reserve(kDrainBatch);
  tsfn_ = Tsfn::New(env, "voxpool.completions", 0, 1, this);
  tsfn_.Unref(env);  // idle: an environment with nothing pending may exit
  Tsfn handle = tsfn_;
  queue_ = std::make_shared<pool::CompletionQueue>([handle]() mutable { handle.NonBlockingCall(); });
}

void EnvContext::Install(Napi::Env env) {
  auto* self = new EnvContext(env);
  env.SetInstanceData<EnvContext>(self);
  // Registered after the TSFN exists, so it runs before Node's own TSFN cleanup (hooks run in
  // reverse order): the queue is closed while the TSFN is still valid, and no worker calls it
  // afterwards.
  env.AddCleanupHook(Cleanup, self);
}

EnvContext::~EnvContext() { Close(); }

void EnvContext::Cleanup(EnvContext* self) { self->Close(); }

void EnvContext::Close() {
  if (closed_) return;
  closed_ = true;
  // After Close() returns no worker thread touches the TSFN again (pool::CompletionQueue guarantees
  // it), and queued jobs are abandoned: strands complete them unrun with kShutdown.
  queue_->Close();
  tsfn_.Release();
}

const std::shared_ptr<pool::ThreadPool>& EnvContext::pool() {
  if (!pool_) pool_ = pool::SharedPool();
  return pool_;
}

std::shared_ptr<pool::Strand> EnvContext::NewStrand(const pool::StrandOptions& options) {
  return pool::Strand::Create(pool(), options);
}

void EnvContext::AddPending(Napi::Env env) {
  if (pending_++ == 0 && !referenced_ && !closed_) {
    tsfn_.Ref(env);
    referenced_ = true;
  }
}

Napi::Value EnvContext::SubmitImpl(Napi::Env env, pool::Strand& strand,
                                   std::unique_ptr<pool::Job> job, JsResult& js) {
  napi_value promise;
  NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &js.deferred, &promise), Napi::Value());
  job->sequence = next_sequence_++;
  job->completion = queue_;
  Status st = strand.TrySubmit(job);
  if (!st.ok()) {
    napi_reject_deferred(env, js.deferred, MakeError(env, st));
    return Napi::Value(env, promise);
  }
  AddPending(env);
  return Napi::Value(env, promise);
}

Napi::Value EnvContext::SubmitToSinkImpl(Napi::Env env, pool::Strand& strand,
                                         std::unique_ptr<pool::Job> job, JsResult& js,
                                         uint32_t sink) {
  job->sequence = next_sequence_++;
  job->completion = queue_;
  js.sink = sink;
  Status st = strand.TrySubmit(job);
  if (!st.ok()) Throw(env, st);
  sinks.Expect(env, sink);
  AddPending(env);
  return env.Undefined();
}

Napi::Value EnvContext::SubmitGroupImpl(
    Napi::Env env, std::unique_ptr<pool::JobGroup> group, JsResult& js,
    std::vector<std::pair<pool::Strand*, std::unique_ptr<pool::Job>>> members) {
  napi_value promise;
  NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &js.deferred, &promise), Napi::Value());
  if (members.empty()) {
    // Nothing to wait for: a group of none would never complete (no member to count down).
    napi_resolve_deferred(env, js.deferred, Napi::Array::New(env, 0));
    js.deferred = nullptr;
    return Napi::Value(env, promise);
  }
  group->sequence = next_sequence_++;
  group->completion = queue_;
  AddPending(env);
  pool::JobGroup* g = pool::JobGroup::Launch(std::move(group));  // its own until it completes
  for (size_t i = 0; i < members.size(); ++i) g->Prepare(*members[i].second, i);
  for (auto& [strand, member] : members) {
    Status st = strand->TrySubmit(member);
    if (!st.ok()) {  // refused: complete it here so the group still settles once, in full
      member->status = std::move(st);
      g->Complete(std::move(member));
    }
  }
  return Napi::Value(env, promise);
}

void EnvContext::CallJs(Napi::Env env, Napi::Function, EnvContext* self, void*) {
  if (env == nullptr || self == nullptr || self->closed_) return;  // tearing down
  self->Drain(env);
}

void EnvContext::Drain(Napi::Env env) {
  bool found = false;
  for (;;) {
    scratch_.clear();
    // Take everything available: a job is enqueued before its strand successor starts, so an
    // exhaustive drain holds every predecessor of every job in it, and sorting by submission
    // sequence restores per-strand order across workers.
    const size_t n = queue_->Drain(scratch_, SIZE_MAX);
    if (n == 0) break;
    found = true;
    const auto by_sequence = [](const std::unique_ptr<pool::Job>& a, const std::unique_ptr<pool::Job>& b) {
      return a->sequence < b->sequence;
    };
    if (!std::is_sorted(scratch_.begin(), scratch_.end(), by_sequence)) {
      std::sort(scratch_.begin(), scratch_.end(), by_sequence);
    }
    Napi::HandleScope scope(env);
    // Settle strictly in sequence order: a result that shares the drain's Buffer is resolved at
    // its own turn, not ahead of failures and other results around it.
    Napi::Array views = ShareViews(env);
    size_t next_view = 0;
    for (size_t i = 0; i < scratch_.size(); ++i) {
      Napi::HandleScope inner(env);
      if (next_view < view_jobs_.size() && view_jobs_[next_view] == i) {
        auto* js = dynamic_cast<JsResult*>(scratch_[i].get());  // non-null: ShareViews chose it
        Hand(env, *js, nullptr, views.Get(static_cast<uint32_t>(next_view++)));
      } else {
        Settle(env, *scratch_[i]);
      }
    }
    for (auto& job : scratch_) Recycle(std::move(job));
    scratch_.clear();
    pending_ -= n;
  }
  if (found) ++drains;
  if (pending_ == 0 && referenced_) {
    tsfn_.Unref(env);
    referenced_ = false;
  }
}

void EnvContext::Recycle(std::unique_ptr<pool::Job> job) {
  if (auto* group = dynamic_cast<pool::JobGroup*>(job.get())) {
    for (auto& member : group->members()) {
      if (member) Recycle(std::move(member));
    }
  }
  auto* js = dynamic_cast<JsResult*>(job.get());
  if (js == nullptr || !js->recyclable()) return;  // freed
  SpareShelf* shelf = ShelfOf(typeid(*job), true);
  if (shelf == nullptr || shelf->jobs.size() >= kMaxSpares) return;  // freed
  js->ReleaseReferences();
  js->deferred = nullptr;
  js->sink = 0;
  pool::Job& j = *job;
  j.status = Status();
  j.completion.reset();
  j.submitted_ns = j.started_ns = j.finished_ns = j.deadline_ns = j.due_ns = 0;
  j.group_index = 0;
  j.sequence = 0;
  shelf->jobs.push_back(std::move(job));
}

EnvContext::SpareShelf* EnvContext::ShelfOf(const std::type_info& type, bool claim) {
  for (SpareShelf& shelf : shelves_) {
    if (shelf.type != nullptr && *shelf.type == type) return &shelf;
  }
  if (!claim) return nullptr;
  for (SpareShelf& shelf : shelves_) {
    if (shelf.type == nullptr) {
      shelf.type = &type;
      return &shelf;
    }
  }
  return nullptr;
}

Napi::Array EnvContext::Views(Napi::Env env,
                              const std::vector<std::pair<const uint8_t*, size_t>>& parts) {
  const size_t n = parts.size();
  size_t total = 0;
  for (const auto& p : parts) total += p.second;
  Napi::Buffer<uint8_t> arena = Napi::Buffer<uint8_t>::New(env, total == 0 ? 1 : total);
  if (ends_.IsEmpty() || ends_.Value().ElementLength() < n) {
    ends_ = Napi::Persistent(Napi::Uint32Array::New(env, std::max<size_t>(n, 1024)));
  }
  Napi::Uint32Array ends = ends_.Value();
  uint32_t* end_data = ends.Data();
  size_t offset = 0;
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(arena.Data() + offset, parts[i].first, parts[i].second);
    offset += parts[i].second;
    end_data[i] = static_cast<uint32_t>(offset);
  }
  return view_factory.Value().Call({arena, ends, Napi::Number::New(env, static_cast<double>(n))})
      .As<Napi::Array>();
}

// Views of one shared Buffer for every drained job whose result is a small byte string (their
// scratch_ indices go to view_jobs_, in order), or an empty array when sharing gains nothing.
Napi::Array EnvContext::ShareViews(Napi::Env env) {
  parts_.clear();
  view_jobs_.clear();
  if (view_factory.IsEmpty()) return Napi::Array();
  for (size_t i = 0; i < scratch_.size(); ++i) {
    pool::Job& job = *scratch_[i];
    auto* js = dynamic_cast<JsResult*>(&job);
    const uint8_t* data = nullptr;
    size_t size = 0;
    if (js != nullptr && js->awaited() && job.status.ok() && js->ResultBytes(&data, &size)) {
      parts_.emplace_back(data, size);
      view_jobs_.push_back(i);
    }
  }
  Napi::Array views;
  if (parts_.size() >= 2) {  // a single result gains nothing from sharing
    try {
      views = Views(env, parts_);
    } catch (const Napi::Error&) {
      views = Napi::Array();  // fall back to one Buffer per result
    }
  }
  if (views.IsEmpty()) view_jobs_.clear();
  return views;
}

void EnvContext::Settle(Napi::Env env, pool::Job& job) {
  auto* js = dynamic_cast<JsResult*>(&job);
  if (js == nullptr || !js->awaited()) return;
  if (!job.status.ok()) {
    Hand(env, *js, MakeError(env, job.status), nullptr);
    return;
  }
  try {
    Napi::Value value = js->Result(env);
    Hand(env, *js, nullptr, value);
  } catch (const Napi::Error& e) {
    Hand(env, *js, e.Value(), nullptr);
  }
}

void EnvContext::Hand(Napi::Env env, JsResult& js, napi_value error, napi_value value) {
  ++settled;
  if (js.sink != 0) {
    const uint32_t sink = js.sink;
    js.sink = 0;
    sinks.Deliver(env, sink, error, value);
    return;
  }
  napi_deferred deferred = js.deferred;
  js.deferred = nullptr;
  if (error != nullptr) {
    napi_reject_deferred(env, deferred, error);
  } else {
    napi_resolve_deferred(env, deferred, value);
  }
}

}  // namespace voxpool::binding
