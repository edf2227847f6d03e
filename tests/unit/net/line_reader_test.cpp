#include "dirmail/net/line_reader.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <vector>


namespace dirmail::net {
namespace {

struct Piece {
  std::string text;
  bool truncated;
  bool complete;
  bool crlf;
};

// Sends `input` from a client socket and reads it back through a LineReader.
std::vector<Piece> read_all(const std::string& input, std::size_t max_line, bool close_after = true,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5), Error* last_error = nullptr) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  Stream server(acceptor.accept());
  asio::write(client, asio::buffer(input));
  if (close_after) client.shutdown(tcp::socket::shutdown_send);
  std::vector<Piece> pieces;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        LineReader reader(server, max_line);
        for (;;) {
          auto got = co_await reader.read_line(timeout);
          if (!got) {
            if (last_error) *last_error = got.error();
            co_return;
          }
          pieces.push_back({std::string(got->text), got->truncated, got->complete, got->crlf});
        }
      },
      asio::detached);
  io.run();
  return pieces;
}

TEST(LineReader, SplitsLinesAndStripsCrLf) {
  auto p = read_all("one\r\ntwo\nthree\r\n", 100);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].text, "one");
  EXPECT_EQ(p[1].text, "two");
  EXPECT_EQ(p[2].text, "three");
  EXPECT_TRUE(p[2].complete);
  EXPECT_TRUE(p[0].crlf);
  EXPECT_FALSE(p[1].crlf);  // a bare LF is told apart
  EXPECT_TRUE(p[2].crlf);
}

TEST(LineReader, LongLineComesInBoundedPieces) {
  std::string long_line(25, 'x');
  auto p = read_all(long_line + "\r\nnext\r\n", 10);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].text.size(), 10u);
  EXPECT_FALSE(p[0].complete);
  EXPECT_TRUE(p[1].truncated);
  EXPECT_EQ(p[0].text + p[1].text + p[2].text, long_line);
  EXPECT_TRUE(p[2].complete);
  EXPECT_EQ(p[3].text, "next");
  EXPECT_FALSE(p[3].truncated);
}

TEST(LineReader, CrLfSplitAtPieceBoundaryIsOneLineEnd) {
  auto p = read_all(std::string(9, 'a') + "\r\nb\r\n", 10);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].text, std::string(9, 'a'));
  EXPECT_TRUE(p[0].complete);
  EXPECT_EQ(p[1].text, "b");
}

TEST(LineReader, EndOfStreamAndTimeout) {
  Error e;
  read_all("partial", 100, true, std::chrono::seconds(5), &e);
  EXPECT_EQ(e.code, ErrorCode::not_found);
  read_all("", 100, false, std::chrono::milliseconds(50), &e);
  EXPECT_EQ(e.code, ErrorCode::cancelled);
}

TEST(LineReader, ATrickledLineEndsAtTheDeadlineNotAfterEachByte) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  Stream server(acceptor.accept());
  // A byte every 20 ms, never a line end; the line's deadline is 200 ms.
  asio::steady_timer tick(io);
  int sent = 0;
  std::function<void(const boost::system::error_code&)> trickle = [&](const boost::system::error_code& ec) {
    if (ec || sent == 100) return;
    ++sent;
    boost::system::error_code ignored;
    asio::write(client, asio::buffer("x", 1), ignored);
    tick.expires_after(std::chrono::milliseconds(20));
    tick.async_wait(trickle);
  };
  trickle({});
  Error error;
  std::chrono::steady_clock::duration took{};
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        LineReader reader(server, 1000);
        const auto start = std::chrono::steady_clock::now();
        auto got = co_await reader.read_line(std::chrono::milliseconds(200));
        took = std::chrono::steady_clock::now() - start;
        if (!got) error = got.error();
        tick.cancel();
      },
      asio::detached);
  io.run();
  EXPECT_EQ(error.code, ErrorCode::cancelled);
  EXPECT_LT(took, std::chrono::milliseconds(1000));  // each byte used to restart the wait
  EXPECT_LT(sent, 50);
}

}  // namespace
}  // namespace dirmail::net
