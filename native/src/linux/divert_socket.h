// The Linux divert socket's socket-and-batch layer, free of N-API so that the per-packet path
// (header stamping, FEC) can move in here later.
//
// Receive: one UDP socket with IP_TRANSPARENT + IP_RECVORIGDSTADDR bound to the tproxy port; each
// datagram's original destination arrives as an IP_ORIGDSTADDR control message. recvmmsg reads up to
// kBatch datagrams per system call.
// Send: per source (the game server's address), a cached transparent socket bound to that non-local
// address (IP_TRANSPARENT + SO_REUSEADDR), so the game sees the reply come from the server.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "../core/sys_error.h"

namespace ls {

struct DivertStats {
  uint64_t received = 0;
  uint64_t batches = 0;
  uint64_t sent = 0;
  uint64_t sendErrors = 0;
  uint64_t truncated = 0;
};

/** One received datagram; `data` points into the socket's batch buffer (valid until the next Receive). */
struct DivertedView {
  uint32_t srcIp;  // host order
  uint16_t srcPort;
  uint32_t dstIp;  // original destination, host order
  uint16_t dstPort;
  const uint8_t* data;
  size_t length;
};

class DivertSocket {
 public:
  static constexpr unsigned kBatch = 32;
  static constexpr size_t kMaxDatagram = 65535;
  static constexpr size_t kMaxReplySockets = 4096;
  static constexpr int kReceiveBuffer = 1 << 20;

  DivertSocket() = default;
  ~DivertSocket();
  DivertSocket(const DivertSocket&) = delete;
  DivertSocket& operator=(const DivertSocket&) = delete;

  /** Opens and binds the receiving socket (non-blocking). `port` 0 = any. */
  SysError Open(uint32_t ip, uint16_t port);
  int fd() const { return fd_; }
  uint16_t port() const { return port_; }
  bool open() const { return fd_ >= 0; }
  /** The kernel's receive buffer size (SO_RCVBUF as read back: twice what was asked). */
  int receiveBuffer() const;

  /**
   * One recvmmsg call: appends up to kBatch datagrams to `out`. Returns the count (0 when nothing is
   * waiting), or -errno on a receive error other than EAGAIN.
   */
  int ReceiveBatch(std::vector<DivertedView>& out);

  /** Sends `payload` from src to dst through the cached transparent socket for src. */
  bool SendFrom(uint32_t srcIp, uint16_t srcPort, uint32_t dstIp, uint16_t dstPort, const uint8_t* payload,
                size_t length);
  /** The last error SendFrom met (for diagnostics). */
  const SysError& lastSendError() const { return lastSendError_; }
  void Release(uint32_t srcIp, uint16_t srcPort);
  size_t replySockets() const { return replies_.size(); }
  void Close();

  const DivertStats& stats() const { return stats_; }

 private:
  int ReplySocketFor(uint32_t ip, uint16_t port);

  int fd_ = -1;
  uint16_t port_ = 0;
  DivertStats stats_;
  SysError lastSendError_;
  std::unordered_map<uint64_t, int> replies_;
  // Batch buffers, allocated on Open.
  std::unique_ptr<uint8_t[]> buffers_;
  std::vector<struct mmsghdr> headers_;
  std::vector<struct iovec> iovecs_;
  std::vector<struct sockaddr_in> sources_;
  std::vector<uint8_t> control_;
};

}  // namespace ls
