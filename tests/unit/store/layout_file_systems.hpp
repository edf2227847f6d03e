#pragma once
// The file systems the store's layout tests run on: the local one (posix), and the local
// one with the semantics of smb (smb_like_file_system.hpp). A fixture takes the name as
// its parameter:
//
//   INSTANTIATE_TEST_SUITE_P(FileSystems, SomeTest, kLayoutFileSystems, layout_file_system_name);
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "dirmail/store/posix_file_system.hpp"
#include "smb_like_file_system.hpp"

namespace dirmail::store::testing {

inline std::shared_ptr<FileSystem> make_layout_file_system(const std::string& name) {
  if (name == "smb_like") return std::make_shared<SmbLikeFileSystem>();
  return std::make_shared<PosixFileSystem>();
}

inline const auto kLayoutFileSystems = ::testing::Values(std::string("posix"), std::string("smb_like"));

inline std::string layout_file_system_name(const ::testing::TestParamInfo<std::string>& param_info) {
  return param_info.param;
}

}  // namespace dirmail::store::testing
