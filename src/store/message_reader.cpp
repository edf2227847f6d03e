#include <algorithm>
#include <string>

#include "dirmail/store/mail_store.hpp"

namespace dirmail::store {

Status MessageReader::skip(std::uint64_t count) {
  std::string chunk(static_cast<std::size_t>(std::min<std::uint64_t>(count, 32 * 1024)), '\0');
  while (count > 0) {
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(count, chunk.size()));
    auto n = read(std::span<char>(chunk.data(), want));
    if (!n) return std::move(n).error();
    if (*n == 0) return make_error(ErrorCode::io_error, "message is shorter than its index says");
    count -= *n;
  }
  return ok_status();
}

}  // namespace dirmail::store
