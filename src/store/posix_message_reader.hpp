#pragma once
#include "dirmail/store/mail_store.hpp"
#include "dirmail/base/posix_file.hpp"

namespace dirmail::store {

// Reads one message file from the start; the file stays readable even if the message
// is expunged while it is being read.
class PosixMessageReader final : public MessageReader {
 public:
  PosixMessageReader(posix::UniqueFd fd, std::uint64_t size, std::string path)
      : fd_(std::move(fd)), size_(size), path_(std::move(path)) {}
  Result<std::size_t> read(std::span<char> buf) override;
  Status skip(std::uint64_t count) override;
  std::uint64_t size() const override { return size_; }

 private:
  posix::UniqueFd fd_;
  std::uint64_t size_;
  std::string path_;
};

}  // namespace dirmail::store
