#pragma once
// A message body in a memory file, as the queue hands messages to MailStore::deliver
// and append: the store tests' way to make a DeliverySource.
#include <sys/mman.h>
#include <unistd.h>

#include <string_view>

#include <gtest/gtest.h>

#include "dirmail/store/mail_store.hpp"

namespace dirmail::store::testing {

class MemorySource {
 public:
  explicit MemorySource(std::string_view body) : fd_(::memfd_create("dirmail-test-body", MFD_CLOEXEC)) {
    EXPECT_GE(fd_, 0);
    EXPECT_EQ(::write(fd_, body.data(), body.size()), static_cast<ssize_t>(body.size()));
    source_.fd = fd_;
    source_.length = body.size();
  }
  ~MemorySource() { ::close(fd_); }
  MemorySource(const MemorySource&) = delete;
  MemorySource& operator=(const MemorySource&) = delete;

  const DeliverySource& source() const { return source_; }

 private:
  int fd_;
  DeliverySource source_;
};

}  // namespace dirmail::store::testing
