#pragma once
#include <napi.h>

namespace ls {
/** Adds the WinDivert class to the module's exports (Windows). */
void InitWinDivertBinding(Napi::Env env, Napi::Object exports);
}  // namespace ls
