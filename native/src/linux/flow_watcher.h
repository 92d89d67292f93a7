#pragma once
#include <napi.h>

namespace ls {
/** Adds FlowWatcher (when built with libpcap), compileFilter, parseFrame and hasPcap to the exports. */
void InitFlowWatcher(Napi::Env env, Napi::Object exports);
}  // namespace ls
