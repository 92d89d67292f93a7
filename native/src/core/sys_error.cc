#include "sys_error.h"

#include <cerrno>
#include <cstring>

namespace ls {

std::string ErrnoName(int err) {
  switch (err) {
#define LS_ERRNO(name) \
  case name:           \
    return #name;
    LS_ERRNO(EPERM)
    LS_ERRNO(ENOENT)
    LS_ERRNO(ESRCH)
    LS_ERRNO(EINTR)
    LS_ERRNO(EIO)
    LS_ERRNO(EBADF)
    LS_ERRNO(EAGAIN)
    LS_ERRNO(ENOMEM)
    LS_ERRNO(EACCES)
    LS_ERRNO(EFAULT)
    LS_ERRNO(EBUSY)
    LS_ERRNO(EEXIST)
    LS_ERRNO(ENODEV)
    LS_ERRNO(EINVAL)
    LS_ERRNO(ENFILE)
    LS_ERRNO(EMFILE)
    LS_ERRNO(ENOSYS)
    LS_ERRNO(ENOTSOCK)
    LS_ERRNO(EMSGSIZE)
    LS_ERRNO(ENOPROTOOPT)
    LS_ERRNO(EPROTONOSUPPORT)
    LS_ERRNO(EOPNOTSUPP)
    LS_ERRNO(EAFNOSUPPORT)
    LS_ERRNO(EADDRINUSE)
    LS_ERRNO(EADDRNOTAVAIL)
    LS_ERRNO(ENETDOWN)
    LS_ERRNO(ENETUNREACH)
    LS_ERRNO(ECONNREFUSED)
    LS_ERRNO(ENOBUFS)
    LS_ERRNO(EHOSTUNREACH)
    LS_ERRNO(ENXIO)
#undef LS_ERRNO
    default:
      return "E" + std::to_string(err);
  }
}

Napi::Error MakeSysError(Napi::Env env, const SysError& e) {
  std::string code = e.err != 0 ? ErrnoName(e.err) : std::string("EFAIL");
  std::string text = e.detail.empty() ? std::string(e.err != 0 ? std::strerror(e.err) : "failed") : e.detail;
  std::string message = std::string(e.syscall) + " " + code + " (" + text + ")";
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, -e.err));
  error.Set("syscall", Napi::String::New(env, e.syscall));
  return error;
}

Napi::Error MakeSysError(Napi::Env env, int err, const char* syscall) {
  SysError e;
  e.err = err;
  e.syscall = syscall;
  return MakeSysError(env, e);
}

}  // namespace ls
