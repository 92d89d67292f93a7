#include "divert_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ls {

namespace {

constexpr size_t kControlSize = CMSG_SPACE(sizeof(struct sockaddr_in));

sockaddr_in MakeAddress(uint32_t ip, uint16_t port) {
  sockaddr_in a;
  std::memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(ip);
  a.sin_port = htons(port);
  return a;
}

uint64_t Key(uint32_t ip, uint16_t port) { return (static_cast<uint64_t>(ip) << 16) | port; }

SysError Fail(const char* syscall) {
  SysError e;
  e.err = errno;
  e.syscall = syscall;
  return e;
}

}  // namespace

DivertSocket::~DivertSocket() { Close(); }

SysError DivertSocket::Open(uint32_t ip, uint16_t port) {
  Close();
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Fail("socket");
  int one = 1;
  int rcvbuf = kReceiveBuffer;
  SysError e;
  if (::setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof one) != 0) {
    e = Fail("setsockopt(IP_TRANSPARENT)");
  } else if (::setsockopt(fd, SOL_IP, IP_RECVORIGDSTADDR, &one, sizeof one) != 0) {
    e = Fail("setsockopt(IP_RECVORIGDSTADDR)");
  } else if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0 &&
             ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) {
    // SO_RCVBUFFORCE (CAP_NET_ADMIN, which IP_TRANSPARENT needed anyway) passes net.core.rmem_max;
    // plain SO_RCVBUF is capped by it.
    e = Fail("setsockopt(SO_RCVBUF)");
  } else {
    sockaddr_in a = MakeAddress(ip, port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) e = Fail("bind");
  }
  if (e.ok()) {
    sockaddr_in bound;
    socklen_t len = sizeof bound;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) e = Fail("getsockname");
    else port_ = ntohs(bound.sin_port);
  }
  if (!e.ok()) {
    ::close(fd);
    return e;
  }
  fd_ = fd;
  buffers_.reset(new uint8_t[kBatch * kMaxDatagram]);
  headers_.assign(kBatch, mmsghdr{});
  iovecs_.assign(kBatch, iovec{});
  sources_.assign(kBatch, sockaddr_in{});
  control_.assign(kBatch * kControlSize, 0);
  return e;
}

int DivertSocket::receiveBuffer() const {
  int size = 0;
  socklen_t len = sizeof size;
  if (fd_ < 0 || ::getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, &len) != 0) return 0;
  return size;
}

int DivertSocket::ReceiveBatch(std::vector<DivertedView>& out) {
  if (fd_ < 0) return -EBADF;
  for (unsigned i = 0; i < kBatch; i++) {
    iovecs_[i].iov_base = buffers_.get() + i * kMaxDatagram;
    iovecs_[i].iov_len = kMaxDatagram;
    msghdr& h = headers_[i].msg_hdr;
    std::memset(&h, 0, sizeof h);
    h.msg_name = &sources_[i];
    h.msg_namelen = sizeof(sockaddr_in);
    h.msg_iov = &iovecs_[i];
    h.msg_iovlen = 1;
    h.msg_control = control_.data() + i * kControlSize;
    h.msg_controllen = kControlSize;
    headers_[i].msg_len = 0;
  }
  int n;
  do {
    n = ::recvmmsg(fd_, headers_.data(), kBatch, MSG_DONTWAIT, nullptr);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
  if (n > 0) stats_.batches++;
  for (int i = 0; i < n; i++) {
    msghdr& h = headers_[i].msg_hdr;
    if (h.msg_flags & MSG_TRUNC) {
      // Longer than kMaxDatagram cannot happen for UDP/IPv4, but never forward a cut datagram.
      stats_.truncated++;
      continue;
    }
    bool haveDst = false;
    sockaddr_in dst;
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
      if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_ORIGDSTADDR &&
          c->cmsg_len >= CMSG_LEN(sizeof(sockaddr_in))) {
        std::memcpy(&dst, CMSG_DATA(c), sizeof dst);
        haveDst = true;
      }
    }
    if (h.msg_flags & MSG_CTRUNC) haveDst = false;
    if (!haveDst || sources_[i].sin_family != AF_INET) {
      stats_.truncated++;
      continue;
    }
    stats_.received++;
    out.push_back(DivertedView{ntohl(sources_[i].sin_addr.s_addr), ntohs(sources_[i].sin_port),
                               ntohl(dst.sin_addr.s_addr), ntohs(dst.sin_port),
                               static_cast<const uint8_t*>(iovecs_[i].iov_base), headers_[i].msg_len});
  }
  return n;
}

int DivertSocket::ReplySocketFor(uint32_t ip, uint16_t port) {
  auto it = replies_.find(Key(ip, port));
  if (it != replies_.end()) return it->second;
  if (replies_.size() >= kMaxReplySockets) {
    lastSendError_ = SysError{EMFILE, "sendFrom(reply socket cap)", ""};
    return -1;
  }
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    lastSendError_ = Fail("socket");
    return -1;
  }
  int one = 1;
  sockaddr_in a = MakeAddress(ip, port);
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
    lastSendError_ = Fail("setsockopt(SO_REUSEADDR)");
  } else if (::setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof one) != 0) {
    lastSendError_ = Fail("setsockopt(IP_TRANSPARENT)");
  } else if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    lastSendError_ = Fail("bind");
  } else {
    replies_.emplace(Key(ip, port), fd);
    return fd;
  }
  ::close(fd);
  return -1;
}

bool DivertSocket::SendFrom(uint32_t srcIp, uint16_t srcPort, uint32_t dstIp, uint16_t dstPort,
                            const uint8_t* payload, size_t length) {
  if (fd_ < 0) {
    lastSendError_ = SysError{EBADF, "sendFrom", ""};
    stats_.sendErrors++;
    return false;
  }
  int fd = ReplySocketFor(srcIp, srcPort);
  if (fd < 0) {
    stats_.sendErrors++;
    return false;
  }
  sockaddr_in to = MakeAddress(dstIp, dstPort);
  ssize_t n;
  do {
    n = ::sendto(fd, payload, length, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), sizeof to);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    lastSendError_ = Fail("sendto");
    stats_.sendErrors++;
    return false;
  }
  stats_.sent++;
  return true;
}

void DivertSocket::Release(uint32_t srcIp, uint16_t srcPort) {
  auto it = replies_.find(Key(srcIp, srcPort));
  if (it == replies_.end()) return;
  ::close(it->second);
  replies_.erase(it);
}

void DivertSocket::Close() {
  for (auto& entry : replies_) ::close(entry.second);
  replies_.clear();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffers_.reset();
}

}  // namespace ls
