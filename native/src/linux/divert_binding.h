#pragma once
#include <napi.h>

namespace ls {
/** Adds the DivertSocket class to the module's exports. */
void InitDivertBinding(Napi::Env env, Napi::Object exports);
}  // namespace ls
