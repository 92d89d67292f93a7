// One way to turn an OS error into a JS Error: message "<syscall> <CODE> (<text>)", with `code`
// (the errno name, as Node's own errors spell it), `errno` and `syscall` properties.
#pragma once

#include <napi.h>

#include <string>

namespace ls {

/** A failed system call, carried from the socket layer (no N-API) up to the binding. */
struct SysError {
  int err = 0;                  // positive errno (0 = no error)
  const char* syscall = "";     // what failed
  std::string detail;           // optional extra text (pcap's message, ...)
  bool ok() const { return err == 0 && detail.empty(); }
};

/** The errno name ("EPERM"), or "E<number>" for one this table does not know. */
std::string ErrnoName(int err);

Napi::Error MakeSysError(Napi::Env env, const SysError& e);
Napi::Error MakeSysError(Napi::Env env, int err, const char* syscall);

}  // namespace ls
