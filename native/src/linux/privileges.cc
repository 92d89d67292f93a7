// Privilege narrowing: from root to (uid, gid) keeping only CAP_NET_ADMIN and CAP_NET_RAW, also as
// ambient capabilities so that exec'd helpers (nft, ip) keep them. Raw capset syscall, no libcap.
//
// Threads: glibc applies setgroups/setresgid/setresuid to every thread of the process, but
// PR_SET_KEEPCAPS, capset and the ambient set are per thread. The calling (JS main) thread keeps the
// two capabilities; libuv's worker threads and V8's helper threads end up with none, which is what
// they need. Children spawned from the main thread inherit its ambient set.
#include "privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "../core/fd_poll.h"
#include "../core/sys_error.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#endif

namespace ls {

namespace {

constexpr uint32_t kKept = (1u << CAP_NET_ADMIN) | (1u << CAP_NET_RAW);

int SetCapabilities(uint32_t mask) {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[2] = {};
  data[0].effective = data[0].permitted = data[0].inheritable = mask;
  return static_cast<int>(::syscall(SYS_capset, &header, data));
}

Napi::Value DropPrivileges(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t uid, gid;
  if (info.Length() < 2 || !ReadUint(info[0], 0xfffffffeu, &uid) || !ReadUint(info[1], 0xfffffffeu, &gid)) {
    throw Napi::TypeError::New(env, "dropPrivileges(uid, gid): non-negative integers");
  }
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) throw MakeSysError(env, errno, "prctl(PR_SET_KEEPCAPS)");
  gid_t groups[1] = {static_cast<gid_t>(gid)};
  if (::setgroups(1, groups) != 0) throw MakeSysError(env, errno, "setgroups");
  if (::setresgid(gid, gid, gid) != 0) throw MakeSysError(env, errno, "setresgid");
  if (::setresuid(uid, uid, uid) != 0) throw MakeSysError(env, errno, "setresuid");
  if (SetCapabilities(kKept) != 0) throw MakeSysError(env, errno, "capset");
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0) != 0) {
    throw MakeSysError(env, errno, "prctl(PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN)");
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0) != 0) {
    throw MakeSysError(env, errno, "prctl(PR_CAP_AMBIENT_RAISE, CAP_NET_RAW)");
  }
  ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  return env.Undefined();
}

}  // namespace

void InitPrivileges(Napi::Env env, Napi::Object exports) {
  exports.Set("dropPrivileges", Napi::Function::New(env, DropPrivileges, "dropPrivileges"));
}

}  // namespace ls
