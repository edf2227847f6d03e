// What only the local file system does: symbolic links. A mailbox root, the data folder
// or a folder on the way may be a link to a folder (an admin's /var/mail -> /srv/mail),
// while the store's own files are never opened through one.
#include "dirmail/store/posix_file_system.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"
#include "dirmail/store/posix_mail_store.hpp"
#include "memory_source.hpp"

namespace dirmail::store {
namespace {

namespace fs = std::filesystem;
using dirmail::testing::TempDir;

TEST(PosixFileSystem, FollowsALinkToAFolder) {
  TempDir dir;
  const fs::path base(dir.path());
  fs::create_directory(base / "real");
  fs::create_directory_symlink(base / "real", base / "link");
  PosixFileSystem files;

  ASSERT_TRUE(make_directories(files, (base / "link" / "mail" / "alice").string()).ok());
  EXPECT_TRUE(fs::is_directory(base / "real" / "mail" / "alice"));
  auto entries = files.list(dir.path());
  ASSERT_TRUE(entries.ok());
  bool link_is_a_folder = false;
  for (const auto& entry : *entries) link_is_a_folder |= entry.name == "link" && entry.directory;
  EXPECT_TRUE(link_is_a_folder);

  // A folder gone meanwhile (deleted by another session) is not_found, as callers expect.
  auto gone = files.sync_directory((base / "link" / "gone").string());
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::not_found);

  std::ofstream(base / "real" / "file") << "x";
  fs::create_symlink(base / "real" / "file", base / "file-link");
  auto opened = files.open((base / "file-link").string(), OpenMode::read);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::invalid_argument);
}

TEST(PosixFileSystem, AMailboxRootThatIsALinkTakesMail) {
  TempDir dir;
  const fs::path base(dir.path());
  fs::create_directory(base / "srv");
  fs::create_directory_symlink(base / "srv", base / "mail");
  PosixMailStore store;
  const std::string root = (base / "mail" / "alice").string();
  testing::MemorySource body("Subject: hi\r\n\r\nhello\r\n");
  ASSERT_TRUE(store.deliver(root, "INBOX", body.source()).ok());
  auto status = store.status(root, "INBOX");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->messages.size(), 1u);
  auto folders = store.list_folders(root);
  ASSERT_TRUE(folders.ok());
  EXPECT_EQ(folders->front(), "INBOX");
  EXPECT_TRUE(store.create_folder(root, "Archive").ok());
  EXPECT_TRUE(fs::is_directory(base / "srv" / "alice" / "Archive"));
}

}  // namespace
}  // namespace dirmail::store
