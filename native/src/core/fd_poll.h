// A libuv poll watcher on a file descriptor, on the Node event loop of an N-API env. Level-triggered:
// the callback runs on the JS thread whenever the fd is readable. Ref'd, so an open socket keeps the
// loop alive (like dgram). Stop() is safe from inside the callback; the uv handle is freed once libuv
// has closed it.
#pragma once

#include <napi.h>
#include <uv.h>

#include <functional>

namespace ls {

class FdPoll {
 public:
  FdPoll() = default;
  ~FdPoll() { Stop(); }
  FdPoll(const FdPoll&) = delete;
  FdPoll& operator=(const FdPoll&) = delete;

  /** Returns 0 or a negative libuv error. */
  int Start(Napi::Env env, int fd, std::function<void()> onReadable);
  void Stop();
  bool active() const { return handle_ != nullptr; }

 private:
  struct Handle {
    uv_poll_t poll;
    std::function<void()> callback;
  };
  Handle* handle_ = nullptr;
};

/** Reads an unsigned integer argument in [0, max]; false when it is not one. */
bool ReadUint(const Napi::Value& v, uint32_t max, uint32_t* out);

}  // namespace ls
