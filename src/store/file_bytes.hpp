#pragma once
// Reading a File into a string, for the store's small records (index and summary logs).
#include <cstdint>
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/store/file_system.hpp"

namespace dirmail::store {

// Up to `size` bytes at `offset`; fewer only at the end of the file.
inline Result<std::string> read_bytes(File& file, std::uint64_t offset, std::size_t size) {
  std::string bytes(size, '\0');
  auto got = file.read_at(offset, bytes);
  if (!got) return std::move(got).error();
  bytes.resize(*got);
  return bytes;
}

}  // namespace dirmail::store
