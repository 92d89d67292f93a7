// Module entry: each platform adds what it has. The TS wrapper (src/index.ts) checks `platform` and
// the presence of each export before use.
#include <napi.h>

#if defined(__linux__)
#include "linux/divert_binding.h"
#include "linux/flow_watcher.h"
#include "linux/privileges.h"
#elif defined(_WIN32)
#include "win/windivert_binding.h"
#endif

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abi", Napi::Number::New(env, 1));
#if defined(__linux__)
  exports.Set("platform", Napi::String::New(env, "linux"));
  ls::InitDivertBinding(env, exports);
  ls::InitPrivileges(env, exports);
  ls::InitFlowWatcher(env, exports);
#elif defined(_WIN32)
  exports.Set("platform", Napi::String::New(env, "win32"));
  ls::InitWinDivertBinding(env, exports);
#else
  exports.Set("platform", Napi::String::New(env, "other"));
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(lightspeed_native, Init)
