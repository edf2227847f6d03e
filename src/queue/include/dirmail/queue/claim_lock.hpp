#pragma once
// The exclusive claim on one queued message for a delivery attempt or an
// administrator's command (message_claim.hpp): flock() on <dir>/<id>.claim, a file in
// a node-local folder, so it works alike for a queue on a local disk and one on an SMB
// share (where libsmbclient offers no advisory lock). It excludes the processes of
// this node; other nodes are kept out by the cluster's store lease (a single node
// delivers a shared queue).
//
// The file exists only while claimed: the holder removes it before letting go, and a
// claimer that locked a file removed meanwhile starts again on the new one.
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/result.hpp"

namespace dirmail::queue {

class ClaimLock {
 public:
  // Blocks while another process or thread holds the claim.
  static Result<ClaimLock> wait(const std::string& dir, std::string_view id);
  // nullopt while another holds it.
  static Result<std::optional<ClaimLock>> try_take(const std::string& dir, std::string_view id);

  ClaimLock() = default;  // holds nothing
  ClaimLock(ClaimLock&& other) noexcept = default;
  ClaimLock& operator=(ClaimLock&& other) noexcept;
  ~ClaimLock();

 private:
  ClaimLock(std::string path, posix::UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  static Result<std::optional<ClaimLock>> take(const std::string& dir, std::string_view id, bool wait);
  void release();
  std::string path_;
  posix::UniqueFd fd_;
};

}  // namespace dirmail::queue
