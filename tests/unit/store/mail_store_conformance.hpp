#pragma once
// The MailStore conformance suite: every backend (posix, smb) must pass these tests.
// A backend joins by instantiating the suite with a factory of its harness:
//
//   INSTANTIATE_TEST_SUITE_P(Posix, MailStoreConformance,
//       ::testing::Values(MailStoreBackend{"posix", [] { return make_posix_harness(); }}),
//       [](const auto& param_info) { return param_info.param.name; });
//
// A factory may return nullptr when its server is not available (the tests skip).
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "dirmail/store/mail_store.hpp"

namespace dirmail::store::testing {

class MailStoreHarness {
 public:
  virtual ~MailStoreHarness() = default;
  // A new store object over the harness's storage; a second call is a restart.
  virtual std::unique_ptr<MailStore> make_store() = 0;
  // A mailbox root for `user`, fresh for each harness.
  virtual std::string mailbox_root(std::string_view user) = 0;
};

struct MailStoreBackend {
  std::string name;
  std::function<std::unique_ptr<MailStoreHarness>()> make;
};

// gtest prints parameters in test names; a backend's name says all there is to say.
inline void PrintTo(const MailStoreBackend& backend, std::ostream* os) { *os << backend.name; }

class MailStoreConformance : public ::testing::TestWithParam<MailStoreBackend> {
 protected:
  void SetUp() override;

  // Delivers `prefix` + `body`; the body is read from a file at a non-zero offset, as
  // local delivery reads it from a queue file.
  Result<MessageInfo> deliver(const std::string& root, std::string_view folder, std::string_view prefix,
                              std::string_view body, std::string uidl = "", std::string delivery_id = "");
  MessageInfo deliver_ok(const std::string& root, std::string_view body, std::string_view folder = "INBOX");
  std::string read_message(const std::string& root, std::string_view folder, std::uint32_t uid);
  FolderStatus status_ok(const std::string& root, std::string_view folder = "INBOX");
  // APPEND of `body` (read from a file, as the IMAP layer spools a literal).
  Result<AppendResult> append(const std::string& root, std::string_view folder, std::string_view body,
                              AppendOptions options = {});

  std::unique_ptr<MailStoreHarness> harness_;
  std::unique_ptr<MailStore> store_;
};

}  // namespace dirmail::store::testing
