#pragma once
// A LocalDirectory in a fresh temporary folder, with the cheapest password hashing so
// the tests stay fast under the sanitizers.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "dirmail/directory/local_directory.hpp"

namespace dirmail::directory::testing {

class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dirmail-directory-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline LocalDirectoryOptions fast_options() {
  LocalDirectoryOptions options;
  options.hash_cost = PasswordHashCost::minimum();
  return options;
}

inline std::unique_ptr<LocalDirectory> open_directory(const std::filesystem::path& file) {
  auto dir = LocalDirectory::open(file.string(), fast_options());
  if (!dir) throw std::runtime_error("open failed: " + dir.error().message);
  return std::move(*dir);
}

inline UserSpec user(std::string name, std::string domain, std::string password = "secret-1") {
  UserSpec spec;
  spec.name = std::move(name);
  spec.domain = std::move(domain);
  spec.password = std::move(password);
  return spec;
}

// A directory with one domain, example.test, ready for users.
class LocalDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = open_directory(db_path());
    ASSERT_TRUE(dir_->add_domain("example.test").ok());
  }
  std::filesystem::path db_path() const { return folder_.path() / "directory.db"; }

  TempFolder folder_;
  std::unique_ptr<LocalDirectory> dir_;
};

}  // namespace dirmail::directory::testing
