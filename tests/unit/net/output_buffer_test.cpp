#include "dirmail/net/output_buffer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/read.hpp>

namespace dirmail::net {
namespace {

tcp::socket connect_and_accept(tcp::acceptor& acceptor, tcp::socket& client) {
  client.connect(acceptor.local_endpoint());
  return acceptor.accept();
}

struct Pair {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  tcp::socket client{io};
  Stream server{connect_and_accept(acceptor, client)};
};

Status flush_in(Pair& p, OutputBuffer& out, std::chrono::milliseconds timeout) {
  Status result = make_error(ErrorCode::internal, "not run");
  asio::co_spawn(p.io, [&]() -> awaitable<void> { result = co_await out.flush(p.server, timeout); }, asio::detached);
  p.io.run();
  p.io.restart();
  return result;
}

TEST(OutputBuffer, WritesEverything) {
  Pair p;
  OutputBuffer out;
  out.append("250 ok\r\n");
  out.append("221 bye\r\n");
  ASSERT_TRUE(flush_in(p, out, std::chrono::seconds(5)).ok());
  EXPECT_TRUE(out.empty());
  std::string got(17, '\0');
  asio::read(p.client, asio::buffer(got));
  EXPECT_EQ(got, "250 ok\r\n221 bye\r\n");
}

TEST(OutputBuffer, AReaderThatNeverReadsTimesOut) {
  Pair p;
  OutputBuffer out;
  out.append(std::string(64 << 20, 'x'));  // far more than the socket buffers hold
  auto st = flush_in(p, out, std::chrono::milliseconds(200));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::cancelled);
  // The deadline is reusable: the next flush works once the peer reads again.
  out.append("next\r\n");
  p.client.close();
  auto after = flush_in(p, out, std::chrono::seconds(5));
  EXPECT_FALSE(after.ok());  // the peer is gone now: an I/O error, not a hang
  EXPECT_EQ(after.error().code, ErrorCode::io_error);
}

}  // namespace
}  // namespace dirmail::net
