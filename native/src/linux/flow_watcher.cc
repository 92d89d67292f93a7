// Passive libpcap flow watcher: counts IPv4 UDP packets per 5-tuple, never forwards anything.
// Non-blocking pcap in immediate mode; the selectable fd is polled on the event loop and each wake-up
// dispatches what is buffered (bounded per wake-up).
#include "flow_watcher.h"

#include <string>

#include "../core/fd_poll.h"
#include "../core/flow_table.h"
#include "../core/frame_parser.h"

#ifdef LS_HAVE_PCAP
#include <pcap/pcap.h>
#endif

namespace ls {

namespace {

Napi::Error CodedError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

Napi::Object TupleObject(Napi::Env env, const UdpTuple& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("srcIp", Napi::Number::New(env, t.srcIp));
  o.Set("srcPort", Napi::Number::New(env, t.srcPort));
  o.Set("dstIp", Napi::Number::New(env, t.dstIp));
  o.Set("dstPort", Napi::Number::New(env, t.dstPort));
  return o;
}

/** parseFrame(linkType, frame): the UDP 5-tuple and IPv4 length, or null. */
Napi::Value ParseFrame(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t linkType;
  if (info.Length() < 2 || !ReadUint(info[0], 0xffff, &linkType) || !info[1].IsTypedArray()) {
    throw Napi::TypeError::New(env, "parseFrame(linkType, frame: Uint8Array)");
  }
  Napi::TypedArray t = info[1].As<Napi::TypedArray>();
  const uint8_t* data = static_cast<const uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
  UdpTuple tuple;
  if (!ParseUdpFrame(static_cast<int>(linkType), data, t.ByteLength(), &tuple)) return env.Null();
  Napi::Object o = TupleObject(env, tuple);
  o.Set("ipLength", Napi::Number::New(env, tuple.ipLength));
  return o;
}

#ifdef LS_HAVE_PCAP

constexpr int kPacketsPerDispatch = 256;
constexpr int kDispatchesPerWake = 16;

std::string FilterString(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || !info[index].IsString()) {
    throw Napi::TypeError::New(info.Env(), "filter must be a string (BPF syntax)");
  }
  return info[index].As<Napi::String>().Utf8Value();
}

/** compileFilter(filter): throws with pcap's message when the BPF expression does not compile. */
Napi::Value CompileFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string filter = FilterString(info, 0);
  pcap_t* dead = pcap_open_dead(DLT_LINUX_SLL, 65535);
  if (dead == nullptr) throw CodedError(env, "EPCAP", "pcap_open_dead failed");
  bpf_program program;
  if (pcap_compile(dead, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    std::string message = std::string("invalid capture filter: ") + pcap_geterr(dead);
    pcap_close(dead);
    throw CodedError(env, "EFILTER", message);
  }
  pcap_freecode(&program);
  pcap_close(dead);
  return env.Undefined();
}

class FlowWatcherWrap : public Napi::ObjectWrap<FlowWatcherWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FlowWatcher",
                       {
                           InstanceAccessor<&FlowWatcherWrap::LinkType>("linkType"),
                           InstanceMethod<&FlowWatcherWrap::Take>("take"),
                           InstanceMethod<&FlowWatcherWrap::Stats>("stats"),
                           InstanceMethod<&FlowWatcherWrap::Close>("close"),
                       });
  }

  // new FlowWatcher(device, filter, snaplen, onError?)
  explicit FlowWatcherWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FlowWatcherWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsString()) throw Napi::TypeError::New(env, "FlowWatcher: device must be a string");
    std::string device = info[0].As<Napi::String>().Utf8Value();
    std::string filter = FilterString(info, 1);
    uint32_t snaplen;
    if (!ReadUint(info[2], 262144, &snaplen) || snaplen < 64) {
      throw Napi::TypeError::New(env, "FlowWatcher: snaplen must be 64..262144");
    }
    if (info.Length() > 3 && info[3].IsFunction()) onError_ = Napi::Persistent(info[3].As<Napi::Function>());

    char errbuf[PCAP_ERRBUF_SIZE] = {0};
    pcap_ = pcap_create(device.c_str(), errbuf);
    if (pcap_ == nullptr) throw CodedError(env, "EPCAP", std::string("pcap_create: ") + errbuf);
    pcap_set_snaplen(pcap_, static_cast<int>(snaplen));
    pcap_set_promisc(pcap_, 0);
    pcap_set_immediate_mode(pcap_, 1);
    pcap_set_timeout(pcap_, 100);
    int rc = pcap_activate(pcap_);
    if (rc < 0) {
      std::string code = rc == PCAP_ERROR_PERM_DENIED ? "EPERM" : rc == PCAP_ERROR_NO_SUCH_DEVICE ? "ENODEV" : "EPCAP";
      std::string message = std::string("pcap_activate(") + device + "): " + pcap_statustostr(rc);
      std::string detail = pcap_geterr(pcap_);
      if (!detail.empty()) message += ": " + detail;
      Fail();
      throw CodedError(env, code, message);
    }
    bpf_program program;
    if (pcap_compile(pcap_, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      std::string message = std::string("invalid capture filter: ") + pcap_geterr(pcap_);
      Fail();
      throw CodedError(env, "EFILTER", message);
    }
    rc = pcap_setfilter(pcap_, &program);
    pcap_freecode(&program);
    if (rc != 0) {
      std::string message = std::string("pcap_setfilter: ") + pcap_geterr(pcap_);
      Fail();
      throw CodedError(env, "EPCAP", message);
    }
    if (pcap_setnonblock(pcap_, 1, errbuf) != 0) {
      Fail();
      throw CodedError(env, "EPCAP", std::string("pcap_setnonblock: ") + errbuf);
    }
    linkType_ = pcap_datalink(pcap_);
    int fd = pcap_get_selectable_fd(pcap_);
    if (fd < 0) {
      Fail();
      throw CodedError(env, "EPCAP", "pcap_get_selectable_fd: no selectable descriptor");
    }
    context_ = std::make_unique<Napi::AsyncContext>(env, "LightSpeedFlowWatcher");
    rc = poll_.Start(env, fd, [this]() { OnReadable(); });
    if (rc != 0) {
      Fail();
      throw CodedError(env, "EPCAP", std::string("uv_poll_start: ") + uv_strerror(rc));
    }
    Ref();
  }

  ~FlowWatcherWrap() override {
    poll_.Stop();
    Fail();
  }

 private:
  void Fail() {
    if (pcap_ != nullptr) pcap_close(pcap_);
    pcap_ = nullptr;
  }

  static void OnPacket(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    auto* self = reinterpret_cast<FlowWatcherWrap*>(user);
    UdpTuple t;
    if (ParseUdpFrame(self->linkType_, bytes, header->caplen, &t)) {
      self->matched_++;
      self->table_.Add(t);
    }
  }

  void OnReadable() {
    for (int round = 0; round < kDispatchesPerWake && pcap_ != nullptr; round++) {
      int n = pcap_dispatch(pcap_, kPacketsPerDispatch, &FlowWatcherWrap::OnPacket, reinterpret_cast<u_char*>(this));
      if (n == PCAP_ERROR) {
        ReportError(std::string("pcap_dispatch: ") + pcap_geterr(pcap_));
        return;
      }
      if (n < kPacketsPerDispatch) return;
    }
  }

  void ReportError(const std::string& message) {
    // The capture is broken (interface gone, ...): stop polling, keep the counts, tell JS.
    poll_.Stop();
    if (onError_.IsEmpty()) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    try {
      onError_.MakeCallback(Value(), {CodedError(env, "EPCAP", message).Value()}, *context_);
    } catch (const Napi::Error& e) {
      napi_fatal_exception(env, e.Value());
    }
  }

  Napi::Value LinkType(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), linkType_); }

  Napi::Value Take(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::vector<FlowCount> flows = table_.Take();
    Napi::Array out = Napi::Array::New(env, flows.size());
    for (size_t i = 0; i < flows.size(); i++) {
      Napi::Object o = TupleObject(env, flows[i].tuple);
      o.Set("packets", Napi::Number::New(env, static_cast<double>(flows[i].packets)));
      o.Set("bytes", Napi::Number::New(env, static_cast<double>(flows[i].bytes)));
      out.Set(static_cast<uint32_t>(i), o);
    }
    return out;
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    pcap_stat s{};
    if (pcap_ != nullptr && pcap_stats(pcap_, &s) == 0) {
      last_ = s;
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("received", Napi::Number::New(env, last_.ps_recv));
    o.Set("dropped", Napi::Number::New(env, last_.ps_drop));
    o.Set("ifDropped", Napi::Number::New(env, last_.ps_ifdrop));
    o.Set("matched", Napi::Number::New(env, static_cast<double>(matched_)));
    o.Set("overflowed", Napi::Number::New(env, static_cast<double>(table_.overflowed())));
    return o;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (pcap_ != nullptr) {
      pcap_stat s{};
      if (pcap_stats(pcap_, &s) == 0) last_ = s;
      poll_.Stop();
      Fail();
      Unref();
    }
    return info.Env().Undefined();
  }

  pcap_t* pcap_ = nullptr;
  int linkType_ = -1;
  FdPoll poll_;
  FlowTable table_;
  uint64_t matched_ = 0;
  pcap_stat last_{};
  Napi::FunctionReference onError_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

#endif  // LS_HAVE_PCAP

}  // namespace

void InitFlowWatcher(Napi::Env env, Napi::Object exports) {
  exports.Set("parseFrame", Napi::Function::New(env, ParseFrame, "parseFrame"));
#ifdef LS_HAVE_PCAP
  exports.Set("hasPcap", Napi::Boolean::New(env, true));
  exports.Set("pcapVersion", Napi::String::New(env, pcap_lib_version()));
  exports.Set("compileFilter", Napi::Function::New(env, CompileFilter, "compileFilter"));
  exports.Set("FlowWatcher", FlowWatcherWrap::Define(env));
#else
  exports.Set("hasPcap", Napi::Boolean::New(env, false));
#endif
}

}  // namespace ls
