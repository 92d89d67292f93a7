#pragma once
#include <napi.h>
namespace ls { void InitWinDivertBinding(Napi::Env env, Napi::Object exports); }
