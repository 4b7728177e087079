#include "env_context.h"

#include "errors.h"
#include "voxpool/shared_pool.h"

namespace voxpool::binding {

namespace {
// Completions handed to JS per inner drain round; the outer loop repeats until empty.
constexpr size_t kDrainBatch = 256;
}  // namespace

EnvContext::EnvContext(Napi::Env env) {
  scratch_.reserve(kDrainBatch);
  tsfn_ = Tsfn::New(env, "voxpool.completions", 0, 1, this);
  tsfn_.Unref(env);  // idle: an environment with nothing pending may exit
  Tsfn handle = tsfn_;
  queue_ = std::make_shared<CompletionQueue>([handle]() mutable { handle.NonBlockingCall(); });
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
  // After Close() returns no worker thread touches the TSFN again (CompletionQueue guarantees
  // it), and queued jobs are abandoned: strands complete them unrun with kShutdown.
  queue_->Close();
  tsfn_.Release();
}

const std::shared_ptr<ThreadPool>& EnvContext::pool() {
  if (!pool_) pool_ = SharedPool();
  return pool_;
}

std::shared_ptr<Strand> EnvContext::NewStrand(const StrandOptions& options) {
  return Strand::Create(pool(), options);
}

void EnvContext::AddPending(Napi::Env env) {
  if (pending_++ == 0 && !referenced_ && !closed_) {
    tsfn_.Ref(env);
    referenced_ = true;
  }
}

Napi::Value EnvContext::SubmitImpl(Napi::Env env, Strand& strand, std::unique_ptr<Job> job) {
  auto* js = dynamic_cast<JsResult*>(job.get());
  napi_value promise;
  NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &js->deferred, &promise), Napi::Value());
  job->completion = queue_;
  Status st = strand.TrySubmit(job);
  if (!st.ok()) {
    napi_reject_deferred(env, js->deferred, MakeError(env, st));
    return Napi::Value(env, promise);
  }
  AddPending(env);
  return Napi::Value(env, promise);
}

Napi::Value EnvContext::SubmitGroup(Napi::Env env, std::unique_ptr<JobGroup> group,
                                    std::vector<std::pair<Strand*, std::unique_ptr<Job>>> members) {
  auto* js = dynamic_cast<JsResult*>(static_cast<Job*>(group.get()));
  napi_value promise;
  NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &js->deferred, &promise), Napi::Value());
  group->completion = queue_;
  AddPending(env);
  JobGroup* g = group.release();  // owns itself until its last member completes
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
    const size_t n = queue_->Drain(scratch_, kDrainBatch);
    if (n == 0) break;
    found = true;
    for (auto& job : scratch_) {
      Napi::HandleScope scope(env);
      Settle(env, *job);
    }
    scratch_.clear();  // destroys the jobs (and their inputs) on the JS thread
    pending_ -= n;
  }
  if (found) ++drains;
  if (pending_ == 0 && referenced_) {
    tsfn_.Unref(env);
    referenced_ = false;
  }
}

void EnvContext::Settle(Napi::Env env, Job& job) {
  auto* js = dynamic_cast<JsResult*>(&job);
  if (js == nullptr || js->deferred == nullptr) return;
  ++settled;
  napi_deferred deferred = js->deferred;
  js->deferred = nullptr;
  if (!job.status.ok()) {
    napi_reject_deferred(env, deferred, MakeError(env, job.status));
    return;
  }
  try {
    Napi::Value value = js->Result(env);
    napi_resolve_deferred(env, deferred, value);
  } catch (const Napi::Error& e) {
    napi_reject_deferred(env, deferred, e.Value());
  }
}

}  // namespace voxpool::binding
