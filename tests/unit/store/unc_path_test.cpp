#include "dirmail/store/unc_path.hpp"

#include <gtest/gtest.h>

namespace dirmail::store {
namespace {

std::string url_of(std::string_view path) {
  auto url = share_url(path);
  EXPECT_TRUE(url.ok()) << path << ": " << url.error().message;
  return url ? *url : std::string();
}

std::string refusal(std::string_view path) {
  auto url = share_url(path);
  EXPECT_FALSE(url.ok()) << path << " gave " << *url;
  if (url) return {};
  EXPECT_EQ(url.error().code, ErrorCode::invalid_argument);
  return url.error().message;
}

TEST(SharePath, UncPathsBecomeSmbUrls) {
  EXPECT_EQ(url_of("\\\\fs1\\mail\\store"), "smb://fs1/mail/store");
  EXPECT_EQ(url_of("//fs1/mail/store"), "smb://fs1/mail/store");
  EXPECT_EQ(url_of("\\\\FS1.Example.COM\\Mail"), "smb://fs1.example.com/Mail");
  EXPECT_EQ(url_of("\\\\fs1\\mail\\"), "smb://fs1/mail");
  EXPECT_EQ(url_of("\\\\10.0.0.5\\mail/mixed\\separators"), "smb://10.0.0.5/mail/mixed/separators");
}

TEST(SharePath, SmbUrlsAreNormalised) {
  EXPECT_EQ(url_of("smb://fs1/mail/store"), "smb://fs1/mail/store");
  EXPECT_EQ(url_of("SMB://FS1:4450/mail/store/"), "smb://fs1:4450/mail/store");
  EXPECT_EQ(url_of("smb://fs1:0445/mail"), "smb://fs1:445/mail");
}

TEST(SharePath, NonAsciiNamesAreKept) {
  EXPECT_EQ(url_of("\\\\fs1\\mail\\日本語"), "smb://fs1/mail/日本語");
}

TEST(SharePath, DriveLettersAreRefusedWithAdvice) {
  EXPECT_NE(refusal("H:\\mail").find("drive letter"), std::string::npos);
  EXPECT_NE(refusal("H:").find("UNC path"), std::string::npos);
}

TEST(SharePath, RelativeAndLocalPathsAreRefused) {
  for (auto path : {"mail\\store", "/var/mail", "", "\\mail", "http://fs1/mail"})
    EXPECT_NE(refusal(path).find("expected \\\\server\\share\\folder"), std::string::npos) << path;
}

TEST(SharePath, MissingServerOrShareIsRefused) {
  for (auto path : {"\\\\fs1", "\\\\fs1\\", "smb://fs1", "smb://fs1/", "smb:///mail", "smb://:445/mail"})
    EXPECT_FALSE(share_url(path).ok()) << path;
}

TEST(SharePath, DotDotAndEmptyComponentsAreRefused) {
  for (auto path : {"\\\\fs1\\mail\\..\\etc", "smb://fs1/mail/../x", "smb://fs1/mail//x", "\\\\fs1\\mail\\.\\x",
                    "smb://fs1/mail/x//"})
    EXPECT_FALSE(share_url(path).ok()) << path;
}

TEST(SharePath, BadCharactersAndPortsAreRefused) {
  EXPECT_NE(refusal("smb://fs1/mail/a%2e").find("'%'"), std::string::npos);
  EXPECT_NE(refusal("smb://fs1/mail/a*b").find("SMB refuses"), std::string::npos);
  EXPECT_NE(refusal("smb://fs1/mail/a\\b").find("SMB refuses"), std::string::npos);
  EXPECT_NE(refusal(std::string("smb://fs1/mail/a\x01") + "b").find("control character"), std::string::npos);
  EXPECT_NE(refusal("smb://fs1/mail/\xff").find("UTF-8"), std::string::npos);
  EXPECT_NE(refusal("smb://fs1:0/mail").find("port"), std::string::npos);
  EXPECT_NE(refusal("smb://fs1:65536/mail").find("port"), std::string::npos);
  EXPECT_NE(refusal("smb://fs1:x/mail").find("port"), std::string::npos);
  EXPECT_NE(refusal("smb://user@fs1/mail").find("store.smb_credentials_file"), std::string::npos);
  EXPECT_FALSE(share_url("smb://fs1/mail/" + std::string(kMaxSharePathBytes, 'a')).ok());
}

TEST(SharePath, UncForMessages) {
  EXPECT_EQ(unc_of("smb://fs1/mail/store/x"), "\\\\fs1\\mail\\store\\x");
  EXPECT_EQ(share_unc_of("smb://fs1/mail/store/x"), "\\\\fs1\\mail");
  EXPECT_EQ(share_unc_of("smb://fs1:4450/mail"), "\\\\fs1:4450\\mail");
}

TEST(SharePath, CredentialsInThePathAreRefusedWithoutQuotingThem) {
  for (std::string path : {"smb://alice:Secret1@fs1/mail", "\\\\alice:Secret1@fs1\\mail", "smb://alice@fs1/mail"}) {
    auto message = refusal(path);
    EXPECT_NE(message.find("store.smb_credentials_file"), std::string::npos) << message;
    EXPECT_EQ(message.find("Secret1"), std::string::npos) << message;
  }
  // An '@' in a folder name is a name like any other.
  EXPECT_EQ(share_url("\\\\fs1\\mail\\a@b").value(), "smb://fs1/mail/a@b");
}

}  // namespace
}  // namespace dirmail::store
