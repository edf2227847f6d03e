#pragma once
// Reads one message file from the start; the file stays readable even if the message
// is expunged while it is being read (posix; an smb server may refuse the removal
// while the file is open instead).
#include <cstdint>
#include <memory>

#include "dirmail/store/file_system.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::store {

class FileMessageReader final : public MessageReader {
 public:
  FileMessageReader(std::unique_ptr<File> file, std::uint64_t size) : file_(std::move(file)), size_(size) {}
  Result<std::size_t> read(std::span<char> buf) override;
  // Only moves the position: no call on the file.
  Status skip(std::uint64_t count) override;
  std::uint64_t size() const override { return size_; }

 private:
  std::unique_ptr<File> file_;
  std::uint64_t size_;
  std::uint64_t position_ = 0;
};

}  // namespace dirmail::store
