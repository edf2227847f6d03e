#pragma once
// A whole file's bytes, for tests that check what was written ("" when it cannot be read).
#include <fstream>
#include <sstream>
#include <string>

namespace dirmail::testing {

inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace dirmail::testing
