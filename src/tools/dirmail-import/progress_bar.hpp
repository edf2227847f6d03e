#pragma once
// The progress bar of a long import, on the terminal (standard error): one line
// rewritten in place, at most ten times a second, ended when the run ends.
#include <chrono>
#include <iosfwd>

#include "dirmail/migration/soft_account_import.hpp"

namespace dirmail::import_tool {

class ProgressBar {
 public:
  explicit ProgressBar(std::ostream& out) : out_(out) {}
  ~ProgressBar();
  void update(const migration::ImportProgress& progress);

 private:
  std::ostream& out_;
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

// "[##########..........]  100/200 accounts  1,234 messages  12.3 MB  user0100"
std::string format_progress(const migration::ImportProgress& progress, std::size_t width = 30);

}  // namespace dirmail::import_tool
