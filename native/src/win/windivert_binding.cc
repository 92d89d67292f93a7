// JS face of one WinDivert handle:
//   new WinDivert(dllPath, filter, layer, priority, flags, onPacket(packet, address), onError(error))
// WinDivertRecv blocks, so a receive thread (plain Win32 thread) reads and hands each packet with its
// 80-byte WINDIVERT_ADDRESS to JS through a thread-safe function (bounded queue: a slow JS side blocks
// the thread, and WinDivert queues in the driver). send() recomputes checksums and injects.
#include "windivert_binding.h"

#include <atomic>
#include <cstring>
#include <string>
#include <vector>

#include "windivert_loader.h"

namespace ls {

namespace {

constexpr size_t kQueueSize = 4096;
#ifndef ERROR_INVALID_IMAGE_HASH
#define ERROR_INVALID_IMAGE_HASH 577L
#endif

struct Received {
  std::vector<uint8_t> packet;
  windivert::Address address;
  DWORD error = 0;  // non-zero: the receive loop stopped with this error
};

Napi::Error WinError(Napi::Env env, const char* call, DWORD code) {
  std::string hint;
  switch (code) {
    case ERROR_ACCESS_DENIED:
      hint = " (WinDivert needs Administrator)";
      break;
    case ERROR_FILE_NOT_FOUND:
      hint = " (WinDivert64.sys not found next to WinDivert.dll)";
      break;
    case ERROR_INVALID_PARAMETER:
      hint = " (bad filter, layer, priority or flags)";
      break;
    case ERROR_INVALID_IMAGE_HASH:
      hint = " (the WinDivert driver signature was rejected)";
      break;
    case ERROR_DRIVER_BLOCKED:
      hint = " (the WinDivert driver is blocked by security software)";
      break;
    default:
      break;
  }
  Napi::Error e = Napi::Error::New(env, std::string(call) + " failed: " + Win32ErrorText(code) + hint);
  e.Set("code", Napi::String::New(env, "EWINDIVERT"));
  e.Set("winError", Napi::Number::New(env, static_cast<double>(code)));
  e.Set("syscall", Napi::String::New(env, call));
  return e;
}

class WinDivertWrap;
void CallJs(Napi::Env env, Napi::Function onPacket, WinDivertWrap* self, Received* item);
using PacketFunction = Napi::TypedThreadSafeFunction<WinDivertWrap, Received, CallJs>;

class WinDivertWrap : public Napi::ObjectWrap<WinDivertWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "WinDivert",
                       {
                           InstanceMethod<&WinDivertWrap::Send>("send"),
                           InstanceMethod<&WinDivertWrap::Stats>("stats"),
                           InstanceMethod<&WinDivertWrap::Close>("close"),
                       });
  }

  explicit WinDivertWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<WinDivertWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 7 || !info[0].IsString() || !info[1].IsString() || !info[2].IsNumber() ||
        !info[3].IsNumber() || !info[4].IsNumber() || !info[5].IsFunction() || !info[6].IsFunction()) {
      throw Napi::TypeError::New(env,
                                 "WinDivert(dllPath, filter, layer, priority, flags, onPacket, onError)");
    }
    std::string dllPath = info[0].As<Napi::String>().Utf8Value();
    std::string filter = info[1].As<Napi::String>().Utf8Value();
    int32_t layer = info[2].As<Napi::Number>().Int32Value();
    int32_t priority = info[3].As<Napi::Number>().Int32Value();
    int64_t flags = info[4].As<Napi::Number>().Int64Value();
    if (layer < 0 || layer > 4 || priority < -30000 || priority > 30000 || flags < 0 || flags > 0xff) {
      throw Napi::RangeError::New(env, "WinDivert: layer 0..4, priority -30000..30000, flags 0..0xff");
    }
    std::string error;
    lib_ = LoadWinDivert(dllPath, &error);
    if (lib_ == nullptr) {
      Napi::Error e = Napi::Error::New(env, error);
      e.Set("code", Napi::String::New(env, "EWINDIVERT_LOAD"));
      throw e;
    }
    handle_ = lib_->Open(filter.c_str(), layer, static_cast<int16_t>(priority), static_cast<uint64_t>(flags));
    if (handle_ == INVALID_HANDLE_VALUE) throw WinError(env, "WinDivertOpen", GetLastError());
    onError_ = Napi::Persistent(info[6].As<Napi::Function>());
    if ((flags & windivert::kFlagSendOnly) == 0) {
      packets_ = PacketFunction::New(env, info[5].As<Napi::Function>(), "LightSpeedWinDivert", kQueueSize, 1, this);
      thread_ = CreateThread(nullptr, 0, &WinDivertWrap::ReceiveThread, this, 0, nullptr);
      if (thread_ == nullptr) {
        DWORD code = GetLastError();
        packets_.Abort();
        lib_->Close(handle_);
        handle_ = INVALID_HANDLE_VALUE;
        throw WinError(env, "CreateThread", code);
      }
    }
    Ref();
  }

  ~WinDivertWrap() override { Shutdown(); }

  void OnItem(Napi::Env env, Napi::Function onPacket, Received* item) {
    Napi::HandleScope scope(env);
    try {
      if (item->error != 0) {
        if (!closing_) onError_.Call(Value(), {WinError(env, "WinDivertRecv", item->error).Value()});
        return;
      }
      received_++;
      onPacket.Call(Value(), {Napi::Buffer<uint8_t>::Copy(env, item->packet.data(), item->packet.size()),
                              Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(&item->address),
                                                          sizeof(windivert::Address))});
    } catch (const Napi::Error& e) {
      napi_fatal_exception(env, e.Value());
    }
  }

 private:
  static DWORD WINAPI ReceiveThread(LPVOID param) {
    auto* self = static_cast<WinDivertWrap*>(param);
    std::vector<uint8_t> buffer(windivert::kMtuMax);
    for (;;) {
      auto* item = new Received();
      UINT length = 0;
      std::memset(&item->address, 0, sizeof item->address);
      if (!self->lib_->Recv(self->handle_, buffer.data(), static_cast<UINT>(buffer.size()), &length, &item->address)) {
        DWORD code = GetLastError();
        if (self->closing_ || code == ERROR_NO_DATA || code == ERROR_OPERATION_ABORTED) {
          delete item;
          break;
        }
        item->error = code;
        if (self->packets_.BlockingCall(item) != napi_ok) delete item;
        break;
      }
      item->packet.assign(buffer.data(), buffer.data() + length);
      if (self->packets_.BlockingCall(item) != napi_ok) {
        delete item;  // closing: the function no longer takes calls
        break;
      }
    }
    return 0;
  }

  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray()) {
      throw Napi::TypeError::New(env, "send(packet: Uint8Array, address: Uint8Array(80))");
    }
    Napi::TypedArray p = info[0].As<Napi::TypedArray>();
    Napi::TypedArray a = info[1].As<Napi::TypedArray>();
    if (a.ByteLength() != sizeof(windivert::Address) || p.ByteLength() == 0 || p.ByteLength() > windivert::kMtuMax) {
      throw Napi::RangeError::New(env, "send: address must be 80 bytes, packet 1..65575 bytes");
    }
    if (handle_ == INVALID_HANDLE_VALUE) {
      sendErrors_++;
      return Napi::Boolean::New(env, false);
    }
    const uint8_t* pd = static_cast<const uint8_t*>(p.ArrayBuffer().Data()) + p.ByteOffset();
    std::vector<uint8_t> packet(pd, pd + p.ByteLength());
    windivert::Address address;
    std::memcpy(&address, static_cast<const uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset(), sizeof address);
    lib_->CalcChecksums(packet.data(), static_cast<UINT>(packet.size()), &address, 0);
    UINT sent = 0;
    if (!lib_->Send(handle_, packet.data(), static_cast<UINT>(packet.size()), &sent, &address)) {
      lastSendError_ = GetLastError();
      sendErrors_++;
      return Napi::Boolean::New(env, false);
    }
    sent_++;
    return Napi::Boolean::New(env, true);
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("received", Napi::Number::New(env, static_cast<double>(received_)));
    o.Set("sent", Napi::Number::New(env, static_cast<double>(sent_)));
    o.Set("sendErrors", Napi::Number::New(env, static_cast<double>(sendErrors_)));
    if (lastSendError_ != 0) o.Set("lastSendError", Napi::String::New(env, Win32ErrorText(lastSendError_)));
    return o;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (handle_ != INVALID_HANDLE_VALUE) {
      Shutdown();
      Unref();
    }
    return info.Env().Undefined();
  }

  void Shutdown() {
    if (handle_ == INVALID_HANDLE_VALUE) return;
    closing_ = true;
    lib_->Shutdown(handle_, windivert::kShutdownBoth);  // a blocked WinDivertRecv returns ERROR_NO_DATA
    if (thread_ != nullptr) {
      packets_.Abort();  // a BlockingCall waiting on a full queue returns napi_closing
      WaitForSingleObject(thread_, INFINITE);
      CloseHandle(thread_);
      thread_ = nullptr;
    }
    lib_->Close(handle_);
    handle_ = INVALID_HANDLE_VALUE;
  }

  const WinDivertLibrary* lib_ = nullptr;
  HANDLE handle_ = INVALID_HANDLE_VALUE;
  HANDLE thread_ = nullptr;
  std::atomic<bool> closing_{false};
  PacketFunction packets_;
  Napi::FunctionReference onError_;
  uint64_t received_ = 0, sent_ = 0, sendErrors_ = 0;
  DWORD lastSendError_ = 0;
};

void CallJs(Napi::Env env, Napi::Function onPacket, WinDivertWrap* self, Received* item) {
  // env is null when the function is being torn down with items still queued: only free them.
  if (env != nullptr && self != nullptr) self->OnItem(env, onPacket, item);
  delete item;
}

}  // namespace

void InitWinDivertBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("WinDivert", WinDivertWrap::Define(env));
}

}  // namespace ls
