#include "dirmail/base/unix_socket_path.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace dirmail::posix {
namespace {

int bound_socket(const std::string& usable) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, usable.data(), usable.size());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool connects(const std::string& usable) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, usable.data(), usable.size());
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

TEST(UnixSocketPath, ShortPathsAreUsedAsTheyAre) {
  auto p = UnixSocketPath::make("/run/dirmail/control.sock");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->usable(), "/run/dirmail/control.sock");
}

TEST(UnixSocketPath, LongPathsGoThroughTheirFolder) {
  auto base = std::filesystem::temp_directory_path() / ("dirmail-sock-" + std::to_string(::getpid()));
  auto deep = base / std::string(60, 'a') / std::string(60, 'b');
  std::filesystem::create_directories(deep);
  const std::string path = (deep / "control.sock").string();
  ASSERT_GT(path.size(), 107u);
  auto server = UnixSocketPath::make(path);
  ASSERT_TRUE(server.ok()) << server.error().message;
  EXPECT_LE(server->usable().size(), 107u);
  int fd = bound_socket(server->usable());
  ASSERT_GE(fd, 0) << std::strerror(errno);
  EXPECT_TRUE(std::filesystem::is_socket(path));  // the file is where the long path says
  auto client = UnixSocketPath::make(path);
  ASSERT_TRUE(client.ok());
  EXPECT_TRUE(connects(client->usable()));
  ::close(fd);
  std::filesystem::remove_all(base);
}

TEST(UnixSocketPath, AMissingFolderIsNotFound) {
  auto p = UnixSocketPath::make("/nonexistent/" + std::string(120, 'x') + "/control.sock");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace dirmail::posix
