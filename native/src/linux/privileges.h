#pragma once
#include <napi.h>

namespace ls {
/** Adds dropPrivileges(uid, gid) to the module's exports. */
void InitPrivileges(Napi::Env env, Napi::Object exports);
}  // namespace ls
