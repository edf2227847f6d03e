#include "file_message_reader.hpp"

#include <algorithm>

namespace dirmail::store {

Result<std::size_t> FileMessageReader::read(std::span<char> buf) {
  // Message files never change once stored: nothing lies past the size they had when
  // opened, so the end needs no call (each one is a round trip on smb).
  if (position_ >= size_) return std::size_t{0};
  auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size_ - position_));
  auto got = file_->read_at(position_, buf.first(want));
  if (!got) return std::move(got).error();
  position_ += *got;
  return *got;
}

Status FileMessageReader::skip(std::uint64_t count) {
  position_ += count;
  return ok_status();
}

}  // namespace dirmail::store
