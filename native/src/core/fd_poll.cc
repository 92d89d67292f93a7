#include "fd_poll.h"

#include <cmath>

namespace ls {

int FdPoll::Start(Napi::Env env, int fd, std::function<void()> onReadable) {
  Stop();
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return UV_EINVAL;
  auto* h = new Handle();
  h->callback = std::move(onReadable);
  int rc = uv_poll_init(loop, &h->poll, fd);
  if (rc != 0) {
    delete h;
    return rc;
  }
  h->poll.data = h;
  rc = uv_poll_start(&h->poll, UV_READABLE, [](uv_poll_t* p, int status, int events) {
    auto* self = static_cast<Handle*>(p->data);
    // A poll error (status < 0) is reported as readable: the next read returns the error itself.
    if (status < 0 || (events & UV_READABLE)) self->callback();
  });
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&h->poll),
             [](uv_handle_t* p) { delete static_cast<Handle*>(p->data); });
    return rc;
  }
  handle_ = h;
  return 0;
}

void FdPoll::Stop() {
  if (handle_ == nullptr) return;
  Handle* h = handle_;
  handle_ = nullptr;
  uv_poll_stop(&h->poll);
  // The callback object may be the one running right now: it is destroyed with the handle, later.
  uv_close(reinterpret_cast<uv_handle_t*>(&h->poll), [](uv_handle_t* p) { delete static_cast<Handle*>(p->data); });
}

bool ReadUint(const Napi::Value& v, uint32_t max, uint32_t* out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d < 0 || d > static_cast<double>(max) || std::floor(d) != d) return false;
  *out = static_cast<uint32_t>(d);
  return true;
}

}  // namespace ls
