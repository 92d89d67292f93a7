// JS face of the divert socket: `new DivertSocket(address, port, onBatch, onError)`.
// Receive runs on the event loop (uv_poll on the fd, recvmmsg batches drained until EAGAIN, at most
// kBatchesPerWake per wake-up so a flood cannot starve the loop); each wake-up hands one array of
// datagrams to onBatch.
#include "divert_binding.h"

#include <arpa/inet.h>

#include <memory>
#include <vector>

#include "../core/fd_poll.h"
#include "../core/sys_error.h"
#include "divert_socket.h"

namespace ls {

namespace {

constexpr int kBatchesPerWake = 8;

bool ParseIpv4(const std::string& text, uint32_t* out) {
  in_addr a;
  if (::inet_pton(AF_INET, text.c_str(), &a) != 1) return false;
  *out = ntohl(a.s_addr);
  return true;
}

class DivertSocketWrap : public Napi::ObjectWrap<DivertSocketWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "DivertSocket",
                       {
                           InstanceAccessor<&DivertSocketWrap::Port>("port"),
                           InstanceMethod<&DivertSocketWrap::SendFrom>("sendFrom"),
                           InstanceMethod<&DivertSocketWrap::Release>("release"),
                           InstanceMethod<&DivertSocketWrap::Stats>("stats"),
                           InstanceMethod<&DivertSocketWrap::Close>("close"),
                       });
  }

  explicit DivertSocketWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DivertSocketWrap>(info) {
    Napi::Env env = info.Env();
    uint32_t ip = 0, port = 0;
    if (info.Length() < 3 || !info[0].IsString() || !ParseIpv4(info[0].As<Napi::String>().Utf8Value(), &ip)) {
      throw Napi::TypeError::New(env, "DivertSocket: address must be an IPv4 address string");
    }
    if (!ReadUint(info[1], 65535, &port)) throw Napi::TypeError::New(env, "DivertSocket: port must be 0..65535");
    if (!info[2].IsFunction()) throw Napi::TypeError::New(env, "DivertSocket: onBatch must be a function");
    if (info.Length() > 3 && !info[3].IsUndefined() && !info[3].IsFunction()) {
      throw Napi::TypeError::New(env, "DivertSocket: onError must be a function");
    }
    SysError e = socket_.Open(ip, static_cast<uint16_t>(port));
    if (!e.ok()) throw MakeSysError(env, e);
    onBatch_ = Napi::Persistent(info[2].As<Napi::Function>());
    if (info.Length() > 3 && info[3].IsFunction()) onError_ = Napi::Persistent(info[3].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "LightSpeedDivertSocket");
    int rc = poll_.Start(env, socket_.fd(), [this]() { OnReadable(); });
    if (rc != 0) {
      socket_.Close();
      throw Napi::Error::New(env, std::string("uv_poll_start: ") + uv_strerror(rc));
    }
    Ref();  // an open socket stays alive (and keeps the loop alive) until close()
  }

  ~DivertSocketWrap() override {
    poll_.Stop();
    socket_.Close();
  }

 private:
  Napi::Value Port(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), socket_.port()); }

  Napi::Value SendFrom(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t srcIp, srcPort, dstIp, dstPort;
    if (info.Length() < 5 || !ReadUint(info[0], 0xffffffffu, &srcIp) || !ReadUint(info[1], 65535, &srcPort) ||
        !ReadUint(info[2], 0xffffffffu, &dstIp) || !ReadUint(info[3], 65535, &dstPort) || !info[4].IsTypedArray()) {
      throw Napi::TypeError::New(env, "sendFrom(srcIp, srcPort, dstIp, dstPort, payload: Uint8Array)");
    }
    Napi::TypedArray t = info[4].As<Napi::TypedArray>();
    const uint8_t* data = static_cast<const uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
    bool ok = socket_.SendFrom(srcIp, static_cast<uint16_t>(srcPort), dstIp, static_cast<uint16_t>(dstPort), data,
                               t.ByteLength());
    return Napi::Boolean::New(env, ok);
  }

  Napi::Value Release(const Napi::CallbackInfo& info) {
    uint32_t ip, port;
    if (info.Length() < 2 || !ReadUint(info[0], 0xffffffffu, &ip) || !ReadUint(info[1], 65535, &port)) {
      throw Napi::TypeError::New(info.Env(), "release(srcIp, srcPort)");
    }
    socket_.Release(ip, static_cast<uint16_t>(port));
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const DivertStats& s = socket_.stats();
    Napi::Object o = Napi::Object::New(env);
    o.Set("received", Napi::Number::New(env, static_cast<double>(s.received)));
    o.Set("batches", Napi::Number::New(env, static_cast<double>(s.batches)));
    o.Set("sent", Napi::Number::New(env, static_cast<double>(s.sent)));
    o.Set("sendErrors", Napi::Number::New(env, static_cast<double>(s.sendErrors)));
    o.Set("truncated", Napi::Number::New(env, static_cast<double>(s.truncated)));
    o.Set("replySockets", Napi::Number::New(env, static_cast<double>(socket_.replySockets())));
    o.Set("receiveBuffer", Napi::Number::New(env, socket_.receiveBuffer()));
    const SysError& last = socket_.lastSendError();
    if (!last.ok()) o.Set("lastSendError", MakeSysError(env, last).Message());
    return o;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    DoClose();
    return info.Env().Undefined();
  }

  void DoClose() {
    if (!socket_.open()) return;
    poll_.Stop();
    socket_.Close();
    Unref();
  }

  void OnReadable() {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Array batch = Napi::Array::New(env);
    uint32_t count = 0;
    int error = 0;
    for (int round = 0; round < kBatchesPerWake && socket_.open(); round++) {
      views_.clear();
      int n = socket_.ReceiveBatch(views_);
      if (n < 0) {
        error = -n;
        break;
      }
      for (const DivertedView& v : views_) {
        Napi::Object d = Napi::Object::New(env);
        d.Set("srcIp", Napi::Number::New(env, v.srcIp));
        d.Set("srcPort", Napi::Number::New(env, v.srcPort));
        d.Set("dstIp", Napi::Number::New(env, v.dstIp));
        d.Set("dstPort", Napi::Number::New(env, v.dstPort));
        d.Set("payload", Napi::Buffer<uint8_t>::Copy(env, v.data, v.length));
        batch.Set(count++, d);
      }
      if (static_cast<unsigned>(n) < DivertSocket::kBatch) break;  // drained (EAGAIN or short batch)
    }
    if (count > 0) Call(onBatch_, batch);
    if (error != 0 && socket_.open() && !onError_.IsEmpty()) Call(onError_, MakeSysError(env, error, "recvmmsg").Value());
  }

  void Call(Napi::FunctionReference& fn, napi_value arg) {
    try {
      fn.MakeCallback(Value(), {arg}, *context_);
    } catch (const Napi::Error& e) {
      // The callback threw: treat it like any uncaught exception from an event handler.
      napi_fatal_exception(Env(), e.Value());
    }
  }

  DivertSocket socket_;
  FdPoll poll_;
  Napi::FunctionReference onBatch_;
  Napi::FunctionReference onError_;
  std::unique_ptr<Napi::AsyncContext> context_;
  std::vector<DivertedView> views_;
};

}  // namespace

void InitDivertBinding(Napi::Env env, Napi::Object exports) {
  exports.Set("DivertSocket", DivertSocketWrap::Define(env));
}

}  // namespace ls
